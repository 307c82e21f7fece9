// The address guard inside the real fetcher: every connection, the first and each
// redirect's, is checked after DNS. Loopback only: the "internal" hosts are 127.x addresses
// left out of allow_networks, so no packet ever leaves the machine.
#include <catch2/catch.hpp>

#include "tests/unit/fetch_test_util.h"

namespace gleaner::fetch::test {
namespace {

using testing::HttpReply;
using testing::HttpServer;

const std::string kPage = "<html><head><title>t</title></head><body><p>internal</p></body></html>";

HttpServer::Options On(const std::string& address) {
  HttpServer::Options o;
  o.address = address;
  return o;
}

TEST_CASE("guard: a redirect to a refused address ends as blocked_address, unsent",
          "[fetch][guard]") {
  HttpServer internal(On("127.0.0.2"));
  internal.Route("/secret", HttpReply::Html(kPage));
  HttpServer site;  // 127.0.0.1, allowed by QuickOptions
  site.Route("/article", HttpReply::Redirect(302, internal.Url("/secret")));
  CurlFetcherOptions options = QuickOptions();
  options.settings.max_retries = 2;  // a network error would be retried; this is not one
  auto fetcher = MakeFetcher(options);
  FetchResult r = FetchOne(*fetcher, Get(site.Url("/article")));
  CHECK(r.error_kind == FetchErrorKind::kBlockedAddress);
  CHECK(ErrorKindName(r.error_kind) == "blocked_address");
  CHECK(r.body.empty());
  CHECK(r.error.find(internal.Url("/secret")) != std::string::npos);
  CHECK(r.error.find("127.0.0.2 is loopback 127.0.0.0/8") != std::string::npos);
  CHECK(internal.connections() == 0);
  // The refusal is no sign of a sick host: the allowed one is not paused.
  CHECK(fetcher->PausedHosts().empty());
}

TEST_CASE("guard: allow_networks decides which loopback addresses may be reached",
          "[fetch][guard]") {
  HttpServer other(On("127.0.0.3"));
  other.Route("/p", HttpReply::Html(kPage));
  CurlFetcherOptions options = QuickOptions();
  FetchResult refused = FetchOne(*MakeFetcher(options), Get(other.Url("/p")));
  CHECK(refused.error_kind == FetchErrorKind::kBlockedAddress);
  CHECK(other.connections() == 0);
  options.settings.allow_networks.push_back(*ParseNetwork("127.0.0.3"));
  FetchResult allowed = FetchOne(*MakeFetcher(options), Get(other.Url("/p")));
  CHECK(allowed.ok());
  CHECK(allowed.body == kPage);
}

TEST_CASE("guard: the name localhost is refused unless its address is allowed", "[fetch][guard]") {
  HttpServer server;
  server.Route("/p", HttpReply::Html(kPage));
  const std::string url = "http://localhost:" + std::to_string(server.port()) + "/p";
  CurlFetcherOptions options = QuickOptions();
  options.settings.allow_networks.clear();
  FetchResult refused = FetchOne(*MakeFetcher(options), Get(url));
  CHECK(refused.error_kind == FetchErrorKind::kBlockedAddress);
  CHECK(server.connections() == 0);
  options.settings.allow_networks = {*ParseNetwork("127.0.0.1/32")};
  FetchResult allowed = FetchOne(*MakeFetcher(options), Get(url));
  CHECK(allowed.ok());
}

TEST_CASE("guard: Reconfigure applies a new allow list to new connections", "[fetch][guard]") {
  HttpServer other(On("127.0.0.4"));
  other.Route("/p", HttpReply::Html(kPage));
  CurlFetcherOptions options = QuickOptions();
  auto fetcher = MakeFetcher(options);
  CHECK(FetchOne(*fetcher, Get(other.Url("/p"))).error_kind == FetchErrorKind::kBlockedAddress);
  FetchSettings wider = options.settings;
  wider.allow_networks.push_back(*ParseNetwork("127.0.0.0/8"));
  fetcher->Reconfigure(wider);
  CHECK(FetchOne(*fetcher, Get(other.Url("/p"))).ok());
}

}  // namespace
}  // namespace gleaner::fetch::test
