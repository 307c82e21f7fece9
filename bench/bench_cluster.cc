// bench_cluster: the cost of a cluster's PostgreSQL to a box, against a real PostgreSQL 15
// on loopback (started here, as tests/support/pg_server.h does; as root its processes run
// as `nobody`).
//   ship   N records stored in the box's SQLite, shipped in batches of 500 (the agent's
//          batch) as the agent ships them: records/s, and this process's CPU per record
//          (PostgreSQL's own CPU is the server's, on another machine in a real cluster).
//   claim  the same records claimed and acked by 4 consumers at once, each on its own
//          connection, 100 per claim: records/s.
//   crawl  bench_crawl's crawl (a local site of M article pages, politeness off) without
//          and with the cluster agent shipping alongside: this process's CPU per page
//          (the test server's threads are in it in both runs) until every page is stored,
//          and, with the agent, shipped.
//
//   build/bench/bench_cluster [RECORDS [PAGES]]     (defaults 20000 and 3000; run from the
//                                                    source tree)
#include <sys/resource.h>

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
#include <vector>

#include "daemon/cluster/agent.h"
#include "daemon/cluster/pg_queue.h"
#include "daemon/cluster/pg_schema.h"
#include "daemon/cluster/sink.h"
#include "daemon/fetch/curl_fetcher.h"
#include "daemon/schedule/crawler.h"
#include "daemon/store/store.h"
#include "tests/support/http_server.h"
#include "tests/support/pg_server.h"

namespace {

using namespace gleaner;
using Clock = std::chrono::steady_clock;

double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

double Since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "bench_cluster: %s\n", what.c_str());
  std::exit(1);
}

