// One handler per `gleaner` command. Each takes the arguments after the command name,
// prints records on stdout and diagnostics on stderr, and returns the exit code.
// Handlers never throw.
#pragma once

#include <string>
#include <vector>

namespace gleaner::cli {

using CommandArgs = std::vector<std::string>;

int CmdExtract(const CommandArgs& args);  // daemon/cmd_extract.cc
int CmdCheck(const CommandArgs& args);    // daemon/cmd_check.cc
int CmdRun(const CommandArgs& args);      // daemon/cmd_run.cc
int CmdStatus(const CommandArgs& args);   // daemon/cmd_status.cc
int CmdStore(const CommandArgs& args);    // daemon/cmd_store.cc
int CmdQueue(const CommandArgs& args);    // daemon/cmd_queue.cc
int CmdExport(const CommandArgs& args);   // daemon/cmd_export.cc
int CmdFetch(const CommandArgs& args);    // daemon/cmd_fetch.cc

}  // namespace gleaner::cli
