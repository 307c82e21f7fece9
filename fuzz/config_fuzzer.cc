// Fuzzes the config loader: the input is a gleaner.yaml's text, parsed and validated as
// LoadConfig does after reading the file, and the page caps derived from it.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "daemon/settings/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto config = gleaner::ParseConfig(text, "fuzz.yaml", /*in_source_tree=*/true);
  if (config) (void)gleaner::DomLimitsFrom(config->limits);
  return 0;
}
