// `gleaner reextract` after a rule change, with the real binary on a real crawl: the daemon
// crawls a few news hosts (each on its own loopback address) with the archive on, one
// site's rule is changed, and reextract must change exactly that site's records, each
// queued once as an update; a SIGKILL in the middle of a run and a rerun must leave no
// duplicate in the queue.
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "support/http_server.h"
#include "support/news_web.h"
#include "support/run_binary.h"

namespace gleaner {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::NewsSiteOptions;
using testing::NewsWeb;

constexpr int kHosts = 4;
constexpr int kArticlesPerHost = 60;
constexpr auto kCrawlTimeout = 180s;

struct Crawled {
  NewsWeb web;
  testing::TempDir dir;
  std::string db;
  std::string config;
  std::string sites;
};

// url -> record, from `gleaner export`.
std::map<std::string, json> Records(const Crawled& c) {
  auto r = testing::RunGleaner({"export", "--db", c.db, "--config", c.config});
  REQUIRE(r.exit_code == 0);
  std::map<std::string, json> records;
  for (const std::string& line : testing::Lines(r.out)) {
    json record = json::parse(line);
    record.erase("updated");
    records[record["url"]] = record;
  }
  return records;
}

// url -> {new deliveries, update deliveries} of every message ready in the queue; acks
// them all, so the next call sees only what was queued since.
std::map<std::string, std::pair<int, int>> DrainQueue(const Crawled& c) {
  std::map<std::string, std::pair<int, int>> queued;
  while (true) {
    auto r = testing::RunGleaner({"queue", "claim", "--limit", "10000", "--db", c.db});
    REQUIRE(r.exit_code == 0);
    auto lines = testing::Lines(r.out);
    if (lines.empty()) return queued;
    std::string ids;
    for (const std::string& line : lines) {
      json m = json::parse(line);
      auto& [fresh, updates] = queued[m["url"]];
      (m["update"] == true ? updates : fresh) += 1;
      ids += m["id"].get<std::string>() + "\n";
    }
    REQUIRE(testing::RunGleaner({"queue", "ack", "--db", c.db, "-"}, ids).exit_code == 0);
  }
}

// Messages ready in the queue, read directly (a process per look would be too slow to
// catch a run in the middle).
int64_t ReadyMessages(const Crawled& c) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(c.db.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "SELECT count(*) FROM queue WHERE state = 'ready'", -1, &stmt,
                             nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
  int64_t ready = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return ready;
}

// Crawls kHosts hosts of kArticlesPerHost articles each with the real daemon until every
// article is stored.
void Crawl(Crawled& c) {
  for (int i = 0; i < kHosts; ++i) {
    NewsSiteOptions options;
    options.id = "news-" + std::to_string(i);
    options.initial_articles = kArticlesPerHost;
    options.newest = kArticlesPerHost;
    options.feed_every = 0ms;
    int host = c.web.AddHost(options);
    c.web.WriteSiteFile(host, c.sites);
  }
  c.config = c.dir.Write("gleaner.yaml", "database: " + c.db + "\nsites: " + c.sites +
                                             "\nfetch:\n  delay: 0s\n  jitter: 0s\n" +
                                             testing::kAllowLoopback);
  testing::Daemon daemon({"run", "--config", c.config}, c.dir.path());
  auto deadline = std::chrono::steady_clock::now() + kCrawlTimeout;
  while (testing::StoredArticles(c.db).size() < kHosts * kArticlesPerHost) {
    REQUIRE(daemon.Running());
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(200ms);
  }
  daemon.Signal(SIGTERM);
  REQUIRE(daemon.WaitFor(30s) == 0);
}

// Makes a site's title come from <title> ("Title - site") instead of its h1.
void TitleFromHead(const Crawled& c, const std::string& site) {
  std::string path = c.sites + "/" + site + ".yaml";
  std::string yaml = testing::ReadFile(path);
  std::string from = "title: 'article h1'";
  REQUIRE(yaml.find(from) != std::string::npos);
  yaml.replace(yaml.find(from), from.size(), "title: 'head title'");
  std::ofstream(path, std::ios::trunc) << yaml;
}

std::map<std::string, json> SummaryBySite(const std::string& out) {
  std::map<std::string, json> sites;
  for (const std::string& line : testing::Lines(out)) {
    json j = json::parse(line);
    if (j.contains("pages")) sites[j["site"].is_null() ? "" : j["site"].get<std::string>()] = j;
  }
  return sites;
}

bool OfSite(const std::string& url, const Crawled& c, int host) {
  auto where = c.web.Locate(url);
  return where && where->first == host;
}

TEST_CASE("reextract after a rule change updates exactly that site's records, once each",
          "[e2e][reextract]") {
  Crawled c;
  c.db = c.dir.path() + "/var/g.db";
  c.sites = c.dir.path() + "/sites";
  Crawl(c);
  auto initial = DrainQueue(c);
  REQUIRE(initial.size() == kHosts * kArticlesPerHost);
  auto before = Records(c);

  // Nothing changed yet: nothing to do.
  auto idle = testing::RunGleaner({"reextract", "--json", "--config", c.config});
  REQUIRE(idle.exit_code == 0);
  for (const auto& [site, summary] : SummaryBySite(idle.out)) {
    CHECK(summary["pages"] == kArticlesPerHost);
    CHECK(summary["changed"] == 0);
  }
  CHECK(DrainQueue(c).empty());

  TitleFromHead(c, "news-0");
  // A dry run tells what would change and writes nothing.
  auto dry = testing::RunGleaner({"reextract", "--dry-run", "--json", "--config", c.config});
  REQUIRE(dry.exit_code == 0);
  CHECK(SummaryBySite(dry.out)["news-0"]["changed"] == kArticlesPerHost);
  CHECK(Records(c) == before);
  CHECK(DrainQueue(c).empty());

  auto run = testing::RunGleaner({"reextract", "--json", "--config", c.config});
  REQUIRE(run.exit_code == 0);
  auto summary = SummaryBySite(run.out);
  CHECK(summary["news-0"]["changed"] == kArticlesPerHost);
  CHECK(summary["news-0"]["fields"] == json{{"title", kArticlesPerHost}});
  CHECK(summary["news-1"]["changed"] == 0);
  auto after = Records(c);
  REQUIRE(after.size() == before.size());
  for (const auto& [url, record] : after) {
    if (OfSite(url, c, 0)) {
      CHECK(record["title"] == before[url]["title"].get<std::string>() + " - news-0");
      CHECK(record["body"] == before[url]["body"]);
    } else {
      CHECK(record == before[url]);
    }
  }
  auto queued = DrainQueue(c);
  CHECK(queued.size() == kArticlesPerHost);
  for (const auto& [url, counts] : queued) {
    CHECK(OfSite(url, c, 0));
    CHECK(counts == std::make_pair(0, 1));
  }

  // Run again: everything is up to date.
  auto again = testing::RunGleaner({"reextract", "--json", "--config", c.config});
  REQUIRE(again.exit_code == 0);
  CHECK(SummaryBySite(again.out)["news-0"]["changed"] == 0);
  CHECK(DrainQueue(c).empty());

  // Killed mid-run, then run again: every record of the two sites changed once, none twice.
  TitleFromHead(c, "news-1");
  TitleFromHead(c, "news-2");
  {
    testing::BackgroundProcess killed(GLEANER_BINARY, {"reextract", "--config", c.config},
                                      c.dir.path());
    // Killed once its first batch is written (updates are queued), before its last.
    auto deadline = std::chrono::steady_clock::now() + 60s;
    while (killed.Running() && ReadyMessages(c) == 0) {
      REQUIRE(std::chrono::steady_clock::now() < deadline);
    }
    killed.Signal(SIGKILL);
    killed.WaitFor(10s);
  }
  auto rerun = testing::RunGleaner({"reextract", "--json", "--config", c.config});
  REQUIRE(rerun.exit_code == 0);
  auto final_records = Records(c);
  auto requeued = DrainQueue(c);
  CHECK(requeued.size() == 2 * kArticlesPerHost);
  for (const auto& [url, counts] : requeued) {
    CHECK((OfSite(url, c, 1) || OfSite(url, c, 2)));
    CHECK(counts == std::make_pair(0, 1));
  }
  for (const auto& [url, record] : final_records) {
    if (OfSite(url, c, 1)) CHECK(record["title"].get<std::string>().ends_with(" - news-1"));
    if (OfSite(url, c, 2)) CHECK(record["title"].get<std::string>().ends_with(" - news-2"));
  }
}

TEST_CASE("reextract keeps the old record of a page that no longer extracts, and says so",
          "[e2e][reextract]") {
  // A brief note: too short for generic extraction, so only the site's rule reads it.
  testing::HttpServer server;
  server.Route("/robots.txt", testing::HttpReply::Text(""));
  server.Route("/n/1", testing::HttpReply::Html(
                           "<html lang=fr><body><h1>Note brève</h1><div class=note><p>Une "
                           "ligne.</p></div></body></html>"));
  server.Route("/n/2", testing::HttpReply::Html(
                           "<html lang=fr><body><h1>Autre note</h1><div class=note><p>Deux "
                           "lignes.</p></div><p class=more>Suite.</p></body></html>"));
  testing::TempDir dir;
  std::string db = dir.path() + "/g.db";
  std::string origin = server.Url("/");
  origin.pop_back();
  std::string site = "id: notes\nname: Notes\nlanguage: fr\nurls: '^" + origin +
                     "/'\narticles: '^" + origin + "/n/'\nlayouts:\n  - name: note\n" +
                     "    title: 'h1'\n    body: '.note p, p.more'\n";
  std::string site_file = dir.Write("sites/notes.yaml", site);
  std::string config = dir.Write("gleaner.yaml", "database: " + db + "\nsites: " + dir.path() +
                                                     "/sites\nfetch:\n" + testing::kAllowLoopback);
  for (const char* path : {"/n/1", "/n/2"}) {
    REQUIRE(
        testing::RunGleaner({"fetch", "--store", "--config", config, server.Url(path)}).exit_code ==
        0);
  }
  auto before = testing::RunGleaner({"export", "--db", db}).out;
  REQUIRE(testing::Lines(before).size() == 2);

  // The note's selector is gone from the rule: /n/1 gives nothing now, /n/2 less.
  std::ofstream(site_file, std::ios::trunc) << site.replace(site.find(".note p, "), 9, "");
  auto run = testing::RunGleaner({"reextract", "--json", "--config", config});
  CHECK(run.exit_code == 4);
  CHECK_THAT(run.err, Catch::Contains(server.Url("/n/1") + ": old record kept"));
  auto summary = SummaryBySite(run.out);
  CHECK(summary["notes"]["pages"] == 2);
  CHECK(summary["notes"]["failed"] == 1);
  CHECK(summary["notes"]["changed"] == 1);
  auto after = testing::Lines(testing::RunGleaner({"export", "--db", db}).out);
  REQUIRE(after.size() == 2);
  for (const std::string& line : after) {
    json record = json::parse(line);
    if (record["url"] == server.Url("/n/1")) CHECK(record["body"] == "Une ligne.");
    if (record["url"] == server.Url("/n/2")) CHECK(record["body"] == "Suite.");
  }
}

TEST_CASE("reextract without an archive exits 3 naming it", "[e2e][reextract]") {
  testing::TempDir dir;
  std::string db = dir.path() + "/g.db";
  dir.Write("sites/.keep", "");
  std::string config =
      dir.Write("gleaner.yaml", "database: " + db + "\nsites: " + dir.path() + "/sites\n");
  REQUIRE(testing::RunGleaner({"store", "--db", db, "-"}, "").exit_code == 0);
  auto r = testing::RunGleaner({"reextract", "--config", config});
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.err, Catch::Contains(dir.path() + "/g.archive.db"));
}

}  // namespace
}  // namespace gleaner
