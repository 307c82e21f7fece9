// Site tests as a user runs them: `gleaner check` on a copy of the bundled sites (their tests
// included), broken in the ways people break them, and `gleaner extract --save-test`.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/run_binary.h"

namespace gleaner {
namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;
using testing::Lines;
using testing::ReadFile;
using testing::RunGleaner;
using testing::TempDir;

const std::string kRoot = GLEANER_SOURCE_DIR;
const std::string kPages = kRoot + "/tests/fixtures/pages";
const std::string kOnuPage = kPages + "/maghress-fr-2022-10-31-onu-technologie/source.html";
const std::string kOnuUrl = "https://www.maghress.com/fr/marocdiplomatique/58214";
const std::string kCooperationPage = kPages + "/maghress-fr-2020-12-17-cooperation/source.html";

size_t CountFiles(const fs::path& dir, const std::string& extension, bool recursive) {
  size_t n = 0;
  if (recursive) {
    for (const auto& e : fs::recursive_directory_iterator(dir))
      n += e.path().extension() == extension;
  } else {
    for (const auto& e : fs::directory_iterator(dir)) n += e.path().extension() == extension;
  }
  return n;
}

// "N sites OK, M site tests passed" for the bundled sites, counted from the source tree.
std::string BundledOkLine() {
  return std::to_string(CountFiles(kRoot + "/sites", ".yaml", false)) + " sites OK, " +
         std::to_string(CountFiles(kRoot + "/sites/tests", ".json", true)) + " site tests passed";
}

// A copy of the bundled sites (with their tests when `with_tests`) in `dir`/sites.
std::string CopySites(const TempDir& dir, bool with_tests = true) {
  const std::string sites = dir.path() + "/sites";
  fs::create_directories(sites);
  for (const auto& e : fs::directory_iterator(kRoot + "/sites")) {
    if (e.path().extension() == ".yaml")
      fs::copy(e.path(), sites + "/" + e.path().filename().string());
  }
  if (with_tests) fs::copy(kRoot + "/sites/tests", sites + "/tests", fs::copy_options::recursive);
  return sites;
}

testing::RunResult Check(const std::string& sites) {
  return RunGleaner({"check", "--sites", sites}, "", kRoot);
}

// Writes `content` to `path`, creating its directory.
void Put(const std::string& path, const std::string& content) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

ordered_json ReadJson(const std::string& path) { return ordered_json::parse(ReadFile(path)); }

void WriteJson(const std::string& path, const ordered_json& j) { Put(path, j.dump(2) + "\n"); }

// The byte offset of the `n`th character (code point) of UTF-8 `s`.
size_t ByteOfChar(const std::string& s, size_t n) {
  size_t i = 0;
  for (; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && n-- == 0) break;
  }
  return i;
}

TEST_CASE("check runs the bundled site tests and counts them", "[e2e][check][sitetests]") {
  TempDir dir;
  auto r = Check(CopySites(dir));
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out == BundledOkLine() + "\n");
  // Every bundled site has at least one test.
  for (const auto& e : fs::directory_iterator(kRoot + "/sites")) {
    if (e.path().extension() != ".yaml") continue;
    INFO(e.path());
    CHECK(CountFiles(kRoot + "/sites/tests/" + e.path().stem().string(), ".json", false) >= 1);
  }
}

TEST_CASE("a site dir without tests is fine: 0 site tests", "[e2e][check][sitetests]") {
  TempDir dir;
  auto r = Check(CopySites(dir, /*with_tests=*/false));
  CHECK(r.exit_code == 0);
  CHECK(r.out == std::to_string(CountFiles(kRoot + "/sites", ".yaml", false)) +
                     " sites OK, 0 site tests passed\n");
}

TEST_CASE("a test whose expected title differs fails with one line naming file and field",
          "[e2e][check][sitetests]") {
  TempDir dir;
  const std::string sites = CopySites(dir);
  const std::string file = sites + "/tests/maghress-fr/2020-12-17-cooperation.json";
  ordered_json test = ReadJson(file);
  const std::string real_title = test["expected"]["title"];
  test["expected"]["title"] = "Le Maroc en retard";
  WriteJson(file, test);

  auto r = Check(sites);
  CHECK(r.exit_code == 1);
  CHECK(Lines(r.out) ==
        std::vector<std::string>{file + ": title: expected \"Le Maroc en retard\" got \"" +
                                 real_title + "\""});
}

