// What the extraction of one page did, as data, and its rendering for a person writing a
// site file (`gleaner extract --explain`). The trace is filled by the code that extracts
// (ExtractPage in pipeline.h, ApplyRules in apply.h) when the caller hands one in, never by
// a second reading of the page: the explanation cannot disagree with the record. With no
// trace given, nothing is recorded and extraction costs what it did.
// Pure data and pure functions: no I/O.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "extractors/core/article.h"
#include "extractors/core/provenance.h"
#include "extractors/core/result.h"
#include "extractors/html/charset.h"

namespace gleaner::rules {

// One selector of a field rule, as tried.
struct SelectorTrace {
  std::string selector;    // its source text
  size_t nodes = 0;        // elements it matched
  std::string first_text;  // the first value it yielded (element text or attribute), whole
  // Fields with a `pattern`: the pattern's result on `first_text`; nullopt when it did not
  // match (or the selector yielded nothing).
  std::optional<std::string> pattern_result;
};

// One declared field of the chosen layout, as read.
struct FieldTrace {
  bool declared = false;  // the layout declares the field; nothing else is set otherwise
  std::optional<std::string> pattern;  // the field's `pattern`, source text
  // The selectors tried, in order, up to the one that yielded a value (the body: up to the
  // first that matched an element).
  std::vector<SelectorTrace> selectors;
  std::optional<std::string> value;  // what the rule yielded (after the pattern), if anything
  // What the record took from it: the value itself, the parsed date for `published`, the
  // resolved URL for `source_url`, the name without "Par " for `byline`, the joined
  // paragraphs for `body`. Nullopt when the record took nothing, `not_kept` says why.
  std::optional<std::string> kept;
  std::string not_kept;
  size_t paragraphs = 0;  // `body` only: the paragraphs kept
};

// A required field of a layout, as checked to decide whether the layout applies.
struct RequiredTrace {
  std::string field;
  std::string selector;  // the selector that matched, or the rule's first when none did
  bool matched = false;
};

// One layout, as tried. Required fields are checked in order and the check stops at the
// first that matched nothing: the rest are `unchecked`.
struct LayoutTrace {
  std::string name;
  std::vector<RequiredTrace> required;
  std::vector<std::string> unchecked;
  bool chosen = false;
};

// What one `remove` or `ticker` selector took out of the page before the body was read.
struct RemovalTrace {
  enum class Kind { kTicker, kSiteRemove, kLayoutRemove };
  Kind kind = Kind::kSiteRemove;
  std::string selector;
  size_t nodes = 0;
  std::string first_text;  // the first matched element's text, whole
};

// What one `related` regex took out of the body.
struct RelatedTrace {
  std::string regex;
  size_t paragraphs = 0;
  std::string first_text;  // the first paragraph it took, whole
};

// A field the rules left empty and the page's metadata filled.
struct MetadataTrace {
  std::string field;  // "title", "author", "published"
  std::string value;  // as the metadata gives it
  std::string kept;   // what the record took: the value, or the parsed date
};

// What ApplyRules did with one page. Filled only for a site whose rules ran.
struct ApplyTrace {
  std::vector<LayoutTrace> layouts;  // in the order tried, up to the chosen one
  // The chosen layout's fields.
  FieldTrace title, author, byline, published, source, source_url, body;
  std::vector<RemovalTrace> removals;  // ticker, site `remove`, layout `remove`: in order
  size_t ticker_links = 0;             // links captured into the record's `ticker`
  std::vector<RelatedTrace> related;   // one per `related` regex of the site, in order
  std::vector<MetadataTrace> metadata;
};

// How the site was chosen.
struct SiteTrace {
  enum class Choice {
    kUndecided,    // extraction stopped before (the result's error says why)
    kGenericOnly,  // `--generic`: no site rules
    kGiven,        // `--site ID`
    kOwned,        // the URL matched one of the site's `urls`
    kNoOwner,      // no site owns the URL
    kNoUrl,        // no URL given and no absolute rel=canonical: no site can own the page
  };
  Choice choice = Choice::kUndecided;
  std::string id;
  std::string file;
  // kOwned, kGiven: the source text of the first of the site's `urls` that matches the URL;
  // empty when none does (`--site` for a URL the site does not own).
  std::string url_regex;
  size_t sites = 0;  // site files loaded
};

// Whether the rules' body was kept or generic extraction replaced it.
struct FallbackTrace {
  enum class Verdict {
    kNotRun,           // no site rules ran: generic extraction only
    kRulesLong,        // the rules' body is long enough: generic extraction not consulted
    kRulesKept,        // generic extraction consulted, the rules' body kept
    kGenericReplaced,  // generic extraction replaced the body (`reason`)
    kNoArticle,        // neither the rules nor generic extraction gave an article
  };
  Verdict verdict = Verdict::kNotRun;
  bool rules_article = false;           // ApplyRules gave an article
  size_t rules_chars = 0;               // code points of the rules' body
  size_t suspicious_below = 0;          // a rules body shorter than this is checked against generic
  size_t length_ratio = 0;              // generic replaces it when this many times longer
  std::optional<size_t> generic_chars;  // code points of the generic body, when consulted
  std::string generic_failure;          // why generic extraction gave nothing, when it did not
  FallbackReason reason = FallbackReason::kNone;  // kGenericReplaced: why
};

// What ExtractPage did with one page.
struct ExplainTrace {
  enum class UrlOrigin { kNone, kGiven, kCanonical };
  std::optional<std::string> url;  // the URL used for the record, the site and links
  UrlOrigin url_origin = UrlOrigin::kNone;
  bool parsed = false;  // the page was decoded and parsed; the next three are set
  std::string encoding;
  html::CharsetSource charset_source = html::CharsetSource::kDefault;
  bool lossy = false;
  SiteTrace site;
  bool rules_ran = false;  // `rules` is filled
  ApplyTrace rules;
  FallbackTrace fallback;
};

// The explanation a person reads: the URL and site, the encoding, each layout tried, each
// field of the chosen layout (selector by selector, node counts and first texts cut to
// kExplainTextChars code points on one line), what `remove`, the ticker and `related` took
// out, the metadata fallbacks, the fallback decision with its numbers, and last the
// record's fields in short form, or the error when `result` holds one. One item per line,
// "\n"-terminated. Never fails.
std::string RenderExplanation(const ExplainTrace& trace, const Result<Article>& result);

// Texts in an explanation are cut to this many code points: enough to recognise a title
// or the start of a paragraph, short enough to keep each item on one terminal line.
inline constexpr size_t kExplainTextChars = 100;

}  // namespace gleaner::rules
