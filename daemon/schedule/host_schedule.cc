#include "daemon/schedule/host_schedule.h"

namespace gleaner::schedule {

void HostSchedule::Remove(const std::string& host) {
  auto it = turns_.find(host);
  if (it == turns_.end()) return;
  timer_.erase(Turn{it->second.first, it->second.second, host});
  turns_.erase(it);
}

void HostSchedule::Wake(const std::string& host, Time when) {
  auto it = turns_.find(host);
  if (it != turns_.end() && it->second.first <= when) return;
  Set(host, when);
}

void HostSchedule::Set(const std::string& host, std::optional<Time> when) {
  Remove(host);
  if (!when) return;
  uint64_t serial = ++serial_;
  timer_.emplace(*when, serial, host);
  turns_[host] = {*when, serial};
}

std::optional<std::string> HostSchedule::PopDue(Time now) {
  if (timer_.empty() || std::get<0>(*timer_.begin()) > now) return std::nullopt;
  std::string host = std::get<2>(*timer_.begin());
  timer_.erase(timer_.begin());
  turns_.erase(host);
  return host;
}

std::optional<HostSchedule::Time> HostSchedule::NextDue() const {
  if (timer_.empty()) return std::nullopt;
  return std::get<0>(*timer_.begin());
}

void HostSchedule::Clear() {
  timer_.clear();
  turns_.clear();
}

}  // namespace gleaner::schedule
