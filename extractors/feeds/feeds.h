// Discovery documents: RSS 2.0 (and RSS 1.0/RDF), Atom, sitemaps and sitemap indexes,
// parsed with libxml2 into the links they announce; and the links of a listing page.
// Pure: bytes in (already decompressed), links out. No network access: external entities
// and DTDs are never loaded.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "extractors/core/result.h"
#include "extractors/html/dom.h"

namespace gleaner::feeds {

enum class FeedKind { kRss, kAtom, kSitemap, kSitemapIndex };

struct FeedEntry {
  std::string url;                       // absolute (resolved against the feed's URL)
  std::optional<std::string> title;      // RSS/Atom title
  std::optional<std::string> published;  // as written (pubDate, updated, lastmod)
};

struct Feed {
  FeedKind kind;
  std::vector<FeedEntry> entries;     // article links; for a sitemap index, child sitemaps
  std::vector<std::string> warnings;  // e.g. "recovered from malformed XML"
};

// Parses a feed or sitemap. Malformed XML is parsed in recovery mode with a warning when
// anything can be recovered. Returns kNoArticle ("not a feed or sitemap: root <html>")
// when the root is none of the four kinds, or the XML is unreadable. Entries keep document
// order; duplicates are dropped. `base_url` resolves relative links. Thread-safe.
Result<Feed> ParseFeed(std::string_view xml, const std::optional<std::string>& base_url);

// The distinct absolute http(s) links (<a href>) of a listing page, in page order,
// fragments removed. Thread-compatible.
std::vector<std::string> ListingLinks(const html::Document& doc, const std::string& base_url);

}  // namespace gleaner::feeds
