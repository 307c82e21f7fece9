// The crawl frontier as the scheduler reads it: host by host in priority order, parked rows
// of sites and sources no longer configured, deferred fetches, retired articles, and the
// index use that keeps those reads cheap on a large frontier.
#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

#include "daemon/store/store.h"
#include "support/run_binary.h"

namespace gleaner::store {
namespace {

using namespace std::chrono_literals;
using testing::TempDir;

const Time kT0 = FromMillis(1'700'000'000'000);

Store OpenStore(const std::string& path) {
  auto store = Store::Open(path, OpenMode::kCreate);
  REQUIRE(store.has_value());
  return std::move(*store);
}

struct Fixture {
  TempDir dir;
  Store store = OpenStore(dir.path() + "/g.db");
};

DiscoveredUrl Article(const std::string& url, Time due, Priority priority = Priority::kFresh,
                      const std::string& site = "news") {
  DiscoveredUrl u{url, site, UrlKind::kArticle, due};
  u.priority = priority;
  return u;
}

DiscoveredUrl Source(const std::string& url, UrlKind kind, Time due,
                     const std::string& site = "news", std::optional<std::string> root = {},
                     int depth = 0) {
  DiscoveredUrl u{url, site, kind, due};
  u.root = std::move(root);
  u.depth = depth;
  return u;
}

WriteSummary Add(Store& store, const std::vector<DiscoveredUrl>& urls, Time now = kT0) {
  WriteBatch batch;
  for (const DiscoveredUrl& u : urls) REQUIRE(batch.AddUrl(u).has_value());
  auto summary = store.Write(batch, now);
  REQUIRE(summary.has_value());
  return *summary;
}

void Record(Store& store, const FetchOutcome& outcome, Time now = kT0) {
  WriteBatch batch;
  REQUIRE(batch.RecordFetch(outcome).has_value());
  REQUIRE(store.Write(batch, now).has_value());
}

FetchOutcome Done(const std::string& url) {
  FetchOutcome o;
  o.url = url;
  o.ok = true;
  o.status = 200;
  o.state = FrontierState::kDone;
  return o;
}

std::vector<std::string> Urls(const Result<std::vector<FrontierEntry>>& entries) {
  REQUIRE(entries.has_value());
  std::vector<std::string> urls;
  for (const FrontierEntry& e : *entries) urls.push_back(e.url);
  return urls;
}

FrontierEntry Find(Store& store, const std::string& url) {
  auto entry = store.FindUrl(url);
  REQUIRE(entry.has_value());
  REQUIRE(entry->has_value());
  return **entry;
}

TEST_CASE("HostOf is the lower-case host the fetcher connects to", "[store]") {
  // Each row: a URL, its host.
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"https://www.Example.COM/a?b=c", "www.example.com"},
      {"http://news.example:8080/x", "news.example"},
      {"https://user:pw@news.example/x", "news.example"},
      {"https://[2001:DB8::1]:8443/x", "[2001:db8::1]"},
      {"HTTPS://NEWS.EXAMPLE", "news.example"},
      {"https://127.0.0.1/x", "127.0.0.1"},
      {"ftp://news.example/x", ""},
      {"/relative/path", ""},
      {"not a url", ""},
  };
  for (const auto& [url, host] : cases) {
    INFO(url);
    CHECK(HostOf(url) == host);
  }
}

