// A crash-loop breaker. While the crawler parses a fetched page it names the page in a
// small file beside the database ("<database>.working"), and clears it afterwards. A page
// that kills the process (a parser bug, a stack overflow, the OOM killer) is still named
// there when the next run starts; that run retries the page later, and gives it up if it
// was the one in hand at the previous crash too. One hostile page cannot keep the daemon
// in a restart loop.
//
// The page is named by its frontier row id and a hash of its URL, a line of fixed size:
// a page is found again whatever the length of its URL, and a row id that now belongs to
// another URL is not blamed.
//
// The file lives in a directory other users may write to (the `gleaner` group): Open()
// never follows a symlink there. It reads the old file with O_NOFOLLOW and puts a fresh
// file of its own in place (mkstemp + rename, which replaces a planted link, never its
// target); every later write goes to that file through its descriptor.
//
// Costs two small pwrite(2) calls per page and no fsync: the file only has to survive the
// process, not the machine. Not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "extractors/core/result.h"

namespace gleaner::schedule {

// "<database>.working".
std::string WorkMarkerPath(const std::string& database);

// The page a run had in hand: its frontier row and UrlHash() of the URL it was fetched as.
struct PageInHand {
  int64_t frontier_id = 0;
  std::string url_hash;
  bool operator==(const PageInHand&) const = default;
};

// The hash the marker keeps of a URL: 16 hex digits (store::ContentHash of the bytes).
std::string UrlHash(std::string_view url);

class WorkMarker {
 public:
  // Reads what a previous run left at `path`, then replaces it with a fresh, empty file
  // owned by this process (mode 0640). kInput naming the path when the directory is not
  // writable or the file cannot be created. An old file that is a symlink or not a regular
  // file is not read (nothing left over) and is replaced.
  static Result<WorkMarker> Open(const std::string& path);
  WorkMarker(WorkMarker&& other) noexcept;
  WorkMarker& operator=(WorkMarker&& other) noexcept;
  ~WorkMarker();

  // The page a previous run was processing when it died, or nullopt after a clean exit
  // (or when the file held anything else).
  const std::optional<PageInHand>& left_over() const { return left_over_; }

  // Names frontier row `frontier_id`, fetched as `url`, as the page in hand / clears it.
  // Best effort: a failed write costs only the protection, so it is ignored.
  void Begin(int64_t frontier_id, std::string_view url);
  void End();

 private:
  WorkMarker(int fd, std::optional<PageInHand> left_over)
      : fd_(fd), left_over_(std::move(left_over)) {}
  int fd_ = -1;
  std::optional<PageInHand> left_over_;
};

}  // namespace gleaner::schedule
