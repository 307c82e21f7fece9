// The crawl's decisions, with a fake fetcher and a clock the test moves: what is fetched,
// when it is fetched again, what is given up, and what the health counters say.
#include <catch2/catch.hpp>

#include "daemon/fetch/fake_fetcher.h"
#include "daemon/schedule/crawler.h"
#include "support/run_binary.h"

namespace gleaner::schedule {
namespace {

using namespace std::chrono_literals;
using fetch::FakeFailure;
using fetch::FakePage;
using fetch::FetchErrorKind;

const std::string kHome = "https://news.example/";

rules::SiteSet Sites(const std::string& body_selector = "article") {
  auto site = rules::ParseSiteRules("id: news\nname: News\nlanguage: fr\nurls: '^https://news\\.example/'\n"
                                    "articles: '^https://news\\.example/a/[0-9]+$'\n"
                                    "sources:\n  - listing: https://news.example/\n    every: 1m\n"
                                    "layouts:\n  - title: h1\n    body: '" + body_selector + "'\n",
                                    "news.yaml");
  REQUIRE(site.has_value());
  return *rules::SiteSet::Create({*site});
}

std::string Article(int n) {
  std::string text;
  for (int i = 0; i < 40; ++i) text += "Phrase numéro " + std::to_string(i) + " de l'article " + std::to_string(n) + ". ";
  return "<html><body><h1>Titre " + std::to_string(n) + "</h1><article><p>" + text + "</p></article></body></html>";
}

struct Fixture {
  testing::TempDir dir;
  store::Store store = *store::Store::Open(dir.path() + "/g.db", store::OpenMode::kCreate);
  fetch::FakeFetcher fetcher;
  store::Time now = store::FromMillis(1700000000000);
  Config config;

