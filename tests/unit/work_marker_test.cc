// The crash-loop breaker's file: what a run that died leaves, and what a clean one does not;
// and that a symlink planted at its path never makes the daemon write elsewhere.
#include "daemon/schedule/work_marker.h"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "support/run_binary.h"

namespace gleaner::schedule {
namespace {

TEST_CASE("the work marker names the page in hand to the next run only if the run died",
          "[work_marker]") {
  testing::TempDir dir;
  std::string path = WorkMarkerPath(dir.path() + "/g.db");
  CHECK(path == dir.path() + "/g.db.working");
  {
    auto marker = WorkMarker::Open(path);
    REQUIRE(marker.has_value());
    CHECK_FALSE(marker->left_over().has_value());  // a first run
    marker->Begin(1234567, "https://news.example/a/a-rather-long-article-url-1");
    marker->End();
    marker->Begin(2, "https://news.example/a/2");
    // The process dies here: End() never runs.
  }
  {
    auto marker = WorkMarker::Open(path);
    REQUIRE(marker.has_value());
    CHECK(marker->left_over() ==
          std::optional<PageInHand>({2, UrlHash("https://news.example/a/2")}));
    // This run dies too, but before it took any page in hand: a/2 is not named again.
  }
  auto marker = WorkMarker::Open(path);
  REQUIRE(marker.has_value());
  CHECK_FALSE(marker->left_over().has_value());
}

TEST_CASE("the work marker names a page by a line of fixed size, whatever its URL's length",
          "[work_marker]") {
  testing::TempDir dir;
  std::string path = WorkMarkerPath(dir.path() + "/g.db");
  const std::string long_url = "https://news.example/a/1?q=" + std::string(100000, 'x');
  {
    auto marker = WorkMarker::Open(path);
    REQUIRE(marker.has_value());
    marker->Begin(7, long_url);
  }
  CHECK(std::filesystem::file_size(path) < 64);
  auto marker = WorkMarker::Open(path);
  REQUIRE(marker.has_value());
  CHECK(marker->left_over() == std::optional<PageInHand>({7, UrlHash(long_url)}));
  CHECK(UrlHash(long_url) != UrlHash(long_url + "y"));
}

TEST_CASE("a work marker that cannot be created is an error naming the path", "[work_marker]") {
  auto marker = WorkMarker::Open("/nonexistent-dir/g.db.working");
  REQUIRE_FALSE(marker.has_value());
  CHECK(marker.error().code == ErrorCode::kInput);
  CHECK_THAT(marker.error().message, Catch::Contains("/nonexistent-dir/g.db.working"));
}

TEST_CASE("a symlink planted at the work marker's path is replaced, its target left untouched",
          "[work_marker]") {
  testing::TempDir dir;
  // What a member of the daemon's group could do in the shared state directory.
  std::string victim = dir.Write("victim", "precious\n");
  std::string path = WorkMarkerPath(dir.path() + "/g.db");
  REQUIRE(::symlink(victim.c_str(), path.c_str()) == 0);
  {
    auto marker = WorkMarker::Open(path);
    REQUIRE(marker.has_value());
    CHECK_FALSE(marker->left_over().has_value());
    marker->Begin(3, "https://news.example/a/3");
  }
  CHECK(testing::ReadFile(victim) == "precious\n");
  CHECK_FALSE(std::filesystem::is_symlink(path));
  // The marker still works: the page in hand is named to the next run.
  auto marker = WorkMarker::Open(path);
  REQUIRE(marker.has_value());
  CHECK(marker->left_over() == std::optional<PageInHand>({3, UrlHash("https://news.example/a/3")}));
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0640);
}

TEST_CASE("a work marker holding anything else names no page", "[work_marker]") {
  testing::TempDir dir;
  std::string path = WorkMarkerPath(dir.path() + "/g.db");
  for (const std::string& content :
       {std::string("https://news.example/a/1\n"), std::string("12 nothex\n"),
        std::string("-4 0123456789abcdef\n"),
        std::string("00000000000000000012 0123456789abcdef0\n"), std::string(100000, '9')}) {
    dir.Write("g.db.working", content);
    auto marker = WorkMarker::Open(path);
    REQUIRE(marker.has_value());
    CHECK_FALSE(marker->left_over().has_value());
  }
}

}  // namespace
}  // namespace gleaner::schedule
