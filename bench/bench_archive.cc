// bench_archive: what keeping every page costs.
//   1. Archive size and write time on real pages (the AEB set, when its path is given):
//      bytes stored per page against the raw size, zstd's own time per page, and the whole
//      Archive::Add (hash, compress, insert) per page.
//   2. `reextract` against `extract` on the same pages: ExtractPage over the pages in
//      memory, then schedule::Reextract over the archive (adding the records, then again
//      with every record in place, the usual case after a rule change).
//   3. A crawl of a local site (fetch + extract + store + queue, politeness off), archive
//      off and on, alternating, best of ROUNDS: CPU per page on the crawler's thread,
//      archive bytes per page, the consumers' database size, and the time to claim and
//      ack every record.
//
//   build/bench/bench_archive [AEB_DIR [ARTICLES [ROUNDS]]]   (from the source tree)
//   AEB_DIR: ../shared/data/aeb (skipped when absent); ARTICLES: 2000; ROUNDS: 3
#include <time.h>
#include <zstd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "daemon/fetch/curl_fetcher.h"
#include "daemon/schedule/crawler.h"
#include "daemon/schedule/reextract.h"
#include "daemon/store/archive.h"
#include "daemon/store/store.h"
#include "extractors/pipeline.h"
#include "tests/support/data_files.h"
#include "tests/support/http_server.h"

