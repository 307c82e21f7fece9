// Unicode-aware regular expressions (PCRE2 with UTF and UCP: \w, \s, \b and case-folding
// understand Arabic and accented Latin). std::regex is not Unicode-aware, so every pattern
// in gleaner (site files, heuristics) goes through this. Pure.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "extractors/core/result.h"

namespace gleaner::text {

// A compiled pattern. Immutable after Compile; Search/Match are thread-safe (each call uses
// its own match data). Copyable (shares the compiled code).
class Regex {
 public:
  struct Options {
    bool case_insensitive = false;
  };

  // Compiles `pattern`. Returns kConfig with PCRE2's message and the 1-based column of the
  // error ("col 5: missing closing parenthesis"). Never throws.
  static Result<Regex> Compile(std::string_view pattern, Options options);
  static Result<Regex> Compile(std::string_view pattern) { return Compile(pattern, Options{}); }

  // Captures of the first match in `subject`: [0] is the whole match, [i] group i (empty
  // optional when a group did not take part). Returns nullopt when nothing matches or on
  // a matching error (e.g. the match limit on pathological input).
  std::optional<std::vector<std::optional<std::string>>> Search(std::string_view subject) const;

  // True when the pattern matches somewhere in `subject`.
  bool Matches(std::string_view subject) const;

  // The value of named group `name` in the first match, if it took part.
  std::optional<std::string> NamedGroup(std::string_view subject, std::string_view name) const;

  const std::string& pattern() const { return pattern_; }

 private:
  struct Code;
  std::shared_ptr<const Code> code_;
  std::string pattern_;
};

}  // namespace gleaner::text
