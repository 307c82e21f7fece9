// Per-site health counters the crawler keeps while the daemon runs, and the daemon
// publishes in its status file for `gleaner status`. Plain data plus one bounded counter;
// no I/O, no clock (times are passed in). Not thread-safe.
#pragma once

#include <array>
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
  ErrorWindow recent_errors;
};
inline constexpr size_t kMaxBrokenRules = 16;
inline constexpr char kOtherBrokenRules[] = "(other rules)";

}  // namespace gleaner::schedule
