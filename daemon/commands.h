// The `gleaner` commands, one per cmd_*.cc, each declared for the driver (command.h).
#pragma once

#include "daemon/command.h"

namespace gleaner::cli {

const Command& RunCommand();        // daemon/cmd_run.cc
const Command& StatusCommand();     // daemon/cmd_status.cc
const Command& ExtractCommand();    // daemon/cmd_extract.cc
const Command& CheckCommand();      // daemon/cmd_check.cc
const Command& StoreCommand();      // daemon/cmd_store.cc
const Command& QueueCommand();      // daemon/cmd_queue.cc
const Command& ExportCommand();     // daemon/cmd_export.cc
const Command& FetchCommand();      // daemon/cmd_fetch.cc
const Command& SuggestCommand();    // daemon/cmd_suggest.cc
const Command& ReextractCommand();  // daemon/cmd_reextract.cc
const Command& ShowCommand();       // daemon/cmd_show.cc

}  // namespace gleaner::cli
