// Being a good citizen, checked from the server's side: robots.txt is read once and obeyed,
// requests to a host are spaced and capped, a sick host is rested. Gaps are measured
// between arrivals the server recorded, with margin, never as the test's own duration.
#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <mutex>
#include <thread>
#include <vector>

#include "daemon/fetch/curl_fetcher.h"
#include "tests/support/http_server.h"
#include "tests/unit/fetch_test_util.h"

namespace gleaner::fetch {
namespace {

using namespace std::chrono_literals;
using test::Gap;
using test::Get;
using test::MakeFetcher;
using test::QuickOptions;
using testing::HttpReply;
using testing::HttpRequest;
using testing::HttpServer;

const std::string kPage = "<html><body><p>ok</p></body></html>";

// Submits every URL at once and polls until all are done; results in submission order.
std::vector<FetchResult> FetchAll(Fetcher& fetcher, const std::vector<std::string>& urls) {
  std::vector<FetchResult> results(urls.size());
  for (size_t i = 0; i < urls.size(); ++i) {
    fetcher.Submit(Get(urls[i]), [&results, i](FetchResult&& r) { results[i] = std::move(r); });
  }
  while (fetcher.Pending() > 0) fetcher.Poll(200ms);
  return results;
}

TEST_CASE("politeness: robots.txt is fetched once and a disallowed URL is never requested",
          "[fetch][politeness]") {
  HttpServer server;
  server.Route("/robots.txt",
               HttpReply::Text("User-agent: *\nDisallow: /private\n\n"
                               "User-agent: gleaner\nDisallow: /members/\nAllow: /members/open\n"
                               "Sitemap: https://example.org/news.xml\n"));
  for (const char* path : {"/news/1", "/private/2", "/members/x", "/members/open/3"}) {
    server.Route(path, HttpReply::Html(kPage));
  }
  auto fetcher = MakeFetcher(QuickOptions());
  auto results = FetchAll(*fetcher, {server.Url("/news/1"), server.Url("/private/2"),
                                     server.Url("/members/x"), server.Url("/members/open/3")});
  CHECK(results[0].ok());
  CHECK(results[1].ok());  // our group replaces the * group
  CHECK(results[2].error_kind == FetchErrorKind::kRobots);
  CHECK(results[2].status == 0);
  CHECK(results[3].ok());
  CHECK(server.CountFor("/robots.txt") == 1);
  CHECK(server.CountFor("/members/x") == 0);
  CHECK(fetcher->Sitemaps(server.Url("/anything")) ==
        std::vector<std::string>{"https://example.org/news.xml"});
  // The robots.txt request comes first.
  CHECK(server.Requests().front().path == "/robots.txt");
}

TEST_CASE("politeness: a missing robots.txt (4xx) allows everything", "[fetch][politeness]") {
  HttpServer server;  // /robots.txt answers 404
  server.Route("/page", HttpReply::Html(kPage));
  auto fetcher = MakeFetcher(QuickOptions());
  CHECK(FetchOne(*fetcher, Get(server.Url("/page"))).ok());
  CHECK(server.CountFor("/robots.txt") == 1);
}

TEST_CASE("politeness: robots.txt 5xx means wait and retry", "[fetch][politeness]") {
  HttpServer server;
  std::atomic<int> calls{0};
  server.Route("/robots.txt", [&](const HttpRequest&) {
    if (calls++ == 0) return HttpReply::Text("down", "text/plain", 503);
    return HttpReply::Text("User-agent: *\nDisallow: /no\n");
  });
  server.Route("/yes", HttpReply::Html(kPage));
  CurlFetcherOptions options = QuickOptions();
  options.settings.max_retries = 2;
  auto fetcher = MakeFetcher(options);
  auto results = FetchAll(*fetcher, {server.Url("/yes"), server.Url("/no")});
  CHECK(results[0].ok());
  CHECK(results[1].error_kind == FetchErrorKind::kRobots);
  CHECK(server.CountFor("/robots.txt") == 2);
}

TEST_CASE("politeness: when robots.txt stays unavailable, no page is fetched",
          "[fetch][politeness]") {
  HttpServer server;
  server.Route("/robots.txt", HttpReply::Text("down", "text/plain", 500));
  server.Route("/a", HttpReply::Html(kPage));
  CurlFetcherOptions options = QuickOptions();
  options.settings.max_retries = 1;
  auto fetcher = MakeFetcher(options);
  auto results = FetchAll(*fetcher, {server.Url("/a"), server.Url("/a?2")});
  for (const FetchResult& r : results) {
    CHECK(r.error_kind == FetchErrorKind::kHttpStatus);
    CHECK(r.error.find("robots.txt") != std::string::npos);
  }
  CHECK(server.CountFor("/robots.txt") == 2);  // one try and one retry, shared by both pages
  CHECK(server.CountFor("/a") == 0);
}

TEST_CASE("politeness: requests to a host are spaced by the delay", "[fetch][politeness]") {
  HttpServer server;
  server.Route("/p", HttpReply::Html(kPage));
  CurlFetcherOptions options = QuickOptions();
  options.settings.delay = 250ms;
  options.settings.jitter = 100ms;
  auto fetcher = MakeFetcher(options);
  auto results = FetchAll(*fetcher, {server.Url("/p?1"), server.Url("/p?2"), server.Url("/p?3")});
  for (const FetchResult& r : results) CHECK(r.ok());
  auto seen = server.Requests();  // robots.txt, then the three pages in order
  REQUIRE(seen.size() == 4);
  CHECK(seen[1].target == "/p?1");
  CHECK(seen[3].target == "/p?3");
  for (size_t i = 1; i < seen.size(); ++i) CHECK(Gap(seen[i - 1], seen[i]) >= 240ms);
}

TEST_CASE("politeness: a site's own delay overrides the default", "[fetch][politeness]") {
  HttpServer server;
  server.Route("/p", HttpReply::Html(kPage));
  CurlFetcherOptions options = QuickOptions();
  options.settings.delay = 5s;  // the default, for sites that set none
  auto fetcher = MakeFetcher(options);
  std::vector<FetchResult> results(2);
  for (int i = 0; i < 2; ++i) {
    FetchRequest r = Get(server.Url("/p?" + std::to_string(i)));
    r.delay = 200ms;
    fetcher->Submit(r, [&results, i](FetchResult&& out) { results[i] = std::move(out); });
  }
  while (fetcher->Pending() > 0) fetcher->Poll(200ms);
  CHECK(results[0].ok());
  CHECK(results[1].ok());
  auto seen = server.Requests();  // robots.txt (spaced like its site), then both pages
  REQUIRE(seen.size() == 3);
  for (size_t i = 1; i < seen.size(); ++i) {
    CHECK(Gap(seen[i - 1], seen[i]) >= 190ms);
    CHECK(Gap(seen[i - 1], seen[i]) < 5s);
  }
}

TEST_CASE("politeness: robots.txt Crawl-delay larger than ours wins", "[fetch][politeness]") {
  HttpServer server;
  server.Route("/robots.txt", HttpReply::Text("User-agent: *\nCrawl-delay: 1\n"));
  server.Route("/p", HttpReply::Html(kPage));
  auto fetcher = MakeFetcher(QuickOptions());  // our delay: 0
  auto results = FetchAll(*fetcher, {server.Url("/p?1"), server.Url("/p?2")});
  CHECK(results[0].ok());
  CHECK(results[1].ok());
  auto seen = server.RequestsFor("/p");
  REQUIRE(seen.size() == 2);
  CHECK(Gap(seen[0], seen[1]) >= 950ms);
}

// Counts how many requests the server is handling at once, per Host header and overall.
struct ConcurrencyProbe {
  std::mutex mutex;
  std::map<std::string, int> current, peak;
  int all = 0, all_peak = 0;

