// Site files are written by people who are not programmers: every mistake must come back
// as file:line:col and a sentence, never a crash or a silent default.
#include "extractors/rules/site_rules.h"

#include <catch2/catch.hpp>

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
      {head + "layouts:\n  - body: p\n    tittle: h1\n",
       "sites/x.yaml:7:5: unknown key 'tittle' in layout 1"},
      {head + "id: y\nlayouts:\n  - body: p\n",
       "sites/x.yaml:5:1: duplicate key 'id' in site file"},
      {head + "layouts:\n  - body: 'p[class'\n", "sites/x.yaml:6:11: selector 'p[class'"},
      {head + "related: '(unclosed'\nlayouts:\n  - body: p\n",
       "sites/x.yaml:5:10: regex '(unclosed'"},
      {head + "layouts:\n  - title: h1\n",
       "sites/x.yaml:6:5: layout 1 ('layout1') needs a 'body' selector"},
      {"id: x\nname: X\nlanguage: fr\nlayouts:\n  - body: p\n", "needs 'urls'"},
      {head + "layouts: [\n", "sites/x.yaml:"},
      {head + "language: french\nlayouts:\n  - body: p\n", "duplicate key 'language'"},
      {"id: x\nname: X\nlanguage: french\nurls: a\nlayouts:\n  - body: p\n",
       "sites/x.yaml:3:11: 'language' must be an ISO 639-1 code"},
      {head + "sources:\n  - listing: https://x/\n    every: 500ms\nlayouts:\n  - body: p\n",
       "sites/x.yaml:7:12: 'every' must be a duration from 1s to 30d (got '500ms')"},
      {head + "sources:\n  - listing: ftp://x/\nlayouts:\n  - body: p\n",
       "'listing' must be an http(s) URL"},
      {head + "sources:\n  - feed: https://x/a\n    sitemap: https://x/b\nlayouts:\n  - body: p\n",
       "exactly one of"},
      {head + "layouts:\n  - body: p\n    require: [author]\n", "does not declare"},
      {head + "examples: ['https://elsewhere/']\nlayouts:\n  - body: p\n",
       "is not matched by the site's 'urls'"},
      {"", "sites/x.yaml:1:1: the site file is empty"},
      {"- a\n- b\n", "site file must be a map"},
  };
  for (const Row& row : rows) {
    INFO(row.yaml);
    CHECK_THAT(ErrorOf(row.yaml), Catch::Contains(row.want));
  }
}

TEST_CASE("site file intervals are bounded", "[rules]") {
  const std::string head = "id: x\nname: X\nlanguage: fr\nurls: '^https://x/'\n";
  const std::string layouts = "layouts:\n  - body: p\n";
  CHECK_THAT(ErrorOf(head + "sources:\n  - listing: https://x/\n    every: 10000000d\n" + layouts),
             Catch::Contains(
                 "sites/x.yaml:7:12: 'every' must be a duration from 1s to 30d (got '10000000d')"));
  CHECK_THAT(
      ErrorOf(head + "delay: 400d\n" + layouts),
      Catch::Contains("sites/x.yaml:5:8: 'delay' must be a duration from 0ms to 1d (got '400d')"));
  CHECK(ParseSiteRules(
      head + "delay: 0s\nsources:\n  - feed: https://x/rss\n    every: 30d\n" + layouts, "x.yaml"));
}

// An alias is a reference, but everything that reads the tree copies what it points to:
// a few aliased aliases multiply a small file into gigabytes.
TEST_CASE("YAML anchors and aliases are refused where they are written", "[rules]") {
  const std::string head = "id: x\nname: X\nlanguage: fr\nurls: '^https://x/'\n";
  CHECK_THAT(ErrorOf(head + "examples:\n  - &a 'https://x/1'\n  - *a\nlayouts:\n  - body: p\n"),
             Catch::Contains("sites/x.yaml:6:5: YAML aliases and anchors are not supported"));
  CHECK_THAT(ErrorOf(head + "remove: &r [nav, footer]\nlayouts:\n  - body: p\n"),
             Catch::Contains("sites/x.yaml:5:9: YAML aliases and anchors are not supported"));
  std::string bomb = head + "examples:\n  - &a 'https://x/" + std::string(1000, 'a') + "'\n";
  for (int i = 0; i < 1000; ++i) bomb += "  - *a\n";
  CHECK_THAT(ErrorOf(bomb + "layouts:\n  - body: p\n"),
             Catch::Contains("YAML aliases and anchors are not supported"));
}

TEST_CASE("deep nesting and huge lists are refused cleanly with the file's name", "[rules]") {
  const std::string head =
      "id: x\nname: X\nlanguage: fr\nurls: '^https://x/'\nlayouts:\n  - body: p\n";
  const size_t cap = 1 << 20;  // the default site_file_bytes
  std::string flow = head + "examples: " + std::string(cap - head.size() - 20, '[');
  CHECK_THAT(ErrorOf(flow),
             Catch::Contains("sites/x.yaml:7:75: values nest deeper than 64 levels"));
  std::string maps = head + "examples: ";
  while (maps.size() < cap - 10) maps += "{a: ";
  CHECK_THAT(ErrorOf(maps), Catch::Contains("sites/x.yaml:7:"));
  CHECK_THAT(ErrorOf(maps), Catch::Contains("values nest deeper than 64 levels"));
  std::string block = head + "examples:\n";
  while (block.size() < cap - 10) block += "- ";
  CHECK_THAT(ErrorOf(block), Catch::Contains("values nest deeper than 64 levels"));
  std::string wide = head + "examples: [x";
  while (wide.size() < cap - 10) wide += ",x";
  CHECK_THAT(ErrorOf(wide + "]\n"), Catch::Contains("sites/x.yaml:7:"));
  CHECK_THAT(ErrorOf(wide + "]\n"), Catch::Contains("more than 20000 values"));
}

TEST_CASE("a URL owned by two sites is reported, and matching refuses it", "[rules]") {
  auto a = ParseSiteRules(
      "id: a\nname: A\nlanguage: fr\nurls: '^https://x\\.com/'\n"
      "sources:\n  - listing: https://x.com/news\nlayouts:\n  - body: p\n",
      "a.yaml");
  auto b = ParseSiteRules(
      "id: b\nname: B\nlanguage: fr\nurls: '^https://x\\.com/news'\nlayouts:\n  - body: p\n",
      "b.yaml");
  REQUIRE(a.has_value());
  REQUIRE(b.has_value());
  auto set = SiteSet::Create({*a, *b});
  REQUIRE(set.has_value());
  auto overlaps = set->Overlaps();
  REQUIRE(overlaps.size() == 1);
  CHECK_THAT(overlaps[0],
             Catch::Contains("https://x.com/news of site 'a' is also owned by site 'b'"));
  CHECK_FALSE(set->Match("https://x.com/news/1").has_value());
  auto only_a = set->Match("https://x.com/other");
  REQUIRE(only_a.has_value());
  CHECK((*only_a)->id == "a");
  CHECK(*set->Match("https://nobody.org/") == nullptr);
}

TEST_CASE("two site files with one id are refused", "[rules]") {
  auto a =
      ParseSiteRules("id: a\nname: A\nlanguage: fr\nurls: x\nlayouts:\n  - body: p\n", "one.yaml");
  REQUIRE(a.has_value());
  auto set = SiteSet::Create({*a, *a});
  REQUIRE_FALSE(set.has_value());
  CHECK_THAT(set.error().message, Catch::Contains("site id 'a' is already used by one.yaml"));
}

}  // namespace
}  // namespace gleaner::rules
