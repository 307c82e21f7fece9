// Fuzzes URL parsing, resolution and normalisation. The input's first line is a base URL
// and the rest a reference (an href); without a line break the input is the reference and
// the base a fixed article URL. Besides crashes, it checks the one property storage
// relies on: a normalised URL normalises to itself, or one page would be stored twice.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "extractors/core/url.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string_view base = "https://www.example.com/fr/news/2024/article?id=1#top";
  std::string_view reference = input;
  if (size_t line_end = input.find('\n'); line_end != std::string_view::npos) {
    base = input.substr(0, line_end);
    reference = input.substr(line_end + 1);
  }
  if (auto parts = gleaner::ParseUrl(reference)) (void)gleaner::FormatUrl(*parts);
  std::string resolved = gleaner::ResolveUrl(base, reference);
  auto normalized = gleaner::NormalizeUrl(resolved);
  if (!normalized) return 0;
  auto again = gleaner::NormalizeUrl(*normalized);
  if (!again || *again != *normalized) {
    std::fprintf(stderr,
                 "NormalizeUrl is not idempotent:\n  url:    %s\n  once:   %s\n  twice:  %s\n",
                 resolved.c_str(), normalized->c_str(), again ? again->c_str() : "(rejected)");
    std::abort();
  }
  return 0;
}
