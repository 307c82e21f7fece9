// The record's JSON form is the contract outside tools read (docs/CONTRACT.md).
#include "extractors/core/article.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

namespace gleaner {
namespace {

TEST_CASE("an empty record still prints every contract key, null or []", "[article]") {
  Article a;
  a.extractor = "generic";
  auto j = nlohmann::ordered_json::parse(ArticleToJson(a));
  std::vector<std::string> keys;
  for (auto& [k, v] : j.items()) keys.push_back(k);
  CHECK(keys == std::vector<std::string>{"url", "site", "extractor", "title", "author", "published",
                                         "source", "source_url", "language", "body", "related",
                                         "ticker", "warnings"});
  CHECK(j["title"].is_null());
  CHECK(j["related"].is_array());
  CHECK(j["related"].empty());
  CHECK(j["warnings"].is_array());
}

TEST_CASE("a record is one line and survives a round trip", "[article]") {
  Article a;
  a.url = "https://www.maghress.com/assahifa/131077";
  a.site = "maghress-ar";
  a.extractor = "rules:maghress-ar/classic";
  a.title = "مسؤول مَغربي";
  a.body = "Premier paragraphe.\n\nSecond « paragraphe ».";
  a.related = {{"Lire aussi", "https://example.com/a"}};
  a.ticker = {{"Un titre", "https://example.com/b"}};
  a.warnings = {"fallback"};
  std::string line = ArticleToJson(a);
  CHECK(line.find('\n') == std::string::npos);
  auto back = ArticleFromJson(line);
  REQUIRE(back.has_value());
  CHECK(*back == a);
}

TEST_CASE("malformed records are refused with a reason", "[article]") {
  CHECK_FALSE(ArticleFromJson("{not json").has_value());
  CHECK_FALSE(ArticleFromJson("[1,2]").has_value());
  auto bad = ArticleFromJson(R"({"title": 3})");
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().message.find("title") != std::string::npos);
  CHECK(bad.error().code == ErrorCode::kInput);
}

}  // namespace
}  // namespace gleaner
