// Which hosts have work for the crawler, and when each may next be served. The crawl takes
// work per host, so that one host's backlog never holds the slots another host's fresh
// articles need; this is the timer that decides whose turn it is.
//
// Hosts are served in order of the time they became due; a host served and still due goes
// behind every host that was already waiting (round-robin). A host may also wait for a
// completion rather than a time (all its slots are taken): it is then off the timer until
// Wake() puts it back. Pure bookkeeping: "now" is a parameter. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>

#include "daemon/store/timestamps.h"

namespace gleaner::schedule {

class HostSchedule {
 public:
  using Time = store::Time;

  // The host is due at `when`, or earlier if it already was. A host waiting for a
  // completion is put back on the timer.
  void Wake(const std::string& host, Time when);

  // Replaces the host's turn: due at `when` behind every host already due then
  // (round-robin), or off the timer when nullopt (no work known).
  void Set(const std::string& host, std::optional<Time> when);

  // Takes the host whose turn it is (due at or before `now`, earliest first, then the one
  // set longest ago) off the timer; the caller gives it its next turn with Set or Wake.
  // nullopt when no host is due.
  std::optional<std::string> PopDue(Time now);

  // When the next host is due; nullopt when none is on the timer.
  std::optional<Time> NextDue() const;

  // Hosts on the timer.
  size_t size() const { return turns_.size(); }
  void Clear();

 private:
  using Turn = std::tuple<Time, uint64_t, std::string>;  // due, serial (order set), host
  void Remove(const std::string& host);

  std::set<Turn> timer_;
  std::unordered_map<std::string, std::pair<Time, uint64_t>> turns_;  // host -> its Turn
  uint64_t serial_ = 0;
};

}  // namespace gleaner::schedule
