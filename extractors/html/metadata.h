// Page metadata that both site rules (as fallbacks) and the generic extractor use:
// Open Graph and article:* meta tags, <meta name=author>, JSON-LD (NewsArticle, Article,
// BlogPosting, ReportageNewsArticle ..., also inside @graph or arrays), <link rel=canonical>,
// <html lang>, <time datetime>. Values are CleanText()ed strings exactly as the page gives
// them (dates are NOT parsed here). Pure; never fails (malformed JSON-LD is skipped).
#pragma once

#include <optional>
#include <string>

#include "extractors/html/dom.h"

namespace gleaner::html {

struct PageMetadata {
  std::optional<std::string> title;        // og:title, else twitter:title, else JSON-LD headline
  std::optional<std::string> html_title;   // <title>
  std::optional<std::string> published;    // article:published_time, JSON-LD datePublished,
                                           // meta date/pubdate/DC.date, first <time datetime>
  std::optional<std::string> author;       // meta author, article:author (a name, not a URL),
                                           // JSON-LD author name(s) joined with ", "
  std::optional<std::string> canonical;    // <link rel=canonical href>, as written
  std::optional<std::string> language;     // primary subtag, lower-case: <html lang="fr-FR"> ->
                                           // "fr", else og:locale "ar_AR" -> "ar"
  std::optional<std::string> site_name;    // og:site_name, JSON-LD publisher name
  std::optional<std::string> description;  // meta description / og:description
  std::optional<std::string> jsonld_body;  // JSON-LD articleBody, when present

  // For the generic extractor, which must tell an article's date from a page's:
  // article:published_time, an article object's JSON-LD datePublished, the meta date keys
  // (never a WebPage object's date, never a <time> anywhere, never a modification date).
  std::optional<std::string> article_published;
  // A WebPage object's JSON-LD datePublished: CMSs give one to every page, articles or not.
  std::optional<std::string> page_published;
  // article:modified_time, og:updated_time, JSON-LD dateModified: kept apart so that a
  // modification is never taken for the publication.
  std::optional<std::string> modified;
  // True when the page says it is an article: og:type "article" or a JSON-LD article
  // object (NewsArticle, BlogPosting, DiscussionForumPosting ...).
  bool declares_article = false;
};

// Reads the metadata of `doc`. Thread-compatible.
PageMetadata ReadMetadata(const Document& doc);

}  // namespace gleaner::html
