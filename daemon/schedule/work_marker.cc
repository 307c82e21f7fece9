#include "daemon/schedule/work_marker.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <utility>

#include "daemon/store/article_rows.h"

namespace gleaner::schedule {
namespace {

// "<id, 20 digits> <hash, 16 hex digits>\n": every line has this size, so a shorter one
// written later covers a longer one entirely. More than this in the file is not ours.
constexpr size_t kHashDigits = 16;
constexpr size_t kLineBytes = 20 + 1 + kHashDigits + 1;

// Group members read the marker to see what the daemon is on; nobody else needs it.
constexpr mode_t kMarkerMode = 0640;

std::optional<PageInHand> ParseLine(std::string_view text) {
  text = text.substr(0, text.find('\n'));
  size_t space = text.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  PageInHand page;
  std::string_view id = text.substr(0, space);
  auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), page.frontier_id);
  if (ec != std::errc() || end != id.data() + id.size() || page.frontier_id <= 0)
    return std::nullopt;
  page.url_hash = std::string(text.substr(space + 1));
  if (page.url_hash.size() != kHashDigits ||
      page.url_hash.find_first_not_of("0123456789abcdef") != std::string::npos) {
    return std::nullopt;
  }
  return page;
}

// What a previous run left at `path`. Never follows a symlink, never blocks on a FIFO,
// reads only a regular file.
std::optional<PageInHand> ReadLeftOver(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct stat st {};
  std::string content(kLineBytes, '\0');
  ssize_t n = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)
                  ? ::pread(fd, content.data(), content.size(), 0)
                  : -1;
  ::close(fd);
  content.resize(n > 0 ? static_cast<size_t>(n) : 0);
  return ParseLine(content);
}

// A new empty file of ours at `path`, replacing whatever is there (a planted symlink is
// replaced, its target untouched). The descriptor, or kInput naming the path.
Result<int> ReplaceWithFreshFile(const std::string& path) {
  std::string tmp = path + ".XXXXXX";
  int fd = ::mkostemp(tmp.data(), O_CLOEXEC);
  if (fd < 0) return Fail(ErrorCode::kInput, path + ": " + std::strerror(errno));
  if (::fchmod(fd, kMarkerMode) != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string why = std::strerror(errno);
    ::close(fd);
    ::unlink(tmp.c_str());
    return Fail(ErrorCode::kInput, path + ": " + why);
  }
  return fd;
}

}  // namespace

std::string WorkMarkerPath(const std::string& database) { return database + ".working"; }

std::string UrlHash(std::string_view url) { return store::ContentHash(url); }

Result<WorkMarker> WorkMarker::Open(const std::string& path) {
  std::optional<PageInHand> left_over = ReadLeftOver(path);
  // A fresh file: this run's own death must not be blamed on that page again.
  auto fd = ReplaceWithFreshFile(path);
  if (!fd) return tl::unexpected(fd.error());
  return WorkMarker(*fd, std::move(left_over));
}

WorkMarker::WorkMarker(WorkMarker&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), left_over_(std::move(other.left_over_)) {}

WorkMarker& WorkMarker::operator=(WorkMarker&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    left_over_ = std::move(other.left_over_);
  }
  return *this;
}

WorkMarker::~WorkMarker() {
  if (fd_ >= 0) ::close(fd_);
}

void WorkMarker::Begin(int64_t frontier_id, std::string_view url) {
  char line[kLineBytes + 1];
  std::snprintf(line, sizeof line, "%020" PRId64 " %s\n", frontier_id, UrlHash(url).c_str());
  (void)!::pwrite(fd_, line, kLineBytes, 0);
}

void WorkMarker::End() { (void)!::pwrite(fd_, "\n", 1, 0); }

}  // namespace gleaner::schedule
