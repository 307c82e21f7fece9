// Command-line parsing shared by every `gleaner` command: GNU-style long options
// (`--name VALUE`, `--name=VALUE`, boolean `--flag`), the one-letter aliases a command
// declares for some of them (`-o FILE`, `-oFILE`), `--` ending options, and `-` as a
// positional (stdin). Pure; no I/O.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "extractors/core/result.h"

namespace gleaner::cli {

// What a command accepts. Options not listed are a usage error (exit 2).
struct ArgSpec {
  std::set<std::string> value_options;  // take a value: "config", "url", ...
  std::set<std::string> flag_options;   // take none: "pretty", "generic", ...
  std::set<std::string> repeatable;     // value options that may be given more than once
  // One-letter aliases: 'o' -> "output" makes `-o FILE` (or `-oFILE` for a value option,
  // `-o` for a flag) mean `--output FILE`. The alias is recorded under the long name.
  std::map<char, std::string> short_aliases;
};

struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::vector<std::string>> values;
  std::set<std::string> flags;

  bool Has(const std::string& name) const { return values.count(name) || flags.count(name); }
  // The (last) value of a value option, or nullopt when absent.
  std::optional<std::string> Value(const std::string& name) const;
};

// Parses `argv`, the arguments after the command's name, against spec. Returns kUsage naming
// the offending argument on an unknown option (a short one without a declared alias
// included), a missing value, or a repeated non-repeatable option (also when given once
// by its alias and once by its long name).
Result<Args> ParseArgs(const std::vector<std::string>& argv, const ArgSpec& spec);

}  // namespace gleaner::cli
