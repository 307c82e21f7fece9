// The `gleaner` command line: dispatches `gleaner COMMAND ...` to the command's handler.
// Each handler prints its results on stdout, its diagnostics on stderr, and returns the
// process exit code (CONTRACT.md "Exit codes").
#pragma once

#include <string>
#include <vector>

namespace gleaner::cli {

// Runs one command line (argv without the program name). Returns the exit code.
// Never throws.
int Run(const std::vector<std::string>& argv);

}  // namespace gleaner::cli
