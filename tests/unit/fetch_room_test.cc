// How much work a host may take (RoomFor), which hosts refuse work (PausedHosts), the
// bounded state a long-running fetcher keeps (robots.txt LRU, idle host state) and
// Reconfigure, checked against real servers on 127.0.0.1. Waits are compared with wide
// margins: a test never asserts how long anything took.
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "daemon/fetch/curl_fetcher.h"
#include "daemon/fetch/fake_fetcher.h"
#include "daemon/fetch/robots.h"
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

// The same server under another host name: politeness state is kept per host.
std::string OtherHostUrl(const HttpServer& server, const std::string& path) {
  return "http://localhost:" + std::to_string(server.port()) + path;
}

void PollUntilIdle(Fetcher& fetcher) {
  while (fetcher.Pending() > 0) fetcher.Poll(100ms);
}

TEST_CASE("fetch room: a fresh host has per_host_connections, submitted requests take it",
          "[fetch][room]") {
  HttpServer server;
  server.Route("/p", HttpReply::Html(kPage));
  CurlFetcherOptions options = QuickOptions();
  options.settings.per_host_connections = 3;
  auto fetcher = MakeFetcher(options);
  HostRoom fresh = fetcher->RoomFor(server.Url("/p"));
  CHECK(fresh.requests == 3);
  CHECK_FALSE(fresh.paused);
  for (int i = 0; i < 2; ++i) fetcher->Submit(Get(server.Url("/p?" + std::to_string(i))), {});
  CHECK(fetcher->RoomFor(server.Url("/other")).requests == 1);  // the host, not the URL
  fetcher->Submit(Get(server.Url("/p?2")), {});
  HostRoom full = fetcher->RoomFor(server.Url("/p"));
  CHECK(full.requests == 0);
  CHECK(full.wait == 0ms);
  CHECK_FALSE(full.paused);
  CHECK(fetcher->RoomFor(OtherHostUrl(server, "/p")).requests == 3);  // other hosts unaffected
  CHECK(fetcher->RoomFor("not a url").requests == 1);
  PollUntilIdle(*fetcher);
  CHECK(fetcher->RoomFor(server.Url("/p")).requests == 3);  // delivered: the room is back
  CHECK(fetcher->Stats().busy_hosts == 0);
}

TEST_CASE("fetch room: a redirected request counts for the host it was sent on to",
          "[fetch][room]") {
  HttpServer server;
  server.Route("/hop", HttpReply::Redirect(302, OtherHostUrl(server, "/slow")));
  server.Route("/slow", [](const HttpRequest&) {
    std::this_thread::sleep_for(300ms);
    return HttpReply::Html(kPage);
  });
  CurlFetcherOptions options = QuickOptions();
  options.settings.per_host_connections = 2;
  auto fetcher = MakeFetcher(options);
  FetchResult result;
  fetcher->Submit(Get(server.Url("/hop")), [&](FetchResult&& r) { result = std::move(r); });
  while (server.CountFor("/slow") == 0 && fetcher->Pending() > 0) fetcher->Poll(10ms);
  CHECK(fetcher->RoomFor(server.Url("/")).requests == 2);
  CHECK(fetcher->RoomFor(OtherHostUrl(server, "/")).requests == 1);
  PollUntilIdle(*fetcher);
  CHECK(result.ok());
  CHECK(result.redirects == 1);
  CHECK(fetcher->RoomFor(OtherHostUrl(server, "/")).requests == 2);
}

TEST_CASE("fetch room: the host's spacing gives no room and the wait until the next start",
          "[fetch][room]") {
  HttpServer server;
  server.Route("/p", HttpReply::Html(kPage));
  CurlFetcherOptions options = QuickOptions();
  options.settings.delay = 1000ms;
  auto fetcher = MakeFetcher(options);
  REQUIRE(FetchOne(*fetcher, Get(server.Url("/p"))).ok());  // robots.txt, then the page
  HostRoom room = fetcher->RoomFor(server.Url("/p"));
  CHECK(room.requests == 0);
  CHECK_FALSE(room.paused);
  CHECK(room.wait > 0ms);
  CHECK(room.wait <= 1000ms);
  std::this_thread::sleep_for(room.wait);
  CHECK(fetcher->RoomFor(server.Url("/p")).requests == 2);
}

