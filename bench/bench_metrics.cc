// bench_metrics: what the web server costs with 500 sites. A database of 500 sites (30 new
// articles each in the last week, 100 URLs of backlog each, a queue), a snapshot as the
// daemon publishes it (errors by kind, broken rules, latency histograms, 50 recent errors),
// the real server on loopback, and requests as Prometheus and a browser make them.
// Prints the render times, the database read, and the /metrics and / latencies over HTTP.
//
//   build/bench/bench_metrics [SITES]     (default 500)
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "daemon/store/db.h"
#include "daemon/store/store.h"
#include "daemon/web/db_figures.h"
#include "daemon/web/metrics_text.h"
#include "daemon/web/server.h"
#include "daemon/web/status_page.h"
#include "tests/support/http_client.h"

namespace {

using Clock = std::chrono::steady_clock;
using namespace gleaner;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// p50 and p99 of `samples` (milliseconds).
std::pair<double, double> Percentiles(std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  auto at = [&](double q) { return samples[static_cast<size_t>(q * (samples.size() - 1))]; };
  return {at(0.5), at(0.99)};
}

bool Fill(const std::string& path, int sites, store::Time now) {
  auto db = store::Database::Open(path, store::OpenMode::kReadWrite);
  if (!db) return false;
  int64_t now_ms = store::ToMillis(now);
  if (!(*db)->Exec("BEGIN")) return false;
  for (int s = 0; s < sites; ++s) {
    std::string site = "site-" + std::to_string(s);
    for (int a = 0; a < 30; ++a) {
      auto insert = (*db)->Prepare(
          "INSERT INTO articles (url_key, url, site, extractor, title, content_hash, "
          "first_seen_ms, updated_ms) VALUES (?1, ?1, ?2, 'rules', ?3, 'h', ?4, ?4)");
      if (!insert) return false;
      std::string url = "https://" + site + ".example/a/" + std::to_string(a);
      int64_t seen = now_ms - static_cast<int64_t>((a * 5 + s % 5) * 3600 * 1000);
      (*insert)
          ->Bind(1, url)
          .Bind(2, site)
          .Bind(3, "A headline of some length, number " + std::to_string(a))
          .Bind(4, seen);
      if (!(*insert)->Run()) return false;
    }
    for (int b = 0; b < 100; ++b) {
      auto insert = (*db)->Prepare(
          "INSERT INTO frontier (url_key, url, site, kind, state, next_fetch_ms, "
          "discovered_ms, host, priority) VALUES (?1, ?1, ?2, 'article', 'scheduled', ?3, ?3, "
          "?4, 2)");
      if (!insert) return false;
      std::string url = "https://" + site + ".example/old/" + std::to_string(b);
      (*insert)->Bind(1, url).Bind(2, site).Bind(3, now_ms).Bind(4, site + ".example");
      if (!(*insert)->Run()) return false;
    }
  }
  return static_cast<bool>((*db)->Exec("COMMIT"));
}

std::shared_ptr<web::Snapshot> MakeSnapshot(int sites, store::Time now) {
  auto s = std::make_shared<web::Snapshot>();
  s->taken = now;
  s->started = now - std::chrono::hours(72);
  s->version = "bench";
  for (int i = 0; i < sites; ++i) {
    web::SiteView v;
    v.id = "site-" + std::to_string(i);
    v.name = "Site number " + std::to_string(i);
    v.hosts = {v.id + ".example"};
    auto& h = v.health;
    h.polls = 800 + i;
    h.new_articles = 300;
    h.fetched = 320;
    h.bytes = 40'000'000;
    h.errors_by_kind = {{"timeout", 3}, {"http_status", 2}, {"connect", 1}};
    if (i % 10 == 0) {
      h.rule_breakage = 5;
      h.broken_rules = {{"layout 'article': body selector 'div.c' matched nothing", 4},
                        {"title selector 'h1' matched nothing", 1}};
      h.last_breakage = now;
      v.state = web::SiteState::kRulesBroken;
    }
    for (int k = 0; k < 1100; ++k) h.latency.Add(std::chrono::milliseconds(20 + (k * 37) % 3000));
    h.last_success = now - std::chrono::seconds(30);
    h.last_new_article = now - std::chrono::minutes(20);
    s->sites.push_back(std::move(v));
  }
  for (size_t e = 0; e < web::kMaxRecentErrors; ++e) {
    s->errors.push_back({now, "site-" + std::to_string(e),
                         "https://site.example/a/" + std::to_string(e),
                         "cannot connect: Connection timed out after 30000 milliseconds"});
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  int sites = argc > 1 ? std::atoi(argv[1]) : 500;
  if (sites <= 0) {
    std::fprintf(stderr, "usage: bench_metrics [SITES]\n");
    return 2;
  }
  std::string dir = std::filesystem::temp_directory_path() /
                    ("gleaner-bench-metrics-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/g.db";
  const store::Time now = store::Now();
  if (!store::Store::Open(path, store::OpenMode::kCreate) || !Fill(path, sites, now)) {
    std::fprintf(stderr, "bench_metrics: cannot build the database in %s\n", dir.c_str());
    return 1;
  }
  auto snapshot = MakeSnapshot(sites, now);

  web::DbReader reader(path);
  std::vector<double> read_ms;
  web::DbFigures figures;
  for (int i = 0; i < 20; ++i) {
    auto t = Clock::now();
    auto read = reader.Read(now);
    read_ms.push_back(Ms(Clock::now() - t));
    if (!read) {
      std::fprintf(stderr, "bench_metrics: %s\n", read.error().message.c_str());
      return 1;
    }
    figures = *read;
  }
  std::vector<double> metrics_ms, page_ms;
  size_t metrics_bytes = 0, page_bytes = 0;
  for (int i = 0; i < 50; ++i) {
    auto t = Clock::now();
    metrics_bytes = web::RenderMetrics(*snapshot, &figures).size();
    metrics_ms.push_back(Ms(Clock::now() - t));
    t = Clock::now();
    page_bytes = web::RenderStatusPage(*snapshot, &figures, now).size();
    page_ms.push_back(Ms(Clock::now() - t));
  }

  auto server = web::WebServer::Start(MetricsAddress{"127.0.0.1", 0}, path);
  if (!server) {
    std::fprintf(stderr, "bench_metrics: %s\n", server.error().message.c_str());
    return 1;
  }
  (*server)->Publish(snapshot);
  size_t served_bytes = 0;
  auto fetch = [&](const char* what, int n) {
    std::vector<double> ms;
    for (int i = 0; i < n; ++i) {
      auto t = Clock::now();
      auto reply = testing::HttpGet((*server)->port(), what);
      ms.push_back(Ms(Clock::now() - t));
      if (!reply || reply->status != 200) {
        std::fprintf(stderr, "bench_metrics: GET %s failed\n", what);
        std::exit(1);
      }
      served_bytes = reply->body.size();
    }
    return ms;
  };
  auto cold = fetch("/metrics", 1);  // the server's first read of the database
  auto http_metrics = fetch("/metrics", 200);
  size_t metrics_served = served_bytes;
  auto http_page = fetch("/", 100);

  auto [read50, read99] = Percentiles(read_ms);
  auto [m50, m99] = Percentiles(metrics_ms);
  auto [p50, p99] = Percentiles(page_ms);
  auto [hm50, hm99] = Percentiles(http_metrics);
  auto [hp50, hp99] = Percentiles(http_page);
  std::printf("web server with %d sites (%d articles this week, %d URLs of backlog):\n", sites,
              sites * 30, sites * 100);
  std::printf("  database figures read: p50 %.2f ms, p99 %.2f ms (at most every %lld s)\n", read50,
              read99, static_cast<long long>(web::kDbFiguresEvery.count()));
  std::printf("  /metrics rendered: p50 %.2f ms, p99 %.2f ms, %zu bytes\n", m50, m99,
              metrics_bytes);
  std::printf("  status page rendered: p50 %.2f ms, p99 %.2f ms, %zu bytes\n", p50, p99,
              page_bytes);
  std::printf(
      "  GET /metrics over loopback: first %.2f ms (database read), then p50 %.2f ms, "
      "p99 %.2f ms (200 requests of %zu bytes)\n",
      cold[0], hm50, hm99, metrics_served);
  std::printf("  GET / over loopback: p50 %.2f ms, p99 %.2f ms (100 requests)\n", hp50, hp99);
  server->reset();
  std::filesystem::remove_all(dir);
  return 0;
}
