// Per-host politeness and health: how many transfers a host has in flight, when the next
// request to it may start, Retry-After pauses, and the circuit breaker that rests a host
// after consecutive failures. Pure bookkeeping: "now" is always a parameter, so tests drive
// it with made-up times. It does not decide what a failure is (the fetcher does) nor queue
// requests. Not thread-safe.
//
// State is kept only for hosts in use: DropIdle forgets hosts that have been quiet for a
// while, so months of crawling many hosts do not grow it without bound.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace gleaner::fetch {

class HostPolicy {
 public:
  using Clock = std::chrono::steady_clock;
  using TimePoint = Clock::time_point;

  struct Limits {
    int per_host_connections = 2;
    int breaker_failures = 5;  // consecutive failed tries that open the breaker
    std::chrono::milliseconds breaker_pause{600000};
  };

  enum class Gate {
    kOpen,    // a request may start now
    kBusy,    // all the host's slots are in use: wait for a transfer to finish
    kWait,    // spacing between requests: wait until `until`
    kPaused,  // Retry-After: no request before `until`
    kBroken,  // the circuit breaker is open until `until`: fail fast
  };
  struct Decision {
    Gate gate = Gate::kOpen;
    TimePoint until{};
  };

  // A host refusing work at some moment (see Paused).
  struct Pause {
    std::string host;
    TimePoint until{};
    bool breaker = false;  // the circuit breaker; otherwise a Retry-After pause
  };

  explicit HostPolicy(Limits limits) : limits_(limits) {}

  // New limits apply to every later Check and OnFailure; state already kept (an open
  // breaker's end, transfers in flight) stays as it is.
  void SetLimits(Limits limits) { limits_ = limits; }

  // Whether a request to `host` may start at `now`.
  Decision Check(const std::string& host, TimePoint now) const;

  // A request to `host` started at `now`; the next may start `gap` later. Counts as a use
  // of the host (see DropIdle).
  void OnStart(const std::string& host, TimePoint now, std::chrono::milliseconds gap);
  // A transfer to `host` ended (whatever its outcome): its slot is free.
  void OnFinish(const std::string& host);

  // A try failed (network error, 5xx, 429); counts as a use of the host. Returns the end of the
  // pause when this failure opened the breaker: after `breaker_failures` in a row, or the first
  // failure after a pause (half-open: the host must prove itself with one success).
  std::optional<TimePoint> OnFailure(const std::string& host, TimePoint now);
  // The host answered sensibly: the failure count and the half-open state are cleared.
  void OnSuccess(const std::string& host);

  // Retry-After: no request to `host` starts before `until` (a later pause is kept).
  void PauseUntil(const std::string& host, TimePoint until);

  // robots.txt's Crawl-delay for the host (nullopt clears it). Since DropIdle may forget
  // it, the caller re-applies it whenever it consults robots.txt for the host.
  void SetCrawlDelay(const std::string& host, std::optional<std::chrono::milliseconds> delay);
  // The spacing to use before the next request: max(`delay`, the host's Crawl-delay).
  std::chrono::milliseconds Spacing(const std::string& host, std::chrono::milliseconds delay) const;

  int active(const std::string& host) const;

  // Hosts whose Retry-After pause or breaker is in force at `now`, in no particular order.
  // Scans every host: for status reports, not for each request.
  std::vector<Pause> Paused(TimePoint now) const;

  // Forgets every host that is idle at `now`: no transfer in flight, no pause or breaker in
  // force, its next start not in the future, and not used for `idle`. A forgotten host
  // starts afresh (no failure count, no half-open state, no Crawl-delay until re-applied).
  // Scans every host: call it at most every so often. Returns how many were forgotten.
  size_t DropIdle(TimePoint now, std::chrono::milliseconds idle);

  // Hosts with state kept (for tests and status).
  size_t hosts() const { return hosts_.size(); }

 private:
  struct Host {
    int active = 0;
    TimePoint next_start{};
    TimePoint paused_until{};  // Retry-After
    TimePoint broken_until{};  // circuit breaker
    int consecutive_failures = 0;
    bool half_open = false;
    std::optional<std::chrono::milliseconds> crawl_delay;
    TimePoint last_used{};  // last start or failure
  };
  static bool IsIdle(const Host& h, TimePoint now, std::chrono::milliseconds idle);
  const Host* Find(const std::string& host) const;

  Limits limits_;
  std::unordered_map<std::string, Host> hosts_;
};

}  // namespace gleaner::fetch
