// The list columns (related, ticker, warnings) must read back exactly what was stored,
// whatever the text holds, and stay valid JSON for people querying the database.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "daemon/store/json_lists.h"

namespace gleaner::store {
namespace {

TEST_CASE("link lists survive a round trip through their column", "[store]") {
  const std::vector<Link> links = {
      {"Lire « aussi » : \"citation\" \\ fin", "https://example.com/a?x=1&y=2"},
      {"مسؤول مغربي", "https://www.maghress.com/assahifa/131077"},
      {"tab\there\nnewline\x01 control", "https://example.com/b"},
      {"", ""},
  };
  std::string column = LinksToColumn(links);
  auto j = nlohmann::json::parse(column);  // valid JSON for any JSON reader
  CHECK(j.size() == 4);
  CHECK(j[1]["title"] == "مسؤول مغربي");
  auto back = LinksFromColumn(column);
  REQUIRE(back.has_value());
  CHECK(*back == links);
  CHECK(LinksFromColumn("[]")->empty());
}

TEST_CASE("warning lists survive a round trip through their column", "[store]") {
  const std::vector<std::string> warnings = {"rule 'body' matched nothing", "lossy \"decode\""};
  auto back = StringsFromColumn(StringsToColumn(warnings));
  REQUIRE(back.has_value());
  CHECK(*back == warnings);
}

TEST_CASE("invalid UTF-8 is replaced, never stored as invalid JSON", "[store]") {
  std::string out;
  AppendJsonString(out, std::string("ok \xC3\xA9 bad \xFF\xC3 end \xED\xA0\x80"));
  CHECK(out ==
        "\"ok \xC3\xA9 bad \xEF\xBF\xBD\xEF\xBF\xBD end \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
  CHECK_NOTHROW(nlohmann::json::parse(out));
}

TEST_CASE("a list column of the wrong shape is a database error", "[store]") {
  for (const char* bad : {"", "{", "5", "[1]", "[[]]", R"([{"title": "t"}])",
                          R"([{"title": "t", "url": "u", "x": 1}])", R"(["a"])"}) {
    INFO(bad);
    auto links = LinksFromColumn(bad);
    REQUIRE_FALSE(links.has_value());
    CHECK(links.error().code == ErrorCode::kDatabase);
  }
  CHECK_FALSE(StringsFromColumn(R"([{"title": "t", "url": "u"}])").has_value());
  CHECK_FALSE(StringsFromColumn("[null]").has_value());
}

}  // namespace
}  // namespace gleaner::store
