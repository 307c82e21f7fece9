// The regular expressions of generic_params.h, compiled once per process (PCRE2, Unicode,
// case-insensitive). Internal to the generic extractor. Thread-safe after the first call.
#pragma once

#include <optional>

#include "extractors/text/regex.h"

namespace gleaner::generic {

struct Patterns {
  std::optional<text::Regex> read_also;         // kReadAlsoPattern
  std::optional<text::Regex> boilerplate_line;  // kBoilerplateLinePattern
  std::optional<text::Regex> year_and_time;     // kYearAndTimePattern
  std::optional<text::Regex> related_heading;   // kRelatedHeadingPattern
};

// The compiled patterns. A pattern that does not compile (a bug the unit tests catch) is
// nullopt and matches nothing, rather than failing every page.
const Patterns& CompiledPatterns();

}  // namespace gleaner::generic
