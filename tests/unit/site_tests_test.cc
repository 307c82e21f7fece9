// daemon/settings/site_tests.h: how a mismatch reads, what a test compares, and the caps on
// what `check` reads.
#include "daemon/settings/site_tests.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "daemon/settings/site_files.h"
#include "support/run_binary.h"

namespace gleaner::sitetests {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kRoot = GLEANER_SOURCE_DIR;
const std::string kCooperationPage =
    kRoot + "/tests/fixtures/pages/maghress-fr-2020-12-17-cooperation/source.html";
const std::string kCooperationUrl = "https://www.maghress.com/fr/barlamane/40377";

std::string Repeat(const std::string& s, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

void Put(const std::string& path, const std::string& content) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

rules::SiteSet BundledSites() {
  auto sites = LoadSites(kRoot + "/sites", 1 << 20);
  REQUIRE(sites.has_value());
  return std::move(*sites);
}

TEST_CASE("a short mismatch shows both values whole", "[sitetests]") {
  CHECK(DescribeMismatch({"title", "A", "B"}) == "title: expected \"A\" got \"B\"");
  CHECK(DescribeMismatch({"author", nullptr, "Rédaction"}) ==
        "author: expected null got \"Rédaction\"");
  CHECK(DescribeMismatch({"extractor", "rules:a/main", "rules:a+generic"}) ==
        "extractor: expected \"rules:a/main\" got \"rules:a+generic\"");
}

TEST_CASE("a long mismatch shows excerpts and the offset in characters", "[sitetests]") {
  // Arabic letters take two bytes each: the offset counts characters.
  const std::string want = Repeat("ب", 250) + "ج" + Repeat("د", 50);
  const std::string got = Repeat("ب", 250) + "ح" + Repeat("د", 50);
  CHECK(DescribeMismatch({"body", want, got}) ==
        "body: expected …\"" + Repeat("ب", 30) + "ج" + Repeat("د", 39) + "\"… got …\"" +
            Repeat("ب", 30) + "ح" + Repeat("د", 39) + "\"… (first difference at character 250)");

  // One body stops short: the other shows what follows.
  const std::string whole = Repeat("a", 300) + " and the end";
  CHECK(DescribeMismatch({"body", whole, Repeat("a", 300)}) ==
        "body: expected …\"" + Repeat("a", 30) + " and the end\" got …\"" + Repeat("a", 30) +
            "\" (first difference at character 300)");

  // A body against nothing: its start and its length.
  CHECK(DescribeMismatch({"body", nullptr, Repeat("é", 250)}) ==
        "body: expected null got \"" + Repeat("é", 40) + "\"… (250 characters)");
}

TEST_CASE("a list mismatch names its first differing entry", "[sitetests]") {
  json a = {{"title", "A"}, {"url", "https://x.com/a"}};
  json b = {{"title", "B"}, {"url", "https://x.com/b"}};
  CHECK(DescribeMismatch({"ticker", json::array({a, b}), json::array({a})}) ==
        "ticker[1]: expected {\"title\":\"B\",\"url\":\"https://x.com/b\"} got none "
        "(2 entries expected, 1 got)");
  CHECK(DescribeMismatch({"related", nullptr, json::array({a})}) ==
        "related[0]: expected none got {\"title\":\"A\",\"url\":\"https://x.com/a\"} "
        "(0 entries expected, 1 got)");
  CHECK(DescribeMismatch({"warnings", json::array({"x", "y"}), json::array({"x", "z"})}) ==
        "warnings[1]: expected \"y\" got \"z\"");
}

TEST_CASE("a test compares only the fields it names, null stands for absent or no entries",
          "[sitetests]") {
  rules::SiteSet sites = BundledSites();
  SiteTest test;
  test.json_file = "t.json";
  test.html_file = kCooperationPage;
  test.site_id = "maghress-fr";
  test.url = kCooperationUrl;
  test.expected = {{"author", nullptr},
                   {"related", nullptr},
                   {"published", "2020-12-17"},
                   {"title", "Le Maroc en retard"},
                   {"site", "maghress-fr"}};
  auto mismatches = RunSiteTest(test, sites, ExtractLimits{});
  REQUIRE(mismatches.has_value());
  REQUIRE(mismatches->size() == 1);
  CHECK((*mismatches)[0].field == "title");
  CHECK((*mismatches)[0].expected == "Le Maroc en retard");
  CHECK((*mismatches)[0].got.get<std::string>().rfind("Le Maroc à l'avant-garde", 0) == 0);

  // A page over the configured cap is no test.
  ExtractLimits tiny;
  tiny.max_page_bytes = 1000;
  auto too_big = RunSiteTest(test, sites, tiny);
  REQUIRE_FALSE(too_big.has_value());
  CHECK(too_big.error().code == ErrorCode::kConfig);
  CHECK_THAT(too_big.error().message, Catch::Contains("larger than 1000 bytes"));
}

TEST_CASE("the bundled site tests load without a problem", "[sitetests]") {
  rules::SiteSet sites = BundledSites();
  std::vector<Error> problems;
  auto tests = LoadSiteTests(kRoot + "/sites", sites, &problems);
  CHECK(problems.empty());
  CHECK(tests.size() >= 7);
  for (const SiteTest& t : tests) {
    INFO(t.json_file);
    CHECK(t.json_file.rfind(kRoot + "/sites/tests/" + t.site_id + "/", 0) == 0);
    CHECK(t.content_type == "text/html");
  }
}

TEST_CASE("check reads no test file past its caps", "[sitetests]") {
  rules::SiteSet sites = BundledSites();
  testing::TempDir dir;
  const std::string tests = dir.path() + "/tests/maghress-fr";
  const std::string url = "{\"url\": \"" + kCooperationUrl + "\", \"expected\": ";

  SECTION("a .json over kMaxTestJsonBytes") {
    Put(tests + "/big.html", "<p>x</p>");
    Put(tests + "/big.json", url + "{\"body\": \"" + std::string(kMaxTestJsonBytes, 'x') + "\"}}");
    std::vector<Error> problems;
    CHECK(LoadSiteTests(dir.path(), sites, &problems).empty());
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].message ==
          tests + "/big.json: larger than " + std::to_string(kMaxTestJsonBytes) + " bytes");
  }
  SECTION("nesting deeper than a record's") {
    Put(tests + "/deep.html", "<p>x</p>");
    Put(tests + "/deep.json",
        url + "{\"title\": " + std::string(100000, '[') + std::string(100000, ']') + "}}");
    std::vector<Error> problems;
    CHECK(LoadSiteTests(dir.path(), sites, &problems).empty());
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].message == tests + "/deep.json: nested deeper than 16 levels");
  }
  SECTION("more than kMaxTestFiles files") {
    for (size_t i = 0; i <= kMaxTestFiles; ++i) Put(tests + "/t" + std::to_string(i) + ".html", "");
    std::vector<Error> problems;
    CHECK(LoadSiteTests(dir.path(), sites, &problems).empty());
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].message == dir.path() + "/tests: more than " + std::to_string(kMaxTestFiles) +
                                     " files; no site test was run");
  }
}

TEST_CASE("a tests path that is not a directory is a problem, none at all is no test",
          "[sitetests]") {
  rules::SiteSet sites = BundledSites();
  testing::TempDir dir;
  std::vector<Error> problems;
  CHECK(LoadSiteTests(dir.path(), sites, &problems).empty());
  CHECK(problems.empty());
  dir.Write("tests", "not a directory");
  CHECK(LoadSiteTests(dir.path(), sites, &problems).empty());
  REQUIRE(problems.size() == 1);
  CHECK_THAT(problems[0].message, Catch::StartsWith(dir.path() + "/tests: not a directory"));
}

}  // namespace
}  // namespace gleaner::sitetests
