// The status file is written in a directory the daemon's group can write to: a symlink
// planted there never makes the daemon write to its target.
#include "daemon/schedule/status_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "support/run_binary.h"

namespace gleaner::schedule {
namespace {

TEST_CASE("symlinks planted at the status file's names leave their targets untouched",
          "[status_file]") {
  testing::TempDir dir;
  std::string victim = dir.Write("victim", "precious\n");
  std::string path = StatusFilePath(dir.path() + "/g.db");
  // The temporary name earlier versions used, and the file itself.
  REQUIRE(::symlink(victim.c_str(), (path + ".tmp").c_str()) == 0);
  REQUIRE(::symlink(victim.c_str(), path.c_str()) == 0);
  REQUIRE(WriteStatusFile(path, "{\"pid\": 1}"));
  CHECK(testing::ReadFile(victim) == "precious\n");
  CHECK_FALSE(std::filesystem::is_symlink(path));  // the link was replaced by the daemon's file
  CHECK(testing::ReadFile(path) == "{\"pid\": 1}");
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0640);
  size_t files = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path()))
    ++files;
  CHECK(files == 3);  // victim, the old .tmp link, the status file: no temporary left behind
}

TEST_CASE("a status file that cannot be written is an error naming it", "[status_file]") {
  auto ok = WriteStatusFile("/nonexistent-dir/g.db.status.json", "{}");
  REQUIRE_FALSE(ok.has_value());
  CHECK(ok.error().code == ErrorCode::kInput);
  CHECK_THAT(ok.error().message, Catch::Contains("/nonexistent-dir/g.db.status.json"));
}

}  // namespace
}  // namespace gleaner::schedule
