// Three boxes, one PostgreSQL, with the real `gleaner run`: nine news hosts on their own
// loopback addresses, the same site files on every box, a real PostgreSQL 15 started by the
// test. What a user of several boxes notices:
//   - the boxes split the sites, and a host is fetched by one box only, also while
//     PostgreSQL restarts;
//   - a box SIGKILLed: its sites go on on the other boxes within the lease and a poll;
//   - every article reaches PostgreSQL exactly once, and is queued once for consumers;
//   - `gleaner status` shows the boxes and their sites, never the password.
// Each box is told apart by its User-Agent in the servers' logs.
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/news_web.h"
#include "support/pg_server.h"
#include "support/run_binary.h"

namespace gleaner {
namespace {

using namespace std::chrono_literals;
using SteadyTime = std::chrono::steady_clock::time_point;
using std::chrono::steady_clock;
using testing::NewsSiteOptions;
using testing::NewsWeb;
using testing::PgServer;

constexpr int kHosts = 9;
constexpr auto kLease = 4s;
constexpr auto kPollEvery = 2s;
const std::vector<std::string> kBoxes = {"box-a", "box-b", "box-c"};

// site -> box, from the unexpired leases.
std::map<std::string, std::string> Leases(const PgServer& pg) {
  std::map<std::string, std::string> leases;
  std::string text;
  try {
    text = pg.Query(
        "SELECT site || ' ' || box FROM gleaner_leases"
        " WHERE expires_ms >= (extract(epoch from clock_timestamp()) * 1000)::bigint");
  } catch (const std::runtime_error&) {
    return leases;  // no box has created gleaner's tables yet
  }
  std::istringstream rows(text);
  std::string site, box;
  while (rows >> site >> box) leases[site] = box;
  return leases;
}

// Which box sent a request: its User-Agent is "gleaner-<box>".
std::string BoxOf(const testing::HttpRequest& request) {
  std::string agent = request.Header("user-agent").value_or("");
  for (const std::string& box : kBoxes) {
    if (agent.find(box) != std::string::npos) return box;
  }
  return "?";
}

// The boxes that sent `host` requests in [from, to).
std::set<std::string> BoxesFetching(const NewsWeb& web, int host, SteadyTime from, SteadyTime to) {
  std::set<std::string> boxes;
  for (const auto& r : web.server(host).Requests()) {
    if (r.arrival >= from && r.arrival < to) boxes.insert(BoxOf(r));
  }
  return boxes;
}

std::string Tail(const std::string& text) {
  return text.substr(text.size() > 3000 ? text.size() - 3000 : 0);
}

TEST_CASE("three boxes share the sites through PostgreSQL, one dies, the database restarts",
          "[e2e][cluster]") {
  PgServer pg;
  // The password reaches the boxes the way an administrator's would: libpq's environment.
  setenv("PGPASSWORD", PgServer::kPassword, 1);
  NewsWeb web;
  testing::TempDir dir;
  const std::string sites = dir.path() + "/sites";
  for (int k = 0; k < kHosts; ++k) {
    NewsSiteOptions o;
    o.id = "news-" + std::to_string(k);
    o.initial_articles = 12;
    o.publish_every = 3s;
    o.first_publish = 1s + std::chrono::milliseconds(k * 300);
    o.newest = 40;
    o.listing_every = kPollEvery;
    o.feed_every = kPollEvery;
    web.WriteSiteFile(web.AddHost(o), sites);
  }
  std::map<std::string, std::unique_ptr<testing::Daemon>> daemons;
  std::map<std::string, std::string> configs;
  for (const std::string& box : kBoxes) {
    configs[box] =
        dir.Write(box + "/gleaner.yaml",
                  "archive: false\n"
                  "fetch:\n  delay: 200ms\n  jitter: 0ms\n  retries: 1\n"
                  "  user_agent: gleaner-" +
                      box + "\n" + testing::kAllowLoopback + "cluster:\n  postgresql: \"" +
                      pg.ConnInfo() + "\"\n  box: " + box + "\n  lease: 4s\n");
    auto check = testing::RunGleaner({"check", "--config", configs[box], "--sites", sites});
    INFO(check.out << check.err);
    REQUIRE(check.exit_code == 0);
    CHECK_THAT(check.out, Catch::Contains("PostgreSQL gleaner@127.0.0.1"));
  }
  for (const std::string& box : kBoxes) {
    daemons[box] = std::make_unique<testing::Daemon>(
        std::vector<std::string>{"run", "--config", configs[box], "--sites", sites, "--db",
                                 dir.path() + "/" + box + "/gleaner.db"},
        dir.path());
  }
  auto stderr_of = [&](const std::string& box) { return Tail(daemons[box]->Stderr()); };

  // The split settles: every site leased, to all three boxes, unchanged for a few rounds.
  std::map<std::string, std::string> split;
  SteadyTime stable_since = steady_clock::now();
  for (auto deadline = steady_clock::now() + 60s; steady_clock::now() < deadline;) {
    std::this_thread::sleep_for(500ms);
    auto now_split = Leases(pg);
    std::set<std::string> holders;
    for (const auto& [site, box] : now_split) holders.insert(box);
    if (now_split != split || now_split.size() != kHosts || holders.size() != 3) {
      split = now_split;
      stable_since = steady_clock::now();
    } else if (steady_clock::now() - stable_since > 3s) {
      break;
    }
  }
  REQUIRE(split.size() == kHosts);
  const SteadyTime settled = steady_clock::now();

  // `gleaner status` on a box: the three boxes, live, with their sites; no password.
  {
    auto status = testing::RunGleaner(
        {"status", "--config", configs["box-a"], "--db", dir.path() + "/box-a/gleaner.db"});
    INFO(status.out << status.err);
    CHECK(status.exit_code == 0);
    for (const std::string& box : kBoxes) CHECK_THAT(status.out, Catch::Contains(box + " "));
    CHECK_THAT(status.out, Catch::Contains("sink: ok"));
    CHECK_THAT(status.out + status.err, !Catch::Contains(PgServer::kPassword));
  }

  // PostgreSQL restarts; the boxes crawl on into SQLite and keep their sites.
  std::this_thread::sleep_for(4s);
  pg.Stop();
  std::this_thread::sleep_for(3s);
  pg.Start();
  std::this_thread::sleep_for(kLease + 4s);
  CHECK(Leases(pg) == split);

  // box-c dies without a word.
  std::set<std::string> orphaned;
  for (const auto& [site, box] : split) {
    if (box == "box-c") orphaned.insert(site);
  }
  REQUIRE_FALSE(orphaned.empty());
  const SteadyTime killed = steady_clock::now();
  daemons["box-c"]->Signal(SIGKILL);
  REQUIRE(daemons["box-c"]->WaitFor(10s) == 128 + SIGKILL);
  std::map<std::string, std::string> after;
  SteadyTime taken_over{};
  for (auto deadline = killed + 30s; steady_clock::now() < deadline;) {
    std::this_thread::sleep_for(250ms);
    after = Leases(pg);
    bool all = std::all_of(orphaned.begin(), orphaned.end(), [&](const std::string& site) {
      return after.count(site) && after[site] != "box-c";
    });
    if (all) {
      taken_over = steady_clock::now();
      break;
    }
  }
  REQUIRE(taken_over != SteadyTime{});
  // Within the lease, and the live boxes' next lease round (a third of it), with slack for
  // the sanitizers.
  CHECK(taken_over - killed < kLease + kLease / 3 + 3s);
  // Each orphaned host hears from its new box within the lease and a poll.
  std::this_thread::sleep_for(kLease + kPollEvery + 4s);
  for (int h = 0; h < kHosts; ++h) {
    const std::string site = web.site(h).options().id;
    if (!orphaned.count(site)) continue;
    SteadyTime first{};
    for (const auto& r : web.server(h).Requests()) {
      if (r.arrival > killed && BoxOf(r) == after[site]) {
        first = r.arrival;
        break;
      }
    }
    INFO(site << " taken over by " << after[site]);
    REQUIRE(first != SteadyTime{});
    CHECK(first - killed < kLease + kPollEvery + 4s);
  }

  // Everything published up to a few polls ago reaches PostgreSQL.
  const auto cutoff = std::chrono::system_clock::now() - 2 * kPollEvery - 2s;
  std::set<std::string> expected;
  for (const auto& a : web.Published()) {
    if (a.published <= cutoff) expected.insert(a.url);
  }
  std::set<std::string> in_pg;
  for (auto deadline = steady_clock::now() + 30s; steady_clock::now() < deadline;) {
    std::istringstream rows(pg.Query("SELECT url FROM gleaner_articles"));
    in_pg.clear();
    for (std::string url; rows >> url;) in_pg.insert(url);
    if (std::includes(in_pg.begin(), in_pg.end(), expected.begin(), expected.end())) break;
    std::this_thread::sleep_for(1s);
  }
  const SteadyTime ended = steady_clock::now();
  for (std::string box : {"box-a", "box-b"}) {
    REQUIRE(daemons[box]->Running());
    daemons[box]->Signal(SIGTERM);
    CHECK(daemons[box]->WaitFor(30s) == 0);
  }

  std::vector<std::string> missing;
  std::set_difference(expected.begin(), expected.end(), in_pg.begin(), in_pg.end(),
                      std::back_inserter(missing));
  INFO(missing.size() << " of " << expected.size()
                      << " articles missing, first: " << (missing.empty() ? "" : missing[0]));
  CHECK(missing.empty());
  CHECK(expected.size() > static_cast<size_t>(kHosts * 12));
  // Exactly once: one row per article (its key), one first delivery per article.
  CHECK(pg.Query("SELECT count(*) FROM (SELECT url_key FROM gleaner_queue WHERE NOT is_update"
                 " GROUP BY url_key HAVING count(*) > 1) twice") == "0\n");
  CHECK(pg.Query("SELECT count(DISTINCT url_key) = count(*) FROM gleaner_queue"
                 " WHERE NOT is_update") == "t\n");
  CHECK(pg.Query("SELECT count(*) FROM gleaner_articles a WHERE NOT EXISTS"
                 " (SELECT 1 FROM gleaner_queue q WHERE q.url_key = a.url_key)") == "0\n");
  CHECK(pg.Query("SELECT count(*) FROM gleaner_articles WHERE box NOT IN"
                 " ('box-a', 'box-b', 'box-c')") == "0\n");

  // Politeness across boxes: once the split settled, through the restart of PostgreSQL and
  // until the kill, each host heard from one box only, its lease holder; after the
  // takeover, from one box only, its new holder.
  for (int h = 0; h < kHosts; ++h) {
    const std::string site = web.site(h).options().id;
    INFO(site);
    CHECK(BoxesFetching(web, h, settled, killed) == std::set<std::string>{split[site]});
    CHECK(BoxesFetching(web, h, taken_over, ended) == std::set<std::string>{after[site]});
  }

  // No article page fetched by two boxes, but those box-c had fetched in its last moments
  // and not shipped yet: the box taking over fetches those again.
  std::map<std::string, std::set<std::string>> fetched_by;
  std::map<std::string, SteadyTime> last_fetch_by_c;
  for (int h = 0; h < kHosts; ++h) {
    for (const auto& r : web.server(h).Requests()) {
      if (r.path.rfind("/a/", 0) != 0) continue;
      std::string key = std::to_string(h) + r.path;
      fetched_by[key].insert(BoxOf(r));
      if (BoxOf(r) == "box-c") last_fetch_by_c[key] = r.arrival;
    }
  }
  for (const auto& [page, boxes] : fetched_by) {
    if (boxes.size() < 2) continue;
    INFO(page << " fetched by " << boxes.size() << " boxes");
    REQUIRE(last_fetch_by_c.count(page));
    CHECK(killed - last_fetch_by_c[page] < 3s);
  }
  CHECK_THAT(stderr_of("box-a") + stderr_of("box-b"), !Catch::Contains(PgServer::kPassword));
  unsetenv("PGPASSWORD");
}

}  // namespace
}  // namespace gleaner
