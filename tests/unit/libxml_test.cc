// libxml2's first use from several threads at once (extractors/core/libxml.h).
#include <catch2/catch.hpp>
#include <chrono>
#include <latch>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "extractors/feeds/feeds.h"
#include "extractors/html/dom.h"
#include "extractors/html/selector.h"
#include "support/run_binary.h"

namespace gleaner {
namespace {

constexpr char kFirstUseCase[] = "eight threads make their first libxml2 calls at the same moment";

// Hidden ([.]): the test below runs it by name, each time in a fresh process, since only the
// first calls into libxml2 in a process can race.
TEST_CASE("eight threads make their first libxml2 calls at the same moment", "[.][libxml]") {
  constexpr int kThreads = 8;
  std::latch start(kThreads);
  std::vector<int> done(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t, &start, &done] {
      const std::string n = std::to_string(t);
      start.arrive_and_wait();
      auto doc = html::ParseHtml("<p>page " + n + "</p>");
      auto selector = html::CompileSelector("div.body > p");
      auto feed = feeds::ParseFeed(
          "<rss><channel><item><link>https://news.example/" + n + "</link></item></channel></rss>",
          std::nullopt);
      done[t] = doc && selector && feed && feed->entries.size() == 1;
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(done == std::vector<int>(kThreads, 1));
}

TEST_CASE("pages, selectors and feeds can be parsed on several threads from the first call",
          "[libxml][hostile]") {
  // Without the one-time set-up, a fresh process hung for good in xmlDictCreate about one
  // time in seven (and under LeakSanitizer the lost race fails the run at exit even when it
  // does not hang); twenty runs make a regression all but certain to show.
  for (int run = 1; run <= 20; ++run) {
    // --warn NoTests: a case name that matches nothing fails instead of passing.
    testing::BackgroundProcess fresh("/proc/self/exe", {kFirstUseCase, "--warn", "NoTests"}, "");
    std::optional<int> status = fresh.WaitFor(std::chrono::seconds(60));
    INFO("run " << run << (status ? "" : ": still running after 60 s, so hung") << "\n"
                << fresh.Stderr());
    REQUIRE(status == std::optional<int>(0));
  }
}

}  // namespace
}  // namespace gleaner
