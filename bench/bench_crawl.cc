// bench_crawl: the daemon's crawl end to end (fetch + extract + store + queue) against a
// local site of N articles, politeness off. The site: a sitemap listing every article, each
// article a Maghress fixture page (ticker, hidden dialog, article) under its own URL.
// The crawler runs in this process exactly as `gleaner run` drives it; the HTTP server runs
// in threads of this process too, so the CPU figure is measured per thread (the crawler's
// thread only). Prints pages/s, CPU ms per page, and RSS (peak and at checkpoints, to show
// whether memory grows with the number of pages).
// With --metrics, the web server runs beside the crawl as `metrics:` runs it: the loop
// publishes its snapshot every 5 s, and a client scrapes /metrics and loads / every second
// (Prometheus scrapes every 15 s or more), so the two runs show what metrics cost the crawl.
//
//   build/bench/bench_crawl [--metrics] [ARTICLES [FIXTURE_PAGE]]     (default 10000 articles)
#include <sys/resource.h>
#include <time.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include "daemon/fetch/curl_fetcher.h"
#include "daemon/schedule/crawler.h"
#include "daemon/schedule/web_snapshot.h"
#include "daemon/store/store.h"
#include "daemon/web/server.h"
#include "tests/support/http_client.h"
#include "tests/support/http_server.h"

namespace {

using gleaner::testing::HttpReply;
using gleaner::testing::HttpServer;

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

long CurrentRssKb() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return 0;
}

long PeakRssKb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

