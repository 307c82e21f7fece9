// Logging setup for every command: spdlog to stderr. Under systemd (JOURNAL_STREAM set)
// lines carry no timestamp (journald adds its own) and start with a syslog priority
// prefix ("<3>" for errors ...) so that journald records each line's level; elsewhere
// lines carry a local timestamp and the level's name.
#pragma once

#include <string>

#include "extractors/core/result.h"

namespace gleaner {

// Installs the default logger at `level` (trace, debug, info, warn, error). kUsage for an
// unknown level. Not thread-safe; call once at start-up (and again on reload).
Result<void> SetupLogging(const std::string& level);

}  // namespace gleaner
