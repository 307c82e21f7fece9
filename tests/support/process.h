// Child processes forked from the test process, for tests that kill a writer mid-batch or run
// several consumers at once. The child runs a function and reports progress (64-bit values)
// through a pipe; the parent reads the reports, may SIGKILL the child, and reaps it.
// For running the real `gleaner` binary, see run_binary.h.
#pragma once

#include <sys/types.h>

#include <csignal>
#include <cstdint>
#include <functional>
#include <optional>

namespace gleaner::testing {

// In the child: sends `value` to the parent. Aborts the child if the pipe is gone.
void Report(int report_fd, int64_t value);

class ForkedChild {
 public:
  // Forks; the child runs body(report_fd) and _exits with its return value, never returning
  // into the test runner (no Catch2 handlers, no atexit) even if body throws.
  // REQUIRES: no other threads running in the test process.
  explicit ForkedChild(std::function<int(int report_fd)> body);
  ~ForkedChild();  // kills (SIGKILL) and reaps a child still running
  ForkedChild(const ForkedChild&) = delete;
  ForkedChild& operator=(const ForkedChild&) = delete;

  // The next value the child reported; nullopt once the child closed the pipe (exited).
  // Blocks until one arrives.
  std::optional<int64_t> NextReport();

  void Kill(int signal = SIGKILL);
  // Waits for the child; returns its exit status, or 128 + signal when a signal ended it.
  int Wait();

 private:
  pid_t pid_ = -1;
  int read_fd_ = -1;
  bool reaped_ = false;
  int status_ = -1;
};

}  // namespace gleaner::testing
