// Every fixture page (tests/fixtures/pages/<slug>/) extracted WITHOUT its site rules
// (`--generic`) must still give the article: body token F1 >= 0.97 against the expected
// body (tokens as check_pages.py counts them: runs of letters, digits and '_', lower-cased),
// the expected title, and none of the case's `body_must_not_contain` strings (ticker
// headlines, dialog text, "read at the source" lines) in the body. A failure names the slug.
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "extractors/pipeline.h"
#include "extractors/text/normalize.h"
#include "support/run_binary.h"

namespace gleaner {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kPagesDir = std::string(GLEANER_SOURCE_DIR) + "/tests/fixtures/pages";

// The token F1 every fixture page must reach without site rules.
constexpr double kMinTokenF1 = 0.97;

// Python's \w on lower-cased text: letters and digits of any script, and '_'.
std::map<std::string, int> Tokens(const std::string& text) {
  std::string folded = text::FoldCase(text::CleanText(text));
  std::map<std::string, int> counts;
  std::string token;
  int32_t i = 0;
  const auto length = static_cast<int32_t>(folded.size());
  while (i < length) {
    int32_t start = i;
    UChar32 c = 0;
    U8_NEXT(folded.data(), i, length, c);
    if (c >= 0 && (u_isalnum(c) || c == '_')) {
      token.append(folded, static_cast<size_t>(start), static_cast<size_t>(i - start));
    } else if (!token.empty()) {
      ++counts[token];
      token.clear();
    }
  }
  if (!token.empty()) ++counts[token];
  return counts;
}

double TokenF1(const std::string& got, const std::string& want) {
  auto g = Tokens(got), w = Tokens(want);
  int common = 0, g_total = 0, w_total = 0;
  for (const auto& [token, n] : g) {
    g_total += n;
    auto it = w.find(token);
    if (it != w.end()) common += std::min(n, it->second);
  }
  for (const auto& [token, n] : w) w_total += n;
  if (common == 0) return 0.0;
  double p = static_cast<double>(common) / g_total, r = static_cast<double>(common) / w_total;
  return 2 * p * r / (p + r);
}

TEST_CASE("every fixture page extracted without rules gives its article", "[generic]") {
  size_t cases = 0;
  std::vector<fs::path> dirs;
  for (const auto& entry : fs::directory_iterator(kPagesDir)) dirs.push_back(entry.path());
  std::sort(dirs.begin(), dirs.end());
  for (const fs::path& dir : dirs) {
    if (!fs::exists(dir / "case.json")) continue;
    ++cases;
    // One section per page: a page that fails (even a REQUIRE) does not hide the others.
    DYNAMIC_SECTION("case " << dir.filename().string()) {
      json spec = json::parse(testing::ReadFile((dir / "case.json").string()));
      std::string html = testing::ReadFile((dir / "source.html").string());
      const json& want = spec["expected"];
      PageInput page{html, spec["url"].get<std::string>(),
                     spec["http_headers"].value("Content-Type", std::string("text/html"))};
      ExtractOptions options;
      options.generic_only = true;
      auto got = ExtractPage(page, nullptr, options);
      INFO("case " << dir.filename().string());
      REQUIRE(got.has_value());
      CHECK(got->extractor == "generic");
      REQUIRE(got->body.has_value());
      double f1 = TokenF1(*got->body, want["body"].get<std::string>());
      INFO("body token F1 " << f1);
      CHECK(f1 >= kMinTokenF1);
      CHECK(got->title.value_or("") == text::CleanText(want["title"].get<std::string>()));
      std::string body = text::CleanText(*got->body);
      for (const json& leak : want.value("body_must_not_contain", json::array())) {
        std::string needle = text::CleanText(leak.get<std::string>());
        INFO("leak '" << needle << "'");
        CHECK(body.find(needle) == std::string::npos);
      }
      if (want.contains("ticker_headlines")) {
        CHECK(got->ticker.size() == want["ticker_headlines"].get<size_t>());
      }
      if (want.contains("language"))
        CHECK(got->language.value_or("") == want["language"].get<std::string>());
    }
  }
  CHECK(cases > 0);
}

}  // namespace
}  // namespace gleaner
