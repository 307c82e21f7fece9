// CurlFetcher against a real HTTP server on 127.0.0.1: what a collection box sees when a
// site answers, revalidates, fails, throttles, stalls, resets, lies about lengths, loops
// its redirects, serves 60 MB, a gzip bomb or an image, or redirects to a local file.
#include <atomic>
#include <catch2/catch.hpp>
#include <string>
#include <thread>

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

const std::string kPage = "<!doctype html><html><body><p>Bonjour</p></body></html>";

TEST_CASE("curl fetcher: a 200 page with its headers and our request headers", "[fetch][curl]") {
  HttpServer server;
  server.Route("/a", HttpReply::Html(kPage)
                         .With("ETag", "\"v1\"")
                         .With("Last-Modified", "Tue, 14 Nov 2023 22:13:20 GMT"));
  CurlFetcherOptions options = QuickOptions();
  options.settings.contact = "https://example.org/bot";
  auto fetcher = MakeFetcher(options);
  FetchRequest request = Get(server.Url("/a"));
  request.accept_language = "fr";
  FetchResult r = FetchOne(*fetcher, request);
  CHECK(r.ok());
  CHECK(r.status == 200);
  CHECK(r.body == kPage);
  CHECK(r.final_url == server.Url("/a"));
  CHECK(r.content_type == "text/html; charset=utf-8");
  CHECK(r.etag == "\"v1\"");
  CHECK(r.last_modified == "Tue, 14 Nov 2023 22:13:20 GMT");
  CHECK(r.attempts == 1);
  auto seen = server.RequestsFor("/a");
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].Header("user-agent") == "gleaner/0.1 (+https://example.org/bot)");
  CHECK(seen[0].Header("accept-language") == "fr");
  CHECK(seen[0].Header("accept-encoding").value_or("").find("gzip") != std::string::npos);
  CHECK(seen[0].Header("accept").value_or("").find("text/html") != std::string::npos);
  CHECK_FALSE(seen[0].Header("if-none-match").has_value());
}

TEST_CASE("curl fetcher: conditional requests, 304 is not modified, not an error",
          "[fetch][curl]") {
  HttpServer server;
  server.Route("/doc", [](const HttpRequest& req) {
    if (req.Header("if-none-match") == "\"v7\"") {
      HttpReply r;
      r.status = 304;
      return r.With("ETag", "\"v7\"");
    }
    return HttpReply::Html(kPage)
        .With("ETag", "\"v7\"")
        .With("Last-Modified", "Wed, 01 Nov 2023 10:00:00 GMT");
  });
  auto fetcher = MakeFetcher(QuickOptions());
  FetchResult first = FetchOne(*fetcher, Get(server.Url("/doc")));
  REQUIRE(first.ok());
  CHECK_FALSE(first.not_modified());

  FetchRequest again = Get(server.Url("/doc"));
  again.etag = first.etag;
  again.last_modified = first.last_modified;
  FetchResult second = FetchOne(*fetcher, again);
  CHECK(second.ok());
  CHECK(second.not_modified());
  CHECK(second.status == 304);
  CHECK(second.body.empty());
  auto seen = server.RequestsFor("/doc");
  REQUIRE(seen.size() == 2);
  CHECK(seen[1].Header("if-none-match") == "\"v7\"");
  CHECK(seen[1].Header("if-modified-since") == "Wed, 01 Nov 2023 10:00:00 GMT");
}

TEST_CASE("curl fetcher: 500 is retried with growing backoff, then reported", "[fetch][curl]") {
  HttpServer server;
  server.Route("/err", HttpReply::Text("oops", "text/plain", 500));
  CurlFetcherOptions options = QuickOptions();
  options.settings.max_retries = 3;
  options.retry_base = 60ms;
  auto fetcher = MakeFetcher(options);
  FetchResult r = FetchOne(*fetcher, Get(server.Url("/err")));
  CHECK(r.error_kind == FetchErrorKind::kHttpStatus);
  CHECK(r.status == 500);
  CHECK(r.attempts == 4);
  CHECK(r.error.find("500") != std::string::npos);
  auto seen = server.RequestsFor("/err");
  REQUIRE(seen.size() == 4);
  // Equal jitter waits at least half the nominal delay: 30, 60, 120 ms (5 ms margin).
  CHECK(Gap(seen[0], seen[1]) >= 25ms);
  CHECK(Gap(seen[1], seen[2]) >= 55ms);
  CHECK(Gap(seen[2], seen[3]) >= 115ms);
}

