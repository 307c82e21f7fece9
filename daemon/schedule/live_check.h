// `gleaner check --live`: fetches each site's `examples` URLs through a Fetcher, exactly
// as the crawler fetches an article (the site's request, robots.txt, politeness and caps
// are the fetcher's), extracts each page with that site's rules, and judges the site from
// the record's provenance (extractors/core/provenance.h), never from its warning text.
// Also the report's text and its exit status. No I/O of its own besides the fetcher it is
// handed; it prints nothing (the caller prints what Render* returns).
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "daemon/fetch/fetcher.h"
#include "daemon/settings/config.h"
#include "extractors/core/provenance.h"
#include "extractors/core/result.h"
#include "extractors/rules/site_rules.h"

namespace gleaner::schedule {

// The examples of one site that are fetched; the rest are counted and named as skipped.
// A few pages show whether a site's rules still work; a site file listing hundreds would
// otherwise make a check take hours at a polite delay of several seconds per request.
inline constexpr size_t kMaxExamplesPerSite = 20;

// A field of the record that has a value, and the stage that produced it.
struct FoundField {
  std::string name;  // "title", "author", ... as in the record
  Stage stage = Stage::kNone;
};

enum class ExampleVerdict {
  kOk,           // fetched; the rules produced the record without a fallback or a miss
  kBroken,       // a fallback stepped in, a declared field matched nothing, or no article
  kUnreachable,  // the fetch failed
};

// One example URL: how its fetch went and what the extraction made of the page.
struct ExampleCheck {
  std::string url;
  std::string final_url;  // after redirects; == url without them; empty when none answered
  ExampleVerdict verdict = ExampleVerdict::kOk;
  // kUnreachable: the failure's exit code (fetch::ErrorCodeFor: 5, 6 or 7) and the
  // fetcher's message naming the URL, and the kind's name ("http_status", "robots", ...).
  std::optional<Error> fetch_error;
  std::string error_kind;
  // Fetched, but nothing could be extracted: the extraction's error message.
  std::optional<std::string> no_article;
  // Fetched and extracted: the record's provenance and its fields with a value.
  Provenance provenance;
  std::vector<FoundField> found;
};

enum class SiteVerdict {
  kOk,
  kBroken,       // at least one example is broken (whatever the others did)
  kUnreachable,  // no example is broken, and at least one could not be fetched
  kNoExamples,   // the site file lists none: skipped, not a failure
};

struct SiteCheck {
  std::string id;
  std::string name;
  std::vector<ExampleCheck> examples;  // at most kMaxExamplesPerSite, in file order
  size_t examples_skipped = 0;         // listed beyond kMaxExamplesPerSite
  SiteVerdict verdict = SiteVerdict::kNoExamples;
};

// Fetches the examples of `sites` (in that order; each pointer into a SiteSet that outlives
// the call) through `fetcher`, all submitted at once so that hosts proceed in parallel
// while the fetcher spaces the requests to each host; extracts each page as the crawler
// would (ExtractPage with the site's id forced and `limits`' DOM caps), keeping only the
// provenance and the field names, never the body. Calls `report` once per site, in the
// order of `sites`, as soon as that site and every earlier one are done, then returns every
// site's check in that order. Never fails: a failed fetch or extraction is the example's
// verdict. REQUIRES: `fetcher` has nothing pending and is not polled by anyone else.
std::vector<SiteCheck> CheckSitesLive(fetch::Fetcher& fetcher,
                                      const std::vector<const rules::SiteRules*>& sites,
                                      const rules::SiteSet& all_sites, const ExtractLimits& limits,
                                      const std::function<void(const SiteCheck&)>& report);

// One site's block for people: a header line, per example its URL and indented lines
// (redirect, fetch failure, layout, fields found, declared fields missing, generic
// fallback), then the verdict line "ID: VERDICT". Ends with a newline.
std::string RenderSiteCheck(const SiteCheck& site);

// "N sites: A ok, B broken, C unreachable, D without examples" (no newline).
std::string RenderLiveSummary(const std::vector<SiteCheck>& sites);

// The exit status (docs/CONTRACT.md "Exit codes"): 1 when any site is broken; otherwise the
// code of the first fetch failure in site and example order (5 network, 6 HTTP status,
// 7 robots.txt) when any site is unreachable; otherwise 0.
int LiveCheckExitStatus(const std::vector<SiteCheck>& sites);

}  // namespace gleaner::schedule
