// Applying a site's rules to a parsed page: the first layout whose required fields match
// is used; its fields are read, the ticker's links captured, `remove` selectors and the
// ticker taken out, then the body is read and "read also" paragraphs moved to `related`.
// Pure. The Document is modified (nodes are removed) once a layout is chosen.
#pragma once

#include <optional>
#include <string>

#include "extractors/core/article.h"
#include "extractors/core/provenance.h"
#include "extractors/core/result.h"
#include "extractors/html/dom.h"
#include "extractors/html/metadata.h"
#include "extractors/rules/explain.h"
#include "extractors/rules/site_rules.h"

namespace gleaner::rules {

struct ApplyInput {
  std::optional<std::string> base_url;           // absolute page URL, for resolving links
  const html::PageMetadata* metadata = nullptr;  // fallbacks for title, published, author
  // When not null, ApplyRules records what it does there (explain.h); borrowed, and written
  // only by this call. Null costs nothing.
  ApplyTrace* trace = nullptr;
};

// Returns the article (extractor "rules:<site>/<layout>"; url left to the caller) with its
// provenance: winner kRules, the site and layout, per field the selector that produced it
// (kMetadata for a metadata fallback), and every declared field that matched nothing.
// Warnings name every declared field that matched nothing and every metadata fallback used.
// When the rules give no article, returns instead why, as a Provenance holding the site and
// a fallback reason: kRuleMatchedNothing with, per layout, the required rule that matched
// nothing; or kBodyEmptyText with the chosen layout's body rule. RenderFallbackWarning of it
// is the message to report. Not thread-safe on the same Document.
tl::expected<Article, Provenance> ApplyRules(html::Document& doc, const SiteRules& site,
                                             const ApplyInput& input);

}  // namespace gleaner::rules
