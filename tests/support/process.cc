#include "support/process.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace gleaner::testing {

void Report(int report_fd, int64_t value) {
  const char* bytes = reinterpret_cast<const char*>(&value);
  size_t done = 0;
  while (done < sizeof value) {
    ssize_t n = write(report_fd, bytes + done, sizeof value - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) _exit(99);
    done += static_cast<size_t>(n);
  }
}

ForkedChild::ForkedChild(std::function<int(int report_fd)> body) {
  int fds[2];
  if (pipe(fds) != 0) std::abort();
  std::fflush(nullptr);  // nothing buffered is printed twice
  pid_ = fork();
  if (pid_ < 0) std::abort();
  if (pid_ == 0) {
    close(fds[0]);
    int code = 98;
    try {
      code = body(fds[1]);
    } catch (...) {
      code = 97;
    }
    _exit(code);
  }
  close(fds[1]);
  read_fd_ = fds[0];
}

ForkedChild::~ForkedChild() {
  if (!reaped_) {
    Kill(SIGKILL);
    Wait();
  }
  if (read_fd_ >= 0) close(read_fd_);
}

std::optional<int64_t> ForkedChild::NextReport() {
  int64_t value = 0;
  char* bytes = reinterpret_cast<char*>(&value);
  size_t done = 0;
  while (done < sizeof value) {
    ssize_t n = read(read_fd_, bytes + done, sizeof value - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return std::nullopt;  // a partial value means the child died writing it
    done += static_cast<size_t>(n);
  }
  return value;
}

void ForkedChild::Kill(int signal) {
  if (!reaped_) kill(pid_, signal);
}

int ForkedChild::Wait() {
  if (reaped_) return status_;
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  reaped_ = true;
  status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return status_;
}

}  // namespace gleaner::testing