int main(int argc, char** argv) {
  bool metrics = argc > 1 && std::string(argv[1]) == "--metrics";
  if (metrics) {
    --argc;
    ++argv;
  }
  int articles = argc > 1 ? std::atoi(argv[1]) : 10000;
  std::string page =
      Slurp(argc > 2 ? argv[2]
                     : "tests/fixtures/pages/maghress-fr-2022-10-31-onu-technologie/source.html");
  if (page.empty() || articles <= 0) {
    std::fprintf(
        stderr,
        "usage: bench_crawl [--metrics] [ARTICLES [FIXTURE_PAGE]] (run from the source tree)\n");
    return 2;
  }
  HttpServer server(HttpServer::Options{/*record=*/false});
  server.Route("/robots.txt", HttpReply::Text(""));
  std::string sitemap =
      "<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>";
  for (int i = 1; i <= articles; ++i)
    sitemap += "<url><loc>/fr/a/" + std::to_string(i) + "</loc></url>";
  sitemap += "</urlset>";
  server.Route("/sitemap.xml", HttpReply::Text(sitemap, "application/xml"));
  // One copy of the page shared by every route, so that RSS measures the crawler, not the
  // test server's routes.
  auto shared_page = std::make_shared<const std::string>(page);
  for (int i = 1; i <= articles; ++i) {
    server.Route("/fr/a/" + std::to_string(i), [shared_page](const gleaner::testing::HttpRequest&) {
      return HttpReply::Text(*shared_page, "text/html");
    });
  }

  std::string origin = server.Origin();
  std::string escaped = "http://127\\.0\\.0\\.1:" + std::to_string(server.port());
  std::string yaml = "id: bench\nname: bench\nlanguage: fr\nurls: '^" + escaped +
                     "/'\narticles: '^" + escaped +
                     "/fr/a/[0-9]+$'\nsources:\n  - sitemap: " + origin +
                     "/sitemap.xml\n    every: 1h\n"
                     "ticker: '.ticker a'\nremove: ['.modal']\nlayouts:\n  - title: .articletitle\n"
                     "    source: .articlenewspaper a\n    published: .articlenewspaper\n    body: "
                     ".articlecontent\n";
  auto site = gleaner::rules::ParseSiteRules(yaml, "bench.yaml");
  auto sites = gleaner::rules::SiteSet::Create({*site});
  std::string dir =
      std::filesystem::temp_directory_path() / ("gleaner-bench-crawl-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto store = gleaner::store::Store::Open(dir + "/g.db", gleaner::store::OpenMode::kCreate);
  if (!site || !sites || !store) {
    std::fprintf(stderr, "bench_crawl: setup failed\n");
    return 1;
  }
  gleaner::Config config;
  config.fetch.delay = std::chrono::milliseconds(0);  // politeness off
  config.fetch.jitter = std::chrono::milliseconds(0);
  config.fetch.per_host_connections = 16;
  config.fetch.global_connections = 16;
  config.fetch.allow_networks = {*gleaner::fetch::ParseNetwork("127.0.0.0/8")};  // the test server
  gleaner::fetch::CurlFetcherOptions options;
  options.settings = config.fetch;
  auto fetcher = gleaner::fetch::CurlFetcher::Create(options);
  config.crawl.max_in_flight = 64;
  config.crawl.new_urls_per_poll = articles;  // the whole sitemap in one poll
  gleaner::schedule::Crawler crawler(config, std::move(*sites), *store, **fetcher,
                                     gleaner::store::Now);
  (void)crawler.Seed();

  std::unique_ptr<gleaner::web::WebServer> web;
  std::atomic<bool> scraping{metrics};
  std::atomic<int> scrapes{0};
  std::thread scraper;
  const auto started = gleaner::store::Now();
  auto last_publish = std::chrono::steady_clock::now();
  if (metrics) {
    auto started_web =
        gleaner::web::WebServer::Start(gleaner::MetricsAddress{"127.0.0.1", 0}, dir + "/g.db");
    if (!started_web) {
      std::fprintf(stderr, "bench_crawl: %s\n", started_web.error().message.c_str());
      return 1;
    }
    web = std::move(*started_web);
    web->Publish(gleaner::schedule::SnapshotOf(crawler, **fetcher, started, started));
    scraper = std::thread([&] {
      while (scraping) {
        if (gleaner::testing::HttpGet(web->port(), "/metrics") &&
            gleaner::testing::HttpGet(web->port(), "/")) {
          ++scrapes;
        }
        std::this_thread::sleep_for(std::chrono::seconds(1));
      }
    });
  }

  long rss_start = CurrentRssKb();
  auto start = std::chrono::steady_clock::now();
  double cpu_start = ThreadCpuSeconds();
  int64_t stored = 0, next_checkpoint = 1000;
  while (stored < articles) {
    if (auto ok = crawler.Step(std::chrono::milliseconds(50)); !ok) {
      std::fprintf(stderr, "bench_crawl: %s\n", ok.error().message.c_str());
      return 1;
    }
    if (web && std::chrono::steady_clock::now() - last_publish >= std::chrono::seconds(5)) {
      last_publish = std::chrono::steady_clock::now();
      web->Publish(
          gleaner::schedule::SnapshotOf(crawler, **fetcher, started, gleaner::store::Now()));
    }
    const auto& h = crawler.health().at("bench");
    stored = h.new_articles;
    if (h.fetch_errors + h.extract_errors > 0) {
      std::fprintf(stderr, "bench_crawl: %lld errors\n",
                   static_cast<long long>(h.fetch_errors + h.extract_errors));
      return 1;
    }
    if (stored >= next_checkpoint) {
      std::printf("  after %6lld pages: RSS %ld KB\n", static_cast<long long>(stored),
                  CurrentRssKb());
      next_checkpoint += articles >= 5000 ? 2000 : 1000;
    }
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double cpu = ThreadCpuSeconds() - cpu_start;
  if (metrics) {
    scraping = false;
    scraper.join();
    web.reset();
  }
  std::printf(
      "crawl (fetch + extract + store + queue), %d articles of %zu bytes, politeness off:\n",
      articles, page.size());
  std::printf(
      "  %.0f pages/s, %.2f ms CPU per page (crawler thread), RSS %ld KB at start, peak %ld KB\n",
      articles / seconds, cpu * 1000 / articles, rss_start, PeakRssKb());
  if (metrics)
    std::printf("  metrics on: snapshot every 5 s, %d scrapes of /metrics and / meanwhile\n",
                scrapes.load());
  std::filesystem::remove_all(dir);
  return 0;
}
