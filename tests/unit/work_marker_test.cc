// The crash-loop breaker's file: what a run that died leaves, and what a clean one does not.
#include <catch2/catch.hpp>

#include "daemon/schedule/work_marker.h"
#include "support/run_binary.h"

namespace gleaner::schedule {
namespace {

TEST_CASE("the work marker names the page in hand to the next run only if the run died", "[work_marker]") {
  testing::TempDir dir;
  std::string path = WorkMarkerPath(dir.path() + "/g.db");
  CHECK(path == dir.path() + "/g.db.working");
  {
    auto marker = WorkMarker::Open(path);
    REQUIRE(marker.has_value());
    CHECK_FALSE(marker->left_over().has_value());  // a first run
    marker->Begin("https://news.example/a/a-rather-long-article-url-1");
    marker->End();
    marker->Begin("https://news.example/a/2");
    // The process dies here: End() never runs.
  }
  {
    auto marker = WorkMarker::Open(path);
    REQUIRE(marker.has_value());
    CHECK(marker->left_over() == std::optional<std::string>("https://news.example/a/2"));
    // This run dies too, but before it took any page in hand: a/2 is not named again.
  }
  auto marker = WorkMarker::Open(path);
  REQUIRE(marker.has_value());
  CHECK_FALSE(marker->left_over().has_value());
}

TEST_CASE("a work marker that cannot be created is an error naming the path", "[work_marker]") {
  auto marker = WorkMarker::Open("/nonexistent-dir/g.db.working");
  REQUIRE_FALSE(marker.has_value());
  CHECK(marker.error().code == ErrorCode::kInput);
  CHECK_THAT(marker.error().message, Catch::Contains("/nonexistent-dir/g.db.working"));
}

}  // namespace
}  // namespace gleaner::schedule