TEST_CASE("curl fetcher: 404 is not retried", "[fetch][curl]") {
  HttpServer server;
  CurlFetcherOptions options = QuickOptions();
  options.settings.max_retries = 3;
  auto fetcher = MakeFetcher(options);
  FetchResult r = FetchOne(*fetcher, Get(server.Url("/missing")));
  CHECK(r.error_kind == FetchErrorKind::kHttpStatus);
  CHECK(r.status == 404);
  CHECK(server.CountFor("/missing") == 1);
}

TEST_CASE("curl fetcher: 503 + Retry-After seconds is honoured", "[fetch][curl]") {
  HttpServer server;
  std::atomic<int> calls{0};
  server.Route("/busy", [&](const HttpRequest&) {
    if (calls++ == 0) return HttpReply::Text("busy", "text/plain", 503).With("Retry-After", "1");
    return HttpReply::Html(kPage);
  });
  CurlFetcherOptions options = QuickOptions();
  options.settings.max_retries = 2;
  auto fetcher = MakeFetcher(options);
  FetchResult r = FetchOne(*fetcher, Get(server.Url("/busy")));
  CHECK(r.ok());
  CHECK(r.attempts == 2);
  auto seen = server.RequestsFor("/busy");
  REQUIRE(seen.size() == 2);
  CHECK(Gap(seen[0], seen[1]) >= 950ms);
}

TEST_CASE("curl fetcher: 429 + Retry-After date pauses the whole host", "[fetch][curl]") {
  HttpServer server;
  std::atomic<int> calls{0};
  server.Route("/limited", [&](const HttpRequest&) {
    if (calls++ > 0) return HttpReply::Html(kPage);
    // Two seconds ahead at one-second resolution: the wait is between 1 and 2 s.
    std::time_t when = std::time(nullptr) + 2;
    char date[64];
    std::tm tm{};
    gmtime_r(&when, &tm);
    std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return HttpReply::Text("slow down", "text/plain", 429).With("Retry-After", date);
  });
  server.Route("/other", HttpReply::Html(kPage));
  CurlFetcherOptions options = QuickOptions();
  options.settings.max_retries = 2;
  auto fetcher = MakeFetcher(options);
  FetchResult limited;
  fetcher->Submit(Get(server.Url("/limited")), [&](FetchResult&& r) { limited = std::move(r); });
  // Once the 429 has arrived, another page of the same host must wait for the pause too.
  while (server.CountFor("/limited") == 0 || fetcher->Pending() == 0) fetcher->Poll(10ms);
  fetcher->Poll(50ms);
  FetchResult other = FetchOne(*fetcher, Get(server.Url("/other")));
  while (fetcher->Pending() > 0) fetcher->Poll(100ms);
  CHECK(limited.ok());
  CHECK(other.ok());
  auto first = server.RequestsFor("/limited");
  auto later = server.RequestsFor("/other");
  REQUIRE(first.size() == 2);
  REQUIRE(later.size() == 1);
  CHECK(Gap(first[0], first[1]) >= 900ms);
  CHECK(Gap(first[0], later[0]) >= 900ms);
}

TEST_CASE("curl fetcher: a Retry-After longer than we wait fails now and pauses the host",
          "[fetch][curl]") {
  HttpServer server;
  server.Route("/later", HttpReply::Text("no", "text/plain", 503).With("Retry-After", "3600"));
  server.Route("/next", HttpReply::Html(kPage));
  CurlFetcherOptions options = QuickOptions();
  options.settings.max_retries = 3;
  options.max_retry_wait = 10s;
  auto fetcher = MakeFetcher(options);
  FetchResult r = FetchOne(*fetcher, Get(server.Url("/later")));
  CHECK(r.error_kind == FetchErrorKind::kHttpStatus);
  CHECK(r.status == 503);
  CHECK(r.attempts == 1);
  CHECK(r.retry_after == "3600");
  FetchResult next = FetchOne(*fetcher, Get(server.Url("/next")));
  CHECK(next.error_kind == FetchErrorKind::kHostPaused);
  CHECK(server.CountFor("/next") == 0);
}

