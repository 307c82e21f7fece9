// The single-valued fields of a drafted layout (title, published, author or byline, source,
// source_url) and the site's ticker: for each, the candidate selectors drawn from the first
// page of a layout, kept only when they give the expected value on every page of it. The
// expected value is generic extraction's (title, date, author) or the page's own evidence
// (an aggregator's "Published in X" line, its link to the source). Pure.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "extractors/suggest/page.h"

namespace gleaner::suggest {

// A field rule and what it gives on each page it was tried on.
struct FieldChoice {
  std::string selector;                // CSS source text, possibly with @attr
  std::optional<std::string> pattern;  // the rule's `pattern`, when the value is part of a text
  std::vector<std::string> values;     // the value on each page, in order (a date: parsed)
};

// The rule for each field, over `pages` (the pages of one layout). nullopt when no
// candidate gives the expected value on every page, or when there is nothing to find.
std::optional<FieldChoice> ChooseTitle(const std::vector<Page*>& pages);
std::optional<FieldChoice> ChoosePublished(const std::vector<Page*>& pages);
// `*byline` is set when the rule reads a byline ("Par X"), whose prefix the rules drop.
std::optional<FieldChoice> ChooseAuthor(const std::vector<Page*>& pages, bool* byline);
std::optional<FieldChoice> ChooseSource(const std::vector<Page*>& pages);
std::optional<FieldChoice> ChooseSourceUrl(const std::vector<Page*>& pages);

// The site's ticker: "<container> a" where the container is a named run of at least
// kMinTickerLinks headline links on every page. `values` holds each page's link count.
std::optional<FieldChoice> ChooseTicker(const std::vector<Page*>& pages);

// The value `selector` (and `pattern`) gives on `page` as a site rule reads it: the first
// non-empty cleaned value. nullopt when none or when the selector does not compile.
std::optional<std::string> FirstValue(const Page& page, const std::string& selector,
                                      const std::optional<std::string>& pattern);

}  // namespace gleaner::suggest
