#include "extractors/generic/patterns.h"

#include <string_view>
#include <utility>

#include "extractors/generic/generic_params.h"

namespace gleaner::generic {
namespace {

std::optional<text::Regex> CompileOrNothing(std::string_view pattern) {
  auto compiled = text::Regex::Compile(pattern, {.case_insensitive = true});
  return compiled ? std::optional<text::Regex>(std::move(*compiled)) : std::nullopt;
}

}  // namespace

const Patterns& CompiledPatterns() {
  static const auto* patterns = new Patterns{CompileOrNothing(params::kReadAlsoPattern),
                                             CompileOrNothing(params::kBoilerplateLinePattern),
                                             CompileOrNothing(params::kYearAndTimePattern),
                                             CompileOrNothing(params::kRelatedHeadingPattern)};
  return *patterns;
}

}  // namespace gleaner::generic
