// Fair crawling with real politeness, with the real `gleaner run`: a dozen small news hosts
// publishing every few seconds, next to one host whose sitemap lists thousands of archive
// articles, each host on its own loopback address (a distinct host to politeness), a
// 1 s delay per host. What a user of the collection box notices:
//   - news from every small host is stored within one poll interval and a few delays of
//     being published, however big the other host's backlog;
//   - the backlog still drains, at a fair share of what politeness allows that host;
//   - a site whose file is removed (then SIGHUP) is not contacted again;
//   - a site whose file is added (then SIGHUP) is crawled.
// One scenario in phases, since each phase needs the crawl of the previous ones running:
// starting the daemon and reading the sitemap again per phase would double the run time.
#include <algorithm>
#include <catch2/catch.hpp>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/news_web.h"
#include "support/run_binary.h"

namespace gleaner {
namespace {

using namespace std::chrono_literals;
using std::chrono::duration_cast;
using std::chrono::milliseconds;
using std::chrono::system_clock;
using testing::NewsSiteOptions;
using testing::NewsWeb;
using testing::SystemTime;

constexpr int kSmallHosts = 12;
// Slower than the polls, as news sites are: some polls find nothing new, and the sources
// must not back off for that while the site keeps publishing.
constexpr auto kPublishEvery = 8s;
constexpr auto kPollEvery = 5s;  // listing and feed of the small hosts
constexpr int kBacklog = 3000;
constexpr auto kDelay = 1s;  // the config's fetch.delay
// The freshness a user may expect: the next poll after publication, then a few polite
// delays for the poll's own requests and the article's.
constexpr auto kFreshness = kPollEvery + 10s;
// Time to start (under sanitizers), read robots.txt and the sitemaps, before the backlog's
// pace is measured and before news published is held to the freshness bound.
constexpr auto kWarmUp = 10s;
// Requests already sent when a site's file is removed may still arrive this long after.
constexpr auto kGrace = 5s;

// The number of articles of `host` among `stored`.
int CountForHost(const NewsWeb& web, const std::map<std::string, int64_t>& stored, int host) {
  int n = 0;
  for (const auto& [url, ms] : stored) {
    auto where = web.Locate(url);
    n += where && where->first == host;
  }
  return n;
}

// Requests to `host` that arrived at or after `since`.
size_t RequestsSince(const NewsWeb& web, int host, std::chrono::steady_clock::time_point since) {
  auto requests = web.server(host).Requests();
  return static_cast<size_t>(std::count_if(requests.begin(), requests.end(),
                                           [&](const auto& r) { return r.arrival >= since; }));
}

NewsSiteOptions SmallHost(int k) {
  NewsSiteOptions o;
  o.id = "small-" + std::to_string(k);
  o.initial_articles = 3;
  o.publish_every = kPublishEvery;
  // Spread over the publishing period so hosts do not all publish in the same instant.
  o.first_publish = 1s + milliseconds(k * 600);
  o.newest = 30;
  o.listing_every = kPollEvery;
  o.feed_every = kPollEvery;
  return o;
}

// Articles published after the daemon's warm-up and long enough before `until` to have had
// their chance, with when they were stored (or -1): the freshness checks' input.
struct Freshness {
  std::vector<std::string> late;  // "URL: published ..., stored N ms later" / "never stored"
  int checked = 0;
  int64_t worst_ms = 0;
};

void CheckFreshness(const NewsWeb& web, const std::map<std::string, int64_t>& stored, int host,
                    SystemTime from, SystemTime until, Freshness* f) {
  for (const auto& a : web.site(host).Published(system_clock::now(), host)) {
    if (a.backlog || a.published < from || a.published + kFreshness > until) continue;
    ++f->checked;
    auto it = stored.find(a.url);
    if (it == stored.end()) {
      f->late.push_back(a.url + ": never stored");
      continue;
    }
    int64_t latency = it->second - testing::EpochMillis(a.published);
    f->worst_ms = std::max(f->worst_ms, latency);
    if (latency > duration_cast<milliseconds>(kFreshness).count()) {
      f->late.push_back(a.url + ": stored " + std::to_string(latency) + " ms after publication");
    }
  }
}

std::string Summary(const std::vector<std::string>& lines) {
  std::ostringstream out;
  for (size_t i = 0; i < lines.size() && i < 20; ++i) out << lines[i] << "\n";
  if (lines.size() > 20) out << "... and " << lines.size() - 20 << " more\n";
  return out.str();
}

TEST_CASE("news from many hosts stays fresh beside a big backlog, sites come and go on SIGHUP",
          "[e2e][fair]") {
  NewsWeb web;
  NewsSiteOptions big;
  big.id = "archive";
  big.initial_articles = 0;
  big.backlog = kBacklog;
  big.sitemap_children = 1000;
  big.listing_every = 0ms;  // a sitemap only: nothing but backlog on this host
  big.feed_every = 0ms;
  big.sitemap_every = 1h;
  const int big_host = web.AddHost(big);
  std::vector<int> small;
  for (int k = 0; k < kSmallHosts; ++k) small.push_back(web.AddHost(SmallHost(k)));
  const int removed = small[1];

  testing::TempDir dir;
  const std::string sites = dir.path() + "/sites";
  const std::string db = dir.path() + "/var/gleaner.db";
  web.WriteSiteFile(big_host, sites);
  for (int h : small) web.WriteSiteFile(h, sites);
  dir.Write("gleaner.yaml", std::string("fetch:\n  delay: 1s\n  jitter: 100ms\n  retries: 1\n") +
                                testing::kAllowLoopback);
  {
    auto check = testing::RunGleaner({"check", "--sites", sites});
    INFO(check.out << check.err);
    REQUIRE(check.exit_code == 0);
  }

  const SystemTime started = system_clock::now();
  testing::Daemon daemon(
      {"run", "--config", dir.path() + "/gleaner.yaml", "--sites", sites, "--db", db}, dir.path());

  // Phase 1: the crawl settles; the backlog's pace is measured from here on.
  std::this_thread::sleep_for(kWarmUp);
  REQUIRE(daemon.Running());
  const auto measure_from = std::chrono::steady_clock::now();
  const int big_before = CountForHost(web, testing::StoredArticles(db), big_host);

  // Phase 2: news and backlog side by side.
  std::this_thread::sleep_for(45s);

  // Phase 3: a site file removed. Its rows are parked: after the grace for requests already
  // on their way, its host hears nothing more from the daemon.
  const SystemTime removed_at = system_clock::now();
  REQUIRE(std::remove((sites + "/" + web.site(removed).options().id + ".yaml").c_str()) == 0);
  daemon.Signal(SIGHUP);
  std::this_thread::sleep_for(kGrace);
  const auto quiet_from = std::chrono::steady_clock::now();

  // Phase 4: a new host and its site file: what it has published is collected, and its
  // later news is as fresh as the others'.
  const int newcomer = web.AddHost(SmallHost(kSmallHosts));
  web.WriteSiteFile(newcomer, sites);
  const SystemTime added_at = system_clock::now();
  daemon.Signal(SIGHUP);
  const int newcomer_listed = web.site(newcomer).PublishedCount(added_at);
  int newcomer_stored = 0;
  for (auto deadline = std::chrono::steady_clock::now() + 60s;
       std::chrono::steady_clock::now() < deadline && newcomer_stored < newcomer_listed;) {
    std::this_thread::sleep_for(1s);
    newcomer_stored = CountForHost(web, testing::StoredArticles(db), newcomer);
  }
  // Long enough after the reloads for a few polls of every host.
  std::this_thread::sleep_until(added_at + 40s);

  const SystemTime ended = system_clock::now();
  const auto stored = testing::StoredArticles(db);
  const auto measure_to = std::chrono::steady_clock::now();
  REQUIRE(daemon.Running());
  daemon.Signal(SIGTERM);
  const auto exit_code = daemon.WaitFor(30s);
  INFO(
      "daemon stderr (tail):\n"
      << daemon.Stderr().substr(daemon.Stderr().size() > 4000 ? daemon.Stderr().size() - 4000 : 0));

  {
    // (a) Every small host's news is stored within the freshness bound.
    Freshness f;
    const SystemTime from = started + kWarmUp;
    for (int h : small) CheckFreshness(web, stored, h, from, h == removed ? removed_at : ended, &f);
    // The new host's first articles wait for the daemon to read its robots.txt and poll it.
    CheckFreshness(web, stored, newcomer, added_at + kPollEvery, ended, &f);
    INFO(f.late.size() << " of " << f.checked << " articles late (bound "
                       << duration_cast<milliseconds>(kFreshness).count() << " ms, worst "
                       << f.worst_ms << " ms):\n"
                       << Summary(f.late));
    CHECK(f.checked >= kSmallHosts * 6);
    CHECK(f.late.empty());
  }
  {
    // (b) The backlog keeps draining at a fair share of one request per delay.
    const double seconds = std::chrono::duration<double>(measure_to - measure_from).count();
    const int drained = CountForHost(web, stored, big_host) - big_before;
    const double polite_max = seconds / std::chrono::duration<double>(kDelay).count();
    INFO("backlog: " << drained << " articles in " << seconds << " s (at most " << polite_max
                     << " allowed by politeness)");
    CHECK(drained >= 0.5 * polite_max);
  }
  {
    // (c) The removed site's host is left alone once the grace is over.
    const size_t after = RequestsSince(web, removed, quiet_from);
    INFO(after << " requests to the removed site's host after the grace");
    CHECK(after == 0);
  }
  {
    // (d) The added site is crawled: what it listed when added, and what followed.
    INFO("new site: " << newcomer_stored << " of " << newcomer_listed << " listed articles stored");
    CHECK(newcomer_stored >= newcomer_listed);
    CHECK(CountForHost(web, stored, newcomer) > newcomer_listed);
  }
  CHECK(exit_code == std::optional<int>(0));
}

}  // namespace
}  // namespace gleaner
