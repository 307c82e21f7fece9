// Generic extraction: the article of any news page without site rules, and the fallback
// when a site's rules under-deliver. A documented cascade in the spirit of Readability's
// scoring and trafilatura's cascade: hidden elements, tickers (link-dense runs of short
// headlines), menus, share bars, comment forms, "read also" and related-post blocks are
// removed; candidate blocks are scored (text length, punctuation, link density, tag and
// class/id hints, position); the best candidate and its good siblings form the body, or a
// run of same-kind entries around it, or the page's content region (its main landmark)
// when the best block is a small part of it; when that under-delivers, looser passes are
// tried, and the last stage is the page's JSON-LD articleBody when it is longer than the
// best body found. Pages that keep their content in <noscript> or in hidden markup, or
// declare themselves discussions, are read as such (generic.cc says when).
// Every weight, list and threshold lives in generic_params.h with a reason.
// Pure: no I/O. The Document is modified: nodes are removed, a <noscript> that holds the
// page is unwrapped, hiding attributes of revealed markup are removed, and a <form> kept in
// the body is renamed <div>.
#pragma once

#include <optional>
#include <string>

#include "extractors/core/article.h"
#include "extractors/core/result.h"
#include "extractors/html/dom.h"
#include "extractors/html/metadata.h"

namespace gleaner::generic {

struct GenericInput {
  std::optional<std::string> url;  // the page's URL (absolute) for resolving links, if known
  html::PageMetadata metadata;     // ReadMetadata(doc), read before any node was removed
  // The latest calendar day ("YYYY-MM-DD") a page can be dated today, anywhere on Earth
  // (the UTC date of now + 14 h), if known: a later date is no publication date.
  std::optional<std::string> today;
};

// Fills title, author, published (text/dates.h form), language, body, related and ticker
// of an Article (url/site/extractor are left to the caller), and their provenance: winner
// kGeneric, each field kGeneric or, when the page's metadata gave it (the body included:
// JSON-LD articleBody), kMetadata. Warnings name the stage that produced the body when it
// was not the main one. Returns kNoArticle when no body text at all could be found. Not
// thread-safe on the same Document.
Result<Article> ExtractGeneric(html::Document& doc, const GenericInput& input);

}  // namespace gleaner::generic
