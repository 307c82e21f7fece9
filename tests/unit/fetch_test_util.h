// Shared by the CurlFetcher tests: options that keep tests quick (no politeness delay,
// short backoff) and a fetcher that fails the test when it cannot be created.
#pragma once

#include <catch2/catch.hpp>
#include <chrono>
#include <memory>

#include "daemon/fetch/curl_fetcher.h"
#include "tests/support/http_server.h"

namespace gleaner::fetch::test {

using namespace std::chrono_literals;

// Politeness off and short waits; each test turns on what it checks. The test servers
// listen on 127.0.0.1, which the address guard refuses unless allowed; other 127.x
// addresses stay refused, for the guard's tests.
inline CurlFetcherOptions QuickOptions() {
  CurlFetcherOptions o;
  o.settings.allow_networks = {*ParseNetwork("127.0.0.1/32")};
  o.settings.delay = 0ms;
  o.settings.jitter = 0ms;
  o.settings.max_retries = 0;
  o.settings.connect_timeout = 5s;
  o.settings.total_timeout = 20s;
  o.settings.stall_timeout = 10s;
  o.retry_base = 40ms;
  o.retry_max = 400ms;
  o.seed = 42;
  return o;
}

inline std::unique_ptr<CurlFetcher> MakeFetcher(const CurlFetcherOptions& options) {
  auto fetcher = CurlFetcher::Create(options);
  REQUIRE(fetcher.has_value());
  return std::move(*fetcher);
}

inline FetchRequest Get(std::string url) {
  FetchRequest r;
  r.url = std::move(url);
  return r;
}

// The gap between two recorded arrivals.
inline std::chrono::milliseconds Gap(const testing::HttpRequest& earlier,
                                     const testing::HttpRequest& later) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(later.arrival - earlier.arrival);
}

}  // namespace gleaner::fetch::test
