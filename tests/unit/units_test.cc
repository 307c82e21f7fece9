// Durations and sizes come from people (config, site files, command line): whatever they
// write, parsing must not overflow, and every value it accepts must be safe to add to a
// clock's now() in nanoseconds.
#include "extractors/core/units.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <limits>

namespace gleaner {
namespace {

TEST_CASE("durations too long for clock arithmetic are refused, not wrapped", "[units]") {
  for (const char* text : {"99999999999999999999d", "10000000d", "1000000000h", "999999999999999ms",
                           "36501d", "99999999999999999999999999999999999999999999999999s"}) {
    INFO(text);
    CHECK_FALSE(ParseDuration(text).has_value());
  }
}

TEST_CASE("every accepted duration fits a clock's nanoseconds from now", "[units]") {
  auto longest = ParseDuration("36500d");  // 100 years, the documented maximum
  REQUIRE(longest.has_value());
  CHECK(*longest == kMaxDuration);
  // system_clock counts nanoseconds since 1970 in an int64: about 292 years of room.
  using Nanos = std::chrono::nanoseconds;
  const auto now =
      std::chrono::duration_cast<Nanos>(std::chrono::system_clock::now().time_since_epoch());
  CHECK(std::chrono::duration_cast<Nanos>(*longest).count() <
        std::numeric_limits<Nanos::rep>::max() - now.count());
}

TEST_CASE("byte sizes too large for a double's exact integers are refused", "[units]") {
  CHECK_FALSE(ParseByteSize("99999999999999999999").has_value());
  CHECK_FALSE(ParseByteSize("9999999999GiB").has_value());
  CHECK(ParseByteSize("8GiB") == (uint64_t{8} << 30));
}

}  // namespace
}  // namespace gleaner