TEST_CASE("a host's due URLs come by priority, then next fetch time", "[store]") {
  Fixture f;
  Add(f.store, {
                   Article("https://a.example/backlog-early", kT0 - 1h, Priority::kBacklog),
                   Article("https://a.example/fresh-late", kT0, Priority::kFresh),
                   Article("https://a.example/fresh-early", kT0 - 10min, Priority::kFresh),
                   Source("https://a.example/feed.xml", UrlKind::kFeed, kT0),
                   Article("https://a.example/not-due", kT0 + 1s, Priority::kFresh),
                   Article("https://b.example/other-host", kT0 - 2h, Priority::kFresh),
               });
  CHECK(Urls(f.store.DueForHost("a.example", kT0, 10)) ==
        std::vector<std::string>{"https://a.example/feed.xml", "https://a.example/fresh-early",
                                 "https://a.example/fresh-late",
                                 "https://a.example/backlog-early"});
  // The limit spans priorities.
  CHECK(Urls(f.store.DueForHost("a.example", kT0, 2)) ==
        std::vector<std::string>{"https://a.example/feed.xml", "https://a.example/fresh-early"});
  CHECK(Urls(f.store.DueForHost("a.example", kT0, 0)).empty());
  CHECK(Urls(f.store.DueForHost("b.example", kT0, 10)) ==
        std::vector<std::string>{"https://b.example/other-host"});
  CHECK(Urls(f.store.DueForHost("c.example", kT0, 10)).empty());

  FrontierEntry feed = Find(f.store, "https://a.example/feed.xml");
  CHECK(feed.host == "a.example");
  CHECK(feed.priority == Priority::kSource);
  CHECK(Find(f.store, "https://a.example/backlog-early").priority == Priority::kBacklog);

  auto next = f.store.NextDueForHost("a.example");
  REQUIRE(next.has_value());
  CHECK(*next == kT0 - 1h);  // the backlog article, though it comes last when due
  auto none = f.store.NextDueForHost("c.example");
  REQUIRE(none.has_value());
  CHECK_FALSE(none->has_value());
}

TEST_CASE("a backlog article that a feed announces moves up, once", "[store]") {
  Fixture f;
  const std::string url = "https://a.example/story";
  CHECK(Add(f.store, {Article(url, kT0, Priority::kBacklog)}).urls_added == 1);
  // A fresh mention moves it up and counts as no new URL; nothing else changes.
  CHECK(Add(f.store, {Article(url + "?utm_source=rss", kT0 + 1h, Priority::kFresh)}).urls_added ==
        0);
  FrontierEntry e = Find(f.store, url);
  CHECK(e.priority == Priority::kFresh);
  CHECK(e.next_fetch == kT0);
  CHECK(e.url == url);
  // A later sitemap mention does not move it back.
  Add(f.store, {Article(url, kT0, Priority::kBacklog)});
  CHECK(Find(f.store, url).priority == Priority::kFresh);

  // Only scheduled articles move: one already fetched stays as it was.
  const std::string done = "https://a.example/done";
  Add(f.store, {Article(done, kT0, Priority::kBacklog)});
  Record(f.store, Done(done));
  Add(f.store, {Article(done, kT0, Priority::kFresh)});
  CHECK(Find(f.store, done).priority == Priority::kBacklog);
  CHECK(Find(f.store, done).state == FrontierState::kDone);
}

TEST_CASE("a deferred fetch moves only the next fetch time and the error", "[store]") {
  Fixture f;
  const std::string url = "https://a.example/story";
  Add(f.store, {Article(url, kT0)});
  FetchOutcome failed;
  failed.url = url;
  failed.status = 503;
  failed.error = "HTTP 503";
  failed.etag = "\"ignored on failure\"";
  failed.next_fetch = kT0 + 1min;
  Record(f.store, failed, kT0);
  FetchOutcome deferred;
  deferred.url = url;
  deferred.deferred = true;
  deferred.error = "host asked to wait (Retry-After)";
  deferred.state = FrontierState::kFailed;  // ignored: a pause is not a try
  deferred.next_fetch = kT0 + 1h;
  Record(f.store, deferred, kT0 + 2min);

  FrontierEntry e = Find(f.store, url);
  CHECK(e.attempts == 1);
  CHECK(e.state == FrontierState::kScheduled);
  CHECK(e.last_status == 503);
  CHECK(e.last_error == "host asked to wait (Retry-After)");
  CHECK(e.next_fetch == kT0 + 1h);
  CHECK(e.fetched == kT0);
  CHECK_FALSE(e.etag.has_value());

  // A deferral of a URL nobody discovered adds it, untried, with its host and priority.
  FetchOutcome unknown;
  unknown.url = "https://b.example/feed.xml";
  unknown.kind = UrlKind::kFeed;
  unknown.deferred = true;
  unknown.error = "breaker open";
  unknown.next_fetch = kT0 + 5min;
  Record(f.store, unknown);
  FrontierEntry added = Find(f.store, unknown.url);
  CHECK(added.attempts == 0);
  CHECK(added.host == "b.example");
  CHECK(added.priority == Priority::kSource);
  CHECK(added.last_error == "breaker open");
  CHECK_FALSE(added.fetched.has_value());
}