TEST_CASE("curl fetcher: a body trickling for 30 s is cut by the stall limit", "[fetch][curl]") {
  HttpServer server;
  HttpReply trickle = HttpReply::Html(std::string(30, 'x'));
  trickle.trickle_interval = 1000ms;  // one byte a second: 30 s in all
  server.Route("/trickle", trickle);
  CurlFetcherOptions options = QuickOptions();
  options.settings.stall_timeout = 1s;
  auto fetcher = MakeFetcher(options);
  FetchResult r = FetchOne(*fetcher, Get(server.Url("/trickle")));
  CHECK(r.error_kind == FetchErrorKind::kStalled);
  CHECK(ErrorKindName(r.error_kind) == "timeout");
  CHECK(r.error.find("stalled") != std::string::npos);
}

TEST_CASE("curl fetcher: a server that never answers hits the total timeout, retried",
          "[fetch][curl]") {
  HttpServer server;
  HttpReply silent;
  silent.never_answer = true;
  server.Route("/silent", silent);
  CurlFetcherOptions options = QuickOptions();
  options.settings.total_timeout = 400ms;
  options.settings.max_retries = 1;
  auto fetcher = MakeFetcher(options);
  FetchResult r = FetchOne(*fetcher, Get(server.Url("/silent")));
  CHECK(r.error_kind == FetchErrorKind::kTimeout);
  CHECK(r.attempts == 2);
  CHECK(server.CountFor("/silent") == 2);
}

TEST_CASE("curl fetcher: a connection reset mid-body is retried, then reported", "[fetch][curl]") {
  HttpServer server;
  HttpReply reset = HttpReply::Html(std::string(20000, 'x'));
  reset.reset_after = 1000;
  server.Route("/reset", reset);
  CurlFetcherOptions options = QuickOptions();
  options.settings.max_retries = 2;
  auto fetcher = MakeFetcher(options);
  FetchResult r = FetchOne(*fetcher, Get(server.Url("/reset")));
  CHECK(r.error_kind == FetchErrorKind::kReset);
  CHECK(r.attempts == 3);
  CHECK(server.CountFor("/reset") == 3);
}

TEST_CASE("curl fetcher: a Content-Length larger than the body is a broken transfer",
          "[fetch][curl]") {
  HttpServer server;
  HttpReply short_body = HttpReply::Html(kPage);
  short_body.declared_length = kPage.size() + 5000;
  server.Route("/short", short_body);
  auto fetcher = MakeFetcher(QuickOptions());
  FetchResult r = FetchOne(*fetcher, Get(server.Url("/short")));
  CHECK(r.error_kind == FetchErrorKind::kReset);
  CHECK(ErrorKindName(r.error_kind) == "reset");
}

TEST_CASE("curl fetcher: a refused connection is a connect failure", "[fetch][curl]") {
  std::string url;
  {
    HttpServer closed;  // take a free port, then close it
    url = closed.Url("/x");
  }
  CurlFetcherOptions options = QuickOptions();
  options.settings.max_retries = 1;
  auto fetcher = MakeFetcher(options);
  FetchResult r = FetchOne(*fetcher, Get(url));
  CHECK(r.error_kind == FetchErrorKind::kConnect);
  CHECK(r.status == 0);
}

TEST_CASE("curl fetcher: a redirect chain is followed hop by hop", "[fetch][curl]") {
  HttpServer server;
  server.Route("/r1", HttpReply::Redirect(301, "/r2"));
  server.Route("/r2", HttpReply::Redirect(302, server.Url("/r3?x=1#frag")));
  server.Route("/r3", HttpReply::Redirect(307, "final"));
  server.Route("/final", HttpReply::Html(kPage));
  auto fetcher = MakeFetcher(QuickOptions());
  FetchResult r = FetchOne(*fetcher, Get(server.Url("/r1")));
  CHECK(r.ok());
  CHECK(r.redirects == 3);
  CHECK(r.url == server.Url("/r1"));
  CHECK(r.final_url == server.Url("/final"));
  CHECK(r.body == kPage);
  CHECK(server.RequestsFor("/r3").at(0).target == "/r3?x=1");
}

TEST_CASE("curl fetcher: a redirect to another host gets that host's robots.txt", "[fetch][curl]") {
  HttpServer server;
  // "localhost" and "127.0.0.1" are two hosts to the fetcher, one server to the test.
  std::string other = "http://localhost:" + std::to_string(server.port());
  server.Route("/robots.txt", [](const HttpRequest& req) {
    bool localhost = req.Header("host").value_or("").rfind("localhost", 0) == 0;
    return HttpReply::Text(localhost ? "User-agent: *\nDisallow: /blocked\n" : "");
  });
  server.Route("/go", HttpReply::Redirect(302, other + "/blocked"));
  auto fetcher = MakeFetcher(QuickOptions());
  FetchResult r = FetchOne(*fetcher, Get(server.Url("/go")));
  CHECK(r.error_kind == FetchErrorKind::kRobots);
  CHECK(server.CountFor("/robots.txt") == 2);
  CHECK(server.CountFor("/blocked") == 0);
}

