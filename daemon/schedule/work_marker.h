// A crash-loop breaker. While the crawler parses a fetched page it names the page in a
// small file beside the database ("<database>.working"), and clears it afterwards. A page
// that kills the process (a parser bug, a stack overflow, the OOM killer) is still named
// there when the next run starts; that run retries the page later, and gives it up if it
// was the one in hand at the previous crash too. One hostile page cannot keep the daemon
// in a restart loop.
//
// Costs two small pwrite(2) calls per page and no fsync: the file only has to survive the
// process, not the machine. Not thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "extractors/core/result.h"

namespace gleaner::schedule {

// "<database>.working".
std::string WorkMarkerPath(const std::string& database);

class WorkMarker {
 public:
  // Opens or creates `path` and reads what a previous run left in it. kInput naming the
  // path when it cannot be opened.
  static Result<WorkMarker> Open(const std::string& path);
  WorkMarker(WorkMarker&& other) noexcept;
  WorkMarker& operator=(WorkMarker&& other) noexcept;
  ~WorkMarker();

  // The URL a previous run was processing when it died, or nullopt after a clean exit.
  const std::optional<std::string>& left_over() const { return left_over_; }

  // Names `url` as the page in hand / clears it. Best effort: a failed write costs only
  // the protection, so it is ignored.
  void Begin(std::string_view url);
  void End();

 private:
  WorkMarker(int fd, std::optional<std::string> left_over) : fd_(fd), left_over_(std::move(left_over)) {}
  int fd_ = -1;
  std::optional<std::string> left_over_;
};

}  // namespace gleaner::schedule