TEST_CASE("fetch room: Retry-After: 3600 pauses the host for about an hour", "[fetch][room]") {
  HttpServer server;
  server.Route("/later", HttpReply::Text("no", "text/plain", 503).With("Retry-After", "3600"));
  server.Route("/next", HttpReply::Html(kPage));
  CurlFetcherOptions options = QuickOptions();
  options.settings.max_retries = 3;
  options.max_retry_wait = 10s;
  auto fetcher = MakeFetcher(options);
  FetchResult later = FetchOne(*fetcher, Get(server.Url("/later")));
  CHECK(later.status == 503);
  CHECK(later.error_kind == FetchErrorKind::kHttpStatus);
  REQUIRE(later.retry_in.has_value());  // its next try is pointless before the pause ends
  CHECK(*later.retry_in > 3500s);

  HostRoom room = fetcher->RoomFor(server.Url("/next"));
  CHECK(room.paused);
  CHECK(room.requests == 0);
  CHECK(room.wait > 3500s);
  CHECK(room.wait <= 3600s);
  std::vector<HostPause> paused = fetcher->PausedHosts();
  REQUIRE(paused.size() == 1);
  CHECK(paused[0].host == "127.0.0.1");
  CHECK(paused[0].reason == "Retry-After");
  CHECK(paused[0].remaining > 3500s);

  FetchResult next = FetchOne(*fetcher, Get(server.Url("/next")));
  CHECK(next.error_kind == FetchErrorKind::kHostPaused);
  REQUIRE(next.retry_in.has_value());
  CHECK(*next.retry_in > 3500s);
  CHECK(*next.retry_in <= 3600s);
  CHECK(server.CountFor("/next") == 0);
  CHECK_FALSE(fetcher->RoomFor(OtherHostUrl(server, "/next")).paused);
}

TEST_CASE("fetch room: an open circuit breaker pauses the host", "[fetch][room]") {
  HttpServer server;
  server.Route("/down", HttpReply::Text("down", "text/plain", 500));
  CurlFetcherOptions options = QuickOptions();
  options.settings.breaker_failures = 2;
  options.settings.breaker_pause = 60s;
  auto fetcher = MakeFetcher(options);
  CHECK_FALSE(FetchOne(*fetcher, Get(server.Url("/down?1"))).ok());
  CHECK_FALSE(fetcher->RoomFor(server.Url("/down")).paused);  // one failure: still open
  CHECK_FALSE(FetchOne(*fetcher, Get(server.Url("/down?2"))).ok());

  HostRoom room = fetcher->RoomFor(server.Url("/down"));
  CHECK(room.paused);
  CHECK(room.requests == 0);
  CHECK(room.wait > 50s);
  CHECK(room.wait <= 60s);
  std::vector<HostPause> paused = fetcher->PausedHosts();
  REQUIRE(paused.size() == 1);
  CHECK(paused[0].reason == "circuit breaker");

  FetchResult next = FetchOne(*fetcher, Get(server.Url("/down?3")));
  CHECK(next.error_kind == FetchErrorKind::kHostPaused);
  REQUIRE(next.retry_in.has_value());
  CHECK(*next.retry_in > 50s);
  CHECK(*next.retry_in <= 60s);
  CHECK(server.CountFor("/down") == 2);
}

TEST_CASE("fetch room: PausedHosts lists the longest pause first", "[fetch][room]") {
  HttpServer server;
  server.Route("/short", HttpReply::Text("no", "text/plain", 503).With("Retry-After", "600"));
  server.Route("/long", HttpReply::Text("no", "text/plain", 503).With("Retry-After", "3600"));
  CurlFetcherOptions options = QuickOptions();
  options.max_retry_wait = 10s;
  auto fetcher = MakeFetcher(options);
  FetchOne(*fetcher, Get(server.Url("/short")));
  FetchOne(*fetcher, Get(OtherHostUrl(server, "/long")));
  std::vector<HostPause> paused = fetcher->PausedHosts();
  REQUIRE(paused.size() == 2);
  CHECK(paused[0].host == "localhost");
  CHECK(paused[1].host == "127.0.0.1");
  CHECK(paused[0].remaining > paused[1].remaining);
}

