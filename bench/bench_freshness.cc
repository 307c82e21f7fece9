// bench_freshness: how fresh the news stays when one host has a big backlog, with the real
// `gleaner run` and real politeness (1 s per host). A synthetic news web on loopback
// (tests/support/news_web): one host whose sitemap lists an archive of 5,000 articles, and
// 30 small hosts each publishing a new article every 25 s (--publish), their listing and feed
// polled every 10 s. Prints the publication->stored latency of the small hosts' news
// (median, 90th percentile, maximum), what was stored per host, how fast the backlog
// drained, and the busiest second of any host (politeness check).
// Target: maximum latency <= poll interval + 10 s.
//
//   build/bench/bench_freshness [--seconds N] [--hosts N] [--backlog N] [--poll N] [--publish N]
//                               [--gleaner PATH]
// (defaults: 180 s, 30 hosts, 5000 articles, every 10 s, the gleaner next to build/bench)
#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/news_web.h"
#include "tests/support/run_binary.h"

namespace {

using namespace std::chrono_literals;
using gleaner::testing::NewsSiteOptions;
using gleaner::testing::NewsWeb;
using std::chrono::milliseconds;
using std::chrono::system_clock;

struct Args {
  int seconds = 180;
  int hosts = 30;
  int backlog = 5000;
  int poll_seconds = 10;
  // Small hosts publish this often: by default more slowly than they are polled, as news
  // sites do, so that some polls find nothing new.
  int publish_seconds = 25;
  std::string gleaner;
};

// Real politeness: one request per second per host, as a news box runs by default.
constexpr const char* kConfig =
    "log_level: warn\nfetch:\n  delay: 1s\n  jitter: 100ms\n  retries: 1\n"
    "  allow_networks: [127.0.0.0/8]\n";  // the news web's hosts, refused by default
// News published before this much of the run has passed waits for the daemon's start
// (first polls, robots.txt), which is not what the latency measures.
constexpr auto kWarmUp = 10s;
// Articles published in the last (poll interval + this) of the run have not had their
// chance yet and are left out of the latency figures.
constexpr auto kSlack = 10s;

bool ParseArgs(int argc, char** argv, Args* args) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (i + 1 >= argc) return false;
    std::string v = argv[++i];
    if (a == "--seconds")
      args->seconds = std::atoi(v.c_str());
    else if (a == "--hosts")
      args->hosts = std::atoi(v.c_str());
    else if (a == "--backlog")
      args->backlog = std::atoi(v.c_str());
    else if (a == "--poll")
      args->poll_seconds = std::atoi(v.c_str());
    else if (a == "--publish")
      args->publish_seconds = std::atoi(v.c_str());
    else if (a == "--gleaner")
      args->gleaner = v;
    else
      return false;
  }
  if (args->gleaner.empty()) {
    // build/bench/bench_freshness -> build/gleaner
    args->gleaner =
        (std::filesystem::path(argv[0]).parent_path().parent_path() / "gleaner").string();
  }
  return args->seconds > 0 && args->hosts > 0 && args->backlog >= 0 && args->poll_seconds > 0 &&
         args->publish_seconds > 0 && args->hosts + 1 < 250 * 254;
}

double Percentile(std::vector<int64_t> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i =
      std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5));
  return static_cast<double>(v[i]);
}

// The most requests one host received within any one second, and the shortest gap between
// two of its requests.
struct Pace {
  size_t busiest_second = 0;
  double min_gap_ms = 0;
  std::string min_gap_paths;  // "FIRST -> SECOND" of that gap
  size_t requests = 0;
};

