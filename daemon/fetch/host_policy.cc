#include "daemon/fetch/host_policy.h"

#include <algorithm>

namespace gleaner::fetch {

const HostPolicy::Host* HostPolicy::Find(const std::string& host) const {
  auto it = hosts_.find(host);
  return it == hosts_.end() ? nullptr : &it->second;
}

HostPolicy::Decision HostPolicy::Check(const std::string& host, TimePoint now) const {
  const Host* h = Find(host);
  if (h == nullptr) return {};
  if (now < h->broken_until) return {Gate::kBroken, h->broken_until};
  if (now < h->paused_until) return {Gate::kPaused, h->paused_until};
  if (h->active >= limits_.per_host_connections) return {Gate::kBusy, {}};
  if (now < h->next_start) return {Gate::kWait, h->next_start};
  return {};
}

void HostPolicy::OnStart(const std::string& host, TimePoint now, std::chrono::milliseconds gap) {
  Host& h = hosts_[host];
  ++h.active;
  h.last_used = std::max(h.last_used, now);
  h.next_start = std::max(h.next_start, now + gap);
}

void HostPolicy::OnFinish(const std::string& host) {
  auto it = hosts_.find(host);
  if (it != hosts_.end() && it->second.active > 0) --it->second.active;
}

std::optional<HostPolicy::TimePoint> HostPolicy::OnFailure(const std::string& host, TimePoint now) {
  Host& h = hosts_[host];
  h.last_used = std::max(h.last_used, now);
  ++h.consecutive_failures;
  if (!h.half_open && h.consecutive_failures < limits_.breaker_failures) return std::nullopt;
  if (now < h.broken_until) return std::nullopt;  // already open (tries that were in flight)
  h.broken_until = now + limits_.breaker_pause;
  h.consecutive_failures = 0;
  h.half_open = true;
  return h.broken_until;
}

void HostPolicy::OnSuccess(const std::string& host) {
  Host& h = hosts_[host];
  h.consecutive_failures = 0;
  h.half_open = false;
}

void HostPolicy::PauseUntil(const std::string& host, TimePoint until) {
  Host& h = hosts_[host];
  h.paused_until = std::max(h.paused_until, until);
}

void HostPolicy::SetCrawlDelay(const std::string& host,
                               std::optional<std::chrono::milliseconds> delay) {
  if (!delay && Find(host) == nullptr) return;  // nothing to clear: keep no state
  hosts_[host].crawl_delay = delay;
}

std::chrono::milliseconds HostPolicy::Spacing(const std::string& host,
                                              std::chrono::milliseconds delay) const {
  const Host* h = Find(host);
  if (h == nullptr || !h->crawl_delay) return delay;
  return std::max(delay, *h->crawl_delay);
}

int HostPolicy::active(const std::string& host) const {
  const Host* h = Find(host);
  return h == nullptr ? 0 : h->active;
}

std::vector<HostPolicy::Pause> HostPolicy::Paused(TimePoint now) const {
  std::vector<Pause> paused;
  for (const auto& [name, h] : hosts_) {
    if (now < h.broken_until) {
      paused.push_back({name, h.broken_until, /*breaker=*/true});
    } else if (now < h.paused_until) {
      paused.push_back({name, h.paused_until, /*breaker=*/false});
    }
  }
  return paused;
}

bool HostPolicy::IsIdle(const Host& h, TimePoint now, std::chrono::milliseconds idle) {
  return h.active == 0 && now >= h.broken_until && now >= h.paused_until && now >= h.next_start &&
         now - h.last_used >= idle;
}

size_t HostPolicy::DropIdle(TimePoint now, std::chrono::milliseconds idle) {
  size_t dropped = 0;
  for (auto it = hosts_.begin(); it != hosts_.end();) {
    if (IsIdle(it->second, now, idle)) {
      it = hosts_.erase(it);
      ++dropped;
    } else {
      ++it;
    }
  }
  return dropped;
}

}  // namespace gleaner::fetch
