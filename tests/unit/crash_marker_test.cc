// The crash-loop breaker end to end, below the process level: a page named in the work
// marker by a run that died is retried once, then given up, whatever the length of its URL.
#include <catch2/catch.hpp>

#include "daemon/fetch/fake_fetcher.h"
#include "daemon/schedule/crawler.h"
#include "daemon/schedule/work_marker.h"
#include "extractors/core/url.h"
#include "support/run_binary.h"

namespace gleaner::schedule {
namespace {

rules::SiteSet Sites() {
  auto site = rules::ParseSiteRules(
      "id: news\nname: News\nlanguage: fr\nurls: '^https://news\\.example/'\n"
      "articles: '^https://news\\.example/a/'\n"
      "sources:\n  - listing: https://news.example/\n    every: 1m\n"
      "layouts:\n  - title: h1\n    body: article\n",
      "news.yaml");
  REQUIRE(site.has_value());
  return *rules::SiteSet::Create({*site});
}

struct Fixture {
  testing::TempDir dir;
  std::string db = dir.path() + "/g.db";
  store::Store store = *store::Store::Open(db, store::OpenMode::kCreate);
  fetch::FakeFetcher fetcher;
  store::Time now = store::FromMillis(1700000000000);
  Config config;

  Crawler Make() {
    return Crawler(config, Sites(), store, fetcher, [this] { return now; });
  }
  store::FrontierEntry Add(const std::string& url) {
    store::WriteBatch batch;
    REQUIRE(batch.AddUrl({.url = url, .site = "news", .next_fetch = now}));
    REQUIRE(store.Write(batch, now));
    return Find(url);
  }
  store::FrontierEntry Find(const std::string& url) {
    auto entry = store.FindUrl(url);
    REQUIRE(entry.has_value());
    REQUIRE(entry->has_value());
    return **entry;
  }
  // One run that takes `entry` in hand and dies there, then the next run's start-up.
  void CrashOn(const store::FrontierEntry& entry) {
    std::string path = WorkMarkerPath(db);
    {
      auto marker = WorkMarker::Open(path);
      REQUIRE(marker.has_value());
      marker->Begin(entry.id, entry.url);  // as Crawler::OnFetched does
    }
    auto marker = WorkMarker::Open(path);
    REQUIRE(marker.has_value());
    REQUIRE(marker->left_over().has_value());
    Crawler crawler = Make();
    REQUIRE(crawler.RecordCrash(*marker->left_over()));
  }
};

TEST_CASE("a page with a URL as long as gleaner takes that kills two runs in a row is given up",
          "[work_marker]") {
  Fixture f;
  // Such URLs exist (state carried in the query string). The marker names the page by a
  // line of fixed size (work_marker_test.cc), so its length does not matter.
  std::string url = "https://news.example/a/1?state=";
  url += std::string(kMaxUrlBytes - url.size(), 'x');
  f.Add(url);
  f.CrashOn(f.Find(url));
  CHECK(f.Find(url).state == store::FrontierState::kScheduled);  // once may be bad luck
  CHECK(f.Find(url).last_error ==
        std::optional<std::string>("gleaner died while processing this page"));
  f.CrashOn(f.Find(url));
  CHECK(f.Find(url).state == store::FrontierState::kFailed);
}

}  // namespace
}  // namespace gleaner::schedule