TEST_CASE("a fetch of a URL nobody discovered records its host and priority", "[store]") {
  Fixture f;
  Record(f.store, Done("https://Z.example/page"));
  FrontierEntry e = Find(f.store, "https://z.example/page");
  CHECK(e.host == "z.example");
  CHECK(e.priority == Priority::kFresh);
  CHECK(e.state == FrontierState::kDone);
}

TEST_CASE("a parked site is not fetched until it is scheduled again", "[store]") {
  Fixture f;
  Add(f.store, {
                   Source("https://a.example/", UrlKind::kListing, kT0, "gone"),
                   Article("https://a.example/1", kT0, Priority::kFresh, "gone"),
                   Article("https://a.example/2", kT0, Priority::kFresh, "kept"),
                   Article("https://b.example/1", kT0, Priority::kFresh, "gone"),
               });
  Record(f.store, Done("https://a.example/2"));
  auto parked = f.store.SetSiteParked("gone", true);
  REQUIRE(parked.has_value());
  CHECK(*parked == 3);
  CHECK(Find(f.store, "https://a.example/").state == FrontierState::kParked);
  CHECK(Urls(f.store.DueForHost("a.example", kT0 + 1h, 10)).empty());
  CHECK(f.store.HostsWithWork()->empty());
  CHECK_FALSE(f.store.NextDueForHost("b.example")->has_value());
  CHECK(Urls(f.store.DueForHost("b.example", kT0 + 1h, 10)).empty());

  // A fetch in flight when the site went keeps it parked.
  FetchOutcome polled;
  polled.url = "https://a.example/";
  polled.kind = UrlKind::kListing;
  polled.ok = true;
  polled.status = 200;
  polled.next_fetch = kT0 + 10min;
  Record(f.store, polled);
  CHECK(Find(f.store, "https://a.example/").state == FrontierState::kParked);

  auto back = f.store.SetSiteParked("gone", false);
  REQUIRE(back.has_value());
  CHECK(*back == 3);
  CHECK(Urls(f.store.DueForHost("a.example", kT0 + 1h, 10)) ==
        std::vector<std::string>{"https://a.example/", "https://a.example/1"});
  CHECK(Find(f.store, "https://a.example/2").state == FrontierState::kDone);
  CHECK(Find(f.store, "https://a.example/").next_fetch == kT0 + 10min);
}

