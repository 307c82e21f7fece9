// Every fixture page (tests/fixtures/pages/<slug>/{source.html, case.json}) extracted with
// the bundled site rules must give exactly the expected record. A failure names the slug,
// the field and the first difference.
#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "daemon/settings/site_files.h"
#include "extractors/pipeline.h"
#include "extractors/text/normalize.h"
#include "support/run_binary.h"

namespace gleaner {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kPagesDir = std::string(GLEANER_SOURCE_DIR) + "/tests/fixtures/pages";
const std::string kSitesDir = std::string(GLEANER_SOURCE_DIR) + "/sites";

struct Case {
  std::string slug;
  json spec;
  std::string html;
};

std::vector<Case> LoadCases() {
  std::vector<Case> cases;
  for (const auto& entry : fs::directory_iterator(kPagesDir)) {
    fs::path dir = entry.path();
    if (!fs::exists(dir / "case.json")) continue;
    cases.push_back({dir.filename().string(),
                     json::parse(testing::ReadFile((dir / "case.json").string())),
                     testing::ReadFile((dir / "source.html").string())});
  }
  std::sort(cases.begin(), cases.end(),
            [](const Case& a, const Case& b) { return a.slug < b.slug; });
  return cases;
}

// Paragraphs after the comparison's normalisation (NFC, white space folded).
std::vector<std::string> Paragraphs(const std::string& body) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= body.size()) {
    size_t end = body.find("\n\n", start);
    std::string p = text::CleanText(
        body.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (!p.empty()) out.push_back(p);
    if (end == std::string::npos) break;
    start = end + 2;
  }
  return out;
}

std::string FirstDifference(const std::vector<std::string>& got,
                            const std::vector<std::string>& want) {
  size_t i = 0;
  while (i < got.size() && i < want.size() && got[i] == want[i]) ++i;
  std::ostringstream s;
  s << got.size() << " paragraphs, want " << want.size() << "; first difference at paragraph "
    << i + 1;
  if (i < got.size()) s << ": got '" << got[i].substr(0, 80) << "'";
  if (i < want.size()) s << ", want '" << want[i].substr(0, 80) << "'";
  return s.str();
}

std::string NormText(const std::string& s) { return text::CleanText(s); }
std::string NormOpt(const std::optional<std::string>& s) {
  return s ? text::CleanText(*s) : "<null>";
}
std::string NormJson(const json& j) {
  return j.is_null() ? "<null>" : text::CleanText(j.get<std::string>());
}

void CheckCase(const Case& c, const rules::SiteSet& sites) {
  const json& want = c.spec["expected"];
  std::string content_type = c.spec["http_headers"].value("Content-Type", "text/html");
  PageInput page{c.html, c.spec["url"].get<std::string>(), content_type};
  auto got = ExtractPage(page, &sites, ExtractOptions{});
  INFO("case " << c.slug);
  REQUIRE(got.has_value());
  CHECK(got->url == c.spec["url"].get<std::string>());
  CHECK(got->site == c.spec["site"].get<std::string>());
  CHECK(got->extractor.rfind("rules:" + c.spec["site"].get<std::string>() + "/", 0) == 0);
  for (const char* field : {"title", "source", "source_url", "language", "author"}) {
    if (!want.contains(field)) continue;
    const std::optional<std::string>& value = std::string(field) == "title"        ? got->title
                                              : std::string(field) == "source"     ? got->source
                                              : std::string(field) == "source_url" ? got->source_url
                                              : std::string(field) == "language"   ? got->language
                                                                                   : got->author;
    INFO("field " << field);
    CHECK(NormOpt(value) == NormJson(want[field]));
  }
  if (want.contains("published")) {
    std::string w = want["published"].get<std::string>();
    std::string g = got->published.value_or("<null>");
    if (w.size() == 10) g = g.substr(0, 10);  // a date compares by its date
    CHECK(g == w);
  }
  auto gp = Paragraphs(got->body.value_or("")), wp = Paragraphs(want["body"].get<std::string>());
  INFO("body: " << FirstDifference(gp, wp));
  CHECK(gp == wp);
  for (const json& leak : want["body_must_not_contain"]) {
    INFO("leak: " << leak.get<std::string>());
    CHECK(NormOpt(got->body).find(NormJson(leak)) == std::string::npos);
  }
  std::vector<Link> want_related;
  for (const json& r : want["related"])
    want_related.push_back({NormJson(r["title"]), r["url"].get<std::string>()});
  std::vector<Link> got_related;
  for (const Link& r : got->related) got_related.push_back({NormText(r.title), r.url});
  CHECK(got_related == want_related);
  REQUIRE(got->ticker.size() == want["ticker_headlines"].get<size_t>());
  for (auto [key, index] :
       {std::pair{"ticker_first", size_t{0}}, {"ticker_last", got->ticker.size() - 1}}) {
    if (!want.contains(key)) continue;
    INFO(key);
    CHECK(NormText(got->ticker[index].title) == NormJson(want[key]["title"]));
    CHECK(got->ticker[index].url == want[key]["url"].get<std::string>());
  }
}