TEST_CASE("a body that differs shows an excerpt of each side and the character offset",
          "[e2e][check][sitetests]") {
  TempDir dir;
  const std::string sites = CopySites(dir);
  // An Arabic body: the offset counts characters, not bytes.
  const std::string file = sites + "/tests/maghress-ar/2022-10-31-technologie.json";
  ordered_json test = ReadJson(file);
  std::string body = test["expected"]["body"];
  const size_t at = ByteOfChar(body, 300);
  test["expected"]["body"] = body.substr(0, at) + "#" + body.substr(at);
  WriteJson(file, test);

  auto r = Check(sites);
  CHECK(r.exit_code == 1);
  auto lines = Lines(r.out);
  REQUIRE(lines.size() == 1);
  const std::string& line = lines[0];
  CHECK(line.rfind(file + ": body: expected …\"", 0) == 0);
  CHECK_THAT(line, Catch::EndsWith(" (first difference at character 300)"));
  CHECK_THAT(line, Catch::Contains("#"));
  // Excerpts, not the two bodies.
  CHECK(line.size() < file.size() + 500);
  CHECK(body.size() > 2000);
}

TEST_CASE("malformed test JSON gives FILE:LINE, exit 1", "[e2e][check][sitetests]") {
  TempDir dir;
  const std::string sites = CopySites(dir);
  const std::string base = sites + "/tests/maghress-fr/broken";
  fs::copy(kCooperationPage, base + ".html");
  Put(base + ".json",
      "{\n  \"url\": \"https://www.maghress.com/fr/barlamane/40377\",\n"
      "  \"expected\": {\n    \"title\": \"x\",\n  }\n}\n");
  auto r = Check(sites);
  CHECK(r.exit_code == 1);
  auto lines = Lines(r.out);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].rfind(base + ".json:5: syntax error while parsing object key", 0) == 0);
}

TEST_CASE("a test without its page, a page without its test, a directory of no site",
          "[e2e][check][sitetests]") {
  TempDir dir;
  const std::string sites = CopySites(dir);
  const std::string tests = sites + "/tests";
  const std::string json = ReadFile(tests + "/maghress-fr/2020-12-17-cooperation.json");
  Put(tests + "/maghress-fr/orphan.json", json);
  fs::copy(kCooperationPage, tests + "/maghress-fr/lonely.html");
  Put(tests + "/no-such-site/page.json", json);
  fs::copy(kCooperationPage, tests + "/no-such-site/page.html");

  auto r = Check(sites);
  CHECK(r.exit_code == 1);
  auto lines = Lines(r.out);
  CHECK(lines == std::vector<std::string>{
                     tests + "/maghress-fr/lonely.html: its test lonely.json is missing",
                     tests + "/maghress-fr/orphan.json: its page orphan.html is missing",
                     tests + "/no-such-site: no site has the id 'no-such-site' (a test "
                             "directory is named after its site)"});
}

TEST_CASE("a test file must say what it tests, strictly", "[e2e][check][sitetests]") {
  const std::string url = "\"url\": \"https://www.maghress.com/fr/barlamane/40377\"";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{\"expected\": {\"title\": \"x\"}}", "no url: the page's URL is needed to extract it"},
      {"{" + url + ", \"expected\": {}, \"note\": \"x\"}",
       "unknown key 'note' (a test has url, content_type and expected)"},
      {"{" + url + ", \"expected\": {\"titel\": \"x\"}}",
       "unknown key 'titel' in expected (not a record field)"},
      {"{" + url + ", \"expected\": {\"title\": 3}}", "expected.title must be a string or null"},
      {"{" + url + ", \"expected\": {\"title\": \"a\", \"title\": \"b\"}}",
       "key 'title' appears twice"},
      {"{\"url\": \"https://www.maghress.com/ar/x/1\", \"expected\": {}}",
       "url https://www.maghress.com/ar/x/1 is not owned by site 'maghress-fr'"},
  };
  for (const auto& [content, message] : cases) {
    INFO(content);
    TempDir dir;
    const std::string sites = CopySites(dir, /*with_tests=*/false);
    const std::string base = sites + "/tests/maghress-fr/case";
    fs::create_directories(sites + "/tests/maghress-fr");
    fs::copy(kCooperationPage, base + ".html");
    Put(base + ".json", content);
    auto r = Check(sites);
    CHECK(r.exit_code == 1);
    auto lines = Lines(r.out);
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].rfind(base + ".json: " + message, 0) == 0);
  }
}

