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

struct ShellResult {
  int exit_code = -1;  // the command's exit status; -1 when it could not run or was killed
  std::string out;     // its standard output (append " 2>&1" to the command for stderr too)
};

// Runs `command` with /bin/sh (popen) and waits for it, capturing its standard output.
ShellResult RunShell(const std::string& command);

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

// A program running in the background, its output going to files.
class BackgroundProcess {
 public:
  // Starts `program args...` in `cwd` (empty: the current directory) with stdin from
  // /dev/null. Aborts the test process if it cannot be started.
  BackgroundProcess(const std::string& program, const std::vector<std::string>& args,
                    const std::string& cwd);
  ~BackgroundProcess();  // SIGKILLs and reaps a child still running
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  void Signal(int signal);
  bool Running();  // false once it has exited (reaps it)
  // Waits up to `timeout` for the exit. Returns the exit status (128+signal when killed by
  // one), or nullopt if it is still running then.
  std::optional<int> WaitFor(std::chrono::milliseconds timeout);
  std::string Stderr() const;  // what it has written to stderr so far

 private:
  TempDir io_;
  int pid_ = -1;
  std::optional<int> status_;
};

// The real binary running in the background (`gleaner run`).
class Daemon : public BackgroundProcess {
 public:
  // Starts `GLEANER_BINARY args...` in `cwd`.
  Daemon(const std::vector<std::string>& args, const std::string& cwd);
};

// The whole content of a file; aborts the test if it cannot be read.
std::string ReadFile(const std::string& path);

}  // namespace gleaner::testing
