#include "support/chromium.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>
#include <vector>

#include "support/run_binary.h"

extern char** environ;

namespace gleaner::testing {
namespace {

namespace fs = std::filesystem;

// How much of the browser's stderr an error quotes: its last lines say why it failed.
constexpr size_t kStderrTail = 2000;

std::optional<std::string> ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Tail(const std::string& text) {
  return text.size() > kStderrTail ? text.substr(text.size() - kStderrTail) : text;
}

// Starts the browser in a process group of its own, so that a timeout can kill its
// renderer and helper processes along with it. Returns its pid, or -1.
pid_t SpawnGroup(const std::vector<std::string>& argv_strings, const std::string& out_path,
                 const std::string& err_path) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  std::vector<std::string> store = argv_strings;
  std::vector<char*> argv;
  for (std::string& a : store) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), environ);
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

// Waits for `pid` until `timeout`; returns its exit status (128 + signal when killed by
// one), or nullopt if it is still running then.
std::optional<int> WaitUntil(pid_t pid, std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

std::string WindowSize(int width, int height) {
  return "--window-size=" + std::to_string(width) + "," + std::to_string(height);
}

struct Run {
  int exit_code;
  std::string out;
};

// Runs the browser headless with `args` then `url`, a fresh profile under `dir`, and
// returns its exit status and stdout.
Result<Run> RunChromium(const TempDir& dir, std::vector<std::string> args, const std::string& url,
                        std::chrono::seconds timeout) {
  Result<std::string> browser = FindChromium();
  if (!browser) return tl::unexpected(browser.error());
  std::vector<std::string> argv = {*browser,
                                   "--headless",
                                   "--no-sandbox",
                                   "--disable-gpu",
                                   "--disable-dev-shm-usage",
                                   "--no-first-run",
                                   "--hide-scrollbars",
                                   "--user-data-dir=" + dir.path() + "/profile"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back(url);
  std::string out_path = dir.path() + "/stdout", err_path = dir.path() + "/stderr";
  pid_t pid = SpawnGroup(argv, out_path, err_path);
  if (pid < 0) return Fail(ErrorCode::kInput, "cannot start " + *browser);
  std::optional<int> status = WaitUntil(pid, timeout);
  // Helpers (crashpad, a zygote) may outlive the browser: the group goes either way.
  kill(-pid, SIGKILL);
  if (!status) {
    (void)WaitUntil(pid, std::chrono::seconds(10));
    return Fail(ErrorCode::kInput,
                "chromium ran past " + std::to_string(timeout.count()) + " s on " + url +
                    " and was killed; stderr: " + Tail(ReadWhole(err_path).value_or("")));
  }
  if (*status != 0) {
    return Fail(ErrorCode::kInput, "chromium exited with " + std::to_string(*status) + " on " +
                                       url + "; stderr: " + Tail(ReadWhole(err_path).value_or("")));
  }
  return Run{*status, ReadWhole(out_path).value_or("")};
}

}  // namespace

Result<std::string> FindChromium() {
  if (access(kChromiumPath, X_OK) != 0) {
    return Fail(ErrorCode::kInput,
                std::string(kChromiumPath) + " not found: install Debian's chromium package");
  }
  return std::string(kChromiumPath);
}

Result<std::string> DumpDom(const std::string& url, int width, int height,
                            std::chrono::seconds timeout) {
  TempDir dir;
  Result<Run> run = RunChromium(dir, {"--dump-dom", WindowSize(width, height)}, url, timeout);
  if (!run) return tl::unexpected(run.error());
  if (run->out.empty()) return Fail(ErrorCode::kInput, "chromium printed no DOM for " + url);
  return std::move(run->out);
}

Result<void> Screenshot(const std::string& url, const std::string& png_path, int width, int height,
                        std::chrono::seconds timeout) {
  TempDir dir;
  std::error_code ec;
  fs::remove(png_path, ec);
  Result<Run> run =
      RunChromium(dir, {"--screenshot=" + png_path, WindowSize(width, height)}, url, timeout);
  if (!run) return tl::unexpected(run.error());
  if (!fs::exists(png_path, ec) || fs::file_size(png_path, ec) == 0) {
    return Fail(ErrorCode::kInput, "chromium wrote no screenshot of " + url + " to " + png_path);
  }
  return {};
}

}  // namespace gleaner::testing