TEST_CASE("every fixture page gives its expected record with the bundled rules", "[fixtures]") {
  auto sites = LoadSites(kSitesDir, 1 << 20);
  REQUIRE(sites.has_value());
  auto cases = LoadCases();
  REQUIRE(cases.size() >= 7);
  // One section per page: a page that fails (even a REQUIRE) does not hide the others.
  for (const Case& c : cases) {
    DYNAMIC_SECTION("case " << c.slug) { CheckCase(c, *sites); }
  }
}

// The bundled site tests (sites/tests/<site>/NAME.{html,json}, which `gleaner check` runs) were
// saved from these pages with `extract --save-test`. Each fixture page must be one of them,
// byte for byte, with the case's URL and content type and a record that agrees with the case's
// expected fields, so that the two copies cannot drift apart.
TEST_CASE("every fixture page is a bundled site test with the same bytes and fields",
          "[fixtures][sitetests]") {
  for (const Case& c : LoadCases()) {
    DYNAMIC_SECTION("case " << c.slug) {
      const fs::path dir = kSitesDir + "/tests/" + c.spec["site"].get<std::string>();
      std::optional<fs::path> page;
      for (const auto& entry : fs::directory_iterator(dir)) {
        if (entry.path().extension() == ".html" && testing::ReadFile(entry.path()) == c.html)
          page = entry.path();
      }
      INFO("no page of " << dir.string() << " has the bytes of the fixture page");
      REQUIRE(page.has_value());
      fs::path test_file = *page;
      test_file.replace_extension(".json");
      json test = json::parse(testing::ReadFile(test_file.string()));
      INFO("site test " << test_file.string());
      CHECK(test["url"] == c.spec["url"]);
      CHECK(test["content_type"] == c.spec["http_headers"]["Content-Type"]);
      const json& want = c.spec["expected"];
      const json& saved = test["expected"];
      for (const char* field : {"title", "source", "source_url", "language", "author"}) {
        if (!want.contains(field)) continue;
        INFO("field " << field);
        CHECK(NormJson(saved[field]) == NormJson(want[field]));
      }
      std::string published = saved["published"].get<std::string>();
      if (want["published"].get<std::string>().size() == 10) published = published.substr(0, 10);
      CHECK(published == want["published"].get<std::string>());
      CHECK(Paragraphs(saved["body"].get<std::string>()) ==
            Paragraphs(want["body"].get<std::string>()));
      REQUIRE(saved["related"].size() == want["related"].size());
      for (size_t i = 0; i < want["related"].size(); ++i) {
        CHECK(NormJson(saved["related"][i]["title"]) == NormJson(want["related"][i]["title"]));
        CHECK(saved["related"][i]["url"] == want["related"][i]["url"]);
      }
      REQUIRE(saved["ticker"].size() == want["ticker_headlines"].get<size_t>());
      for (auto [key, index] :
           {std::pair{"ticker_first", size_t{0}}, {"ticker_last", saved["ticker"].size() - 1}}) {
        if (!want.contains(key)) continue;
        INFO(key);
        CHECK(NormJson(saved["ticker"][index]["title"]) == NormJson(want[key]["title"]));
        CHECK(saved["ticker"][index]["url"] == want[key]["url"]);
      }
    }
  }
}

}  // namespace
}  // namespace gleaner
