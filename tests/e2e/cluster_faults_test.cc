// A box whose PostgreSQL is wrong or away, with the real `gleaner run` and a real
// PostgreSQL 15: the box crawls on into its SQLite, says so once in its log and in
// `gleaner status`, never shows the password, and ships its backlog when the database is
// back (store and forward).
#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "support/news_web.h"
#include "support/pg_server.h"
#include "support/run_binary.h"

namespace gleaner {
namespace {

using namespace std::chrono_literals;
using std::chrono::steady_clock;
using testing::NewsSiteOptions;
using testing::NewsWeb;
using testing::PgServer;

size_t Occurrences(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

std::string ConfigFor(const std::string& conninfo) {
  return std::string("archive: false\nfetch:\n  delay: 100ms\n  jitter: 0ms\n") +
         testing::kAllowLoopback + "cluster:\n  postgresql: \"" + conninfo +
         "\"\n  box: lone\n  lease: 3s\n";
}

TEST_CASE("a wrong password: check says so, the box crawls locally and reports the sink failing",
          "[e2e][cluster]") {
  PgServer pg;
  NewsWeb web;
  testing::TempDir dir;
  NewsSiteOptions o;
  o.id = "news-0";
  o.initial_articles = 8;
  o.listing_every = 2s;
  o.feed_every = 2s;
  web.WriteSiteFile(web.AddHost(o), dir.path() + "/sites");
  const std::string secret = "not-the-password-5150";
  const std::string config =
      dir.Write("gleaner.yaml", ConfigFor(pg.ConnInfo() + " password=" + secret));
  const std::string db = dir.path() + "/var/gleaner.db";

  auto check = testing::RunGleaner({"check", "--config", config, "--sites", dir.path() + "/sites"});
  CHECK(check.exit_code == 8);
  CHECK_THAT(check.out, Catch::Contains("gleaner@127.0.0.1:" + std::to_string(pg.port())) &&
                            Catch::Contains("password authentication failed"));
  CHECK_THAT(check.out + check.err, !Catch::Contains(secret));

  testing::Daemon daemon({"run", "--config", config, "--sites", dir.path() + "/sites", "--db", db},
                         dir.path());
  for (auto deadline = steady_clock::now() + 30s;
       steady_clock::now() < deadline && testing::StoredArticles(db).size() < 8;) {
    std::this_thread::sleep_for(500ms);
  }
  CHECK(testing::StoredArticles(db).size() == 8);  // crawled locally all the same
  std::this_thread::sleep_for(6s);                 // several retries
  auto status = testing::RunGleaner({"status", "--config", config, "--db", db});
  INFO(status.out << status.err);
  CHECK(status.exit_code == 0);
  CHECK_THAT(status.out, Catch::Contains("sink: failing since") &&
                             Catch::Contains("password authentication failed") &&
                             Catch::Contains("records waiting here to be shipped: 8"));
  CHECK_THAT(status.out + status.err, !Catch::Contains(secret));
  daemon.Signal(SIGTERM);
  CHECK(daemon.WaitFor(30s) == 0);
  const std::string log = daemon.Stderr();
  INFO(log);
  CHECK(Occurrences(log, "crawling into the local database") == 1);  // logged once
  CHECK_THAT(log, !Catch::Contains(secret));
}

TEST_CASE("PostgreSQL away at the start: the box crawls every site, then ships its backlog",
          "[e2e][cluster]") {
  PgServer pg;
  setenv("PGPASSWORD", PgServer::kPassword, 1);
  NewsWeb web;
  testing::TempDir dir;
  for (int k = 0; k < 3; ++k) {
    NewsSiteOptions o;
    o.id = "news-" + std::to_string(k);
    o.initial_articles = 6;
    o.listing_every = 2s;
    o.feed_every = 2s;
    web.WriteSiteFile(web.AddHost(o), dir.path() + "/sites");
  }
  const std::string config = dir.Write("gleaner.yaml", ConfigFor(pg.ConnInfo()));
  const std::string db = dir.path() + "/var/gleaner.db";
  pg.Stop();
  testing::Daemon daemon({"run", "--config", config, "--sites", dir.path() + "/sites", "--db", db},
                         dir.path());
  for (auto deadline = steady_clock::now() + 30s;
       steady_clock::now() < deadline && testing::StoredArticles(db).size() < 18;) {
    std::this_thread::sleep_for(500ms);
  }
  REQUIRE(testing::StoredArticles(db).size() == 18);
  pg.Start();
  std::set<std::string> in_pg;
  for (auto deadline = steady_clock::now() + 30s;
       steady_clock::now() < deadline && in_pg.size() < 18;) {
    std::this_thread::sleep_for(500ms);
    in_pg.clear();
    try {
      std::istringstream rows(pg.Query("SELECT url FROM gleaner_articles"));
      for (std::string url; rows >> url;) in_pg.insert(url);
    } catch (const std::runtime_error&) {
      // the box has not created its tables yet
    }
  }
  std::set<std::string> stored;
  for (const auto& [url, ms] : testing::StoredArticles(db)) stored.insert(url);
  CHECK(in_pg == stored);
  CHECK(pg.Query("SELECT count(*) FROM gleaner_queue") == "18\n");
  CHECK(pg.Query("SELECT string_agg(DISTINCT box, ',') FROM gleaner_articles") == "lone\n");
  daemon.Signal(SIGTERM);
  CHECK(daemon.WaitFor(30s) == 0);
  INFO(daemon.Stderr());
  CHECK_THAT(daemon.Stderr(), Catch::Contains("reachable again"));
  unsetenv("PGPASSWORD");
}

}  // namespace
}  // namespace gleaner
