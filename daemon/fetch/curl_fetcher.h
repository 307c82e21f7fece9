// The real Fetcher: libcurl's multi interface, many transfers in flight on the polling
// thread, with politeness (per-host spacing with jitter, per-host and global connection
// caps, robots.txt Crawl-delay), robots.txt fetched once per origin and cached, conditional
// requests, retries with backoff, Retry-After, a per-host circuit breaker, and a cap on
// every input. Redirects are followed here, hop by hop (never by libcurl), so robots.txt,
// the scheme check and per-host spacing apply to every hop.
//
// It must not retry what cannot get better (4xx, caps, robots), wait on a Retry-After longer
// than `max_retry_wait`, hold more than the size cap of any body in memory, or keep state
// that grows with uptime: the robots.txt cache is an LRU capped by `robots_cache_entries`
// and `robots_cache_bytes`, and a host's politeness state is forgotten after `host_idle`.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/fetch/fetcher.h"
#include "daemon/settings/config.h"
#include "extractors/core/result.h"

namespace gleaner::fetch {

// What the fetcher asks for (the Accept header's value): pages and feeds first, anything
// else accepted with low preference (the content-type check decides afterwards; some feeds
// are served as text/plain).
inline constexpr std::string_view kAcceptPagesValue =
    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

// The User-Agent the fetcher sends: the product token, then the contact in "(+...)" when
// one is configured.
std::string UserAgentOf(const FetchSettings& settings);

struct CurlFetcherOptions {
  FetchSettings settings;  // config.yaml's `fetch:` section
  // Wait before retry n: retry_base * 2^(n-1), at most retry_max, with equal jitter.
  std::chrono::milliseconds retry_base{1000};
  std::chrono::milliseconds retry_max{60000};
  // A Retry-After longer than this is not waited for: the request fails now, and the host
  // stays paused (at most max_host_pause) so other requests to it fail fast too.
  std::chrono::milliseconds max_retry_wait{300000};
  std::chrono::milliseconds max_host_pause{86400000};
  // How long a robots.txt that could not be fetched (5xx, unreachable) is remembered, so
  // that a queue of pages for a sick host does not refetch it for each page.
  std::chrono::milliseconds robots_failure_ttl{300000};
  // RFC 9309 asks crawlers to parse at least 500 KiB; a longer file is truncated, not refused.
  uint64_t max_robots_bytes = 512 * 1024;
  // Seed for the jitter and backoff draws; random when absent.
  std::optional<uint64_t> seed;
};

// What a CurlFetcher keeps in memory, for tests and status reports.
struct CurlFetcherStats {
  size_t hosts = 0;           // hosts with politeness state (spacing, pauses, breaker)
  size_t robots_entries = 0;  // origins in the robots.txt cache
  uint64_t robots_bytes = 0;  // their estimated size (origin + parsed rules)
  size_t busy_hosts = 0;      // hosts with submitted requests not yet delivered
};

class CurlFetcher final : public Fetcher {
 public:
  // Returns kNetwork when libcurl cannot be initialised.
  static Result<std::unique_ptr<CurlFetcher>> Create(const CurlFetcherOptions& options);

  // Drops requests still pending without calling their callbacks.
  ~CurlFetcher() override;

  CurlFetcher(const CurlFetcher&) = delete;
  CurlFetcher& operator=(const CurlFetcher&) = delete;

  void Submit(FetchRequest request, Callback done) override;
  size_t Poll(std::chrono::milliseconds max_wait) override;
  size_t Pending() const override;
  void Wakeup() override;
  std::vector<std::string> Sitemaps(std::string_view url) const override;

  // Counts the host's requests submitted and not yet delivered (queued, waiting on
  // robots.txt, waiting to retry or transferring; a redirected request counts for the host
  // it was sent on to) against `per_host_connections`, and asks the host's politeness
  // state: a breaker or Retry-After pause gives `paused` with the time left; all slots
  // taken gives 0 with wait 0; spacing gives 0 with the time until the next start
  // (at least 1 ms); otherwise the free slots.
  HostRoom RoomFor(std::string_view url) const override;
  // "Retry-After" or "circuit breaker" (the breaker wins when both hold), longest first.
  std::vector<HostPause> PausedHosts() const override;

  // Applies new `fetch:` settings (SIGHUP). They take effect for transfers started from
  // now on: timeouts, delay, jitter, caps, retries, the breaker, user agent and contact,
  // the robots.txt cache caps (the cache shrinks at once) and host_idle. Transfers in
  // flight finish under the settings they started with. A new product token drops the
  // cached robots.txt rules (their group was chosen for the old token). Never fails.
  void Reconfigure(const FetchSettings& settings);

  CurlFetcherStats Stats() const;

  class Impl;

 private:
  explicit CurlFetcher(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace gleaner::fetch