namespace {

namespace fs = std::filesystem;
using gleaner::store::Archive;
using gleaner::store::OpenMode;
using gleaner::store::Store;
using gleaner::testing::HttpReply;
using gleaner::testing::HttpServer;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The size of a SQLite file with its WAL folded in.
int64_t FileBytes(gleaner::store::Database& db) {
  (void)db.Exec("PRAGMA wal_checkpoint(TRUNCATE)");
  std::error_code ec;
  return static_cast<int64_t>(fs::file_size(db.path(), ec));
}

std::string TempDir(const std::string& name) {
  std::string dir = fs::temp_directory_path() /
                    ("gleaner-bench-archive-" + name + "-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

struct Page {
  std::string url;
  std::string html;
};

std::vector<Page> AebPages(const std::string& dir) {
  std::vector<Page> pages;
  std::error_code ec;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir + "/html", ec)) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  for (const fs::path& file : files) {
    std::string html = gleaner::testing::GunzipFile(file.string());
    if (html.empty()) continue;
    pages.push_back({"https://aeb.example/" + file.stem().stem().string(), std::move(html)});
  }
  return pages;
}

// 1 and 2: the archive and reextract on the AEB pages.
int BenchAeb(const std::string& aeb_dir) {
  std::vector<Page> pages = AebPages(aeb_dir);
  if (pages.empty()) {
    std::printf("AEB pages: %s not found, skipped\n", aeb_dir.c_str());
    return 0;
  }
  std::string dir = TempDir("aeb");
  auto archive = Archive::Open(dir + "/g.archive.db", OpenMode::kCreate);
  auto store = Store::Open(dir + "/g.db", OpenMode::kCreate);
  if (!archive || !store) return 1;
  int64_t raw = 0;
  double zstd_seconds = 0;
  std::string out;
  for (const Page& p : pages) {
    raw += static_cast<int64_t>(p.html.size());
    out.resize(ZSTD_compressBound(p.html.size()));
    auto start = Clock::now();
    (void)ZSTD_compress(out.data(), out.size(), p.html.data(), p.html.size(),
                        gleaner::store::kArchiveZstdLevel);
    zstd_seconds += Seconds(start);
  }
  int64_t stored = 0;
  auto add_start = Clock::now();
  for (const Page& p : pages) {
    gleaner::store::NewCapture c;
    c.url = c.final_url = p.url;
    c.status = 200;
    c.head = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n";
    c.body = p.html;
    c.fetched = gleaner::store::Now();
    auto added = archive->Add({c});
    if (!added) {
      std::fprintf(stderr, "bench_archive: %s\n", added.error().message.c_str());
      return 1;
    }
    stored += added->compressed_bytes;
  }
  double add_seconds = Seconds(add_start);
  int64_t file = FileBytes(archive->database());
  double n = static_cast<double>(pages.size());
  std::printf("archive, %zu AEB pages, %.1f KB raw per page:\n", pages.size(), raw / n / 1024);
  std::printf("  zstd level %d: %.1f KB per page stored, %.1f %% of raw (file: %.1f %%)\n",
              gleaner::store::kArchiveZstdLevel, stored / n / 1024, 100.0 * stored / raw,
              100.0 * file / raw);
  std::printf("  compress %.3f ms per page; Archive::Add (hash, compress, insert) %.3f ms\n",
              zstd_seconds * 1000 / n, add_seconds * 1000 / n);

  // extract: the pipeline alone, pages in memory, as `gleaner extract` runs it per page.
  auto sites = gleaner::rules::SiteSet::Create({});
  auto extract_start = Clock::now();
  int extracted = 0;
  for (const Page& p : pages) {
    gleaner::PageInput input{p.html, p.url, std::string("text/html")};
    extracted += gleaner::ExtractPage(input, &*sites, {}).has_value() ? 1 : 0;
  }
  double extract_seconds = Seconds(extract_start);
  gleaner::Config config;
  gleaner::schedule::ReextractOptions options;
  auto first_start = Clock::now();
  auto first = gleaner::schedule::Reextract(config, *sites, *store, *archive, options, {});
  double first_seconds = Seconds(first_start);
  auto again_start = Clock::now();
  auto again = gleaner::schedule::Reextract(config, *sites, *store, *archive, options, {});
  double again_seconds = Seconds(again_start);
  if (!first || !again) return 1;
  std::printf("extract vs reextract, %zu pages (%d extracted):\n", pages.size(), extracted);
  std::printf("  extract   %.1f pages/s\n", n / extract_seconds);
  std::printf(
      "  reextract %.1f pages/s adding every record (%.2fx), %.1f pages/s with every "
      "record in place (%.2fx)\n",
      n / first_seconds, extract_seconds / first_seconds, n / again_seconds,
      extract_seconds / again_seconds);
  fs::remove_all(dir);
  return 0;
}

struct CrawlRun {
  double cpu_ms_per_page = 0;
  double pages_per_second = 0;
  int64_t db_bytes = 0;
  int64_t archive_bytes = 0;
  double claim_ms_per_1000 = 0;
};

// One crawl of `articles` distinct pages from `server`; the archive on or off.
bool Crawl(const std::string& page_site_yaml, int articles, bool archive_on, CrawlRun& run) {
  std::string dir = TempDir(archive_on ? "on" : "off");
  auto site = gleaner::rules::ParseSiteRules(page_site_yaml, "bench.yaml");
  auto sites = gleaner::rules::SiteSet::Create({*site});
  auto store = Store::Open(dir + "/g.db", OpenMode::kCreate);
  std::optional<Archive> archive;
  if (archive_on) {
    auto opened = Archive::Open(dir + "/g.archive.db", OpenMode::kCreate);
    if (!opened) return false;
    archive = std::move(*opened);
  }
  if (!site || !sites || !store) return false;
  gleaner::Config config;
  config.fetch.delay = std::chrono::milliseconds(0);
  config.fetch.jitter = std::chrono::milliseconds(0);
  config.fetch.per_host_connections = 16;
  config.fetch.global_connections = 16;
  config.fetch.allow_networks = {*gleaner::fetch::ParseNetwork("127.0.0.0/8")};
  config.crawl.max_in_flight = 64;
  config.crawl.new_urls_per_poll = articles;
  gleaner::fetch::CurlFetcherOptions options;
  options.settings = config.fetch;
  auto fetcher = gleaner::fetch::CurlFetcher::Create(options);
  gleaner::schedule::Crawler crawler(config, std::move(*sites), *store, **fetcher,
                                     gleaner::store::Now);
  if (archive) crawler.SetArchive(&*archive);
  (void)crawler.Seed();
  auto start = Clock::now();
  double cpu_start = ThreadCpuSeconds();
  int64_t stored = 0;
  while (stored < articles) {
    if (!crawler.Step(std::chrono::milliseconds(50))) return false;
    const auto& h = crawler.health().at("bench");
    stored = h.new_articles;
    if (h.fetch_errors + h.extract_errors > 0) return false;
  }
  run.cpu_ms_per_page = (ThreadCpuSeconds() - cpu_start) * 1000 / articles;
  run.pages_per_second = articles / Seconds(start);
  run.db_bytes = FileBytes(store->database());
  run.archive_bytes = archive ? FileBytes(archive->database()) : 0;
  gleaner::store::ClaimRequest claim;
  claim.limit = 100;
  auto claim_start = Clock::now();
  int64_t claimed = 0;
  while (true) {
    auto batch = store->queue().Claim(claim, gleaner::store::Now());
    if (!batch) return false;
    if (batch->empty()) break;
    std::vector<std::string> tokens;
    for (const auto& m : *batch) tokens.push_back(m.token);
    if (!store->queue().Ack(tokens, gleaner::store::Now())) return false;
    claimed += static_cast<int64_t>(batch->size());
  }
  run.claim_ms_per_1000 = Seconds(claim_start) * 1000 * 1000 / std::max<int64_t>(claimed, 1);
  fs::remove_all(dir);
  return claimed == articles;
}

// 3: the crawl, archive off and on.
int BenchCrawl(int articles, int rounds) {
  std::string page =
      Slurp("tests/fixtures/pages/maghress-fr-2022-10-31-onu-technologie/source.html");
  if (page.empty()) {
    std::fprintf(stderr, "bench_archive: run from the source tree\n");
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
  // Every page distinct as articles of one site are: the site's template, and prose of its
  // own (500 words drawn from the page's own vocabulary) in the article's place, so the
  // archive compresses and stores each one as it would real articles.
  std::vector<std::string> words;
  for (size_t i = 0; i < page.size();) {
    size_t j = i;
    while (j < page.size() && std::isalpha(static_cast<unsigned char>(page[j]))) ++j;
    if (j - i >= 3 && j - i <= 12) words.push_back(page.substr(i, j - i));
    i = j + 1;
  }
  std::string marker = "class=\"articlecontent\">";
  size_t article = page.find(marker);
  if (article == std::string::npos || words.empty()) return 1;
  article += marker.size();
  uint64_t total_bytes = 0;
  for (int i = 1; i <= articles; ++i) {
    std::string prose;
    uint32_t x = static_cast<uint32_t>(i) * 2654435761u;
    for (int w = 0; w < 500; ++w) {
      x = x * 1664525u + 1013904223u;
      prose += words[(x >> 8) % words.size()] + (w % 15 == 14 ? ". " : " ");
    }
    std::string own = page;
    own.insert(article, prose);
    total_bytes += own.size();
    std::string number = std::to_string(i);
    server.Route("/fr/a/" + number, [own](const gleaner::testing::HttpRequest&) {
      return HttpReply::Text(own, "text/html");
    });
  }
  double page_bytes = static_cast<double>(total_bytes) / articles;
  std::string origin = server.Origin();
  std::string escaped = "http://127\\.0\\.0\\.1:" + std::to_string(server.port());
  std::string yaml = "id: bench\nname: bench\nlanguage: fr\nurls: '^" + escaped +
                     "/'\narticles: '^" + escaped +
                     "/fr/a/[0-9]+$'\nsources:\n  - sitemap: " + origin +
                     "/sitemap.xml\n    every: 1h\n"
                     "ticker: '.ticker a'\nremove: ['.modal']\nlayouts:\n  - title: .articletitle\n"
                     "    source: .articlenewspaper a\n    published: .articlenewspaper\n    body: "
                     ".articlecontent\n";
  CrawlRun best_off, best_on;
  best_off.cpu_ms_per_page = best_on.cpu_ms_per_page = 1e9;
  for (int r = 0; r < rounds; ++r) {
    for (bool on : {false, true}) {
      CrawlRun run;
      if (!Crawl(yaml, articles, on, run)) {
        std::fprintf(stderr, "bench_archive: the crawl failed\n");
        return 1;
      }
      CrawlRun& best = on ? best_on : best_off;
      if (run.cpu_ms_per_page < best.cpu_ms_per_page) best = run;
    }
  }
  std::printf("crawl of %d distinct pages of %.0f bytes on average, politeness off, best of %d:\n",
              articles, page_bytes, rounds);
  std::printf(
      "  archive off: %.3f ms CPU per page, %.0f pages/s, database %.1f KB per page, "
      "claim+ack %.1f ms per 1000\n",
      best_off.cpu_ms_per_page, best_off.pages_per_second, best_off.db_bytes / 1024.0 / articles,
      best_off.claim_ms_per_1000);
  std::printf(
      "  archive on:  %.3f ms CPU per page, %.0f pages/s, database %.1f KB per page, "
      "claim+ack %.1f ms per 1000\n",
      best_on.cpu_ms_per_page, best_on.pages_per_second, best_on.db_bytes / 1024.0 / articles,
      best_on.claim_ms_per_1000);
  std::printf("  archive: %.1f KB per page stored (%.1f %% of the page); CPU %+.1f %%\n",
              best_on.archive_bytes / 1024.0 / articles,
              100.0 * best_on.archive_bytes / articles / page_bytes,
              100.0 * (best_on.cpu_ms_per_page / best_off.cpu_ms_per_page - 1));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string aeb = argc > 1 ? argv[1] : "../shared/data/aeb";
  int articles = argc > 2 ? std::atoi(argv[2]) : 2000;
  int rounds = argc > 3 ? std::atoi(argv[3]) : 3;
  if (articles <= 0 || rounds <= 0) {
    std::fprintf(stderr, "usage: bench_archive [AEB_DIR [ARTICLES [ROUNDS]]]\n");
    return 2;
  }
  if (int rc = BenchAeb(aeb); rc != 0) return rc;
  return BenchCrawl(articles, rounds);
}
