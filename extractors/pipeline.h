// The extraction cascade for one page: bytes (+ URL, + Content-Type) in, Article out.
//   1. decode to UTF-8 (html/charset.h), parse (html/dom.h), read metadata
//   2. site rules, when a site applies: layouts tried in order (rules/apply.h)
//   3. generic extraction (generic/generic.h), when no site applies, when forced, or when
//      the rules under-deliver ("rules:<site>+generic", with a warning naming what failed)
// The record says which stage won in `extractor`, rendered from `Article::provenance`,
// which holds the same as data (and, per field, the stage and rule that produced it).
// Pure: no I/O, no clock.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "extractors/core/article.h"
#include "extractors/core/result.h"
#include "extractors/html/dom.h"
#include "extractors/rules/explain.h"
#include "extractors/rules/site_rules.h"

namespace gleaner {

struct PageInput {
  std::string_view bytes;                   // raw bytes as served
  std::optional<std::string> url;           // the URL given or fetched, exactly as given
  std::optional<std::string> content_type;  // the Content-Type header, if known
};

struct ExtractOptions {
  html::DomLimits limits;
  bool generic_only = false;  // `--generic`: skip site rules entirely
  // The latest calendar day a page can be dated today (generic::GenericInput::today), if known.
  std::optional<std::string> today;
  std::optional<std::string> site_id;  // `--site ID`: use this site's rules whatever the URL
  // When not null, ExtractPage records there what it does, step by step (rules/explain.h),
  // for RenderExplanation. Borrowed; written only during the call. Null costs nothing.
  rules::ExplainTrace* trace = nullptr;
};

// Extracts one page. The site is `options.site_id` when given (kUsage if `sites` has no
// such site), else the site of `sites` that owns the page's URL (the given URL, else the
// page's rel=canonical); with no such site, generic extraction. `sites` may be null.
// Returns kNoArticle when nothing could be extracted (the message names the site and why).
// With `options.trace`, what was done is recorded there, on failure too (up to the failure);
// the result is the same with or without a trace.
// Thread-safe for distinct inputs (a SiteSet is immutable after loading).
Result<Article> ExtractPage(const PageInput& page, const rules::SiteSet* sites,
                            const ExtractOptions& options);

}  // namespace gleaner
