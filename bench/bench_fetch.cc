// bench_fetch: CurlFetcher's throughput and CPU cost per request against a local server,
// with politeness off, keep-alive and a fixed number of transfers in flight, next to the
// same load driven by bare libcurl multi (the floor we cannot beat).
//
//   build/bench/bench_fetch [--requests N] [--inflight K] [--page-bytes B]
//
// CPU is the polling thread's own (CLOCK_THREAD_CPUTIME_ID): the fetcher plus libcurl,
// not the server's threads. Target: >= 10,000 requests/s and <= 50 us CPU per
// request at 16 in flight.
#include <curl/curl.h>
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "daemon/fetch/curl_fetcher.h"
#include "tests/support/http_server.h"

namespace {

using gleaner::fetch::CurlFetcher;
using gleaner::fetch::CurlFetcherOptions;
using gleaner::fetch::FetchRequest;
using gleaner::fetch::FetchResult;
using gleaner::testing::HttpReply;
using gleaner::testing::HttpServer;

struct Params {
  int requests = 100000;
  int inflight = 16;
  size_t page_bytes = 2048;
};

struct Figures {
  double seconds = 0;
  double cpu_seconds = 0;
  int ok = 0;
};

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

double WallSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

Params ParseParams(int argc, char** argv) {
  Params p;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string name = argv[i];
    long value = std::strtol(argv[i + 1], nullptr, 10);
    if (name == "--requests") p.requests = static_cast<int>(value);
    if (name == "--inflight") p.inflight = static_cast<int>(value);
    if (name == "--page-bytes") p.page_bytes = static_cast<size_t>(value);
  }
  return p;
}

// The fetcher under test: keeps `inflight` requests submitted until `count` are done.
Figures RunFetcher(CurlFetcher& fetcher, const std::string& base, int count, int inflight) {
  Figures f;
  int submitted = 0;
  std::function<void()> submit_next;
  auto on_done = [&](FetchResult&& r) {
    if (r.ok()) ++f.ok;
    if (submitted < count) submit_next();
  };
  submit_next = [&] {
    FetchRequest request;
    request.url = base + std::to_string(submitted++);
    fetcher.Submit(std::move(request), on_done);
  };
  double wall0 = WallSeconds(), cpu0 = ThreadCpuSeconds();
  for (int i = 0; i < inflight && submitted < count; ++i) submit_next();
  while (fetcher.Pending() > 0) fetcher.Poll(std::chrono::milliseconds(100));
  f.seconds = WallSeconds() - wall0;
  f.cpu_seconds = ThreadCpuSeconds() - cpu0;
  return f;
}

size_t Discard(char*, size_t size, size_t count, void*) { return size * count; }

// Bare libcurl multi, easy handles reused: the same load with no fetcher around it.
Figures RunBareCurl(const std::string& base, int count, int inflight) {
  Figures f;
  CURLM* multi = curl_multi_init();
  std::vector<CURL*> easies;
  std::vector<std::string> urls(static_cast<size_t>(inflight));
  int submitted = 0;
  auto start = [&](CURL* easy, size_t slot) {
    urls[slot] = base + std::to_string(submitted++);
    curl_easy_setopt(easy, CURLOPT_URL, urls[slot].c_str());
    curl_multi_add_handle(multi, easy);
  };
  double wall0 = WallSeconds(), cpu0 = ThreadCpuSeconds();
  for (int i = 0; i < inflight && submitted < count; ++i) {
    CURL* easy = curl_easy_init();
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Discard);
    curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(easy, CURLOPT_PRIVATE, reinterpret_cast<void*>(static_cast<intptr_t>(i)));
    easies.push_back(easy);
    start(easy, static_cast<size_t>(i));
  }
  int running = 1;
  while (running > 0) {
    curl_multi_perform(multi, &running);
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      if (msg->data.result == CURLE_OK) ++f.ok;
      CURL* easy = msg->easy_handle;
      char* slot = nullptr;
      curl_easy_getinfo(easy, CURLINFO_PRIVATE, &slot);
      curl_multi_remove_handle(multi, easy);
      if (submitted < count) {
        start(easy, static_cast<size_t>(reinterpret_cast<intptr_t>(slot)));
        running = 1;
      }
    }
    if (running > 0) curl_multi_poll(multi, nullptr, 0, 100, nullptr);
  }
  f.seconds = WallSeconds() - wall0;
  f.cpu_seconds = ThreadCpuSeconds() - cpu0;
  for (CURL* easy : easies) curl_easy_cleanup(easy);
  curl_multi_cleanup(multi);
  return f;
}

void Print(const char* name, const Figures& f, int count) {
  std::printf("  %-22s %8.0f req/s  %6.1f us CPU/request  (%d/%d ok, %.2f s)\n", name,
              count / f.seconds, f.cpu_seconds * 1e6 / count, f.ok, count, f.seconds);
}

}  // namespace

int main(int argc, char** argv) {
  Params p = ParseParams(argc, argv);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  HttpServer server(HttpServer::Options{/*record=*/false});
  std::string page = "<!doctype html><html><head><title>t</title></head><body><p>" +
                     std::string(p.page_bytes > 80 ? p.page_bytes - 80 : 0, 'x') +
                     "</p></body></html>";
  server.Route("/page", HttpReply::Html(page));
  const std::string base = server.Url("/page?n=");

  CurlFetcherOptions options;
  options.settings.delay = std::chrono::milliseconds(0);
  options.settings.jitter = std::chrono::milliseconds(0);
  options.settings.per_host_connections = p.inflight;
  options.settings.global_connections = p.inflight;
  options.settings.max_retries = 0;
  options.settings.allow_networks = {
      *gleaner::fetch::ParseNetwork("127.0.0.0/8")};  // the test server
  auto fetcher = CurlFetcher::Create(options);
  if (!fetcher) {
    std::fprintf(stderr, "bench_fetch: %s\n", fetcher.error().message.c_str());
    return 1;
  }
  std::printf(
      "bench_fetch: %d requests, %d in flight, %zu-byte pages, keep-alive, "
      "politeness off, 127.0.0.1\n",
      p.requests, p.inflight, page.size());
  RunFetcher(**fetcher, base, 2000, p.inflight);  // warm-up: robots.txt, connections
  RunBareCurl(base, 2000, p.inflight);
  uint64_t connections_before = server.connections();
  Figures bare = RunBareCurl(base, p.requests, p.inflight);
  uint64_t bare_connections = server.connections() - connections_before;
  Figures ours = RunFetcher(**fetcher, base, p.requests, p.inflight);
  uint64_t our_connections = server.connections() - connections_before - bare_connections;
  Print("libcurl multi alone", bare, p.requests);
  Print("CurlFetcher", ours, p.requests);
  std::printf("  new connections during the runs: libcurl %llu, CurlFetcher %llu\n",
              static_cast<unsigned long long>(bare_connections),
              static_cast<unsigned long long>(our_connections));
  server.Stop();
  curl_global_cleanup();
  return ours.ok == p.requests ? 0 : 1;
}