// Three servers are three origins (ports differ); fetches a page from each, in `order`.
struct ThreeOrigins {
  HttpServer servers[3];

  explicit ThreeOrigins(const std::string& robots) {
    for (HttpServer& s : servers) {
      s.Route("/robots.txt", HttpReply::Text(robots));
      s.Route("/p", HttpReply::Html(kPage));
    }
  }
  void Fetch(Fetcher& fetcher, const std::vector<int>& order) {
    for (int i : order) REQUIRE(FetchOne(fetcher, Get(servers[i].Url("/p"))).ok());
  }
  size_t RobotsRequests(int i) const { return servers[i].CountFor("/robots.txt"); }
};

TEST_CASE("fetch room: the robots.txt cache keeps robots_cache_entries origins, LRU",
          "[fetch][room][robots]") {
  ThreeOrigins origins("User-agent: *\nDisallow: /private\n");
  CurlFetcherOptions options = QuickOptions();
  options.settings.robots_cache_entries = 2;
  auto fetcher = MakeFetcher(options);
  origins.Fetch(*fetcher, {0, 1, 0, 2});  // 0 was used after 1: 1 is the one evicted
  CHECK(fetcher->Stats().robots_entries == 2);
  origins.Fetch(*fetcher, {0, 2, 1});
  CHECK(origins.RobotsRequests(0) == 1);
  CHECK(origins.RobotsRequests(2) == 1);
  CHECK(origins.RobotsRequests(1) == 2);  // evicted, so fetched again
  CHECK(fetcher->Stats().robots_entries == 2);
}

TEST_CASE("fetch room: the robots.txt cache keeps at most robots_cache_bytes",
          "[fetch][room][robots]") {
  std::string robots = "User-agent: *\n";
  for (int i = 0; i < 50; ++i) robots += "Disallow: /private/section-" + std::to_string(i) + "\n";
  ThreeOrigins origins(robots);
  const uint64_t entry =
      origins.servers[0].Origin().size() + RobotsRules::Parse(robots, "gleaner").bytes();
  CurlFetcherOptions options = QuickOptions();
  options.settings.robots_cache_bytes = 2 * entry + entry / 2;  // two entries fit, not three
  auto fetcher = MakeFetcher(options);
  origins.Fetch(*fetcher, {0, 1, 2});
  CHECK(fetcher->Stats().robots_entries == 2);
  CHECK(fetcher->Stats().robots_bytes <= options.settings.robots_cache_bytes);
  origins.Fetch(*fetcher, {1, 2, 0});
  CHECK(origins.RobotsRequests(1) == 1);
  CHECK(origins.RobotsRequests(2) == 1);
  CHECK(origins.RobotsRequests(0) == 2);
}

TEST_CASE("fetch room: Crawl-delay outlives the eviction of the host's state",
          "[fetch][room][robots]") {
  HttpServer server;
  server.Route("/robots.txt", HttpReply::Text("User-agent: *\nCrawl-delay: 0.4\n"));
  server.Route("/p", HttpReply::Html(kPage));
  CurlFetcherOptions options = QuickOptions();
  options.settings.host_idle = 1ms;
  auto fetcher = MakeFetcher(options);
  REQUIRE(FetchOne(*fetcher, Get(server.Url("/p?1"))).ok());
  std::this_thread::sleep_for(500ms);  // past the spacing and host_idle
  fetcher->Poll(0ms);
  REQUIRE(fetcher->Stats().hosts == 0);  // the host's Crawl-delay was forgotten with it
  REQUIRE(FetchOne(*fetcher, Get(server.Url("/p?2"))).ok());
  REQUIRE(FetchOne(*fetcher, Get(server.Url("/p?3"))).ok());
  auto seen = server.RequestsFor("/p");
  REQUIRE(seen.size() == 3);
  CHECK(Gap(seen[1], seen[2]) >= 380ms);
  CHECK(server.CountFor("/robots.txt") == 1);
}

