// The fetcher's small decisions, without a network: what counts as a page, binary bodies
// behind an HTML label, Retry-After, backoff, and per-host politeness bookkeeping driven by
// made-up times.
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>

#include "daemon/fetch/fetcher.h"
#include "daemon/fetch/host_policy.h"
#include "daemon/fetch/http_util.h"

namespace gleaner::fetch {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST_CASE("fetch: content types we parse", "[fetch][policy]") {
  CHECK(IsPageContentType("text/html; charset=utf-8"));
  CHECK(IsPageContentType("TEXT/HTML"));
  CHECK(IsPageContentType("application/xhtml+xml"));
  CHECK(IsPageContentType("application/rss+xml; charset=windows-1256"));
  CHECK(IsPageContentType("application/atom+xml"));
  CHECK(IsPageContentType("text/xml"));
  CHECK(IsPageContentType(""));
  CHECK_FALSE(IsPageContentType("image/png"));
  CHECK_FALSE(IsPageContentType("application/pdf"));
  CHECK_FALSE(IsPageContentType("application/json"));
}

TEST_CASE("fetch: binary bodies are recognised whatever their label", "[fetch][policy]") {
  CHECK(SniffBinary("\x89PNG\r\n\x1a\n....") == std::optional<std::string_view>("image/png"));
  CHECK(SniffBinary("\xFF\xD8\xFF\xE0") == std::optional<std::string_view>("image/jpeg"));
  CHECK(SniffBinary("%PDF-1.7") == std::optional<std::string_view>("application/pdf"));
  CHECK(SniffBinary(std::string("<html>\0", 7)).has_value());
  CHECK_FALSE(SniffBinary("<!doctype html><html>").has_value());
  CHECK_FALSE(SniffBinary("<?xml version=\"1.0\"?><rss/>").has_value());
  CHECK_FALSE(SniffBinary("").has_value());
  // UTF-16 pages are full of NUL bytes but are text.
  CHECK_FALSE(SniffBinary(std::string("\xFF\xFE<\0h\0", 6)).has_value());
}

TEST_CASE("fetch: Retry-After as seconds or as an HTTP date", "[fetch][policy]") {
  auto now = std::chrono::system_clock::from_time_t(1700000000);  // 2023-11-14T22:13:20Z
  CHECK(ParseRetryAfter("120", now) == milliseconds(120000));
  CHECK(ParseRetryAfter(" 0 ", now) == milliseconds(0));
  CHECK(ParseRetryAfter("Tue, 14 Nov 2023 22:14:20 GMT", now) == milliseconds(60000));
  CHECK(ParseRetryAfter("Tue, 14 Nov 2023 22:00:00 GMT", now) == milliseconds(0));
  CHECK_FALSE(ParseRetryAfter("soon", now).has_value());
  CHECK_FALSE(ParseRetryAfter("", now).has_value());
  CHECK_FALSE(ParseRetryAfter("-5", now).has_value());
}

TEST_CASE("fetch: backoff doubles, is capped, and jitters within [d/2, d]", "[fetch][policy]") {
  const milliseconds base(1000), max(8000);
  CHECK(BackoffDelay(1, base, max, 1.0) == milliseconds(1000));
  CHECK(BackoffDelay(2, base, max, 1.0) == milliseconds(2000));
  CHECK(BackoffDelay(3, base, max, 1.0) == milliseconds(4000));
  CHECK(BackoffDelay(10, base, max, 1.0) == milliseconds(8000));
  CHECK(BackoffDelay(3, base, max, 0.0) == milliseconds(2000));
  CHECK(BackoffDelay(60, base, max, 0.5) == milliseconds(6000));
}

TEST_CASE("fetch: URL targets for politeness and robots", "[fetch][policy]") {
  auto t = TargetOf("HTTPS://Example.ORG:443/a/b?x=1#frag");
  REQUIRE(t.has_value());
  CHECK(t->host == "example.org");
  CHECK(t->origin == "https://example.org");
  CHECK(t->path_and_query == "/a/b?x=1");
  auto p = TargetOf("http://127.0.0.1:8080");
  REQUIRE(p.has_value());
  CHECK(p->origin == "http://127.0.0.1:8080");
  CHECK(p->path_and_query == "/");
  CHECK_FALSE(TargetOf("file:///etc/passwd").has_value());
  CHECK_FALSE(TargetOf("/relative").has_value());
  CHECK(SchemeOf("file:///etc/passwd") == "file");
}

TEST_CASE("fetch: contract names and exit codes of error kinds", "[fetch][policy]") {
  CHECK(ErrorKindName(FetchErrorKind::kStalled) == "timeout");
  CHECK(ErrorKindName(FetchErrorKind::kConnectTimeout) == "timeout");
  CHECK(ErrorKindName(FetchErrorKind::kTooLarge) == "too_large");
  CHECK(ErrorKindName(FetchErrorKind::kTooManyRedirects) == "too_many_redirects");
  CHECK(ErrorCodeFor(FetchErrorKind::kRobots) == ErrorCode::kRobots);
  CHECK(ErrorCodeFor(FetchErrorKind::kHttpStatus) == ErrorCode::kHttpStatus);
  CHECK(ErrorCodeFor(FetchErrorKind::kReset) == ErrorCode::kNetwork);
}

using Gate = HostPolicy::Gate;

TEST_CASE("host policy: spacing between starts and the per-host slot cap", "[fetch][policy]") {
  HostPolicy policy({/*per_host_connections=*/2, /*breaker_failures=*/3, seconds(60)});
  auto t0 = HostPolicy::TimePoint{} + seconds(1000);
  CHECK(policy.Check("a.org", t0).gate == Gate::kOpen);
  policy.OnStart("a.org", t0, seconds(1));
  auto d = policy.Check("a.org", t0 + milliseconds(500));
  CHECK(d.gate == Gate::kWait);
  CHECK(d.until == t0 + seconds(1));
  CHECK(policy.Check("b.org", t0).gate == Gate::kOpen);  // hosts are independent
  policy.OnStart("a.org", t0 + seconds(1), milliseconds(0));
  CHECK(policy.Check("a.org", t0 + seconds(2)).gate == Gate::kBusy);
  policy.OnFinish("a.org");
  CHECK(policy.Check("a.org", t0 + seconds(2)).gate == Gate::kOpen);
}

TEST_CASE("host policy: Crawl-delay raises the spacing, never lowers it", "[fetch][policy]") {
  HostPolicy policy({2, 3, seconds(60)});
  policy.SetCrawlDelay("a.org", seconds(5));
  CHECK(policy.Spacing("a.org", seconds(1)) == seconds(5));
  CHECK(policy.Spacing("a.org", seconds(9)) == seconds(9));
  CHECK(policy.Spacing("b.org", seconds(1)) == seconds(1));
}

TEST_CASE("host policy: Retry-After pauses the host", "[fetch][policy]") {
  HostPolicy policy({2, 3, seconds(60)});
  auto t0 = HostPolicy::TimePoint{} + seconds(1000);
  policy.PauseUntil("a.org", t0 + seconds(30));
  policy.PauseUntil("a.org", t0 + seconds(10));  // a shorter pause does not shorten it
  auto d = policy.Check("a.org", t0 + seconds(20));
  CHECK(d.gate == Gate::kPaused);
  CHECK(d.until == t0 + seconds(30));
  CHECK(policy.Check("a.org", t0 + seconds(30)).gate == Gate::kOpen);
}

TEST_CASE("host policy: the breaker opens after N consecutive failures, half-opens after",
          "[fetch][policy]") {
  HostPolicy policy({2, 3, seconds(60)});
  auto t0 = HostPolicy::TimePoint{} + seconds(1000);
  CHECK_FALSE(policy.OnFailure("a.org", t0));
  CHECK_FALSE(policy.OnFailure("a.org", t0));
  policy.OnSuccess("a.org");  // a success breaks the streak
  CHECK_FALSE(policy.OnFailure("a.org", t0));
  CHECK_FALSE(policy.OnFailure("a.org", t0));
  auto until = policy.OnFailure("a.org", t0);
  REQUIRE(until.has_value());
  CHECK(*until == t0 + seconds(60));
  CHECK(policy.Check("a.org", t0 + seconds(59)).gate == Gate::kBroken);
  CHECK(policy.Check("a.org", t0 + seconds(60)).gate == Gate::kOpen);
  // Half-open: one more failure after the pause opens it again at once.
  CHECK(policy.OnFailure("a.org", t0 + seconds(61)).has_value());
  policy.OnSuccess("a.org");
  CHECK_FALSE(policy.OnFailure("a.org", t0 + seconds(200)));
}

TEST_CASE("host policy: idle hosts are forgotten, busy, paused and spaced ones kept",
          "[fetch][policy]") {
  HostPolicy policy({2, 3, seconds(60)});
  auto t0 = HostPolicy::TimePoint{} + seconds(1000);
  policy.OnStart("idle.org", t0, seconds(1));
  policy.OnFinish("idle.org");
  policy.OnStart("busy.org", t0, seconds(1));  // still transferring
  policy.OnStart("paused.org", t0, seconds(1));
  policy.OnFinish("paused.org");
  policy.PauseUntil("paused.org", t0 + seconds(3600));
  policy.OnStart("spaced.org", t0, seconds(600));
  policy.OnFinish("spaced.org");
  policy.OnStart("recent.org", t0 + seconds(100), seconds(1));
  policy.OnFinish("recent.org");
  REQUIRE(policy.hosts() == 5);
  CHECK(policy.DropIdle(t0 + seconds(120), seconds(60)) == 1);
  CHECK(policy.hosts() == 4);
  CHECK(policy.active("busy.org") == 1);
  CHECK(policy.Check("paused.org", t0 + seconds(120)).gate == Gate::kPaused);
  CHECK(policy.Check("spaced.org", t0 + seconds(120)).gate == Gate::kWait);
  policy.OnFinish("busy.org");
  CHECK(policy.DropIdle(t0 + seconds(7200), seconds(60)) == 4);
  CHECK(policy.hosts() == 0);
}

TEST_CASE("host policy: paused hosts are listed with the cause", "[fetch][policy]") {
  HostPolicy policy({2, 1, seconds(60)});
  auto t0 = HostPolicy::TimePoint{} + seconds(1000);
  policy.PauseUntil("slow.org", t0 + seconds(30));
  REQUIRE(policy.OnFailure("dead.org", t0).has_value());
  policy.OnStart("fine.org", t0, seconds(0));
  auto paused = policy.Paused(t0 + seconds(1));
  REQUIRE(paused.size() == 2);
  std::sort(paused.begin(), paused.end(), [](auto& a, auto& b) { return a.host < b.host; });
  CHECK(paused[0].host == "dead.org");
  CHECK(paused[0].breaker);
  CHECK(paused[0].until == t0 + seconds(60));
  CHECK(paused[1].host == "slow.org");
  CHECK_FALSE(paused[1].breaker);
  CHECK(policy.Paused(t0 + seconds(60)).empty());
}

TEST_CASE("host policy: new limits apply to later checks", "[fetch][policy]") {
  HostPolicy policy({1, 3, seconds(60)});
  auto t0 = HostPolicy::TimePoint{} + seconds(1000);
  policy.OnStart("a.org", t0, seconds(0));
  CHECK(policy.Check("a.org", t0).gate == Gate::kBusy);
  policy.SetLimits({2, 1, seconds(5)});
  CHECK(policy.Check("a.org", t0).gate == Gate::kOpen);
  auto until = policy.OnFailure("a.org", t0);  // one failure now opens the breaker
  REQUIRE(until.has_value());
  CHECK(*until == t0 + seconds(5));
}

}  // namespace
}  // namespace gleaner::fetch
