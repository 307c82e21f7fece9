// What the web server (metrics and the status page) shows, in two parts:
//   - Snapshot: the crawler's in-memory figures, copied by the daemon's loop every few
//     seconds and handed to the server thread whole, so that the server never touches the
//     crawler's state and a slow client never holds the loop;
//   - DbFigures: what the server thread reads from the database itself, on its own
//     read-only connection, at most every few seconds however often it is asked.
// Plain data; no I/O.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "daemon/fetch/fetcher.h"
#include "daemon/schedule/health.h"
#include "daemon/store/queue.h"
#include "daemon/store/timestamps.h"

namespace gleaner::web {

using store::Time;

// An error the crawler logged (schedule/health.h): `site`, `url` and `message` come from
// the web, hostile text, escaped wherever shown.
using schedule::kMaxRecentErrors;
using schedule::RecentError;

// A site at a glance, worst first in this order of precedence: paused, failing, rules
// broken, ok.
enum class SiteState { kOk, kRulesBroken, kFailing, kPaused };
// "ok", "rules_broken", "failing", "paused": the label value in metrics and the page.
const char* SiteStateName(SiteState state);

// How long after its last error a site whose last attempt failed still counts as failing:
// a site polled hourly keeps that state between polls.
inline constexpr std::chrono::hours kFailingFor{1};

// The state of a site with `health` as of `now`: paused when one of its hosts is
// (`host_paused`); failing when its last poll or fetch failed and within kFailingFor;
// rules broken when the last record its rules gave needed generic extraction (until one
// comes out of the rules alone); else ok.
SiteState StateOf(const schedule::SiteHealth& health, bool host_paused, Time now);

struct SiteView {
  std::string id;
  std::string name;                // the site file's display name (may be empty)
  std::vector<std::string> hosts;  // the hosts of its sources, lowercase
  schedule::SiteHealth health;
  SiteState state = SiteState::kOk;
};

struct Snapshot {
  Time taken{};    // when the loop copied it
  Time started{};  // when the daemon started
  std::string version;
  std::vector<SiteView> sites;  // by id
  std::vector<fetch::HostPause> paused;
  std::vector<RecentError> errors;  // oldest first, at most kMaxRecentErrors
};

// The newest article a site stored for the first time.
struct LastArticle {
  Time first_seen{};
  std::string title;  // may be empty
  std::string url;
};

// New articles per hour over the last 7 days.
inline constexpr int kChartHours = 7 * 24;
using HourCounts = std::array<int64_t, kChartHours>;  // [0] is the oldest hour

struct DbFigures {
  Time read_at{};
  store::QueueStats queue;
  std::map<std::string, int64_t> backlog;  // site -> article URLs scheduled, never fetched
  // The hour that ends at `chart_end` is the last slot; slot i covers
  // [chart_end - (kChartHours - i) h, chart_end - (kChartHours - i - 1) h).
  Time chart_end{};
  HourCounts total{};
  std::map<std::string, HourCounts> per_site;   // sites with at least one new article
  std::map<std::string, LastArticle> last_new;  // sites with at least one article
};

}  // namespace gleaner::web