TEST_CASE("fetch room: an idle host's state is dropped after host_idle, a paused one kept",
          "[fetch][room]") {
  HttpServer server;
  server.Route("/p", HttpReply::Html(kPage));
  server.Route("/later", HttpReply::Text("no", "text/plain", 503).With("Retry-After", "3600"));
  CurlFetcherOptions options = QuickOptions();
  options.settings.host_idle = 50ms;
  options.max_retry_wait = 10s;
  auto fetcher = MakeFetcher(options);
  REQUIRE(FetchOne(*fetcher, Get(server.Url("/p"))).ok());
  FetchOne(*fetcher, Get(OtherHostUrl(server, "/later")));
  std::this_thread::sleep_for(200ms);
  fetcher->Poll(0ms);
  CHECK(fetcher->Stats().hosts == 1);  // localhost is paused: its pause must outlive idleness
  CHECK(fetcher->PausedHosts().size() == 1);
  CHECK(fetcher->RoomFor(OtherHostUrl(server, "/p")).paused);
}

TEST_CASE("fetch room: Reconfigure changes the User-Agent, the delay and the caps",
          "[fetch][room]") {
  HttpServer server;
  server.Route("/robots.txt", HttpReply::Text("User-agent: *\nDisallow:\n"));
  server.Route("/p", HttpReply::Html(kPage));
  auto fetcher = MakeFetcher(QuickOptions());
  REQUIRE(FetchOne(*fetcher, Get(server.Url("/p?1"))).ok());

  FetchSettings settings = QuickOptions().settings;
  settings.user_agent = "newbot/2.0";
  settings.delay = 500ms;
  settings.per_host_connections = 5;
  fetcher->Reconfigure(settings);
  CHECK(fetcher->RoomFor(server.Url("/p")).requests == 5);
  REQUIRE(FetchOne(*fetcher, Get(server.Url("/p?2"))).ok());
  REQUIRE(FetchOne(*fetcher, Get(server.Url("/p?3"))).ok());

  auto seen = server.RequestsFor("/p");
  REQUIRE(seen.size() == 3);
  CHECK(seen[0].Header("user-agent") == "gleaner/0.1");
  CHECK(seen[1].Header("user-agent") == "newbot/2.0");
  CHECK(seen[2].Header("user-agent") == "newbot/2.0");
  CHECK(Gap(seen[1], seen[2]) >= 450ms);
  // The cached rules were chosen for the old product token: robots.txt is read again.
  auto robots = server.RequestsFor("/robots.txt");
  REQUIRE(robots.size() == 2);
  CHECK(robots[1].Header("user-agent") == "newbot/2.0");
}

TEST_CASE("fake fetcher: room per host, pauses and kHostPaused answers", "[fetch][fake]") {
  FakeFetcher fetcher;
  fetcher.SetResponse("http://a.org/1", FakePage(kPage));
  CHECK(fetcher.RoomFor("http://a.org/x").requests == 2);
  fetcher.Submit(Get("http://a.org/1"), {});
  CHECK(fetcher.RoomFor("http://a.org/x").requests == 1);
  fetcher.SetRoom(5);
  CHECK(fetcher.RoomFor("http://a.org/x").requests == 4);
  CHECK(fetcher.RoomFor("http://b.org/x").requests == 5);
  CHECK(fetcher.RoomFor("::").requests == 1);

  fetcher.PauseHost("a.org", 30s, "Retry-After");
  fetcher.PauseHost("b.org", 90s, "circuit breaker");
  HostRoom room = fetcher.RoomFor("http://a.org/x");
  CHECK(room.paused);
  CHECK(room.requests == 0);
  CHECK(room.wait == 30s);
  std::vector<HostPause> paused = fetcher.PausedHosts();
  REQUIRE(paused.size() == 2);
  CHECK(paused[0].host == "b.org");
  CHECK(paused[0].reason == "circuit breaker");
  CHECK(paused[1].remaining == 30s);

  FetchResult answer;
  fetcher.Submit(Get("http://a.org/2"), [&](FetchResult&& r) { answer = std::move(r); });
  fetcher.Poll(0ms);  // answers both queued requests
  CHECK(answer.error_kind == FetchErrorKind::kHostPaused);
  CHECK(answer.retry_in == 30s);
  CHECK(fetcher.requests().size() == 2);

  fetcher.ResumeHost("a.org");
  CHECK_FALSE(fetcher.RoomFor("http://a.org/x").paused);
  CHECK(fetcher.PausedHosts().size() == 1);
  CHECK(FetchOne(fetcher, Get("http://a.org/1")).ok());
}

}  // namespace
}  // namespace gleaner::fetch
