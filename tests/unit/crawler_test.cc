// The crawl's decisions, with a fake fetcher and a clock the test moves: what is fetched,
// when it is fetched again, what is given up, and what the health counters say.
#include "daemon/schedule/crawler.h"

#include <catch2/catch.hpp>
#include <set>

#include "daemon/fetch/fake_fetcher.h"
#include "support/run_binary.h"

namespace gleaner::schedule {
namespace {

using namespace std::chrono_literals;
using fetch::FakeFailure;
using fetch::FakePage;
using fetch::FetchErrorKind;

const std::string kHome = "https://news.example/";

rules::SiteSet Sites(const std::string& body_selector = "article") {
  auto site = rules::ParseSiteRules(
      "id: news\nname: News\nlanguage: fr\nurls: '^https://news\\.example/'\n"
      "articles: '^https://news\\.example/a/[0-9]+$'\n"
      "sources:\n  - listing: https://news.example/\n    every: 1m\n"
      "layouts:\n  - title: h1\n    body: '" +
          body_selector + "'\n",
      "news.yaml");
  REQUIRE(site.has_value());
  return *rules::SiteSet::Create({*site});
}

std::string Article(int n) {
  std::string text;
  for (int i = 0; i < 40; ++i)
    text += "Phrase numéro " + std::to_string(i) + " de l'article " + std::to_string(n) + ". ";
  return "<html><body><h1>Titre " + std::to_string(n) + "</h1><article><p>" + text +
         "</p></article></body></html>";
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
    return Crawler(
        config, std::move(sites), store, fetcher, [this] { return now; }, options);
  }
  int Count(const std::string& url) {
    int n = 0;
    for (const auto& r : fetcher.requests()) n += r.url == url;
    return n;
  }
};

TEST_CASE("listing links matching the article pattern are fetched, stored and not fetched again",
          "[crawler]") {
  Fixture f;
  f.fetcher.SetResponse(kHome,
                        FakePage("<a href='/a/1'>1</a><a href='/a/2'>2</a><a href='/about'>x</a>"));
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

TEST_CASE("a listing that keeps answering nothing new is polled less often, up to a bound",
          "[crawler]") {
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
  CHECK(gaps[0] <= 2min);             // its interval (1m, + jitter, + the 1m step) at first
  CHECK(gaps[3] > gaps[0]);           // then backing off
  CHECK(gaps.back() <= 8min + 1min);  // never beyond 8 x the 1m interval (+ jitter, + step)
  CHECK(gaps.back() >= 8min);
}

TEST_CASE("a site publishing a little slower than it is polled is polled at its interval",
          "[crawler]") {
  Fixture f;
  const store::Time start = f.now;
  // One new article every 3 minutes; the listing is configured for every minute.
  f.fetcher.SetHandler([&f, start](const fetch::FetchRequest& r) {
    if (r.url != kHome) return FakePage(Article(1));
    int published = static_cast<int>((f.now - start) / 3min) + 1;
    std::string links;
    for (int i = 0; i < published; ++i) links += "<a href='/a/" + std::to_string(i) + "'>x</a>";
    return FakePage(links);
  });
  Crawler crawler = f.Make(Sites());
  REQUIRE(crawler.Seed());
  std::vector<store::Time> polls;
  for (int minute = 0; minute < 3 * 60; ++minute) {
    int before = f.Count(kHome);
    REQUIRE(crawler.Step(0ms));
    if (f.Count(kHome) > before) polls.push_back(f.now);
    f.now += 1min;
  }
  REQUIRE(polls.size() > 30);
  for (size_t i = 1; i < polls.size(); ++i) {
    INFO("poll " << i);
    CHECK(polls[i] - polls[i - 1] <= 2min);  // 1m, + jitter, + the 1m step
  }
}

TEST_CASE("failures: robots refusals are final, server errors retried then given up", "[crawler]") {
  Fixture f;
  f.fetcher.SetResponse(kHome, FakePage("<a href='/a/1'>1</a><a href='/a/2'>2</a>"));
  f.fetcher.SetResponse("https://news.example/a/1",
                        FakeFailure(FetchErrorKind::kRobots, "disallowed"));
  f.fetcher.SetResponse("https://news.example/a/2",
                        FakeFailure(FetchErrorKind::kHttpStatus, "HTTP 503", 503));
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

TEST_CASE("a page the last run died on is retried at once and given up if it kills again",
          "[crawler]") {
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
  CHECK(state_of("https://news.example/a/1").last_error ==
        std::optional<std::string>("gleaner died while processing this page"));
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
  marker->Begin(999, "https://news.example/stale");  // as if a page were in hand
  Crawler crawler = f.Make(Sites());
  crawler.SetWorkMarker(&*marker);
  REQUIRE(crawler.Seed());
  for (int i = 0; i < 3; ++i) REQUIRE(crawler.Step(0ms));
  REQUIRE(crawler.health().at("news").new_articles == 1);
  auto reopened = WorkMarker::Open(path);
  REQUIRE(reopened.has_value());
  CHECK_FALSE(reopened->left_over().has_value());
}

// ---- Many hosts: fairness, priorities, reloads, pauses, caps ----

// A site on its own host `name`.example: a listing at /, a sitemap at /sitemap.xml when
// `sitemap`, articles /a/N.
rules::SiteRules HostSite(const std::string& name, bool listing = true, bool sitemap = false) {
  std::string yaml = "id: " + name + "\nname: " + name + "\nlanguage: fr\nurls: '^https://" + name +
                     "\\.example/'\narticles: '^https://" + name +
                     "\\.example/a/[0-9]+$'\nsources:\n";
  if (listing) yaml += "  - listing: https://" + name + ".example/\n    every: 1m\n";
  if (sitemap) yaml += "  - sitemap: https://" + name + ".example/sitemap.xml\n    every: 1h\n";
  yaml += "layouts:\n  - title: h1\n    body: article\n";
  auto site = rules::ParseSiteRules(yaml, name + ".yaml");
  REQUIRE(site.has_value());
  return *site;
}

rules::SiteSet SetOf(std::vector<rules::SiteRules> sites) {
  auto set = rules::SiteSet::Create(std::move(sites));
  REQUIRE(set.has_value());
  return std::move(*set);
}

std::string Links(const std::string& host, int from, int to) {
  std::string html;
  for (int i = from; i < to; ++i)
    html += "<a href='https://" + host + "/a/" + std::to_string(i) + "'>x</a>";
  return html;
}

std::string Sitemap(const std::string& host, int from, int to) {
  std::string xml =
      "<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>";
  for (int i = from; i < to; ++i)
    xml += "<url><loc>https://" + host + "/a/" + std::to_string(i) + "</loc></url>";
  return xml + "</urlset>";
}

// Every article of every host answers with a page.
void ServeArticles(fetch::FakeFetcher& fetcher) {
  fetcher.SetHandler([](const fetch::FetchRequest& r) {
    if (r.url.find("/a/") != std::string::npos)
      return FakePage(Article(static_cast<int>(r.url.size())));
    return FakeFailure(FetchErrorKind::kHttpStatus, "HTTP 404", 404);
  });
}

// Positions in the request log of the requests whose URL starts with `prefix`.
std::vector<size_t> PositionsOf(const fetch::FakeFetcher& fetcher, const std::string& prefix) {
  std::vector<size_t> at;
  for (size_t i = 0; i < fetcher.requests().size(); ++i) {
    if (fetcher.requests()[i].url.rfind(prefix, 0) == 0) at.push_back(i);
  }
  return at;
}

TEST_CASE("one host's sitemap backlog does not hold back the other hosts' articles",
          "[crawler][fair]") {
  Fixture f;
  f.fetcher.SetRoom(1);
  ServeArticles(f.fetcher);
  f.fetcher.SetResponse("https://big.example/sitemap.xml",
                        FakePage(Sitemap("big.example", 0, 500), "application/xml"));
  std::vector<rules::SiteRules> sites = {HostSite("big", false, true)};
  for (int h = 0; h < 20; ++h) {
    std::string name = "small" + std::to_string(h);
    sites.push_back(HostSite(name));
    f.fetcher.SetResponse("https://" + name + ".example/",
                          FakePage(Links(name + ".example", 0, 3)));
  }
  Crawler crawler = f.Make(SetOf(sites));
  REQUIRE(crawler.Seed());
  for (int i = 0; i < 12; ++i) REQUIRE(crawler.Step(0ms));
  // Every small host's three articles are in, while the big host took its turns too.
  for (int h = 0; h < 20; ++h) {
    CHECK(crawler.health().at("small" + std::to_string(h)).new_articles == 3);
  }
  size_t big = PositionsOf(f.fetcher, "https://big.example/a/").size();
  CHECK(big >= 5);
  CHECK(big <= 12);  // one request per turn: the backlog drains at its host's pace
}

TEST_CASE("hosts are served in turn: each gets one request a round when each may take one",
          "[crawler][fair]") {
  Fixture f;
  f.fetcher.SetRoom(1);
  ServeArticles(f.fetcher);
  std::vector<rules::SiteRules> sites;
  for (const char* name : {"one", "two", "three"}) {
    sites.push_back(HostSite(name, false, true));
    std::string host = std::string(name) + ".example";
    f.fetcher.SetResponse("https://" + host + "/sitemap.xml",
                          FakePage(Sitemap(host, 0, 30), "application/xml"));
  }
  Crawler crawler = f.Make(SetOf(sites));
  REQUIRE(crawler.Seed());
  for (int i = 0; i < 10; ++i) REQUIRE(crawler.Step(0ms));
  // After the three sitemap polls, the article requests go one, two, three, one, ...: in
  // any window of three consecutive article requests, each host appears once.
  std::vector<std::string> hosts;
  for (const auto& r : f.fetcher.requests()) {
    if (r.url.find("/a/") != std::string::npos) hosts.push_back(store::HostOf(r.url));
  }
  REQUIRE(hosts.size() >= 27);
  for (size_t i = 0; i + 3 <= hosts.size(); i += 3) {
    std::set<std::string> round(hosts.begin() + static_cast<long>(i),
                                hosts.begin() + static_cast<long>(i) + 3);
    CHECK(round.size() == 3);
  }
}

TEST_CASE("within a host: polls first, then articles a listing announced, then the sitemap backlog",
          "[crawler][fair]") {
  Fixture f;
  f.fetcher.SetRoom(1);
  ServeArticles(f.fetcher);
  f.fetcher.SetResponse("https://news.example/sitemap.xml",
                        FakePage(Sitemap("news.example", 100, 300), "application/xml"));
  f.fetcher.SetResponse("https://news.example/", FakePage(Links("news.example", 0, 2)));
  Crawler crawler = f.Make(SetOf({HostSite("news", true, true)}));
  REQUIRE(crawler.Seed());
  for (int i = 0; i < 6; ++i) REQUIRE(crawler.Step(0ms));
  // Both polls, then the listing's two articles, then backlog.
  const auto& r = f.fetcher.requests();
  REQUIRE(r.size() >= 6);
  std::set<std::string> polls = {r[0].url, r[1].url};
  CHECK(polls ==
        std::set<std::string>{"https://news.example/", "https://news.example/sitemap.xml"});
  std::set<std::string> fresh = {r[2].url, r[3].url};
  CHECK(fresh == std::set<std::string>{"https://news.example/a/0", "https://news.example/a/1"});
  CHECK(r[4].url.rfind("https://news.example/a/1", 0) == 0);  // a/1xx: the backlog
  // A new article on the listing jumps the backlog, and the due poll jumps both.
  f.fetcher.SetResponse("https://news.example/", FakePage(Links("news.example", 0, 3)));
  f.now += 2min;
  size_t before = r.size();
  for (int i = 0; i < 3; ++i) REQUIRE(crawler.Step(0ms));
  REQUIRE(f.fetcher.requests().size() >= before + 2);
  CHECK(f.fetcher.requests()[before].url == "https://news.example/");
  CHECK(f.fetcher.requests()[before + 1].url == "https://news.example/a/2");
}

TEST_CASE("a backlog article a feed announces is fetched as fresh", "[crawler][fair]") {
  Fixture f;
  f.fetcher.SetRoom(1);
  ServeArticles(f.fetcher);
  f.fetcher.SetResponse("https://news.example/sitemap.xml",
                        FakePage(Sitemap("news.example", 0, 200), "application/xml"));
  f.fetcher.SetResponse("https://news.example/", FakePage("<p>nothing</p>"));
  Crawler crawler = f.Make(SetOf({HostSite("news", true, true)}));
  REQUIRE(crawler.Seed());
  for (int i = 0; i < 3; ++i) REQUIRE(crawler.Step(0ms));
  f.fetcher.SetResponse("https://news.example/", FakePage(Links("news.example", 150, 151)));
  f.now += 5min;  // the listing, which found nothing, backed off to 2m
  size_t before = f.fetcher.requests().size();
  for (int i = 0; i < 3; ++i) REQUIRE(crawler.Step(0ms));
  REQUIRE(f.fetcher.requests().size() >= before + 2);
  CHECK(f.fetcher.requests()[before + 1].url == "https://news.example/a/150");
}

TEST_CASE("a removed site stops at once, its rows parked, adding it back resumes them",
          "[crawler][reload]") {
  Fixture f;
  ServeArticles(f.fetcher);
  f.fetcher.SetResponse("https://gone.example/sitemap.xml",
                        FakePage(Sitemap("gone.example", 0, 100), "application/xml"));
  f.fetcher.SetResponse("https://stay.example/", FakePage(Links("stay.example", 0, 2)));
  Crawler crawler = f.Make(SetOf({HostSite("gone", false, true), HostSite("stay")}));
  REQUIRE(crawler.Seed());
  for (int i = 0; i < 3; ++i) REQUIRE(crawler.Step(0ms));
  size_t gone_before = PositionsOf(f.fetcher, "https://gone.example/").size();
  REQUIRE(gone_before >= 2);

  REQUIRE(crawler.Reload(f.config, SetOf({HostSite("stay")})));
  f.fetcher.SetResponse("https://stay.example/", FakePage(Links("stay.example", 0, 3)));
  for (int i = 0; i < 30; ++i) {
    f.now += 1min;
    REQUIRE(crawler.Step(0ms));
  }
  CHECK(PositionsOf(f.fetcher, "https://gone.example/").size() == gone_before);
  CHECK(crawler.health().at("stay").new_articles == 3);  // the others go on
  CHECK_FALSE(crawler.health().count("gone"));
  auto parked = f.store.FindUrl("https://gone.example/a/99");
  REQUIRE(parked.has_value());
  REQUIRE(parked->has_value());
  CHECK((*parked)->state == store::FrontierState::kParked);

  REQUIRE(crawler.Reload(f.config, SetOf({HostSite("gone", false, true), HostSite("stay")})));
  for (int i = 0; i < 200; ++i) REQUIRE(crawler.Step(0ms));
  CHECK(PositionsOf(f.fetcher, "https://gone.example/a/").size() == 100);  // each once
  auto done = f.store.FindUrl("https://gone.example/a/99");
  REQUIRE(done.has_value());
  CHECK((*done)->state == store::FrontierState::kDone);
}

TEST_CASE("a source removed from a site file is no longer polled", "[crawler][reload]") {
  Fixture f;
  f.fetcher.SetResponse("https://news.example/", FakePage("<p>home</p>"));
  f.fetcher.SetResponse("https://news.example/sitemap.xml",
                        FakePage(Sitemap("news.example", 0, 0), "application/xml"));
  Crawler crawler = f.Make(SetOf({HostSite("news", true, true)}));
  REQUIRE(crawler.Seed());
  REQUIRE(crawler.Step(0ms));
  REQUIRE(f.Count("https://news.example/sitemap.xml") == 1);
  REQUIRE(crawler.Reload(f.config, SetOf({HostSite("news", true, false)})));
  for (int i = 0; i < 6 * 60; ++i) {
    f.now += 1min;
    REQUIRE(crawler.Step(0ms));
  }
  CHECK(f.Count("https://news.example/sitemap.xml") == 1);
  CHECK(f.Count("https://news.example/") > 10);
}

TEST_CASE("a paused host's work waits for the end of the pause and costs no try",
          "[crawler][pause]") {
  Fixture f;
  ServeArticles(f.fetcher);
  f.fetcher.SetResponse("https://news.example/", FakePage(Links("news.example", 0, 3)));
  f.fetcher.SetResponse("https://other.example/", FakePage(Links("other.example", 0, 1)));
  Crawler crawler = f.Make(SetOf({HostSite("news"), HostSite("other")}));
  REQUIRE(crawler.Seed());
  REQUIRE(crawler.Step(0ms));  // both listings polled
  f.fetcher.PauseHost("news.example", 10min, "Retry-After");
  size_t news_before = PositionsOf(f.fetcher, "https://news.example/").size();
  // Four hours of a paused host: long enough to give up an article under back-off.
  for (int i = 0; i < 4 * 60; ++i) {
    f.now += 1min;
    REQUIRE(crawler.Step(0ms));
  }
  CHECK(PositionsOf(f.fetcher, "https://news.example/").size() == news_before);
  CHECK(crawler.health().at("other").new_articles == 1);  // the other host went on
  auto waiting = f.store.FindUrl("https://news.example/a/0");
  REQUIRE(waiting.has_value());
  REQUIRE(waiting->has_value());
  CHECK((*waiting)->state == store::FrontierState::kScheduled);
  CHECK((*waiting)->attempts == 0);
  f.fetcher.ResumeHost("news.example");
  f.now += 10min;  // the pause's end, as the fetcher announced it
  for (int i = 0; i < 5; ++i) REQUIRE(crawler.Step(0ms));
  CHECK(crawler.health().at("news").new_articles == 3);
  CHECK(crawler.health().at("news").fetch_errors == 0);
}

TEST_CASE("a request the fetcher refuses for a pause is deferred to its end, not counted",
          "[crawler][pause]") {
  Fixture f;
  f.fetcher.SetResponse("https://news.example/", FakePage(Links("news.example", 0, 1)));
  f.fetcher.SetResponse("https://news.example/a/0", [] {
    auto r =
        FakeFailure(FetchErrorKind::kHostPaused, "host news.example paused by the circuit breaker");
    r.retry_in = 7min;
    return r;
  }());
  Crawler crawler = f.Make(SetOf({HostSite("news")}));
  REQUIRE(crawler.Seed());
  for (int i = 0; i < 3; ++i) REQUIRE(crawler.Step(0ms));
  auto entry = f.store.FindUrl("https://news.example/a/0");
  REQUIRE(entry.has_value());
  REQUIRE(entry->has_value());
  CHECK((*entry)->attempts == 0);
  CHECK((*entry)->state == store::FrontierState::kScheduled);
  CHECK((*entry)->next_fetch == f.now + 7min);
  CHECK(crawler.health().at("news").fetch_errors == 0);
  CHECK(f.Count("https://news.example/a/0") == 1);
}

TEST_CASE("a page answered with a long Retry-After is tried again only after the pause",
          "[crawler][pause]") {
  Fixture f;
  f.fetcher.SetResponse("https://news.example/", FakePage(Links("news.example", 0, 1)));
  auto busy =
      FakeFailure(FetchErrorKind::kHttpStatus, "HTTP 503 from https://news.example/a/0", 503);
  busy.retry_in = 2h;
  f.fetcher.SetResponse("https://news.example/a/0", busy);
  Crawler crawler = f.Make(SetOf({HostSite("news")}));
  REQUIRE(crawler.Seed());
  for (int i = 0; i < 3; ++i) REQUIRE(crawler.Step(0ms));
  auto entry = f.store.FindUrl("https://news.example/a/0");
  REQUIRE(entry.has_value());
  REQUIRE(entry->has_value());
  CHECK((*entry)->attempts == 1);             // the 503 was an answer: one try
  CHECK((*entry)->next_fetch == f.now + 2h);  // not the 5-minute back-off
}

TEST_CASE(
    "discovery caps: children per index, sitemap depth, links per document, new URLs per poll",
    "[crawler][caps]") {
  Fixture f;
  f.config.crawl.sitemap_children = 3;
  f.config.crawl.sitemap_depth = 1;
  f.config.crawl.urls_per_document = 50;
  f.config.crawl.new_urls_per_poll = 20;
  ServeArticles(f.fetcher);
  std::string index =
      "<?xml version='1.0'?><sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>";
  for (int i = 0; i < 10; ++i)
    index += "<sitemap><loc>https://news.example/s" + std::to_string(i) + ".xml</loc></sitemap>";
  index += "</sitemapindex>";
  f.fetcher.SetResponse("https://news.example/sitemap.xml", FakePage(index, "application/xml"));
  // A child that is itself an index: its children would be two levels down.
  f.fetcher.SetResponse(
      "https://news.example/s0.xml",
      FakePage(
          "<?xml version='1.0'?><sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
          "<sitemap><loc>https://news.example/deep.xml</loc></sitemap></sitemapindex>",
          "application/xml"));
  f.fetcher.SetResponse("https://news.example/s1.xml",
                        FakePage(Sitemap("news.example", 0, 100), "application/xml"));
  f.fetcher.SetResponse("https://news.example/s2.xml",
                        FakePage(Sitemap("news.example", 0, 0), "application/xml"));
  Crawler crawler = f.Make(SetOf({HostSite("news", false, true)}));
  REQUIRE(crawler.Seed());
  for (int i = 0; i < 4; ++i) REQUIRE(crawler.Step(0ms));
  CHECK(f.Count("https://news.example/s2.xml") == 1);
  CHECK(f.Count("https://news.example/s3.xml") == 0);    // past sitemap_children
  CHECK(f.Count("https://news.example/deep.xml") == 0);  // past sitemap_depth
  auto known = [&](int n) { return *f.store.Known("https://news.example/a/" + std::to_string(n)); };
  CHECK(known(19));
  CHECK_FALSE(known(20));  // past new_urls_per_poll: left for the next poll
  f.now += 2h;
  for (int i = 0; i < 4; ++i) REQUIRE(crawler.Step(0ms));
  CHECK(known(39));
  CHECK_FALSE(known(40));
  f.now += 2h;
  for (int i = 0; i < 4; ++i) REQUIRE(crawler.Step(0ms));
  CHECK(known(49));
  CHECK_FALSE(known(50));  // past urls_per_document: never read
}

TEST_CASE("articles done long ago leave the frontier but are never fetched again",
          "[crawler][caps]") {
  Fixture f;
  f.config.crawl.retention = 24h;
  f.fetcher.SetResponse("https://news.example/", FakePage(Links("news.example", 0, 2)));
  ServeArticles(f.fetcher);
  Crawler crawler = f.Make(SetOf({HostSite("news")}));
  REQUIRE(crawler.Seed());
  for (int i = 0; i < 3; ++i) REQUIRE(crawler.Step(0ms));
  REQUIRE(crawler.health().at("news").new_articles == 2);
  for (int i = 0; i < 3 * 24 * 6; ++i) {
    f.now += 10min;
    REQUIRE(crawler.Step(0ms));
  }
  auto row = f.store.FindUrl("https://news.example/a/0");
  REQUIRE(row.has_value());
  CHECK_FALSE(row->has_value());                    // retired
  CHECK(f.Count("https://news.example/a/0") == 1);  // the listing still links it
  CHECK(crawler.health().at("news").new_articles == 2);
}

TEST_CASE("broken-rule counters are keyed by the rule, not by the page's figures, and bounded",
          "[crawler][caps]") {
  Fixture f;
  std::string links;
  for (int i = 0; i < 40; ++i) links += "<a href='/a/" + std::to_string(i) + "'>x</a>";
  f.fetcher.SetResponse(kHome, FakePage(links));
  f.fetcher.SetHandler([](const fetch::FetchRequest& r) {
    // Each page has its own length: a body rule matching one short paragraph falls short
    // by a different figure on every page.
    int n = std::stoi(r.url.substr(r.url.rfind('/') + 1));
    std::string text;
    for (int i = 0; i < 30 + n; ++i)
      text += "Une phrase assez longue du corps de l'article numéro " + std::to_string(i) + ". ";
    return FakePage("<html><body><h1>T</h1><article><p class=lead>Court.</p><p>" + text +
                    "</p></article></body></html>");
  });
  Crawler crawler = f.Make(Sites("p.lead"));
  REQUIRE(crawler.Seed());
  for (int i = 0; i < 50; ++i) REQUIRE(crawler.Step(0ms));
  const SiteHealth& h = crawler.health().at("news");
  REQUIRE(h.rule_breakage == 40);
  CHECK(h.broken_rules.size() == 1);
  CHECK(h.broken_rules.begin()->second == 40);
}

TEST_CASE("errors of the last hour are counted in a window of fixed size", "[crawler][caps]") {
  ErrorWindow window;
  store::Time t = store::FromMillis(1700000000000);
  for (int i = 0; i < 100000; ++i) window.Add(t + std::chrono::milliseconds(i * 10));
  CHECK(window.CountSince(t + 1000s) == 100000);
  CHECK(window.CountSince(t + 1000s + 61min) == 0);
  window.Add(t + 2h);
  CHECK(window.CountSince(t + 2h) == 1);
}

}  // namespace
}  // namespace gleaner::schedule
