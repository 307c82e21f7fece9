// The shipped systemd unit must load cleanly and stay hardened: `systemd-analyze verify`
// prints nothing, and `security --offline=yes` scores 1.5 or lower.
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <regex>

#include "support/run_binary.h"

namespace gleaner {
namespace {

// `command` through the shell, its stderr with its stdout.
testing::ShellResult Shell(const std::string& command) {
  return testing::RunShell(command + " 2>&1");
}

std::string UnitForThisBuild(const testing::TempDir& dir) {
  std::string unit =
      testing::ReadFile(std::string(GLEANER_SOURCE_DIR) + "/systemd/gleaner.service.in");
  std::string bindir = std::filesystem::path(GLEANER_BINARY).parent_path().string();
  for (size_t at; (at = unit.find("@GLEANER_BINDIR@")) != std::string::npos;)
    unit.replace(at, 16, bindir);
  for (size_t at; (at = unit.find("@GLEANER_DOCDIR@")) != std::string::npos;)
    unit.replace(at, 16, "/usr/share/doc/gleaner");
  return dir.Write("gleaner.service", unit);
}

TEST_CASE("systemd-analyze verify finds nothing to say about the unit", "[e2e][systemd]") {
  REQUIRE(Shell("command -v systemd-analyze").exit_code == 0);
  testing::TempDir dir;
  std::string unit = UnitForThisBuild(dir);
  // --man=no: Documentation= names man:gleaner(1), which is installed with the package,
  // not on the machine that runs the tests.
  testing::ShellResult verify = Shell("systemd-analyze verify --man=no " + unit);
  INFO(verify.out);
  CHECK(verify.exit_code == 0);
  CHECK(verify.out.empty());
}

TEST_CASE("the unit's offline security exposure is 1.5 or lower", "[e2e][systemd]") {
  testing::TempDir dir;
  std::string unit = UnitForThisBuild(dir);
  testing::ShellResult security =
      Shell("systemd-analyze security --offline=yes --no-pager " + unit);
  INFO(security.out);
  std::smatch m;
  REQUIRE(std::regex_search(security.out, m,
                            std::regex("Overall exposure level for gleaner.service: ([0-9.]+)")));
  CHECK(std::stod(m[1].str()) <= 1.5);
}

TEST_CASE("the state directory is setgid and the service has memory, task and address limits",
          "[e2e][systemd]") {
  testing::TempDir dir;
  std::string unit = UnitForThisBuild(dir);
  std::string text = testing::ReadFile(unit);
  // Without the setgid bit a -wal file a consumer creates while the daemon is down belongs
  // to the consumer's own group, and the daemon cannot open the database.
  CHECK_THAT(text, Catch::Contains("\nStateDirectoryMode=2770\n"));
  CHECK_THAT(text, Catch::Contains("\nMemoryMax="));
  CHECK_THAT(text, Catch::Contains("\nMemoryHigh="));
  CHECK_THAT(text, Catch::Contains("\nTasksMax="));
  CHECK_THAT(text, Catch::Contains("\nIPAddressDeny=link-local multicast\n"));
}

}  // namespace
}  // namespace gleaner