TEST_CASE("curl fetcher: a redirect loop is detected", "[fetch][curl]") {
  HttpServer server;
  server.Route("/loop-a", HttpReply::Redirect(302, "/loop-b"));
  server.Route("/loop-b", HttpReply::Redirect(302, "/loop-a"));
  auto fetcher = MakeFetcher(QuickOptions());
  FetchResult r = FetchOne(*fetcher, Get(server.Url("/loop-a")));
  CHECK(r.error_kind == FetchErrorKind::kTooManyRedirects);
  CHECK(r.error.find("loop") != std::string::npos);
  CHECK(server.CountFor("/loop-a") == 1);
  CHECK(server.CountFor("/loop-b") == 1);
}

TEST_CASE("curl fetcher: more redirects than the cap", "[fetch][curl]") {
  HttpServer server;
  for (int i = 0; i < 8; ++i) {
    server.Route("/hop" + std::to_string(i),
                 HttpReply::Redirect(301, "/hop" + std::to_string(i + 1)));
  }
  CurlFetcherOptions options = QuickOptions();
  options.settings.max_redirects = 5;
  auto fetcher = MakeFetcher(options);
  FetchResult r = FetchOne(*fetcher, Get(server.Url("/hop0")));
  CHECK(r.error_kind == FetchErrorKind::kTooManyRedirects);
  CHECK(r.redirects == 5);
  CHECK(server.CountFor("/hop5") == 1);
  CHECK(server.CountFor("/hop6") == 0);
}

TEST_CASE("curl fetcher: a redirect to file:///etc/passwd is refused", "[fetch][curl]") {
  HttpServer server;
  server.Route("/sneaky", HttpReply::Redirect(302, "file:///etc/passwd"));
  auto fetcher = MakeFetcher(QuickOptions());
  FetchResult r = FetchOne(*fetcher, Get(server.Url("/sneaky")));
  CHECK(r.error_kind == FetchErrorKind::kScheme);
  CHECK(r.body.find("root:") == std::string::npos);
  CHECK(r.error.find("file:///etc/passwd") != std::string::npos);
}

TEST_CASE("curl fetcher: non-http URLs are refused without a request", "[fetch][curl]") {
  auto fetcher = MakeFetcher(QuickOptions());
  bool called_in_submit = false;
  bool in_submit = true;
  FetchResult result;
  fetcher->Submit(Get("file:///etc/passwd"), [&](FetchResult&& r) {
    called_in_submit = in_submit;
    result = std::move(r);
  });
  in_submit = false;
  while (fetcher->Pending() > 0) fetcher->Poll(10ms);
  CHECK_FALSE(called_in_submit);
  CHECK(result.error_kind == FetchErrorKind::kScheme);
  CHECK(FetchOne(*fetcher, Get("not a url")).error_kind == FetchErrorKind::kScheme);
}

// Produces `total` bytes of HTML-ish filler in 64 KiB pieces, counting what it produced.
std::function<bool(std::string&)> Filler(uint64_t total,
                                         std::shared_ptr<std::atomic<uint64_t>> sent) {
  return [total, sent](std::string& chunk) {
    constexpr uint64_t kPiece = 64 * 1024;
    if (*sent >= total) return false;
    uint64_t n = std::min(kPiece, total - *sent);
    chunk.assign(static_cast<size_t>(n), 'a');
    *sent += n;
    return true;
  };
}

