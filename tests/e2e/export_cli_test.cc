// `gleaner export` as consumers use it: piped into a pager that stops reading, and opened
// in a spreadsheet.
#include <signal.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <thread>

#include "daemon/store/db.h"
#include "extractors/core/article.h"
#include "support/run_binary.h"

extern char** environ;

namespace gleaner {
namespace {

using namespace std::chrono_literals;
using testing::RunGleaner;
using testing::RunResult;
using testing::TempDir;

std::string Record(int i, const std::string& title, const std::string& body) {
  Article a;
  a.url = "https://example.com/news/" + std::to_string(i);
  a.site = "example";
  a.extractor = "rules:example/article";
  a.title = title;
  a.body = body;
  return ArticleToJson(a) + "\n";
}

TEST_CASE("csv export shows formula-looking cells as text", "[e2e][export]") {
  TempDir dir;
  std::string db = dir.path() + "/gleaner.db";
  std::string input = Record(1, "=HYPERLINK(\"http://evil.example\",\"click\")", "Body.") +
                      Record(2, "+1+cmd|' /C calc'!A0", "-2+3") +
                      Record(3, "@SUM(A1)", "\tTabbed") +
                      Record(4, "Plain title, with a comma", "Body.");
  REQUIRE(RunGleaner({"store", "-", "--db", db}, input, dir.path()).exit_code == 0);
  RunResult csv = RunGleaner({"export", "--format", "csv", "--db", db}, "", dir.path());
  REQUIRE(csv.exit_code == 0);
  CHECK_THAT(csv.out,
             Catch::Contains(",\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\")\","));
  CHECK_THAT(csv.out, Catch::Contains(",\"'+1+cmd|' /C calc'!A0\","));
  CHECK_THAT(csv.out, Catch::Contains(",\"'-2+3\","));
  CHECK_THAT(csv.out, Catch::Contains(",\"'@SUM(A1)\","));
  CHECK_THAT(csv.out, Catch::Contains(",\"'\tTabbed\","));
  CHECK_THAT(csv.out, Catch::Contains(",\"Plain title, with a comma\","));
  // JSON Lines keep the values as they are.
  RunResult jsonl = RunGleaner({"export", "--db", db}, "", dir.path());
  CHECK_THAT(jsonl.out, Catch::Contains("\"title\":\"@SUM(A1)\""));
}

// Bytes waiting in the pipe that `fd` reads.
int Pending(int fd) {
  int n = 0;
  ioctl(fd, FIONREAD, &n);
  return n;
}

TEST_CASE("an export whose reader stopped reading does not keep writers from checkpointing the WAL",
          "[e2e][export]") {
  TempDir dir;
  std::string db = dir.path() + "/gleaner.db";
  std::string input;
  const std::string body(2000, 'b');
  for (int i = 0; i < 2000; ++i)
    input += Record(i, "Titre " + std::to_string(i), body);  // ~4 MB of output
  REQUIRE(RunGleaner({"store", "-", "--db", db}, input, dir.path()).exit_code == 0);

  // `gleaner export | less`, and the user has not scrolled.
  int out[2];
  REQUIRE(::pipe(out) == 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  std::vector<std::string> args{GLEANER_BINARY, "export", "--db", db};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  REQUIRE(posix_spawn(&pid, GLEANER_BINARY, &actions, nullptr, argv.data(), environ) == 0);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  // Wait until the pipe is full: the export is blocked writing, in the middle of its output.
  int previous = -1;
  for (int i = 0; i < 200 && (Pending(out[0]) == 0 || Pending(out[0]) != previous); ++i) {
    previous = Pending(out[0]);
    std::this_thread::sleep_for(50ms);
  }
  REQUIRE(Pending(out[0]) > 0);
  REQUIRE(::waitpid(pid, nullptr, WNOHANG) == 0);  // still running, stuck on its stdout

  {
    // The daemon writes on, then checkpoints.
    auto writer = store::Database::Open(db, store::OpenMode::kReadWrite);
    REQUIRE(writer.has_value());
    REQUIRE((*writer)->Exec("UPDATE articles SET title = 'changed' WHERE id = 1"));
    REQUIRE(std::filesystem::file_size(db + "-wal") > 0);
    auto checkpoint = (*writer)->Prepare("PRAGMA wal_checkpoint(TRUNCATE)");
    REQUIRE(checkpoint.has_value());
    REQUIRE((*checkpoint)->Step().value_or(false));
    CHECK((*checkpoint)->ColumnInt(0) == 0);  // busy: 0 means no reader held the WAL
  }
  CHECK(std::filesystem::file_size(db + "-wal") == 0);

  // Once read, the output is complete: every article, once each.
  std::string all;
  char buffer[1 << 16];
  ssize_t n;
  while ((n = ::read(out[0], buffer, sizeof buffer)) > 0)
    all.append(buffer, static_cast<size_t>(n));
  ::close(out[0]);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  size_t lines = testing::Lines(all).size();
  // The article changed during the export moved to the end: printed again in its new version.
  CHECK((lines == 2000 || lines == 2001));
  CHECK_THAT(all, Catch::Contains("\"title\":\"Titre 1999\""));
}

}  // namespace
}  // namespace gleaner
