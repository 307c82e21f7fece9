// The latest day a page can be dated: a page published just after midnight in the earliest
// time zone (UTC+14) already carries tomorrow's UTC date, and nothing later is possible.
#include "daemon/store/timestamps.h"

#include <catch2/catch.hpp>

namespace gleaner::store {
namespace {

TEST_CASE("the latest page day is the date in the earliest time zone", "[timestamps]") {
  CHECK(LatestPageDay(*ParseTime("2024-05-01T09:59:59Z")) == "2024-05-01");
  CHECK(LatestPageDay(*ParseTime("2024-05-01T10:00:00Z")) == "2024-05-02");
  CHECK(LatestPageDay(*ParseTime("2024-12-31T23:00:00Z")) == "2025-01-01");
}

}  // namespace
}  // namespace gleaner::store