TEST_CASE("curl fetcher: a 60 MB body hits the size cap", "[fetch][curl]") {
  constexpr uint64_t k60MB = 60ull * 1000 * 1000;
  HttpServer server;
  auto sent_declared = std::make_shared<std::atomic<uint64_t>>(0);
  auto sent_chunked = std::make_shared<std::atomic<uint64_t>>(0);
  HttpReply declared = HttpReply::Html("");
  declared.stream = Filler(k60MB, sent_declared);
  declared.stream_length = k60MB;
  server.Route("/huge", declared);
  HttpReply chunked = HttpReply::Html("");
  chunked.stream = Filler(k60MB, sent_chunked);  // no length: only counting can stop it
  server.Route("/huge-chunked", chunked);
  CurlFetcherOptions options = QuickOptions();
  options.settings.max_body_bytes = 2 * 1000 * 1000;
  auto fetcher = MakeFetcher(options);

  FetchResult r = FetchOne(*fetcher, Get(server.Url("/huge")));
  CHECK(r.error_kind == FetchErrorKind::kTooLarge);
  CHECK(r.body.size() <= options.settings.max_body_bytes);

  FetchResult c = FetchOne(*fetcher, Get(server.Url("/huge-chunked")));
  CHECK(c.error_kind == FetchErrorKind::kTooLarge);
  CHECK(c.body.size() <= options.settings.max_body_bytes);
  server.Stop();
  // The transfer stopped early: far less than 60 MB left the server (socket buffers aside).
  CHECK(*sent_chunked < k60MB / 2);
}

TEST_CASE("curl fetcher: gzip is decoded, and a gzip bomb stops at the cap", "[fetch][curl]") {
  HttpServer server;
  server.Route("/gz", HttpReply::Html(testing::Gzip(kPage)).With("Content-Encoding", "gzip"));
  // 50 MB of spaces in about 50 KB: the cap must count decompressed bytes.
  server.Route(
      "/bomb",
      HttpReply::Html(testing::GzipBomb(50ull * 1000 * 1000)).With("Content-Encoding", "gzip"));
  CurlFetcherOptions options = QuickOptions();
  options.settings.max_body_bytes = 1000 * 1000;
  auto fetcher = MakeFetcher(options);
  FetchResult gz = FetchOne(*fetcher, Get(server.Url("/gz")));
  CHECK(gz.ok());
  CHECK(gz.body == kPage);
  FetchResult bomb = FetchOne(*fetcher, Get(server.Url("/bomb")));
  CHECK(bomb.error_kind == FetchErrorKind::kTooLarge);
  CHECK(bomb.body.size() <= options.settings.max_body_bytes);
}

TEST_CASE("curl fetcher: an image is refused, by its type or by its bytes", "[fetch][curl]") {
  HttpServer server;
  std::string png = std::string("\x89PNG\r\n\x1a\n", 8) + std::string(2000, '\x01');
  server.Route("/image.html", HttpReply::Text(png, "text/html"));
  server.Route("/image.png", HttpReply::Text(png, "image/png"));
  server.Route("/tiny.html", HttpReply::Text(png.substr(0, 20), "text/html"));
  auto fetcher = MakeFetcher(QuickOptions());
  FetchResult lying = FetchOne(*fetcher, Get(server.Url("/image.html")));
  CHECK(lying.error_kind == FetchErrorKind::kContentType);
  CHECK(lying.error.find("image/png") != std::string::npos);
  FetchResult honest = FetchOne(*fetcher, Get(server.Url("/image.png")));
  CHECK(honest.error_kind == FetchErrorKind::kContentType);
  // Shorter than the sniffing window: checked when the transfer ends.
  CHECK(FetchOne(*fetcher, Get(server.Url("/tiny.html"))).error_kind ==
        FetchErrorKind::kContentType);
  // A request that accepts anything gets the bytes.
  FetchRequest any = Get(server.Url("/image.png"));
  any.accept = AcceptContent::kAny;
  FetchResult raw = FetchOne(*fetcher, any);
  CHECK(raw.ok());
  CHECK(raw.body == png);
}

TEST_CASE("curl fetcher: an empty body is an empty success", "[fetch][curl]") {
  HttpServer server;
  server.Route("/empty", HttpReply::Html(""));
  auto fetcher = MakeFetcher(QuickOptions());
  FetchResult r = FetchOne(*fetcher, Get(server.Url("/empty")));
  CHECK(r.ok());
  CHECK(r.status == 200);
  CHECK(r.body.empty());
}

TEST_CASE("curl fetcher: connections are kept alive across requests", "[fetch][curl]") {
  HttpServer server;
  server.Route("/k", HttpReply::Html(kPage));
  auto fetcher = MakeFetcher(QuickOptions());
  for (int i = 0; i < 5; ++i) REQUIRE(FetchOne(*fetcher, Get(server.Url("/k"))).ok());
  CHECK(server.CountFor("/k") == 5);
  CHECK(server.connections() == 1);  // robots.txt and five pages on one connection
}

}  // namespace
}  // namespace gleaner::fetch