TEST_CASE("extract --save-test writes a test that check then passes, and never replaces one",
          "[e2e][extract][sitetests]") {
  TempDir dir;
  const std::string sites = CopySites(dir, /*with_tests=*/false);
  const std::string name = sites + "/tests/maghress-fr/onu";  // the directory is created
  auto saved = RunGleaner({"extract", "--sites", sites, "--url", kOnuUrl, "--content-type",
                           "text/html; charset=utf-8", "--save-test", name, kOnuPage},
                          "", kRoot);
  INFO(saved.err);
  REQUIRE(saved.exit_code == 0);
  auto records = Lines(saved.out);
  REQUIRE(records.size() == 1);
  auto record = ordered_json::parse(records[0]);
  CHECK(record["extractor"] == "rules:maghress-fr/classic");

  CHECK(ReadFile(name + ".html") == ReadFile(kOnuPage));
  const std::string text = ReadFile(name + ".json");
  auto test = ordered_json::parse(text);
  std::vector<std::string> keys, expected_keys;
  for (const auto& [key, value] : test.items()) keys.push_back(key);
  for (const auto& [key, value] : test["expected"].items()) expected_keys.push_back(key);
  CHECK(keys == std::vector<std::string>{"url", "content_type", "expected"});
  CHECK(expected_keys == std::vector<std::string>{"extractor", "title", "author", "published",
                                                  "source", "source_url", "language", "body",
                                                  "related", "ticker"});
  CHECK(test["url"] == kOnuUrl);
  CHECK(test["content_type"] == "text/html; charset=utf-8");
  for (const std::string& key : expected_keys) {
    INFO(key);
    CHECK(test["expected"][key] == record[key]);  // the record's values, nulls included
  }
  CHECK(test["expected"]["author"].is_null());
  CHECK(test["expected"]["ticker"].size() == 48);
  CHECK_THAT(text, Catch::StartsWith("{\n  \"url\": "));  // pretty-printed for diffs
  CHECK_THAT(text, Catch::Contains("Le Maroc attaché"));  // UTF-8, not \u escapes

  auto check = Check(sites);
  CHECK(check.exit_code == 0);
  CHECK(check.out == std::to_string(CountFiles(kRoot + "/sites", ".yaml", false)) +
                         " sites OK, 1 site tests passed\n");

  // Another page to the same name: refused, and the test stays the first page's.
  const std::string json_before = ReadFile(name + ".json");
  auto again = RunGleaner(
      {"extract", "--sites", sites, "--url", "https://www.maghress.com/fr/barlamane/40377",
       "--save-test", name, kCooperationPage},
      "", kRoot);
  CHECK(again.exit_code == 2);
  CHECK_THAT(again.err, Catch::Contains(name + ".html: already exists"));
  CHECK(again.out.empty());
  CHECK(ReadFile(name + ".html") == ReadFile(kOnuPage));
  CHECK(ReadFile(name + ".json") == json_before);

  // The .json alone is enough to refuse.
  fs::remove(name + ".html");
  auto json_only = RunGleaner(
      {"extract", "--sites", sites, "--url", kOnuUrl, "--save-test", name, kOnuPage}, "", kRoot);
  CHECK(json_only.exit_code == 2);
  CHECK_THAT(json_only.err, Catch::Contains(name + ".json: already exists"));
  CHECK_FALSE(fs::exists(name + ".html"));
}

TEST_CASE("extract --save-test needs a URL, a record and a test name",
          "[e2e][extract][sitetests]") {
  TempDir dir;
  const std::string sites = CopySites(dir, /*with_tests=*/false);
  const std::string name = dir.path() + "/saved/t";
  std::string paragraphs;
  for (int i = 0; i < 6; ++i) {
    paragraphs += "<p>Paragraph " + std::to_string(i) +
                  " of an article with no canonical URL, long enough to be its body.</p>";
  }
  const std::string no_canonical =
      dir.Write("page.html", "<html><head><title>T</title></head><body><article>" + paragraphs +
                                 "</article></body></html>");

  auto no_url =
      RunGleaner({"extract", "--sites", sites, "--save-test", name, no_canonical}, "", kRoot);
  CHECK(no_url.exit_code == 2);
  CHECK_THAT(no_url.err, Catch::Contains("--save-test needs the page's URL: give --url"));
  CHECK(no_url.out.empty());

  const std::string empty = dir.Write("empty.html", "");
  auto failed = RunGleaner(
      {"extract", "--sites", sites, "--url", kOnuUrl, "--save-test", name, empty}, "", kRoot);
  CHECK(failed.exit_code == 4);
  CHECK_THAT(failed.out, Catch::Contains("\"error\""));  // the usual failure line

  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--save-test", name + ".json", kOnuPage},
        std::vector<std::string>{"--save-test", dir.path() + "/saved/", kOnuPage},
        std::vector<std::string>{"--save-test", name, kOnuPage, kOnuPage},
        std::vector<std::string>{"--generic", "--save-test", name, kOnuPage}}) {
    std::vector<std::string> argv = {"extract", "--sites", sites};
    argv.insert(argv.end(), args.begin(), args.end());
    INFO(args[1]);
    CHECK(RunGleaner(argv, "", kRoot).exit_code == 2);
  }
  CHECK_FALSE(fs::exists(dir.path() + "/saved"));
}

}  // namespace
}  // namespace gleaner
