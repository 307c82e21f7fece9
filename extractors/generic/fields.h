// The record's fields other than the body, for pages without rules: the headline (h1 /
// og:title / JSON-LD headline agreement, never the <title> with " : Site" appended), the
// publication date (metadata, else a date line near the headline), the author (metadata,
// else a byline element) and the language (declared, else Arabic script).
// Internal to the generic extractor. Pure; thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "extractors/core/provenance.h"
#include "extractors/generic/page_tree.h"
#include "extractors/html/metadata.h"

namespace gleaner::generic {

// A field's value and the stage that read it: kMetadata when the page's metadata gave it,
// kGeneric when the page's elements did; kNone with no value.
struct Chosen {
  std::optional<std::string> value;
  Stage stage = Stage::kNone;
};

// True when two headlines name the same article: case folded, one contains the other and
// the shorter covers most of the longer ("Title" and "Title - Site"; not "Sport" and a
// headline that contains the word).
bool SameHeadline(std::string_view a, std::string_view b);

// The article's headline (an <h1> is kGeneric even when it agrees with og:title), or no
// value when the page offers none. Call before any node of the document is freed (it reads
// <h1> elements).
Chosen ChooseTitle(const PageTree& tree, const html::PageMetadata& meta);

// The <title> without a site name before or after a separator (" : Maghress", " - Site").
std::string StripSiteName(std::string_view title, const std::optional<std::string>& site_name);

// The publication date in the record's form, by a cascade: the date the metadata gives the
// article (html::PageMetadata::article_published; never a modification date nor a
// WebPage's), else the first date written in a short block after the headline and before
// the prose (the headline is the <h1> that holds `title`), else a date in the URL's path
// (/2020/12/17/), else, on a page that declares itself an article, one in an element named like a
// date. A date after `today`
// ("YYYY-MM-DD", when given) is no publication date and is skipped. No value when none.
Chosen ChoosePublished(const PageTree& tree, const html::PageMetadata& meta,
                       const std::optional<std::string>& title,
                       const std::optional<std::string>& url,
                       const std::optional<std::string>& today);

// The author: the metadata's, else a short byline element (rel=author, "author", "byline").
Chosen ChooseAuthor(const PageTree& tree, const html::PageMetadata& meta);

// ISO 639-1 language: the declared one, else "ar" when `sample` is mostly Arabic script.
Chosen ChooseLanguage(const html::PageMetadata& meta, std::string_view sample);

}  // namespace gleaner::generic
