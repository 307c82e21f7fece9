// One handler per `gleaner` command. Each takes the arguments after the command name,
// prints records on stdout and diagnostics on stderr, and returns the exit code.
// Handlers never throw.
#pragma once

#include <string>
#include <vector>

namespace gleaner::cli {

using CommandArgs = std::vector<std::string>;




}  // namespace gleaner::cli
