// The `gleaner` command line: the one driver that runs every command declared in
// commands.h (command.h says how). It parses the options, prints --help, reports usage
// errors ("gleaner COMMAND: MESSAGE" and where the help is, exit 2), loads the
// configuration, the site files and the database a command needs, and returns the exit
// codes of docs/CONTRACT.md "Exit codes".
#pragma once

#include <string>
#include <vector>

namespace gleaner::cli {

// Runs one command line (argv without the program name): records on stdout, diagnostics
// on stderr. Returns the process exit code; kExitInternalError (command.h) when an
// exception escaped a command. Never throws.
int Run(const std::vector<std::string>& argv);

}  // namespace gleaner::cli
