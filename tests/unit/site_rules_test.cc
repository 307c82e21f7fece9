// Site files are written by people who are not programmers: every mistake must come back
// as file:line:col and a sentence, never a crash or a silent default.
#include <catch2/catch.hpp>

#include "extractors/rules/site_rules.h"

namespace gleaner::rules {
namespace {

constexpr const char* kGood = R"(id: example
name: Example
language: fr
urls: '^https://example\.com/'
articles: '^https://example\.com/[0-9]+$'
sources:
  - listing: https://example.com/
  - feed: https://example.com/rss
    every: 5m
ticker: '.ticker a'
related: '^Lire aussi'
layouts:
  - name: main
    title: h1
    body: '.content'
    published:
      selector: '.date'
      pattern: 'le (?<value>.+)'
)";

std::string ErrorOf(const std::string& yaml) {
  auto site = ParseSiteRules(yaml, "sites/x.yaml");
  REQUIRE_FALSE(site.has_value());
  CHECK(site.error().code == ErrorCode::kConfig);
  return site.error().message;
}

TEST_CASE("a complete site file compiles", "[rules]") {
  auto site = ParseSiteRules(kGood, "sites/example.yaml");
  REQUIRE(site.has_value());
  CHECK(site->id == "example");
  CHECK(site->sources.size() == 2);
  CHECK(site->sources[0].kind == SourceKind::kListing);
  CHECK(site->sources[0].every == std::chrono::minutes(10));  // the listing default
  CHECK(site->sources[1].every == std::chrono::minutes(5));
  REQUIRE(site->layouts.size() == 1);
  CHECK(site->layouts[0].require == std::vector<std::string>{"body", "title"});
  CHECK(site->Owns("https://example.com/12"));
  CHECK_FALSE(site->Owns("https://other.com/12"));
  CHECK(site->IsArticleUrl("https://example.com/12"));
  CHECK_FALSE(site->IsArticleUrl("https://example.com/about"));
}

TEST_CASE("site file mistakes name file, line and column", "[rules]") {
  struct Row {
    std::string yaml;
    std::string want;  // a part of the message
  };
  const std::string head = "id: x\nname: X\nlanguage: fr\nurls: '^https://x/'\n";
  const std::vector<Row> rows = {
      {head + "layouts:\n  - body: p\n    tittle: h1\n", "sites/x.yaml:7:5: unknown key 'tittle' in layout 1"},
      {head + "id: y\nlayouts:\n  - body: p\n", "sites/x.yaml:5:1: duplicate key 'id' in site file"},
      {head + "layouts:\n  - body: 'p[class'\n", "sites/x.yaml:6:11: selector 'p[class'"},
      {head + "related: '(unclosed'\nlayouts:\n  - body: p\n", "sites/x.yaml:5:10: regex '(unclosed'"},
      {head + "layouts:\n  - title: h1\n", "sites/x.yaml:6:5: layout 1 ('layout1') needs a 'body' selector"},
      {"id: x\nname: X\nlanguage: fr\nlayouts:\n  - body: p\n", "needs 'urls'"},
      {head + "layouts: [\n", "sites/x.yaml:"},
      {head + "language: french\nlayouts:\n  - body: p\n", "duplicate key 'language'"},
      {"id: x\nname: X\nlanguage: french\nurls: a\nlayouts:\n  - body: p\n", "sites/x.yaml:3:11: 'language' must be an ISO 639-1 code"},
      {head + "sources:\n  - listing: https://x/\n    every: 500ms\nlayouts:\n  - body: p\n", "sites/x.yaml:7:12: 'every' must be at least 1s"},
      {head + "sources:\n  - listing: ftp://x/\nlayouts:\n  - body: p\n", "'listing' must be an http(s) URL"},
      {head + "sources:\n  - feed: https://x/a\n    sitemap: https://x/b\nlayouts:\n  - body: p\n", "exactly one of"},
      {head + "layouts:\n  - body: p\n    require: [author]\n", "does not declare"},
      {head + "examples: ['https://elsewhere/']\nlayouts:\n  - body: p\n", "is not matched by the site's 'urls'"},
      {"", "sites/x.yaml:1:1: the site file is empty"},
      {"- a\n- b\n", "site file must be a map"},
  };
  for (const Row& row : rows) {
    INFO(row.yaml);
    CHECK_THAT(ErrorOf(row.yaml), Catch::Contains(row.want));
  }
}

TEST_CASE("a URL owned by two sites is reported, and matching refuses it", "[rules]") {
  auto a = ParseSiteRules("id: a\nname: A\nlanguage: fr\nurls: '^https://x\\.com/'\n"
                          "sources:\n  - listing: https://x.com/news\nlayouts:\n  - body: p\n", "a.yaml");
  auto b = ParseSiteRules("id: b\nname: B\nlanguage: fr\nurls: '^https://x\\.com/news'\nlayouts:\n  - body: p\n",
                          "b.yaml");
  REQUIRE(a.has_value());
  REQUIRE(b.has_value());
  auto set = SiteSet::Create({*a, *b});
  REQUIRE(set.has_value());
  auto overlaps = set->Overlaps();
  REQUIRE(overlaps.size() == 1);
  CHECK_THAT(overlaps[0], Catch::Contains("https://x.com/news of site 'a' is also owned by site 'b'"));
  CHECK_FALSE(set->Match("https://x.com/news/1").has_value());
  auto only_a = set->Match("https://x.com/other");
  REQUIRE(only_a.has_value());
  CHECK((*only_a)->id == "a");
  CHECK(*set->Match("https://nobody.org/") == nullptr);
}

TEST_CASE("two site files with one id are refused", "[rules]") {
  auto a = ParseSiteRules("id: a\nname: A\nlanguage: fr\nurls: x\nlayouts:\n  - body: p\n", "one.yaml");
  REQUIRE(a.has_value());
  auto set = SiteSet::Create({*a, *a});
  REQUIRE_FALSE(set.has_value());
  CHECK_THAT(set.error().message, Catch::Contains("site id 'a' is already used by one.yaml"));
}

}  // namespace
}  // namespace gleaner::rules