  HttpReply Handle(const HttpRequest& req) {
    std::string host = req.Header("host").value_or("");
    {
      std::lock_guard<std::mutex> lock(mutex);
      peak[host] = std::max(peak[host], ++current[host]);
      all_peak = std::max(all_peak, ++all);
    }
    std::this_thread::sleep_for(100ms);
    {
      std::lock_guard<std::mutex> lock(mutex);
      --current[host];
      --all;
    }
    return HttpReply::Html(kPage);
  }
};

TEST_CASE("politeness: per-host and global connection caps", "[fetch][politeness]") {
  HttpServer server;
  ConcurrencyProbe probe;
  server.Route("/slow", [&](const HttpRequest& req) { return probe.Handle(req); });
  CurlFetcherOptions options = QuickOptions();
  options.settings.per_host_connections = 2;
  options.settings.global_connections = 3;
  auto fetcher = MakeFetcher(options);
  std::string a = server.Origin(), b = "http://localhost:" + std::to_string(server.port());
  std::vector<std::string> urls;
  for (int i = 0; i < 6; ++i) {
    urls.push_back(a + "/slow?" + std::to_string(i));
    urls.push_back(b + "/slow?" + std::to_string(i));
  }
  auto results = FetchAll(*fetcher, urls);
  for (const FetchResult& r : results) CHECK(r.ok());
  for (const auto& [host, peak] : probe.peak) {
    INFO(host);
    CHECK(peak <= 2);
  }
  CHECK(probe.all_peak <= 3);
  CHECK(probe.all_peak >= 2);  // and transfers did run in parallel
}

TEST_CASE("politeness: consecutive failures open the circuit breaker", "[fetch][politeness]") {
  HttpServer server;
  server.Route("/down", HttpReply::Text("down", "text/plain", 500));
  CurlFetcherOptions options = QuickOptions();
  options.settings.breaker_failures = 2;
  options.settings.breaker_pause = 60s;
  auto fetcher = MakeFetcher(options);
  CHECK(FetchOne(*fetcher, Get(server.Url("/down?1"))).error_kind == FetchErrorKind::kHttpStatus);
  CHECK(FetchOne(*fetcher, Get(server.Url("/down?2"))).error_kind == FetchErrorKind::kHttpStatus);
  FetchResult paused = FetchOne(*fetcher, Get(server.Url("/down?3")));
  CHECK(paused.error_kind == FetchErrorKind::kHostPaused);
  CHECK(paused.error.find("paused") != std::string::npos);
  CHECK(server.CountFor("/down") == 2);
  // Another host is not affected.
  FetchResult other =
      FetchOne(*fetcher, Get("http://localhost:" + std::to_string(server.port()) + "/down"));
  CHECK(other.error_kind == FetchErrorKind::kHttpStatus);
}

TEST_CASE("politeness: many requests complete, each exactly once", "[fetch][politeness]") {
  HttpServer server;
  server.Route("/n", [](const HttpRequest& req) { return HttpReply::Html(req.target); });
  CurlFetcherOptions options = QuickOptions();
  options.settings.per_host_connections = 4;
  auto fetcher = MakeFetcher(options);
  std::vector<std::string> urls;
  for (int i = 0; i < 200; ++i) urls.push_back(server.Url("/n?" + std::to_string(i)));
  auto results = FetchAll(*fetcher, urls);
  for (size_t i = 0; i < results.size(); ++i) {
    REQUIRE(results[i].ok());
    CHECK(results[i].body == "/n?" + std::to_string(i));
  }
  CHECK(server.CountFor("/n") == 200);
  CHECK(server.connections() <= 4);
}

}  // namespace
}  // namespace gleaner::fetch