  Crawler Make(rules::SiteSet sites) {
    CrawlerOptions options;
    options.seed = 7;
    return Crawler(config, std::move(sites), store, fetcher, [this] { return now; }, options);
  }
  int Count(const std::string& url) {
    int n = 0;
    for (const auto& r : fetcher.requests()) n += r.url == url;
    return n;
  }
};

TEST_CASE("listing links matching the article pattern are fetched, stored and not fetched again", "[crawler]") {
  Fixture f;
  f.fetcher.SetResponse(kHome, FakePage("<a href='/a/1'>1</a><a href='/a/2'>2</a><a href='/about'>x</a>"));
  f.fetcher.SetResponse("https://news.example/a/1", FakePage(Article(1)));
  f.fetcher.SetResponse("https://news.example/a/2", FakePage(Article(2)));
  Crawler crawler = f.Make(Sites());
  REQUIRE(crawler.Seed());
  for (int i = 0; i < 3; ++i) REQUIRE(crawler.Step(0ms));
  const SiteHealth& h = crawler.health().at("news");
  CHECK(h.new_articles == 2);
  CHECK(h.discovered == 2);
  CHECK(f.Count("https://news.example/about") == 0);
  // Much later, the listing is polled again, but stored articles are not refetched.
  f.now += 1h;
  for (int i = 0; i < 3; ++i) REQUIRE(crawler.Step(0ms));
  CHECK(f.Count(kHome) == 2);
  CHECK(f.Count("https://news.example/a/1") == 1);
}

TEST_CASE("a listing that keeps answering nothing new is polled less often, up to a bound", "[crawler]") {
  Fixture f;
  f.fetcher.SetResponse(kHome, FakePage("<p>nothing yet</p>"));
  Crawler crawler = f.Make(Sites());
  REQUIRE(crawler.Seed());
  std::vector<std::chrono::milliseconds> gaps;
  store::Time last = f.now;
  for (int minute = 0; minute < 24 * 60; ++minute) {
    size_t before = f.fetcher.requests().size();
    REQUIRE(crawler.Step(0ms));
    if (f.fetcher.requests().size() > before && f.Count(kHome) > 1) {
      gaps.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(f.now - last));
    }
    if (f.fetcher.requests().size() > before) last = f.now;
    f.now += 1min;
  }
  REQUIRE(gaps.size() >= 4);
  CHECK(gaps[1] > gaps[0]);           // backing off
  CHECK(gaps.back() <= 8min + 1min);  // never beyond 8 x the 1m interval (+ jitter, + step)
  CHECK(gaps.back() >= 8min);
}

TEST_CASE("failures: robots refusals are final, server errors retried then given up", "[crawler]") {
  Fixture f;
  f.fetcher.SetResponse(kHome, FakePage("<a href='/a/1'>1</a><a href='/a/2'>2</a>"));
  f.fetcher.SetResponse("https://news.example/a/1", FakeFailure(FetchErrorKind::kRobots, "disallowed"));
  f.fetcher.SetResponse("https://news.example/a/2", FakeFailure(FetchErrorKind::kHttpStatus, "HTTP 503", 503));
  Crawler crawler = f.Make(Sites());
  REQUIRE(crawler.Seed());
  for (int i = 0; i < 400; ++i) {
    REQUIRE(crawler.Step(0ms));
    f.now += 1min;
  }
  CHECK(f.Count("https://news.example/a/1") == 1);
  CHECK(f.Count("https://news.example/a/2") == 5);  // max_article_attempts
  auto entry = f.store.FindUrl("https://news.example/a/2");
  REQUIRE(entry.has_value());
  REQUIRE(entry->has_value());
  CHECK((*entry)->state == store::FrontierState::kFailed);
  const SiteHealth& h = crawler.health().at("news");
  CHECK(h.errors_by_kind.at("robots") == 1);
  CHECK(h.errors_by_kind.at("http_status") == 5);
}

TEST_CASE("rules that broke are counted and the generic record is stored", "[crawler]") {
  Fixture f;
  f.fetcher.SetResponse(kHome, FakePage("<a href='/a/1'>1</a>"));
  f.fetcher.SetResponse("https://news.example/a/1", FakePage(Article(1)));
  Crawler crawler = f.Make(Sites(".old-body-class"));
  REQUIRE(crawler.Seed());
  for (int i = 0; i < 3; ++i) REQUIRE(crawler.Step(0ms));
  const SiteHealth& h = crawler.health().at("news");
  CHECK(h.rule_breakage == 1);
  CHECK(h.new_articles == 1);
  REQUIRE(h.broken_rules.size() == 1);
  CHECK_THAT(h.broken_rules.begin()->first, Catch::Contains(".old-body-class"));
  auto stored = f.store.FindArticle("https://news.example/a/1");
  REQUIRE(stored.has_value());
  REQUIRE(stored->has_value());
  CHECK((*stored)->article.extractor == "rules:news+generic");
}

TEST_CASE("a page the last run died on is retried at once and given up if it kills again", "[crawler]") {
  Fixture f;
  f.fetcher.SetResponse(kHome, FakePage("<a href='/a/1'>1</a><a href='/a/2'>2</a>"));
  f.fetcher.SetResponse("https://news.example/a/1", FakePage(Article(1)));
  f.fetcher.SetResponse("https://news.example/a/2", FakePage(Article(2)));
  {
    Crawler first = f.Make(Sites());
    REQUIRE(first.Seed());
    REQUIRE(first.Step(0ms));  // the listing: both articles are now in the frontier
  }
  auto state_of = [&f](const std::string& url) {
    auto entry = f.store.FindUrl(url);
    REQUIRE(entry.has_value());
    REQUIRE(entry->has_value());
    return **entry;
  };
  Crawler crawler = f.Make(Sites());
  // a/1 was in hand at two crashes in a row; a/2 at one.
  REQUIRE(crawler.RecordCrash("https://news.example/a/1"));
  CHECK(state_of("https://news.example/a/1").state == store::FrontierState::kScheduled);
  CHECK(state_of("https://news.example/a/1").last_error == std::optional<std::string>("gleaner died while processing this page"));
  REQUIRE(crawler.RecordCrash("https://news.example/a/1"));
  CHECK(state_of("https://news.example/a/1").state == store::FrontierState::kFailed);
  REQUIRE(crawler.RecordCrash("https://news.example/a/2"));
  CHECK(crawler.health().at("news").extract_errors == 3);

  REQUIRE(crawler.Seed());
  for (int i = 0; i < 3; ++i) REQUIRE(crawler.Step(0ms));
  CHECK(f.Count("https://news.example/a/1") == 0);  // given up
  CHECK(f.Count("https://news.example/a/2") == 1);  // retried at once, and stored
  CHECK(crawler.health().at("news").new_articles == 1);
  // A page named after it was dealt with (stored, given up) or never seen is left alone.
  REQUIRE(crawler.RecordCrash("https://news.example/a/2"));
  CHECK(state_of("https://news.example/a/2").state == store::FrontierState::kDone);
  REQUIRE(crawler.RecordCrash("https://news.example/a/1"));
  CHECK(state_of("https://news.example/a/1").state == store::FrontierState::kFailed);
  CHECK(crawler.RecordCrash("https://news.example/never-seen"));
  f.now += 24h;
  for (int i = 0; i < 3; ++i) REQUIRE(crawler.Step(0ms));
  CHECK(f.Count("https://news.example/a/1") == 0);
  CHECK(f.Count("https://news.example/a/2") == 1);
}

TEST_CASE("the work marker names nothing once the crawler has parsed its pages", "[crawler]") {
  Fixture f;
  f.fetcher.SetResponse(kHome, FakePage("<a href='/a/1'>1</a>"));
  f.fetcher.SetResponse("https://news.example/a/1", FakePage(Article(1)));
  std::string path = WorkMarkerPath(f.dir.path() + "/g.db");
  auto marker = WorkMarker::Open(path);
  REQUIRE(marker.has_value());
  marker->Begin("https://news.example/stale");  // as if a page were in hand
  Crawler crawler = f.Make(Sites());
  crawler.SetWorkMarker(&*marker);
  REQUIRE(crawler.Seed());
  for (int i = 0; i < 3; ++i) REQUIRE(crawler.Step(0ms));
  REQUIRE(crawler.health().at("news").new_articles == 1);
  auto reopened = WorkMarker::Open(path);
  REQUIRE(reopened.has_value());
  CHECK_FALSE(reopened->left_over().has_value());
}

}  // namespace
}  // namespace gleaner::schedule
