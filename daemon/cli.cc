#include "daemon/cli.h"

#include <cstdio>
#include <exception>
#include <string_view>

#include "daemon/commands.h"

namespace gleaner::cli {
namespace {

struct Command {
  std::string_view name;
  std::string_view summary;
  int (*handler)(const CommandArgs&);
};

int CmdVersion(const CommandArgs&) {
  std::printf("gleaner %s\n", GLEANER_VERSION);
  return 0;
}

constexpr Command kCommands[] = {
    {"run", "run the daemon: poll, discover, fetch, extract, store and queue", CmdRun},
    {"status", "per-site health, queue depth and last new article", CmdStatus},
    {"extract", "extract article records from saved pages", CmdExtract},
    {"check", "validate the configuration and every site file", CmdCheck},
    {"store", "store article records in the database and queue them", CmdStore},
    {"queue", "claim, ack, nack queued articles; queue stats", CmdQueue},
    {"export", "print stored articles (jsonl or csv), read-only", CmdExport},
    {"fetch", "fetch one URL now (robots.txt and caps apply) and extract it", CmdFetch},
    {"version", "print the version", CmdVersion},
};

void PrintUsage(std::FILE* out) {
  std::fprintf(out,
               "usage: gleaner COMMAND [options]\n\n"
               "commands:\n");
  for (const Command& c : kCommands) {
    std::fprintf(out, "  %-10.*s %.*s\n", static_cast<int>(c.name.size()), c.name.data(),
                 static_cast<int>(c.summary.size()), c.summary.data());
  }
  std::fprintf(
      out,
      "\nEvery command takes --config FILE. `gleaner COMMAND --help` describes one.\n"
      "Exit codes: 0 ok, 1 bad config or site file, 2 usage, 3 input missing,\n"
      "4 no article, 5 network, 6 HTTP status, 7 robots.txt, 8 database, 9 expired claim.\n");
}

}  // namespace

int Run(const std::vector<std::string>& argv) {
  if (argv.empty()) {
    PrintUsage(stderr);
    return 2;
  }
  const std::string& name = argv[0];
  if (name == "--help" || name == "-h" || name == "help") {
    PrintUsage(stdout);
    return 0;
  }
  if (name == "--version") return CmdVersion({});
  for (const Command& c : kCommands) {
    if (c.name != name) continue;
    try {
      return c.handler(CommandArgs(argv.begin() + 1, argv.end()));
    } catch (const std::exception& e) {
      // A handler must return errors as values; this is the last line of defence.
      std::fprintf(stderr, "gleaner %s: internal error: %s\n", name.c_str(), e.what());
      return 70;
    }
  }
  std::fprintf(stderr, "gleaner: unknown command '%s'\n", name.c_str());
  PrintUsage(stderr);
  return 2;
}

}  // namespace gleaner::cli
