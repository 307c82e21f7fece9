// Per-host politeness and health: how many transfers a host has in flight, when the next
// request to it may start, Retry-After pauses, and the circuit breaker that rests a host
// after consecutive failures. Pure bookkeeping: "now" is always a parameter, so tests drive
// it with made-up times. It does not decide what a failure is (the fetcher does) nor queue
// requests. Not thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <unordered_map>

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

  explicit HostPolicy(Limits limits) : limits_(limits) {}

  // Whether a request to `host` may start at `now`.
  Decision Check(const std::string& host, TimePoint now) const;

  // A request to `host` started at `now`; the next may start `gap` later.
  void OnStart(const std::string& host, TimePoint now, std::chrono::milliseconds gap);
  // A transfer to `host` ended (whatever its outcome): its slot is free.
  void OnFinish(const std::string& host);

  // A try failed (network error, 5xx, 429). Returns the end of the pause when this failure
  // opened the breaker: after `breaker_failures` in a row, or the first failure after a
  // pause (half-open: the host must prove itself with one success).
  std::optional<TimePoint> OnFailure(const std::string& host, TimePoint now);
  // The host answered sensibly: the failure count and the half-open state are cleared.
  void OnSuccess(const std::string& host);

  // Retry-After: no request to `host` starts before `until` (a later pause is kept).
  void PauseUntil(const std::string& host, TimePoint until);

  // robots.txt's Crawl-delay for the host (nullopt clears it).
  void SetCrawlDelay(const std::string& host, std::optional<std::chrono::milliseconds> delay);
  // The spacing to use before the next request: max(`delay`, the host's Crawl-delay).
  std::chrono::milliseconds Spacing(const std::string& host, std::chrono::milliseconds delay) const;

  int active(const std::string& host) const;

 private:
  struct Host {
    int active = 0;
    TimePoint next_start{};
    TimePoint paused_until{};  // Retry-After
    TimePoint broken_until{};  // circuit breaker
    int consecutive_failures = 0;
    bool half_open = false;
    std::optional<std::chrono::milliseconds> crawl_delay;
  };
  const Host* Find(const std::string& host) const;

  Limits limits_;
  std::unordered_map<std::string, Host> hosts_;
};

}  // namespace gleaner::fetch
