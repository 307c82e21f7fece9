#include "daemon/schedule/work_marker.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace gleaner::schedule {
namespace {

// A URL longer than this is not ours (the fetcher refuses longer ones); the rest is ignored.
constexpr size_t kMaxMarkerBytes = 8192;

}  // namespace

std::string WorkMarkerPath(const std::string& database) { return database + ".working"; }

Result<WorkMarker> WorkMarker::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) return Fail(ErrorCode::kInput, path + ": " + std::strerror(errno));
  std::string content(kMaxMarkerBytes, '\0');
  ssize_t n = ::pread(fd, content.data(), content.size(), 0);
  content.resize(n > 0 ? static_cast<size_t>(n) : 0);
  // The file holds one line: the URL in hand, or nothing. End() leaves a bare newline
  // before the bytes of longer URLs written earlier, so only the first line counts.
  content.resize(std::min(content.find('\n'), content.size()));
  std::optional<std::string> left_over;
  if (!content.empty()) left_over = std::move(content);
  WorkMarker marker(fd, std::move(left_over));
  marker.End();  // read once: this run's own death must not be blamed on that page again
  return marker;
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

void WorkMarker::Begin(std::string_view url) {
  std::string line(url.substr(0, kMaxMarkerBytes - 1));
  line += '\n';
  (void)!::pwrite(fd_, line.data(), line.size(), 0);
}

void WorkMarker::End() { (void)!::pwrite(fd_, "\n", 1, 0); }

}  // namespace gleaner::schedule
