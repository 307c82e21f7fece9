// Fuzzes the discovery documents: the input is an RSS, Atom, sitemap or sitemap index
// body, parsed as the crawler parses a fetched feed, relative links resolved against a
// feed URL.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "extractors/feeds/feeds.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::optional<std::string> kBaseUrl = "https://news.example.com/fr/rss/feed.xml";
  std::string_view xml(reinterpret_cast<const char*>(data), size);
  (void)gleaner::feeds::ParseFeed(xml, kBaseUrl);
  return 0;
}
