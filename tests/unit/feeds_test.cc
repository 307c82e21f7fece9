// Discovery: the article links a feed, sitemap or listing page announces.
#include "extractors/feeds/feeds.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace gleaner::feeds {
namespace {

std::vector<std::string> Urls(const Feed& f) {
  std::vector<std::string> out;
  for (const FeedEntry& e : f.entries) out.push_back(e.url);
  return out;
}

TEST_CASE("RSS 2.0 items give their links, titles and dates", "[feeds]") {
  auto f = ParseFeed(R"(<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Maghress</title>
<item><title>Un</title><link>https://www.maghress.com/fr/a/1</link><pubDate>Mon, 31 Oct 2022 10:00:00 +0100</pubDate></item>
<item><title>Deux</title><link>/fr/a/2</link></item>
<item><title>Un encore</title><link>https://www.maghress.com/fr/a/1</link></item>
<item><guid isPermaLink="true">https://www.maghress.com/fr/a/3</guid></item>
</channel></rss>)",
                     std::string("https://www.maghress.com/fr/rss"));
  REQUIRE(f.has_value());
  CHECK(f->kind == FeedKind::kRss);
  CHECK(Urls(*f) == std::vector<std::string>{"https://www.maghress.com/fr/a/1",
                                             "https://www.maghress.com/fr/a/2",
                                             "https://www.maghress.com/fr/a/3"});
  CHECK(f->entries[0].title == "Un");
  CHECK(f->entries[0].published == "Mon, 31 Oct 2022 10:00:00 +0100");
}

TEST_CASE("Atom entries give their alternate links", "[feeds]") {
  auto f = ParseFeed(R"(<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title>
<entry><title>A</title><link rel="self" href="https://x/self"/><link href="https://x/a"/><updated>2022-10-31T10:00:00Z</updated></entry>
<entry><title>B</title><link rel="alternate" type="text/html" href="b"/></entry></feed>)",
                     std::string("https://x/feed"));
  REQUIRE(f.has_value());
  CHECK(f->kind == FeedKind::kAtom);
  CHECK(Urls(*f) == std::vector<std::string>{"https://x/a", "https://x/b"});
  CHECK(f->entries[0].published == "2022-10-31T10:00:00Z");
}

TEST_CASE("sitemaps and sitemap indexes are told apart", "[feeds]") {
  auto map = ParseFeed(R"(<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc> https://x/a </loc><lastmod>2022-10-31</lastmod></url><url><loc>https://x/b</loc></url></urlset>)",
                       std::nullopt);
  REQUIRE(map.has_value());
  CHECK(map->kind == FeedKind::kSitemap);
  CHECK(Urls(*map) == std::vector<std::string>{"https://x/a", "https://x/b"});
  auto index = ParseFeed(R"(<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://x/s1.xml.gz</loc></sitemap></sitemapindex>)",
                         std::nullopt);
  REQUIRE(index.has_value());
  CHECK(index->kind == FeedKind::kSitemapIndex);
  CHECK(Urls(*index) == std::vector<std::string>{"https://x/s1.xml.gz"});
}

TEST_CASE("malformed feeds are recovered with a warning or refused", "[feeds]") {
  auto broken =
      ParseFeed("<rss><channel><item><link>https://x/a</link></item><item><link>https://x/b</link>",
                std::nullopt);
  REQUIRE(broken.has_value());
  CHECK_FALSE(broken->warnings.empty());
  CHECK(Urls(*broken).front() == "https://x/a");
  auto html = ParseFeed("<html><body>not a feed</body></html>", std::nullopt);
  REQUIRE_FALSE(html.has_value());
  CHECK(html.error().message == "not a feed or sitemap: root <html>");
  CHECK_FALSE(ParseFeed("", std::nullopt).has_value());
  CHECK_FALSE(ParseFeed("\x89PNG\r\n\x1a\n garbage", std::nullopt).has_value());
}

TEST_CASE("external entities are never loaded", "[feeds]") {
  auto f =
      ParseFeed(R"(<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<rss><channel><item><title>&x;</title><link>https://x/a</link></item></channel></rss>)",
                std::nullopt);
  REQUIRE(f.has_value());
  REQUIRE(f->entries.size() == 1);
  CHECK(f->entries[0].title.value_or("").find("root:") == std::string::npos);
}

// What `run` printed to stderr (fd 2), read back from a temporary file.
template <typename F>
std::string StderrOf(F run) {
  std::fflush(stderr);
  char path[] = "/tmp/gleaner-stderr-XXXXXX";
  int fd = ::mkstemp(path);
  REQUIRE(fd >= 0);
  int saved = ::dup(2);
  ::dup2(fd, 2);
  run();
  std::fflush(stderr);
  ::dup2(saved, 2);
  ::close(saved);
  ::close(fd);
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  ::unlink(path);
  return text.str();
}

TEST_CASE("a feed in a broken encoding is read or refused without a word on stderr", "[feeds]") {
  // The daemon's stderr is the journal: a hostile feed must not write to it through libxml2.
  const std::string feeds[] = {
      "<?xml version=\"1.0\" "
      "encoding=\"windows-1256\"?><rss><channel><item><link>https://x/a</link>\x81\xff</item></"
      "channel></rss>",
      "<?xml version=\"1.0\" "
      "encoding=\"ISO-2022-JP\"?><rss><channel><item><link>https://x/a\x1b$B\xff\xfe</link></"
      "item></channel></rss>",
      "<?xml version=\"1.0\" encoding=\"UTF-16\"?><rss><channel>\xff</channel></rss>",
      "<?xml version=\"1.0\" "
      "encoding=\"no-such-charset\"?><rss><channel><item><link>https://x/a</link></item></"
      "channel></rss>",
      "<?xml version=\"1.0\" "
      "encoding=\"UTF-8\"?><rss><channel><item><link>https://x/\xc3\x28\xa0\xa1</link></item></"
      "channel></rss>",
  };
  for (const std::string& feed : feeds) {
    INFO(feed);
    std::string printed = StderrOf([&] { (void)ParseFeed(feed, std::nullopt); });
    CHECK(printed == "");
  }
}

}  // namespace
}  // namespace gleaner::feeds
