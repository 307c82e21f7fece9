// One daemon per database: `gleaner run` holds an exclusive flock(2) on "<database>.lock"
// for as long as it runs, with its pid written in the file, so that a second daemon on the
// same database is refused with a message naming the first. Two crawlers on one frontier
// would fetch every page twice and fight over its rows. Consumers, `export` and
// `fetch --store` do not take the lock: they only ever need SQLite's own.
//
// The kernel releases the lock when the process ends, however it ends, so a crash never
// leaves a stale lock behind. Not thread-safe.
#pragma once

#include <string>

#include "extractors/core/result.h"

namespace gleaner::schedule {

// "<database>.lock".
std::string RunLockPath(const std::string& database);

class RunLock {
 public:
  // Takes the lock on `path` (created if missing) and writes this process's pid into it.
  // Returns kDatabase naming the running daemon's pid when another process holds it, and
  // kInput naming the path when the file cannot be created or opened.
  static Result<RunLock> Acquire(const std::string& path);

  RunLock(RunLock&& other) noexcept;
  RunLock& operator=(RunLock&& other) noexcept;
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;
  // Releases the lock (the file stays: removing it would race with a starting daemon).
  ~RunLock();

 private:
  explicit RunLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace gleaner::schedule
