// The command table the driver (daemon/cli.cc) runs: what `--help` says must match what
// each command accepts, since the help text is written by hand and the flags declared
// apart from it.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "daemon/commands.h"

namespace gleaner::cli {
namespace {

std::vector<const Command*> AllCommands() {
  std::vector<const Command*> all;
  for (const Command* command :
       {&RunCommand(), &StatusCommand(), &ExtractCommand(), &CheckCommand(), &StoreCommand(),
        &QueueCommand(), &ExportCommand(), &FetchCommand(), &SuggestCommand(), &ShowCommand(),
        &ReextractCommand()}) {
    all.push_back(command);
    for (const Command& sub : command->subcommands) all.push_back(&sub);
  }
  return all;
}

TEST_CASE("every flag a command accepts is described in its --help", "[cli]") {
  for (const Command* command : AllCommands()) {
    INFO(command->name);
    std::string help(command->help);
    CHECK(help.rfind("usage: gleaner ", 0) == 0);
    CHECK(help.find("--config") != std::string::npos);
    for (const Flag& flag : command->flags) {
      INFO(flag.name);
      CHECK(help.find("--" + std::string(flag.name)) != std::string::npos);
      if (flag.short_name)
        CHECK(help.find(std::string("-") + flag.short_name + " ") != std::string::npos);
    }
  }
}

TEST_CASE("a command either runs or has subcommands", "[cli]") {
  for (const Command* command : AllCommands()) {
    INFO(command->name);
    CHECK((command->run != nullptr) != !command->subcommands.empty());
  }
}

}  // namespace
}  // namespace gleaner::cli