Pace PaceOf(const std::vector<gleaner::testing::HttpRequest>& requests) {
  Pace p;
  p.requests = requests.size();
  p.min_gap_ms = 1e9;
  size_t lo = 0;
  for (size_t hi = 0; hi < requests.size(); ++hi) {
    while (requests[hi].arrival - requests[lo].arrival >= 1s) ++lo;
    p.busiest_second = std::max(p.busiest_second, hi - lo + 1);
    if (hi > 0) {
      double gap =
          std::chrono::duration<double, std::milli>(requests[hi].arrival - requests[hi - 1].arrival)
              .count();
      if (gap < p.min_gap_ms) {
        p.min_gap_ms = gap;
        p.min_gap_paths = requests[hi - 1].path + " -> " + requests[hi].path;
      }
    }
  }
  return p;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!ParseArgs(argc, argv, &args)) {
    std::fprintf(
        stderr,
        "usage: bench_freshness [--seconds N] [--hosts N] [--backlog N] [--poll N] [--publish N] "
        "[--gleaner PATH]\n");
    return 2;
  }
  if (!std::filesystem::exists(args.gleaner)) {
    std::fprintf(stderr, "bench_freshness: no gleaner binary at %s (use --gleaner PATH)\n",
                 args.gleaner.c_str());
    return 2;
  }
  const auto poll = std::chrono::seconds(args.poll_seconds);

  NewsWeb web;
  NewsSiteOptions big;
  big.id = "archive";
  big.initial_articles = 0;
  big.backlog = args.backlog;
  big.sitemap_children = 1000;
  big.listing_every = 0ms;
  big.feed_every = 0ms;
  const int big_host = web.AddHost(big);
  for (int k = 0; k < args.hosts; ++k) {
    NewsSiteOptions o;
    o.id = "news-" + std::to_string(k);
    o.initial_articles = 3;
    o.publish_every = std::chrono::seconds(args.publish_seconds);
    // Spread over the period, so that hosts do not all publish in the same second.
    o.first_publish = 1s + milliseconds(k * 7919 % (args.publish_seconds * 1000));
    o.newest = 30;
    o.listing_every = poll;
    o.feed_every = poll;
    web.AddHost(o);
  }
  gleaner::testing::TempDir dir;
  for (int h = 0; h < web.hosts(); ++h) web.WriteSiteFile(h, dir.path() + "/sites");
  dir.Write("gleaner.yaml", kConfig);
  const std::string db = dir.path() + "/gleaner.db";

  std::printf("bench_freshness: gleaner %s\n", args.gleaner.c_str());
  std::printf(
      "  %d small hosts publishing every %llds (listing + feed every %ds), 1 host with a "
      "%d-article "
      "sitemap backlog; delay 1s, jitter 100ms; %d s run\n",
      args.hosts, static_cast<long long>(args.publish_seconds), args.poll_seconds, args.backlog,
      args.seconds);
  std::fflush(stdout);
  const auto started = system_clock::now();
  const auto steady_started = std::chrono::steady_clock::now();
  gleaner::testing::BackgroundProcess daemon(args.gleaner,
                                             {"run", "--config", dir.path() + "/gleaner.yaml",
                                              "--sites", dir.path() + "/sites", "--db", db},
                                             dir.path());

  const auto end = steady_started + std::chrono::seconds(args.seconds);
  int last_backlog = 0;
  while (std::chrono::steady_clock::now() < end && daemon.Running()) {
    std::this_thread::sleep_until(std::min(end, std::chrono::steady_clock::now() + 30s));
    auto stored = gleaner::testing::StoredArticles(db);
    int backlog = 0;
    for (const auto& [url, ms] : stored) {
      auto where = web.Locate(url);
      backlog += where && where->first == big_host;
    }
    std::printf(
        "  t=%4.0fs  stored %6zu  (backlog %5d, +%d)\n",
        std::chrono::duration<double>(std::chrono::steady_clock::now() - steady_started).count(),
        stored.size(), backlog, backlog - last_backlog);
    std::fflush(stdout);
    last_backlog = backlog;
  }
  const bool died = !daemon.Running();
  const auto ended = system_clock::now();
  const double run_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - steady_started).count();
  const auto stored = gleaner::testing::StoredArticles(db);
  daemon.Signal(SIGTERM);
  auto exit_code = daemon.WaitFor(30s);
  if (died) std::printf("  gleaner DIED during the run; stderr:\n%s\n", daemon.Stderr().c_str());

  // Latencies of the small hosts' news published after the warm-up, in time to be seen.
  std::vector<int64_t> latencies;
  int missing = 0;
  std::vector<int> per_host(static_cast<size_t>(web.hosts()), 0);
  for (const auto& [url, ms] : stored) {
    if (auto where = web.Locate(url)) ++per_host[static_cast<size_t>(where->first)];
  }
  std::string worst_url;
  int64_t worst = -1;
  for (const auto& a : web.Published()) {
    if (a.host == big_host || a.backlog) continue;
    if (a.published < started + kWarmUp || a.published + poll + kSlack > ended) continue;
    auto it = stored.find(a.url);
    if (it == stored.end()) {
      ++missing;
      continue;
    }
    latencies.push_back(it->second - gleaner::testing::EpochMillis(a.published));
    if (latencies.back() > worst) {
      worst = latencies.back();
      worst_url = a.url;
    }
  }
  Pace busiest;
  Pace closest;
  closest.min_gap_ms = 1e9;
  int busiest_host = 0, closest_host = 0;
  for (int h = 0; h < web.hosts(); ++h) {
    Pace p = PaceOf(web.server(h).Requests());
    if (p.busiest_second > busiest.busiest_second) {
      busiest = p;
      busiest_host = h;
    }
    if (p.min_gap_ms < closest.min_gap_ms) {
      closest = p;
      closest_host = h;
    }
  }
  const int drained = per_host[static_cast<size_t>(big_host)];
  const double bound_s = static_cast<double>(args.poll_seconds + 10);

  std::printf("\nresults (%.0f s run, gleaner exit %s):\n", run_seconds,
              exit_code ? std::to_string(*exit_code).c_str() : "none (killed)");
  std::printf("  news latency, publication -> stored, %zu articles of %d small hosts:\n",
              latencies.size(), args.hosts);
  std::printf("    median %.1f s, p90 %.1f s, max %.1f s (target <= %.0f s: %s)\n",
              Percentile(latencies, 0.5) / 1000, Percentile(latencies, 0.9) / 1000,
              Percentile(latencies, 1.0) / 1000, bound_s,
              !latencies.empty() && missing == 0 && Percentile(latencies, 1.0) <= bound_s * 1000
                  ? "met"
                  : "MISSED");
  std::printf("    never stored: %d; slowest: %s\n", missing,
              worst_url.empty() ? "-" : worst_url.c_str());
  std::printf("  stored per small host:");
  for (int h = 0; h < web.hosts(); ++h) {
    if (h != big_host) std::printf(" %d", per_host[static_cast<size_t>(h)]);
  }
  std::printf(
      "\n  backlog: %d of %d drained, %.2f articles/s (politeness allows at most ~%.2f/s)\n",
      drained, args.backlog, drained / run_seconds, 1.0 / 1.05);
  std::printf(
      "  politeness: busiest second of any host %zu requests (host %s); shortest gap between two "
      "requests "
      "to one host %.0f ms (host %s, %s)\n",
      busiest.busiest_second, web.site(busiest_host).options().id.c_str(), closest.min_gap_ms,
      web.site(closest_host).options().id.c_str(), closest.min_gap_paths.c_str());
  return died ? 1 : 0;
}