TEST_CASE("SyncSources parks a removed source and the sitemaps found below it", "[store]") {
  Fixture f;
  const std::string index = "https://a.example/sitemap-index.xml";
  Add(f.store, {
                   Source("https://a.example/", UrlKind::kListing, kT0),
                   Source("https://a.example/feed.xml", UrlKind::kFeed, kT0),
                   Source(index, UrlKind::kSitemap, kT0),
                   Source("https://a.example/sitemap-1.xml", UrlKind::kSitemap, kT0, "news",
                          "https://A.example/sitemap-index.xml#x", 1),
                   Article("https://a.example/story", kT0),
                   Source(index, UrlKind::kSitemap, kT0, "other"),  // same URL: one row, news
                   Source("https://b.example/sitemap.xml", UrlKind::kSitemap, kT0, "other"),
               });
  CHECK(Find(f.store, "https://a.example/sitemap-1.xml").root == index);
  CHECK(Find(f.store, "https://a.example/sitemap-1.xml").depth == 1);

  auto changed =
      f.store.SyncSources("news", {"HTTPS://a.example", "https://a.example/feed.xml?utm_source=x"});
  REQUIRE(changed.has_value());
  CHECK(*changed == 2);
  CHECK(Find(f.store, index).state == FrontierState::kParked);
  CHECK(Find(f.store, "https://a.example/sitemap-1.xml").state == FrontierState::kParked);
  CHECK(Find(f.store, "https://a.example/").state == FrontierState::kScheduled);
  CHECK(Find(f.store, "https://a.example/feed.xml").state == FrontierState::kScheduled);
  CHECK(Find(f.store, "https://a.example/story").state == FrontierState::kScheduled);
  CHECK(Find(f.store, "https://b.example/sitemap.xml").state == FrontierState::kScheduled);

  // Syncing again changes nothing; configuring the index again brings both back.
  CHECK(f.store.SyncSources("news", {"https://a.example/", "https://a.example/feed.xml"}) ==
        int64_t{0});
  changed = f.store.SyncSources("news", {"https://a.example/", "https://a.example/feed.xml", index,
                                         "mailto:nobody@example.com"});
  REQUIRE(changed.has_value());
  CHECK(*changed == 2);
  CHECK(Find(f.store, "https://a.example/sitemap-1.xml").state == FrontierState::kScheduled);

  // No configured source left: every source of the site is parked.
  CHECK(f.store.SyncSources("news", {}) == int64_t{4});
  CHECK(Urls(f.store.DueForHost("a.example", kT0, 10)) ==
        std::vector<std::string>{"https://a.example/story"});
}

TEST_CASE("retired articles leave the frontier but are never added again", "[store]") {
  Fixture f;
  Add(f.store, {
                   Article("https://a.example/old-1", kT0),
                   Article("https://a.example/old-2", kT0),
                   Article("https://a.example/old-3", kT0),
                   Article("https://a.example/recent", kT0),
                   Article("https://a.example/failed", kT0),
                   Article("https://a.example/scheduled", kT0),
                   Source("https://a.example/feed.xml", UrlKind::kFeed, kT0),
               });
  Record(f.store, Done("https://a.example/old-1"), kT0);
  Record(f.store, Done("https://a.example/old-2"), kT0 + 1min);
  Record(f.store, Done("https://a.example/old-3"), kT0 + 2min);
  Record(f.store, Done("https://a.example/recent"), kT0 + 2h);
  FetchOutcome failed;
  failed.url = "https://a.example/failed";
  failed.state = FrontierState::kFailed;
  Record(f.store, failed, kT0);
  FetchOutcome polled = Done("https://a.example/feed.xml");
  polled.kind = UrlKind::kFeed;  // a source in state done is not an article: it stays
  Record(f.store, polled, kT0);

  // Oldest first, bounded by the limit.
  CHECK(f.store.RetireDone(kT0 + 1h, 2) == int64_t{2});
  CHECK_FALSE(f.store.FindUrl("https://a.example/old-1")->has_value());
  CHECK_FALSE(f.store.FindUrl("https://a.example/old-2")->has_value());
  CHECK(f.store.FindUrl("https://a.example/old-3")->has_value());
  CHECK(f.store.RetireDone(kT0 + 1h, 100) == int64_t{1});
  CHECK(f.store.RetireDone(kT0 + 1h, 100) == int64_t{0});
  CHECK(f.store.RetireDone(kT0 + 24h, 0) == int64_t{0});
  for (const char* kept : {"https://a.example/recent", "https://a.example/failed",
                           "https://a.example/scheduled", "https://a.example/feed.xml"}) {
    INFO(kept);
    CHECK(f.store.FindUrl(kept)->has_value());
  }

  CHECK(f.store.Known("https://A.example/old-1#top") == true);
  CHECK(f.store.Known("https://a.example/recent") == true);
  CHECK(f.store.Known("https://a.example/never-seen") == false);
  CHECK(f.store.Known("not a url") == false);

  CHECK(Add(f.store, {Article("https://a.example/old-1", kT0 + 24h)}).urls_added == 0);
  CHECK_FALSE(f.store.FindUrl("https://a.example/old-1")->has_value());
  CHECK(Urls(f.store.DueForHost("a.example", kT0 + 48h, 10)) ==
        std::vector<std::string>{"https://a.example/scheduled"});
}

