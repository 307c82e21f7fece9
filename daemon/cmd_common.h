// Helpers shared by the command handlers: loading the configuration with the command-line
// overrides, and reporting an error the same way everywhere.
#pragma once

#include <string>

#include "daemon/args.h"
#include "daemon/settings/config.h"
#include "extractors/core/result.h"

namespace gleaner::cli {

// LoadConfig(--config), then the flags that override settings: --sites DIR, --db PATH,
// --log-level LEVEL (each applied only when the spec allows it and it was given).
Result<Config> ConfigFromArgs(const Args& args);

// Prints "gleaner COMMAND: MESSAGE" on stderr and returns the error's exit code.
int ReportError(const std::string& command, const Error& error);

}  // namespace gleaner::cli