std::string TempDir(const std::string& name) {
  std::string dir = std::filesystem::temp_directory_path() /
                    ("gleaner-bench-cluster-" + name + "-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  return dir;
}

// N articles of about 3 KB each, stored in a fresh SQLite store.
store::Store FilledStore(const std::string& path, int records) {
  auto store = store::Store::Open(path, store::OpenMode::kCreate);
  if (!store) Die(store.error().message);
  std::string body;
  for (int p = 0; p < 6; ++p) body += std::string(500, 'a' + p) + "\n\n";
  for (int i = 0; i < records;) {
    store::WriteBatch batch;
    for (int k = 0; k < 1000 && i < records; ++k, ++i) {
      Article a;
      a.url = "https://news.example/a/" + std::to_string(i);
      a.site = "news-" + std::to_string(i % 50);
      a.extractor = "rules";
      a.title = "Article " + std::to_string(i);
      a.body = body;
      (void)batch.PutArticle(std::move(a));
    }
    if (auto ok = store->Write(batch, store::Now()); !ok) Die(ok.error().message);
  }
  return std::move(*store);
}

void BenchShip(const testing::PgServer& pg, int records) {
  std::string dir = TempDir("ship");
  store::Store store = FilledStore(dir + "/box.db", records);
  auto conn = cluster::OpenCluster(pg.ConnInfoWithPassword(), "bench");
  if (!conn) Die(conn.error().message);
  auto start = Clock::now();
  double cpu = ProcessCpuSeconds();
  int64_t cursor = 0, shipped = 0;
  while (true) {
    auto changes = store.ChangesAfter(cursor, 500);
    if (!changes) Die(changes.error().message);
    if (changes->empty()) break;
    auto summary = cluster::ShipChanges(*conn, "bench", *changes,
                                        [](const store::ArticleChange&, const Error&) {});
    if (!summary) Die(summary.error().message);
    cursor = changes->back().seq;
    if (auto ok = store.SetSinkCursor(cluster::kSinkName, cursor); !ok) Die(ok.error().message);
    shipped += static_cast<int64_t>(changes->size());
  }
  double seconds = Since(start);
  cpu = ProcessCpuSeconds() - cpu;
  std::printf(
      "ship: %lld records (about 3 KB each) in batches of 500: %.0f records/s, "
      "%.1f us CPU per record in the box\n",
      static_cast<long long>(shipped), shipped / seconds, cpu * 1e6 / shipped);
  std::filesystem::remove_all(dir);
}

void BenchClaim(const testing::PgServer& pg, int records) {
  constexpr int kConsumers = 4;
  std::atomic<int64_t> acked{0};
  std::atomic<bool> failed{false};
  auto start = Clock::now();
  std::vector<std::thread> consumers;
  for (int c = 0; c < kConsumers; ++c) {
    consumers.emplace_back([&] {
      auto conn = cluster::OpenCluster(pg.ConnInfoWithPassword(), "bench consumer");
      if (!conn) {
        failed = true;
        return;
      }
      cluster::PgQueue queue(&*conn);
      store::ClaimRequest request;
      request.limit = 100;
      while (true) {
        auto claimed = queue.Claim(request);
        if (!claimed) {
          failed = true;
          return;
        }
        if (claimed->empty()) return;
        std::vector<std::string> tokens;
        for (const auto& m : *claimed) tokens.push_back(m.token);
        auto results = queue.Ack(tokens);
        if (!results) {
          failed = true;
          return;
        }
        acked += static_cast<int64_t>(tokens.size());
      }
    });
  }
  for (auto& t : consumers) t.join();
  double seconds = Since(start);
  if (failed) Die("a consumer failed");
  std::printf("claim + ack: %lld records by %d consumers, 100 per claim: %.0f records/s\n",
              static_cast<long long>(acked.load()), kConsumers, acked / seconds);
  if (acked != records) Die("acked " + std::to_string(acked) + " of " + std::to_string(records));
}

// One crawl of `pages` pages into a fresh database; with `pg`, the agent ships alongside and
// the crawl counts as done once everything is shipped. Returns process CPU seconds.
double Crawl(const std::string& page, int pages, const testing::PgServer* pg,
             const std::string& name) {
  using testing::HttpReply;
  testing::HttpServer server(testing::HttpServer::Options{/*record=*/false});
  server.Route("/robots.txt", HttpReply::Text(""));
  std::string sitemap =
      "<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>";
  for (int i = 1; i <= pages; ++i)
    sitemap += "<url><loc>/fr/a/" + std::to_string(i) + "</loc></url>";
  sitemap += "</urlset>";
  server.Route("/sitemap.xml", HttpReply::Text(sitemap, "application/xml"));
  auto shared_page = std::make_shared<const std::string>(page);
  for (int i = 1; i <= pages; ++i) {
    server.Route("/fr/a/" + std::to_string(i), [shared_page](const testing::HttpRequest&) {
      return HttpReply::Text(*shared_page, "text/html");
    });
  }
  std::string origin = server.Origin();
  std::string escaped = "http://127\\.0\\.0\\.1:" + std::to_string(server.port());
  std::string yaml = "id: bench\nname: bench\nlanguage: fr\nurls: '^" + escaped +
                     "/'\narticles: '^" + escaped +
                     "/fr/a/[0-9]+$'\nsources:\n  - sitemap: " + origin +
                     "/sitemap.xml\n    every: 1h\nticker: '.ticker a'\n"
                     "remove: ['.modal']\nlayouts:\n  - title: .articletitle\n"
                     "    source: .articlenewspaper a\n    published: .articlenewspaper\n"
                     "    body: .articlecontent\n";
  auto site = rules::ParseSiteRules(yaml, "bench.yaml");
  if (!site) Die(site.error().message);
  auto sites = rules::SiteSet::Create({*site});
  std::string dir = TempDir(name);
  auto store = store::Store::Open(dir + "/g.db", store::OpenMode::kCreate);
  if (!sites || !store) Die("crawl setup failed");
  Config config;
  config.fetch.delay = std::chrono::milliseconds(0);
  config.fetch.jitter = std::chrono::milliseconds(0);
  config.fetch.per_host_connections = 16;
  config.fetch.global_connections = 16;
  config.fetch.allow_networks = {*fetch::ParseNetwork("127.0.0.0/8")};
  fetch::CurlFetcherOptions options;
  options.settings = config.fetch;
  auto fetcher = fetch::CurlFetcher::Create(options);
  if (!fetcher) Die(fetcher.error().message);
  config.crawl.max_in_flight = 64;
  config.crawl.new_urls_per_poll = pages;
  double cpu = ProcessCpuSeconds();
  std::unique_ptr<cluster::Agent> agent;
  if (pg) {
    ClusterSettings settings;
    settings.postgresql = pg->ConnInfoWithPassword();
    settings.box = name;
    auto started = cluster::Agent::Start(settings, dir + "/g.db", {"bench"});
    if (!started) Die(started.error().message);
    agent = std::move(*started);
  }
  schedule::Crawler crawler(config, std::move(*sites), *store, **fetcher, store::Now);
  (void)crawler.Seed();
  while (crawler.health().count("bench") == 0 ||
         crawler.health().at("bench").new_articles < pages) {
    if (auto ok = crawler.Step(std::chrono::milliseconds(50)); !ok) Die(ok.error().message);
  }
  while (agent && agent->Status().shipped < pages) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  agent.reset();
  cpu = ProcessCpuSeconds() - cpu;
  std::filesystem::remove_all(dir);
  return cpu;
}

}  // namespace

int main(int argc, char** argv) {
  int records = argc > 1 ? std::atoi(argv[1]) : 20000;
  int pages = argc > 2 ? std::atoi(argv[2]) : 3000;
  std::string page =
      Slurp("tests/fixtures/pages/maghress-fr-2022-10-31-onu-technologie/source.html");
  if (records <= 0 || pages <= 0 || page.empty()) {
    std::fprintf(stderr, "usage: bench_cluster [RECORDS [PAGES]] (run from the source tree)\n");
    return 2;
  }
  testing::PgServer pg;
  BenchShip(pg, records);
  BenchClaim(pg, records);
  // Alternating runs, best of three each: this machine's noise is larger than the effect.
  double off = 1e9, on = 1e9;
  for (int run = 0; run < 3; ++run) {
    off = std::min(off, Crawl(page, pages, nullptr, "off" + std::to_string(run)));
    on = std::min(on, Crawl(page, pages, &pg, "on" + std::to_string(run)));
  }
  std::printf(
      "crawl of %d pages, CPU per page of this process (best of 3): sink off %.3f ms, "
      "sink on %.3f ms (%+.1f%%)\n",
      pages, off * 1000 / pages, on * 1000 / pages, (on - off) * 100 / off);
  return 0;
}