TEST_CASE("HostsWithWork lists each host with scheduled URLs and its next fetch", "[store]") {
  Fixture f;
  Add(f.store, {
                   Source("https://a.example/feed.xml", UrlKind::kFeed, kT0 + 1h),
                   Article("https://a.example/1", kT0 + 5min, Priority::kBacklog),
                   Article("https://b.example/1", kT0 + 2h),
                   Article("https://b.example/2", kT0 + 3h),
                   Article("https://c.example/done", kT0),
                   Source("https://d.example:8443/", UrlKind::kListing, kT0 - 1min),
               });
  Record(f.store, Done("https://c.example/done"));
  auto hosts = f.store.HostsWithWork();
  REQUIRE(hosts.has_value());
  CHECK(*hosts == std::vector<std::pair<std::string, Time>>{{"a.example", kT0 + 5min},
                                                            {"b.example", kT0 + 2h},
                                                            {"d.example", kT0 - 1min}});
  Fixture empty;
  CHECK(empty.store.HostsWithWork()->empty());
}

TEST_CASE("FrontierSites and SiteFrontiers report per site", "[store]") {
  Fixture f;
  Add(f.store, {
                   Source("https://a.example/", UrlKind::kListing, kT0 + 10min, "alpha"),
                   Source("https://a.example/feed.xml", UrlKind::kFeed, kT0 + 5min, "alpha"),
                   Article("https://a.example/1", kT0 - 1min, Priority::kFresh, "alpha"),
                   Article("https://a.example/2", kT0, Priority::kBacklog, "alpha"),
                   Article("https://a.example/3", kT0 + 1h, Priority::kFresh, "alpha"),
                   Article("https://a.example/4", kT0, Priority::kFresh, "alpha"),
                   Article("https://b.example/1", kT0, Priority::kFresh, "beta"),
                   Article("https://c.example/1", kT0, Priority::kFresh, "gamma"),
               });
  Record(f.store, Done("https://a.example/4"));
  Record(f.store, Done("https://c.example/1"));
  WriteBatch no_site;
  REQUIRE(
      no_site.AddUrl({"https://d.example/1", std::nullopt, UrlKind::kArticle, kT0}).has_value());
  REQUIRE(f.store.Write(no_site, kT0).has_value());
  REQUIRE(f.store.SetSiteParked("beta", true).has_value());

  CHECK(f.store.FrontierSites() == std::vector<std::string>{"alpha", "beta", "gamma"});

  auto sites = f.store.SiteFrontiers(kT0);
  REQUIRE(sites.has_value());
  REQUIRE(sites->size() == 2);  // gamma has nothing scheduled or parked
  const SiteFrontier& alpha = (*sites)[0];
  CHECK(alpha.site == "alpha");
  CHECK(alpha.backlog == 2);
  CHECK(alpha.waiting == 1);
  CHECK(alpha.parked == 0);
  CHECK(alpha.next_poll == kT0 + 5min);
  const SiteFrontier& beta = (*sites)[1];
  CHECK(beta.site == "beta");
  CHECK(beta.backlog == 0);
  CHECK(beta.parked == 1);
  CHECK_FALSE(beta.next_poll.has_value());
}

