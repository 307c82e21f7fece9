// `gleaner extract` and `gleaner check` as a user runs them: the real binary, real files.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/run_binary.h"

namespace gleaner {
namespace {

using nlohmann::json;
using testing::Lines;
using testing::RunGleaner;
using testing::TempDir;

const std::string kRoot = GLEANER_SOURCE_DIR;
const std::string kOnuPage =
    kRoot + "/tests/fixtures/pages/maghress-fr-2022-10-31-onu-technologie/source.html";
const std::string kOnuUrl = "https://www.maghress.com/fr/marocdiplomatique/58214";

TEST_CASE("extract prints one JSON line with the site's rules", "[e2e][extract]") {
  auto r = RunGleaner({"extract", "--url", kOnuUrl, kOnuPage}, "", kRoot);
  REQUIRE(r.exit_code == 0);
  auto lines = Lines(r.out);
  REQUIRE(lines.size() == 1);
  json record = json::parse(lines[0]);
  CHECK(record["site"] == "maghress-fr");
  CHECK(record["extractor"] == "rules:maghress-fr/classic");
  CHECK(record["source"] == "Maroc Diplomatique");
  CHECK(record["published"] == "2022-10-31");
  CHECK(record["ticker"].size() == 48);
}

TEST_CASE("extract without --url uses the page's canonical URL to pick the site",
          "[e2e][extract]") {
  auto r = RunGleaner({"extract", kOnuPage}, "", kRoot);
  REQUIRE(r.exit_code == 0);
  json record = json::parse(Lines(r.out).at(0));
  CHECK(record["url"] == kOnuUrl);
  CHECK(record["site"] == "maghress-fr");
}

TEST_CASE("extract reads standard input for '-'", "[e2e][extract]") {
  auto r = RunGleaner({"extract", "--url", kOnuUrl, "-"}, testing::ReadFile(kOnuPage), kRoot);
  REQUIRE(r.exit_code == 0);
  CHECK(json::parse(Lines(r.out).at(0))["title"].get<std::string>().rfind("Le Maroc attaché", 0) ==
        0);
}

TEST_CASE("a missing file prints an error line, the run goes on, exit 3", "[e2e][extract]") {
  auto r = RunGleaner({"extract", "/nonexistent/page.html", kOnuPage}, "", kRoot);
  CHECK(r.exit_code == 3);
  auto lines = Lines(r.out);
  REQUIRE(lines.size() == 2);
  json failure = json::parse(lines[0]);
  CHECK(failure["file"] == "/nonexistent/page.html");
  CHECK(failure["exit"] == 3);
  CHECK_THAT(failure["error"].get<std::string>(), Catch::Contains("No such file"));
  CHECK(json::parse(lines[1])["site"] == "maghress-fr");
  CHECK_THAT(r.err, Catch::Contains("/nonexistent/page.html"));
}

TEST_CASE("usage errors exit 2", "[e2e][extract]") {
  CHECK(RunGleaner({"extract", "--url", kOnuUrl, kOnuPage, kOnuPage}, "", kRoot).exit_code == 2);
  CHECK(RunGleaner({"extract", "--bogus", kOnuPage}, "", kRoot).exit_code == 2);
  CHECK(RunGleaner({"extract"}, "", kRoot).exit_code == 2);
  CHECK(RunGleaner({"extract", "--generic", "--site", "maghress-fr", kOnuPage}, "", kRoot)
            .exit_code == 2);
  CHECK(RunGleaner({"extract", "--site", "nosuchsite", kOnuPage}, "", kRoot).exit_code == 2);
  CHECK(RunGleaner({"frobnicate"}, "", kRoot).exit_code == 2);
}

TEST_CASE("a broken site file stops extract with file:line:col, exit 1", "[e2e][extract]") {
  TempDir dir;
  dir.Write("sites/bad.yaml",
            "id: bad\nname: Bad\nlanguage: fr\nurls: x\nlayouts:\n  - body: p\n    colour: red\n");
  auto r = RunGleaner({"extract", "--sites", dir.path() + "/sites", "--url", kOnuUrl, kOnuPage}, "",
                      kRoot);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("bad.yaml:7:5: unknown key 'colour'"));
}

TEST_CASE("check validates the bundled sites and reports every problem", "[e2e][check]") {
  auto ok = RunGleaner({"check"}, "", kRoot);
  CHECK(ok.exit_code == 0);
  CHECK_THAT(ok.out, Catch::Matches("\\d+ sites OK, \\d+ site tests passed\n"));

  TempDir dir;
  dir.Write("sites/a.yaml",
            "id: a\nname: A\nlanguage: fr\nurls: '^https://x\\.com/'\n"
            "sources:\n  - listing: https://x.com/\nlayouts:\n  - body: p\n");
  dir.Write("sites/b.yaml",
            "id: b\nname: B\nlanguage: fr\nurls: '^https://x\\.com'\nlayouts:\n  - body: p\n");
  dir.Write("sites/c.yaml", "id: c\nname: C\nlanguage: fr\nurls: '(['\nlayouts:\n  - body: p\n");
  auto bad = RunGleaner({"check", "--sites", dir.path() + "/sites"}, "", kRoot);
  CHECK(bad.exit_code == 1);
  CHECK_THAT(bad.out, Catch::Contains("c.yaml:4:7: regex '(['"));
  CHECK_THAT(bad.out, Catch::Contains("https://x.com/ of site 'a' is also owned by site 'b'"));
  CHECK_THAT(bad.out, !Catch::Contains("sites OK"));
}

TEST_CASE("hostile pages get a clean answer, never a crash", "[e2e][extract]") {
  TempDir dir;
  std::string garbage;
  for (int i = 0; i < 200000; ++i) garbage += static_cast<char>((i * 7919 + 13) % 256);
  std::string nested;
  for (int i = 0; i < 2000000; ++i) nested += "<div>";
  nested += "deep text";
  const std::vector<std::pair<std::string, std::string>> pages = {
      {"empty.html", ""},
      {"garbage.html", garbage},
      {"nested.html", nested},
      {"nul.html", std::string("<p>a\0b</p>", 10)}};
  for (const auto& [name, content] : pages) {
    INFO(name);
    std::string path = dir.Write(name, content);
    auto r = RunGleaner({"extract", "--url", "https://unknown.example/x", path}, "", kRoot);
    CHECK((r.exit_code == 0 || r.exit_code == 4));
    auto lines = Lines(r.out);
    REQUIRE(lines.size() == 1);
    CHECK_NOTHROW(json::parse(lines[0]));
  }
}

TEST_CASE("a page that makes the HTML parser abort still yields its article", "[e2e][extract]") {
  // Gumbo 0.10.1 aborts the process on this table/math/select tangle.
  TempDir dir;
  std::string article;
  for (int i = 0; i < 6; ++i) {
    article += "<p>Paragraph " + std::to_string(i) +
               " of the article, long enough to be read as body text by any extractor.</p>";
  }
  std::string path =
      dir.Write("abort.html", "<html><head><title>Tangle</title></head><body><article>" + article +
                                  "</article><table><math><select><mi><select><td>x"
                                  "</td></table></body></html>");
  auto r = RunGleaner({"extract", "--generic", "--url", "https://unknown.example/tangle", path}, "",
                      kRoot);
  REQUIRE(r.exit_code == 0);
  json record = json::parse(Lines(r.out).at(0));
  CHECK_THAT(record["body"].get<std::string>(), Catch::Contains("Paragraph 5 of the article"));
  CHECK_THAT(record["warnings"].dump(),
             Catch::Contains("the HTML parser aborted on this page's markup"));
}

TEST_CASE("a site whose rules no longer match falls back to generic, with a warning",
          "[e2e][extract]") {
  TempDir dir;
  dir.Write(
      "sites/maghress-fr.yaml",
      "id: maghress-fr\nname: Maghress\nlanguage: fr\nurls: '^https://www\\.maghress\\.com/fr/'\n"
      "ticker: '.ticker a'\nlayouts:\n  - name: old\n    title: '.articletitle'\n    body: "
      "'.gone-in-redesign'\n");
  auto r = RunGleaner({"extract", "--sites", dir.path() + "/sites", "--url", kOnuUrl, kOnuPage}, "",
                      kRoot);
  REQUIRE(r.exit_code == 0);
  json record = json::parse(Lines(r.out).at(0));
  CHECK(record["extractor"] == "rules:maghress-fr+generic");
  CHECK(record["site"] == "maghress-fr");
  std::string warnings = record["warnings"].dump();
  CHECK_THAT(warnings, Catch::Contains("body selector '.gone-in-redesign' matched nothing"));
  std::string body = record["body"].get<std::string>();
  CHECK_THAT(body, Catch::Contains("Le Maroc est constamment attaché"));
  CHECK_THAT(body, !Catch::Contains("Omar Hilale expose devant le Conseil"));  // a ticker headline
}

}  // namespace
}  // namespace gleaner
