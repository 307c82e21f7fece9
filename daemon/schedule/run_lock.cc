#include "daemon/schedule/run_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace gleaner::schedule {
namespace {

// A pid is a few digits; the file holds nothing else.
constexpr size_t kMaxPidBytes = 32;

std::string ReadHolder(int fd) {
  char buffer[kMaxPidBytes] = {};
  ssize_t n = pread(fd, buffer, sizeof buffer - 1, 0);
  std::string pid(buffer, n > 0 ? static_cast<size_t>(n) : 0);
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
  return pid.empty() ? std::string("unknown") : pid;
}

}  // namespace

std::string RunLockPath(const std::string& database) { return database + ".lock"; }

Result<RunLock> RunLock::Acquire(const std::string& path) {
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0664);
  if (fd < 0)
    return Fail(ErrorCode::kInput, path + ": cannot open the lock file: " + std::strerror(errno));
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    std::string holder = ReadHolder(fd);
    close(fd);
    if (err == EWOULDBLOCK) {
      return Fail(ErrorCode::kDatabase, "another gleaner run (pid " + holder +
                                            ") is already using this database (" + path +
                                            " is locked); one daemon per database");
    }
    return Fail(ErrorCode::kInput, path + ": cannot lock: " + std::strerror(err));
  }
  std::string pid = std::to_string(getpid()) + "\n";
  if (ftruncate(fd, 0) != 0 ||
      pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    std::string why = std::strerror(errno);
    close(fd);
    return Fail(ErrorCode::kInput, path + ": cannot write the pid: " + why);
  }
  return RunLock(fd);
}

RunLock::RunLock(RunLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

RunLock& RunLock::operator=(RunLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

RunLock::~RunLock() {
  if (fd_ >= 0) close(fd_);
}

}  // namespace gleaner::schedule
