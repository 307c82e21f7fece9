// Signals for the daemon: SIGTERM/SIGINT ask it to stop, SIGHUP to reload. The handlers
// only set flags (async-signal-safe); the loop reads and clears them. SIGPIPE is ignored
// (a consumer closing a pipe must not kill the daemon).
#pragma once

namespace gleaner::schedule {

// Installs the handlers. Call once, before the loop.
void InstallSignalHandlers();

// True once SIGTERM or SIGINT arrived (stays true).
bool StopRequested();

// True if SIGHUP arrived since the last call (reading clears it).
bool TakeReloadRequest();

}  // namespace gleaner::schedule
