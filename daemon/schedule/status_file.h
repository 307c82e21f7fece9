// The daemon's health, published for `gleaner status` (another process, maybe another
// user) as a small JSON file beside the database, replaced atomically (write + rename) so
// a reader never sees half of it. The queue's own figures come from the database itself.
//
// The directory is writable by the `gleaner` group, so the file is not trusted either way:
// the writer never opens a predictable name (mkstemp, then rename), and the reader checks
// the size and every field it reads.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "daemon/fetch/fetcher.h"
#include "daemon/schedule/health.h"
#include "extractors/core/result.h"

namespace gleaner::schedule {

// "<database>.status.json".
std::string StatusFilePath(const std::string& database);

// The status document: pid, start and update times, per-site health, the hosts paused
// now (with the time their pause ends) and, in a cluster, `cluster` (ClusterStatusJson).
std::string StatusJson(int pid, Time started, Time now,
                       const std::map<std::string, SiteHealth>& health,
                       const std::vector<fetch::HostPause>& paused,
                       const nlohmann::ordered_json& cluster = nullptr);

// Writes `json` to `path` atomically, through a fresh file of mode 0640 created by mkstemp
// in the same directory and renamed over `path` (a symlink there is replaced, its target
// never written). kInput naming the path when the directory is not writable.
Result<void> WriteStatusFile(const std::string& path, const std::string& json);

// The most of a status file a reader takes. The daemon writes about 400 bytes per site
// and 100 per paused host: 4 MiB holds thousands of each, and a larger file is not the
// daemon's.
inline constexpr uint64_t kMaxStatusFileBytes = 4u << 20;

// Reads the status file at `path` and checks every field `gleaner status` reads has its
// type (extra fields are allowed). nullopt when there is no file. kInput, with a message
// naming the path and the first bad field, when it is not a regular file, is larger than
// kMaxStatusFileBytes, is not JSON or is not a status document. Never blocks on a FIFO.
Result<std::optional<nlohmann::json>> ReadStatusFile(const std::string& path);

// How long a status file may go unrefreshed before its daemon counts as gone: the daemon
// refreshes it every 5 s.
inline constexpr std::chrono::seconds kStatusStaleAfter{30};

// The running daemon's status document beside `database` (ReadStatusFile's checks), or
// nullopt when no daemon runs: no file, a file not refreshed within kStatusStaleAfter of
// `now`, or one whose process is gone. Errors as ReadStatusFile's.
Result<std::optional<nlohmann::json>> ReadLiveStatus(const std::string& database, Time now);

}  // namespace gleaner::schedule