// The query plans of the statements a call runs, captured as they run.
class PlanRecorder {
 public:
  explicit PlanRecorder(Database& db) : db_(db) {
    sqlite3_trace_v2(db_.handle(), SQLITE_TRACE_STMT, &PlanRecorder::OnStatement, this);
  }
  ~PlanRecorder() { sqlite3_trace_v2(db_.handle(), 0, nullptr, nullptr); }

  // The plan lines of every statement seen since the last call, joined by newlines.
  std::string TakePlans() {
    sqlite3_trace_v2(db_.handle(), 0, nullptr, nullptr);
    std::string plans;
    for (const std::string& sql : statements_) plans += Explain(sql);
    statements_.clear();
    sqlite3_trace_v2(db_.handle(), SQLITE_TRACE_STMT, &PlanRecorder::OnStatement, this);
    return plans;
  }

 private:
  static int OnStatement(unsigned, void* self, void* stmt, void*) {
    static_cast<PlanRecorder*>(self)->statements_.emplace_back(
        sqlite3_sql(static_cast<sqlite3_stmt*>(stmt)));
    return 0;
  }

  std::string Explain(const std::string& sql) {
    sqlite3_stmt* raw = nullptr;
    const std::string text = "EXPLAIN QUERY PLAN " + sql;
    REQUIRE(sqlite3_prepare_v2(db_.handle(), text.c_str(), -1, &raw, nullptr) == SQLITE_OK);
    std::string plan = sql + "\n";
    while (sqlite3_step(raw) == SQLITE_ROW) {
      plan += "  " + std::string(reinterpret_cast<const char*>(sqlite3_column_text(raw, 3))) + "\n";
    }
    sqlite3_finalize(raw);
    return plan;
  }

  Database& db_;
  std::vector<std::string> statements_;
};

TEST_CASE("host reads use the host index on a large frontier", "[store]") {
  Fixture f;
  constexpr int kRows = 200'000;
  constexpr int kHosts = 1000;
  // Generated in SQL: a WriteBatch per row would make this test slow without testing more.
  auto filled = f.store.database().Exec(
      "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < " +
      std::to_string(kRows) +
      ") INSERT INTO frontier (url_key, url, site, kind, state, next_fetch_ms, discovered_ms,"
      " host, priority)"
      " SELECT 'https://h' || (i % " +
      std::to_string(kHosts) +
      ") || '.example/' || i,"
      " 'https://h' || (i % " +
      std::to_string(kHosts) +
      ") || '.example/' || i, 'site' || (i % 7),"
      " 'article', CASE WHEN i % 3 = 0 THEN 'done' ELSE 'scheduled' END,"
      " " +
      std::to_string(ToMillis(kT0)) +
      " + i, 0,"
      " 'h' || (i % " +
      std::to_string(kHosts) + ") || '.example', 1 + (i / 1000) % 2 FROM n");
  REQUIRE(filled.has_value());

  PlanRecorder recorder(f.store.database());
  auto due = f.store.DueForHost("h7.example", kT0 + 1h, 5);
  REQUIRE(due.has_value());
  CHECK(due->size() == 5);
  auto next = f.store.NextDueForHost("h7.example");
  REQUIRE(next.has_value());
  CHECK(*next == kT0 + 7ms);
  auto hosts = f.store.HostsWithWork();
  REQUIRE(hosts.has_value());
  CHECK(hosts->size() == kHosts);
  auto sites = f.store.FrontierSites();
  REQUIRE(sites.has_value());
  CHECK(sites->size() == 7);

  const std::string plans = recorder.TakePlans();
  INFO(plans);
  CHECK_THAT(plans, Catch::Contains("INDEX frontier_by_host"));
  CHECK_THAT(plans, Catch::Contains("INDEX frontier_by_site"));
  CHECK_THAT(plans, !Catch::Contains("SCAN frontier"));
}

}  // namespace
}  // namespace gleaner::store
