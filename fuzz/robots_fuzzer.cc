// Fuzzes robots.txt: parsing for our product token, then matching. The input's first line
// is the path asked about ("/a/b?x=1"), the rest is the robots.txt, so the fuzzer steers
// both the patterns and the paths they are matched against.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "daemon/fetch/robots.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t line_end = input.find('\n');
  std::string_view path = line_end == std::string_view::npos ? "/" : input.substr(0, line_end);
  std::string_view text = line_end == std::string_view::npos ? input : input.substr(line_end + 1);
  auto rules = gleaner::fetch::RobotsRules::Parse(text, "gleaner");
  (void)rules.IsAllowed(path);
  (void)rules.IsAllowed("/");
  (void)rules.IsAllowed("/robots.txt");
  (void)rules.crawl_delay();
  (void)rules.bytes();
  (void)gleaner::fetch::ProductToken(path);
  return 0;
}
