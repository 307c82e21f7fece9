// Runs the real `gleaner` binary (GLEANER_BINARY) as a child process, for end-to-end tests:
// arguments, optional standard input, captured stdout/stderr and the exit status.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace gleaner::testing {

struct RunResult {
  int exit_code = -1;  // the exit status, or 128+signal when killed by a signal
  std::string out;
  std::string err;
};

// Runs `GLEANER_BINARY args...` in `cwd` (empty: the current directory) with `input` on its
// standard input, and waits for it. Aborts the test process if the child cannot be started.
RunResult RunGleaner(const std::vector<std::string>& args, const std::string& input = "",
                     const std::string& cwd = "");

// Lines of `text`, without their newlines; a final empty line is dropped.
std::vector<std::string> Lines(const std::string& text);

// A fresh directory under /tmp, removed with everything in it when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  // Writes `content` to path()/name (creating parent directories) and returns the path.
  std::string Write(const std::string& name, const std::string& content) const;

 private:
  std::string path_;
};

// The real binary running in the background (`gleaner run`), its output going to files.
class Daemon {
 public:
  // Starts `GLEANER_BINARY args...` in `cwd` with stdin from /dev/null. Aborts the test
  // process if it cannot be started.
  Daemon(const std::vector<std::string>& args, const std::string& cwd);
  ~Daemon();  // SIGKILLs and reaps a child still running
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  void Signal(int signal);
  bool Running();  // false once it has exited (reaps it)
  // Waits up to `timeout` for the exit. Returns the exit status (128+signal when killed by
  // one), or nullopt if it is still running then.
  std::optional<int> WaitFor(std::chrono::milliseconds timeout);
  std::string Stderr() const;  // what it has logged so far

 private:
  TempDir io_;
  int pid_ = -1;
  std::optional<int> status_;
};

// The whole content of a file; aborts the test if it cannot be read.
std::string ReadFile(const std::string& path);

}  // namespace gleaner::testing
