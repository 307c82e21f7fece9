// robots.txt decides what a collection box may fetch: a wrong reading either trespasses
// (fetching what a site forbids) or starves a feed (refusing what it allows).
#include "daemon/fetch/robots.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace gleaner::fetch {
namespace {

TEST_CASE("robots: the group naming our product token wins over *", "[robots]") {
  const char* text =
      "User-agent: *\n"
      "Disallow: /\n"
      "\n"
      "User-agent: Gleaner\n"
      "Disallow: /private/\n";
  RobotsRules rules = RobotsRules::Parse(text, "gleaner");
  CHECK(rules.IsAllowed("/news/1"));
  CHECK_FALSE(rules.IsAllowed("/private/x"));
  // Another crawler falls back to the * group.
  RobotsRules other = RobotsRules::Parse(text, "otherbot");
  CHECK_FALSE(other.IsAllowed("/news/1"));
}

TEST_CASE("robots: User-agent values are matched by their product token", "[robots]") {
  RobotsRules rules = RobotsRules::Parse("User-agent: gleaner/2.0 (x)\nDisallow: /a\n", "gleaner");
  CHECK_FALSE(rules.IsAllowed("/a"));
}

TEST_CASE("robots: groups for the same agent are merged, consecutive agents share a group",
          "[robots]") {
  const char* text =
      "User-agent: gleaner\n"
      "Disallow: /one\n"
      "User-agent: somebot\n"
      "User-agent: gleaner\n"
      "Disallow: /two\n";
  RobotsRules rules = RobotsRules::Parse(text, "gleaner");
  CHECK_FALSE(rules.IsAllowed("/one"));
  CHECK_FALSE(rules.IsAllowed("/two"));
  CHECK(rules.IsAllowed("/three"));
  CHECK_FALSE(RobotsRules::Parse(text, "somebot").IsAllowed("/two"));
  CHECK(RobotsRules::Parse(text, "somebot").IsAllowed("/one"));
}

TEST_CASE("robots: the longest match decides, Allow wins a tie", "[robots]") {
  const char* text =
      "User-agent: *\n"
      "Disallow: /news/\n"
      "Allow: /news/public/\n"
      "Disallow: /page\n"
      "Allow: /page\n";
  RobotsRules rules = RobotsRules::Parse(text, "gleaner");
  CHECK_FALSE(rules.IsAllowed("/news/secret"));
  CHECK(rules.IsAllowed("/news/public/1.html"));
  CHECK(rules.IsAllowed("/page"));
  CHECK(rules.IsAllowed("/elsewhere"));
}

TEST_CASE("robots: * and $ wildcards", "[robots]") {
  const char* text =
      "User-agent: *\n"
      "Disallow: /*.pdf$\n"
      "Disallow: /search*q=\n"
      "Disallow: /exact$\n";
  RobotsRules rules = RobotsRules::Parse(text, "gleaner");
  CHECK_FALSE(rules.IsAllowed("/files/report.pdf"));
  CHECK(rules.IsAllowed("/files/report.pdf?download=1"));
  CHECK_FALSE(rules.IsAllowed("/search/all?lang=fr&q=maroc"));
  CHECK(rules.IsAllowed("/search/all?lang=fr"));
  CHECK_FALSE(rules.IsAllowed("/exact"));
  CHECK(rules.IsAllowed("/exact/more"));
}

TEST_CASE("robots: pattern matching table", "[robots]") {
  struct Case {
    const char* pattern;
    const char* path;
    bool matches;
  };
  const Case cases[] = {
      {"/", "/anything", true},        {"/fish", "/fish.html", true},
      {"/fish", "/Fish", false},       {"/fish*", "/fishheads", true},
      {"/*.php", "/a/b.php?x", true},  {"/*.php$", "/a/b.php?x", false},
      {"/*.php$", "/a/b.php", true},   {"/a*b*c", "/axxbyyc", true},
      {"/a*b*c$", "/axxbyycd", false}, {"*", "/", true},
      {"/fish/", "/fish", false},      {"/a**b", "/ab", true},
  };
  for (const Case& c : cases) {
    INFO(c.pattern << " vs " << c.path);
    CHECK(RobotsPatternMatches(c.pattern, c.path) == c.matches);
  }
}

TEST_CASE("robots: percent-encoding and non-ASCII paths compare alike", "[robots]") {
  RobotsRules rules =
      RobotsRules::Parse("User-agent: *\nDisallow: /café\nDisallow: /%7Euser\n", "gleaner");
  CHECK_FALSE(rules.IsAllowed("/caf%C3%A9/1"));
  CHECK_FALSE(rules.IsAllowed("/caf%c3%a9"));
  CHECK_FALSE(rules.IsAllowed("/~user/page"));
}

TEST_CASE("robots: empty Disallow allows all, rules before any User-agent are ignored",
          "[robots]") {
  CHECK(RobotsRules::Parse("User-agent: *\nDisallow:\n", "gleaner").IsAllowed("/x"));
  CHECK(RobotsRules::Parse("Disallow: /\nUser-agent: *\nAllow: /\n", "gleaner").IsAllowed("/x"));
  CHECK(RobotsRules::Parse("", "gleaner").IsAllowed("/x"));
}

TEST_CASE("robots: comments, CRLF, BOM, case of keys and garbage lines", "[robots]") {
  const char* text =
      "\xEF\xBB\xBFUSER-AGENT: * # everyone\r\n"
      "this line is garbage\r\n"
      "DisAllow: /tmp # temporary files\r\n"
      "Noindex: /ignored\r\n";
  RobotsRules rules = RobotsRules::Parse(text, "gleaner");
  CHECK_FALSE(rules.IsAllowed("/tmp/a"));
  CHECK(rules.IsAllowed("/ignored"));
  CHECK(rules.rule_count() == 1);
}

TEST_CASE("robots: /robots.txt itself is always allowed", "[robots]") {
  CHECK(RobotsRules::Parse("User-agent: *\nDisallow: /\n", "gleaner").IsAllowed("/robots.txt"));
}

TEST_CASE("robots: Crawl-delay of the chosen group, Sitemap lines anywhere", "[robots]") {
  const char* text =
      "Sitemap: https://example.org/sitemap.xml\n"
      "User-agent: *\n"
      "Crawl-delay: 10\n"
      "User-agent: gleaner\n"
      "Crawl-delay: 2.5\n"
      "Disallow: /x\n"
      "Sitemap: https://example.org/news-sitemap.xml\n";
  RobotsRules rules = RobotsRules::Parse(text, "gleaner");
  REQUIRE(rules.crawl_delay().has_value());
  CHECK(rules.crawl_delay()->count() == 2500);
  REQUIRE(rules.sitemaps().size() == 2);
  CHECK(rules.sitemaps()[0] == "https://example.org/sitemap.xml");
  CHECK(rules.sitemaps()[1] == "https://example.org/news-sitemap.xml");
  CHECK(RobotsRules::Parse(text, "other").crawl_delay()->count() == 10000);
  CHECK_FALSE(RobotsRules::Parse("User-agent: *\nCrawl-delay: soon\n", "g").crawl_delay());
}

TEST_CASE("robots: a missing robots.txt allows everything", "[robots]") {
  RobotsRules none;
  CHECK(none.IsAllowed("/"));
  CHECK(none.IsAllowed("/any/thing?x=1"));
  CHECK_FALSE(none.crawl_delay());
}

TEST_CASE("robots: product token from a User-Agent string", "[robots]") {
  CHECK(ProductToken("gleaner/0.1 (+https://example.org/bot)") == "gleaner");
  CHECK(ProductToken("  MyBot ") == "MyBot");
}

TEST_CASE("robots: the size estimate grows with rules and sitemaps", "[robots]") {
  RobotsRules none;
  RobotsRules some = RobotsRules::Parse("User-agent: *\nDisallow: /a\n", "gleaner");
  RobotsRules more = RobotsRules::Parse(
      "User-agent: *\nDisallow: /a\nDisallow: /a-much-longer-path/\n"
      "Sitemap: https://example.org/sitemap.xml\n",
      "gleaner");
  CHECK(none.bytes() > 0);
  CHECK(some.bytes() > none.bytes());
  CHECK(more.bytes() >= some.bytes() + std::string("/a-much-longer-path/").size() +
                            std::string("https://example.org/sitemap.xml").size());
}

// The plain definition of a robots pattern, for comparison: `*` matches any run, a final
// `$` anchors the end, otherwise the pattern needs only to match a prefix. Exponential in
// the worst case; for small inputs only.
bool ReferenceMatch(std::string_view pattern, std::string_view path) {
  if (pattern.empty()) return true;
  if (pattern == "$") return path.empty();
  if (pattern[0] == '*') {
    for (size_t skip = 0; skip <= path.size(); ++skip) {
      if (ReferenceMatch(pattern.substr(1), path.substr(skip))) return true;
    }
    return false;
  }
  return !path.empty() && pattern[0] == path[0] &&
         ReferenceMatch(pattern.substr(1), path.substr(1));
}

TEST_CASE("robots: the matcher agrees with the definition of * and $ on random patterns",
          "[robots]") {
  uint32_t x = 2024;
  auto next = [&x](uint32_t n) {
    x = x * 1103515245u + 12345u;
    return (x >> 16) % n;
  };
  for (int i = 0; i < 20000; ++i) {
    std::string pattern = "/", path = "/";
    for (uint32_t k = next(8); k > 0; --k) pattern.push_back("ab*"[next(3)]);
    if (next(3) == 0) pattern.push_back('$');
    for (uint32_t k = next(10); k > 0; --k) path.push_back("ab$"[next(3)]);
    INFO(pattern << " vs " << path);
    REQUIRE(RobotsPatternMatches(pattern, path) == ReferenceMatch(pattern, path));
  }
}

TEST_CASE("robots: a long pattern of wildcards against a long path", "[robots]") {
  // 20 KB of "*a" against 80 KB of "a" then "b": costly for a backtracking matcher.
  std::string pattern = "/";
  for (int i = 0; i < 10000; ++i) pattern += "*a";
  std::string path = "/" + std::string(80000, 'a');
  CHECK(RobotsPatternMatches(pattern, path));
  CHECK(RobotsPatternMatches(pattern + "$", path));
  CHECK_FALSE(RobotsPatternMatches(pattern + "b", path));
  CHECK_FALSE(RobotsPatternMatches(pattern + "$", path + "b"));
  CHECK(RobotsPatternMatches(pattern + "*b$", path + "b"));
  CHECK_FALSE(RobotsPatternMatches("/" + std::string(20000, 'a') + "*b", path));
  // One long literal run after a '*': a backtracking matcher retried it at every offset.
  CHECK_FALSE(RobotsPatternMatches("/*" + std::string(20000, 'a') + "b", path));
  CHECK(RobotsPatternMatches("/*" + std::string(20000, 'a') + "$", path));
  CHECK_FALSE(RobotsPatternMatches("/*" + std::string(20000, 'a') + "$", path + "b"));
}

TEST_CASE("robots: a Disallow longer than the cap is truncated, an Allow ignored, both counted",
          "[robots]") {
  const std::string long_tail(kMaxRobotsPatternBytes + 5000, 'b');
  std::string text =
      "User-agent: *\n"
      "Disallow: /x\n"
      "Allow: /x" +
      long_tail +
      "\n"  // ignored: it would allow more
      "Disallow: /y" +
      long_tail + "$\n";  // truncated: it forbids more
  RobotsRules rules = RobotsRules::Parse(text, "gleaner");
  CHECK(rules.rule_count() == 2);
  CHECK(rules.ignored_overlong_allows() == 1);
  CHECK(rules.truncated_overlong_disallows() == 1);
  // The overlong Allow no longer lets this through.
  CHECK_FALSE(rules.IsAllowed("/x" + long_tail));
  // The truncated Disallow still forbids what it named, and forbids what shares its first
  // kMaxRobotsPatternBytes bytes.
  CHECK_FALSE(rules.IsAllowed("/y" + long_tail));
  CHECK_FALSE(rules.IsAllowed("/y" + long_tail.substr(0, kMaxRobotsPatternBytes) + "/other"));
  CHECK(rules.IsAllowed("/y" + long_tail.substr(0, 100)));
  CHECK(rules.IsAllowed("/z"));
}

TEST_CASE("robots: a truncated Disallow keeps the weight of its full length", "[robots]") {
  // An Allow just under the cap loses to the longer Disallow, as it did before truncation.
  const std::string allow_tail(kMaxRobotsPatternBytes - 2, 'c');
  const std::string disallow_tail(kMaxRobotsPatternBytes + 100, 'c');
  RobotsRules rules = RobotsRules::Parse(
      "User-agent: *\nAllow: /d" + allow_tail + "\nDisallow: /d" + disallow_tail + "\n", "gleaner");
  CHECK_FALSE(rules.IsAllowed("/d" + disallow_tail));
}

}  // namespace
}  // namespace gleaner::fetch
