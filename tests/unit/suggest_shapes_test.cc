// The URL side and the naming side of a drafted site file: the `urls` scope, the `articles`
// pattern that generalises sample URLs, the drafted id, and which class and id names a
// draft may build selectors on.
#include <catch2/catch.hpp>

#include "extractors/suggest/selectors.h"
#include "extractors/suggest/url_shape.h"
#include "extractors/text/regex.h"

namespace gleaner::suggest {
namespace {

std::vector<UrlParts> Parse(const std::vector<std::string>& urls) {
  std::vector<UrlParts> out;
  for (const std::string& u : urls) out.push_back(*ParseUrl(u));
  return out;
}

bool Matches(const std::string& pattern, const std::string& url) {
  auto re = text::Regex::Compile(pattern);
  REQUIRE(re);
  return re->Matches(url);
}

TEST_CASE("articles generalises dates, numeric ids and slugs", "[suggest]") {
  std::vector<std::string> urls = {"https://www.news.example/2023/05/07/a-first-story/",
                                   "https://www.news.example/2024/11/21/another-story-here/"};
  auto parts = Parse(urls);
  auto scope = ScopeOf(parts, urls);
  REQUIRE(scope);
  std::string articles = ArticlesPattern(parts, *scope);
  CHECK(articles ==
        "^https?://(www\\.)?news\\.example/[0-9]{4}/[0-9]{1,2}/[0-9]{1,2}/[a-z0-9_-]+/?$");
  CHECK(Matches(articles, "https://news.example/2025/01/02/a-third-one"));
  CHECK_FALSE(Matches(articles, "https://www.news.example/category/politics/"));
  CHECK_FALSE(Matches(articles, "https://www.news.example/2025/01/02/"));
  CHECK(scope->pattern == "^https?://(www\\.)?news\\.example/");
  CHECK(DraftId(*scope) == "news");
}

TEST_CASE("an edition segment shared by every sample scopes the site", "[suggest]") {
  std::vector<std::string> urls = {"https://www.maghress.com/fr/barlamane/40377",
                                   "https://maghress.com/fr/telquel/831083"};
  auto parts = Parse(urls);
  auto scope = ScopeOf(parts, urls);
  REQUIRE(scope);
  CHECK(scope->edition == "fr");
  CHECK(Matches(scope->pattern, "https://www.maghress.com/fr/"));
  CHECK_FALSE(Matches(scope->pattern, "https://www.maghress.com/ar/x/1"));
  CHECK(DraftId(*scope) == "maghress-fr");
  std::string articles = ArticlesPattern(parts, *scope);
  CHECK(Matches(articles, "https://www.maghress.com/fr/lematin/123"));
  CHECK_FALSE(Matches(articles, "https://www.maghress.com/ar/lematin/123"));
}

TEST_CASE("query ids, file suffixes and several shapes", "[suggest]") {
  std::vector<std::string> urls = {"https://assahifa.com/?p=271133", "https://assahifa.com/?p=5",
                                   "https://assahifa.com/news/story-1.html"};
  auto parts = Parse(urls);
  auto scope = ScopeOf(parts, urls);
  REQUIRE(scope);
  std::string articles = ArticlesPattern(parts, *scope);
  CHECK(Matches(articles, "https://www.assahifa.com/?p=12"));
  CHECK(Matches(articles, "https://assahifa.com/news/other-story.html"));
  CHECK_FALSE(Matches(articles, "https://assahifa.com/?p=abc"));
  CHECK_FALSE(Matches(articles, "https://assahifa.com/news/"));
}

TEST_CASE("samples of two hosts are refused, naming the odd one", "[suggest]") {
  std::vector<std::string> urls = {"https://a.example/x/1", "https://b.example/x/2"};
  auto scope = ScopeOf(Parse(urls), {"first.html", "second.html"});
  REQUIRE_FALSE(scope);
  CHECK(scope.error().code == ErrorCode::kNoArticle);
  CHECK_THAT(scope.error().message, Catch::StartsWith("second.html: its host b.example"));
}

TEST_CASE("selectors are built on meaningful names only", "[suggest]") {
  for (const char* good : {"entry-content", "articlecontent", "post_body", "h1", "col2"}) {
    INFO(good);
    CHECK(IsMeaningfulName(good));
  }
  for (const char* bad : {"post-12345", "col-md-8", "mb-3", "css-1x2y3z", "sc-bdVaJa", "row",
                          "active", "9lives", "a", "x1y2"}) {
    INFO(bad);
    CHECK_FALSE(IsMeaningfulName(bad));
  }
}

}  // namespace
}  // namespace gleaner::suggest
