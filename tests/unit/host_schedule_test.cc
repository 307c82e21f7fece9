// The crawler's host timer: whose turn it is, in round-robin among hosts due together.
#include "daemon/schedule/host_schedule.h"

#include <catch2/catch.hpp>

namespace gleaner::schedule {
namespace {

using namespace std::chrono_literals;

const store::Time kT0 = store::FromMillis(1700000000000);

TEST_CASE("hosts due together are served in turn, a served host behind the others", "[schedule]") {
  HostSchedule s;
  for (const char* host : {"a", "b", "c"}) s.Wake(host, kT0);
  std::vector<std::string> order;
  for (int i = 0; i < 9; ++i) {
    auto host = s.PopDue(kT0);
    REQUIRE(host);
    order.push_back(*host);
    s.Set(*host, kT0);  // still has work: its next turn after the others'
  }
  CHECK(order == std::vector<std::string>{"a", "b", "c", "a", "b", "c", "a", "b", "c"});
}

TEST_CASE("a host is not due before its time, and an earlier wake wins", "[schedule]") {
  HostSchedule s;
  s.Wake("later", kT0 + 10s);
  CHECK_FALSE(s.PopDue(kT0));
  CHECK(s.NextDue() == kT0 + 10s);
  s.Wake("later", kT0 + 20s);  // a later wake does not postpone it
  CHECK(s.NextDue() == kT0 + 10s);
  s.Wake("later", kT0 + 1s);
  CHECK(s.PopDue(kT0 + 1s) == std::optional<std::string>("later"));
  CHECK(s.size() == 0);
}

TEST_CASE("a host set off the timer waits for a wake", "[schedule]") {
  HostSchedule s;
  s.Wake("h", kT0);
  REQUIRE(s.PopDue(kT0));
  s.Set("h", std::nullopt);
  CHECK_FALSE(s.PopDue(kT0 + 1h));
  s.Wake("h", kT0 + 1h);
  CHECK(s.PopDue(kT0 + 1h) == std::optional<std::string>("h"));
}

}  // namespace
}  // namespace gleaner::schedule
