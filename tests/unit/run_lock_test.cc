// One daemon per database: the lock file beside it.
#include "daemon/schedule/run_lock.h"

#include <unistd.h>

#include <catch2/catch.hpp>

#include "support/run_binary.h"

namespace gleaner::schedule {
namespace {

TEST_CASE("a second daemon on the same database is refused, naming the first's pid", "[lock]") {
  testing::TempDir dir;
  std::string path = RunLockPath(dir.path() + "/g.db");
  auto first = RunLock::Acquire(path);
  REQUIRE(first.has_value());
  auto second = RunLock::Acquire(path);
  REQUIRE_FALSE(second.has_value());
  CHECK(second.error().code == ErrorCode::kDatabase);
  CHECK_THAT(second.error().message, Catch::Contains("pid " + std::to_string(getpid())));
  // Another database is another lock.
  CHECK(RunLock::Acquire(RunLockPath(dir.path() + "/other.db")).has_value());
}

TEST_CASE("the lock is free again once its holder lets go", "[lock]") {
  testing::TempDir dir;
  std::string path = RunLockPath(dir.path() + "/g.db");
  {
    auto held = RunLock::Acquire(path);
    REQUIRE(held.has_value());
  }
  CHECK(RunLock::Acquire(path).has_value());
}

TEST_CASE("a lock file that cannot be created is a clear error naming it", "[lock]") {
  auto lock = RunLock::Acquire("/nonexistent-dir/g.db.lock");
  REQUIRE_FALSE(lock.has_value());
  CHECK(lock.error().code == ErrorCode::kInput);
  CHECK_THAT(lock.error().message, Catch::Contains("/nonexistent-dir/g.db.lock"));
}

}  // namespace
}  // namespace gleaner::schedule
