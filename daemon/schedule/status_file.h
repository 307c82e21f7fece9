// The daemon's health, published for `gleaner status` (another process, maybe another
// user) as a small JSON file beside the database, replaced atomically (write + rename) so
// a reader never sees half of it. The queue's own figures come from the database itself.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "daemon/schedule/crawler.h"
#include "extractors/core/result.h"

namespace gleaner::schedule {

// "<database>.status.json".
std::string StatusFilePath(const std::string& database);

// The status document: pid, start and update times, per-site health, and the hosts paused
// now (with the time their pause ends).
std::string StatusJson(int pid, Time started, Time now, const std::map<std::string, SiteHealth>& health,
                       const std::vector<fetch::HostPause>& paused);

// Writes `json` to `path` atomically. kDatabase-free: kInput when the directory is not
// writable (the message names the path).
Result<void> WriteStatusFile(const std::string& path, const std::string& json);

}  // namespace gleaner::schedule
