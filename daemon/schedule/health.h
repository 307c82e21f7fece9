// Per-site health counters the crawler keeps while the daemon runs, and the daemon
// publishes in its status file for `gleaner status`. Plain data plus one bounded counter;
// no I/O, no clock (times are passed in). Not thread-safe.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "daemon/store/timestamps.h"

namespace gleaner::schedule {

using store::Time;

// Errors within the last hour, counted per minute, so that its size does not grow with
// the error rate (a hostile site can fail thousands of times an hour).
class ErrorWindow {
 public:
  // REQUIRES: `now` is not earlier than the previous Add's by more than the hour.
  void Add(Time now);
  // Errors in the hour up to `now`.
  int64_t CountSince(Time now) const;

 private:
  static constexpr int64_t kMinutes = 60;
  // Moves the window forward to `minute`, emptying the minutes it passes.
  void Advance(int64_t minute);
  std::array<uint32_t, kMinutes> counts_{};  // by minute since the epoch, modulo kMinutes
  int64_t latest_ = 0;                       // the newest minute counted
};

// The upper bounds, in seconds, of the fetch latency histogram's buckets: from a fast
// loopback answer to the fetcher's longest transfer timeout.
inline constexpr std::array<double, 11> kLatencyBounds = {0.025, 0.05, 0.1, 0.25, 0.5, 1,
                                                          2.5,   5,    10,  30,   60};

// Time spent in the transfers of one fetch (every hop and retry; politeness waits left out),
// counted as a Prometheus histogram counts it.
struct LatencyHistogram {
  // buckets[i]: fetches that took more than kLatencyBounds[i - 1] (0 for i = 0) and at most
  // kLatencyBounds[i]; slower ones are counted in `count` only (the +Inf bucket).
  std::array<int64_t, kLatencyBounds.size()> buckets{};
  int64_t count = 0;
  int64_t sum_ms = 0;
  void Add(std::chrono::milliseconds took);
};

// Per-site health since the daemon started (`gleaner status` shows it).
struct SiteHealth {
  int64_t polls = 0;             // source fetches completed (304 included)
  int64_t poll_errors = 0;       // source fetches that failed or did not parse
  int64_t discovered = 0;        // article URLs new to the frontier
  int64_t fetched = 0;           // article pages fetched and extracted
  int64_t new_articles = 0;      // stored for the first time
  int64_t updated_articles = 0;  // stored again with a changed title or body
  int64_t fetch_errors = 0;      // article fetches that failed
  int64_t extract_errors = 0;    // pages from which nothing could be extracted
  int64_t rule_breakage = 0;     // records where the generic fallback had to step in
  int64_t long_urls = 0;         // discovered URLs dropped for being over kMaxUrlBytes
  int64_t offsite_sitemaps = 0;  // sitemaps named off the site's hosts, not read
  std::map<std::string, int64_t> errors_by_kind;  // fetch error kind -> count
  // Why the rules broke -> count, keyed by the rule (the warning with its figures taken
  // out), at most kMaxBrokenRules keys; the rest are counted under kOtherBrokenRules.
  std::map<std::string, int64_t> broken_rules;
  std::optional<Time> last_new_article;
  std::optional<Time> last_success;    // the last fetch of one of its pages that succeeded
  std::optional<Time> last_discovery;  // the last poll that found a new article URL
  std::optional<Time> last_breakage_logged;
  std::optional<Time> last_breakage;  // the last record its rules broke on
  std::optional<Time> last_rules_ok;  // the last record its rules extracted alone
  std::optional<Time> last_failure;   // the last poll or fetch of its pages that failed
  int64_t bytes = 0;                  // received: bodies (decoded) and headers
  LatencyHistogram latency;           // of its requests that were sent
  ErrorWindow recent_errors;
};
inline constexpr size_t kMaxBrokenRules = 16;

// An error the crawler logged: a failed poll or fetch, a page nothing was extracted from.
// `site`, `url` and `message` come from the web (hostile text, escaped wherever shown).
struct RecentError {
  Time at{};
  std::string site;
  std::string url;
  std::string message;
};
// The errors the crawler keeps (the newest), for the status page.
inline constexpr size_t kMaxRecentErrors = 50;
// The most of an error message kept: an HTTP reply's text can be long.
inline constexpr size_t kMaxErrorMessageBytes = 512;
inline constexpr char kOtherBrokenRules[] = "(other rules)";

}  // namespace gleaner::schedule
