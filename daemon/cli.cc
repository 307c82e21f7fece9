#include "daemon/cli.h"

#include <cstdio>
#include <exception>
#include <string>
#include <string_view>

#include "daemon/commands.h"
#include "daemon/settings/site_files.h"

namespace gleaner::cli {
namespace {

using CommandList = std::vector<const Command*>;

// In the order `gleaner --help` lists them.
const CommandList& Commands() {
  static const CommandList commands = {&RunCommand(),   &StatusCommand(),   &ExtractCommand(),
                                       &CheckCommand(), &SuggestCommand(),  &StoreCommand(),
                                       &QueueCommand(), &ExportCommand(),   &ShowCommand(),
                                       &FetchCommand(), &ReextractCommand()};
  return commands;
}

constexpr std::string_view kVersionSummary = "print the version";

int PrintVersion() {
  std::printf("gleaner %s\n", GLEANER_VERSION);
  return kExitOk;
}

void PrintSummary(std::FILE* out, std::string_view name, std::string_view summary) {
  std::fprintf(out, "  %-10.*s %.*s\n", static_cast<int>(name.size()), name.data(),
               static_cast<int>(summary.size()), summary.data());
}

void PrintUsage(std::FILE* out) {
  std::fprintf(out,
               "usage: gleaner COMMAND [options]\n\n"
               "commands:\n");
  for (const Command* c : Commands()) PrintSummary(out, c->name, c->summary);
  PrintSummary(out, "version", kVersionSummary);
  std::fprintf(
      out,
      "\nEvery command takes --config FILE. `gleaner COMMAND --help` describes one.\n"
      "Exit codes: 0 ok, 1 bad config or site file, 2 usage, 3 input missing,\n"
      "4 no article, 5 network, 6 HTTP status, 7 robots.txt, 8 database, 9 expired claim.\n");
}

bool IsHelp(std::string_view arg) { return arg == "--help" || arg == "-h" || arg == "help"; }

// The one way a usage error is reported: the message, then where the help is.
int ReportUsage(std::string_view name, std::string_view help_of, std::string_view message) {
  std::fprintf(stderr, "gleaner %.*s: %.*s\n(see gleaner %.*s --help)\n",
               static_cast<int>(name.size()), name.data(), static_cast<int>(message.size()),
               message.data(), static_cast<int>(help_of.size()), help_of.data());
  return kExitUsage;
}

ArgSpec SpecOf(const Command& command) {
  ArgSpec spec{{"config"}, {"help"}, {}};
  for (const Flag& flag : command.flags) {
    (flag.takes_value ? spec.value_options : spec.flag_options).insert(std::string(flag.name));
    if (flag.short_name) spec.short_aliases[flag.short_name] = std::string(flag.name);
  }
  return spec;
}

// "claim, ack, nack or stats".
std::string SubcommandNames(const Command& command) {
  std::string names;
  for (size_t i = 0; i < command.subcommands.size(); ++i) {
    if (i > 0) names += i + 1 == command.subcommands.size() ? " or " : ", ";
    names += command.subcommands[i].name;
  }
  return names;
}

Result<rules::SiteSet> LoadSitesFor(const Needs& needs, const Args& args, const Config& config) {
  if (!needs.no_sites_flag.empty() && args.Has(std::string(needs.no_sites_flag)))
    return rules::SiteSet{};
  uint64_t max_bytes = config.limits.max_site_file_bytes;
  if (needs.sites == SitesNeed::kAll) return LoadSites(config.sites_dir, max_bytes);
  return LoadSitesIfPresent(config.sites_dir, max_bytes, args.Has("sites"));
}

// The store the command asked for; nullopt inside when kReadOnlyIfExists found none.
Result<std::optional<store::Store>> OpenStoreFor(DatabaseNeed need, const Config& config) {
  using store::OpenMode;
  OpenMode mode = need == DatabaseNeed::kCreate      ? OpenMode::kCreate
                  : need == DatabaseNeed::kReadWrite ? OpenMode::kReadWrite
                                                     : OpenMode::kReadOnly;
  auto opened = store::Store::Open(config.database, mode);
  if (opened) return std::optional<store::Store>(std::move(*opened));
  if (need == DatabaseNeed::kReadOnlyIfExists && opened.error().code == ErrorCode::kInput)
    return std::optional<store::Store>();
  return tl::unexpected(opened.error());
}

// Loads what the command needs, in order (configuration, sites, database), and runs it.
int LoadAndRun(const Command& command, std::string_view name, const Args& args) {
  const Needs& needs = command.needs;
  Invocation invocation{name, args};
  bool wants_config =
      needs.config || needs.sites != SitesNeed::kNone || needs.database != DatabaseNeed::kNone;
  if (!wants_config) return command.run(invocation);
  auto config = LoadConfigWithOverrides(OverridesFrom(args));
  if (!config) {
    if (!needs.config_errors_on_stdout) return ReportError(name, config.error());
    std::printf("%s\n", config.error().message.c_str());
    return config.error().ExitCode();
  }
  invocation.config = &*config;
  Result<rules::SiteSet> sites;
  if (needs.sites != SitesNeed::kNone) {
    sites = LoadSitesFor(needs, args, *config);
    if (!sites) return ReportError(name, sites.error());
    invocation.sites = &*sites;
  }
  Result<std::optional<store::Store>> store = std::optional<store::Store>();
  if (needs.database != DatabaseNeed::kNone) {
    store = OpenStoreFor(needs.database, *config);
    if (!store) return ReportError(name, store.error());
    if (*store) invocation.store = &**store;
  }
  return command.run(invocation);
}

// Runs `command` (or its subcommand) on the arguments after its name. `help_of` is the
// command whose --help describes it.
int Dispatch(const Command& command, const std::string& name, std::string_view help_of,
             const std::vector<std::string>& argv) {
  if (!command.subcommands.empty()) {
    if (argv.empty()) {
      return ReportUsage(name, help_of, "missing subcommand: " + SubcommandNames(command));
    }
    if (IsHelp(argv[0])) {
      std::fwrite(command.help.data(), 1, command.help.size(), stdout);
      return kExitOk;
    }
    for (const Command& sub : command.subcommands) {
      if (sub.name != argv[0]) continue;
      return Dispatch(sub, name + " " + argv[0], help_of, {argv.begin() + 1, argv.end()});
    }
    return ReportUsage(name, help_of,
                       "unknown subcommand '" + argv[0] + "': " + SubcommandNames(command));
  }
  auto args = ParseArgs(argv, SpecOf(command));
  if (!args) return ReportUsage(name, help_of, args.error().message);
  if (args->Has("help")) {
    std::fwrite(command.help.data(), 1, command.help.size(), stdout);
    return kExitOk;
  }
  if (command.check_arguments) {
    if (auto ok = command.check_arguments(*args); !ok) {
      if (ok.error().code == ErrorCode::kUsage)
        return ReportUsage(name, help_of, ok.error().message);
      return ReportError(name, ok.error());
    }
  }
  return LoadAndRun(command, name, *args);
}

}  // namespace

ConfigOverrides OverridesFrom(const Args& args) {
  return {args.Value("config"), args.Value("sites"), args.Value("db"), args.Value("log-level")};
}

int ReportError(std::string_view name, const Error& error) {
  std::fprintf(stderr, "gleaner %.*s: %s\n", static_cast<int>(name.size()), name.data(),
               error.message.c_str());
  return error.ExitCode();
}

int Run(const std::vector<std::string>& argv) {
  if (argv.empty()) {
    PrintUsage(stderr);
    return kExitUsage;
  }
  const std::string& name = argv[0];
  if (IsHelp(name)) {
    PrintUsage(stdout);
    return kExitOk;
  }
  // `version` takes no options: like --version, it ignores what follows.
  if (name == "--version" || name == "version") return PrintVersion();
  for (const Command* command : Commands()) {
    if (command->name != name) continue;
    try {
      return Dispatch(*command, name, name, {argv.begin() + 1, argv.end()});
    } catch (const std::exception& e) {
      // A command must return errors as values; this is the last line of defence.
      std::fprintf(stderr, "gleaner %s: internal error: %s\n", name.c_str(), e.what());
      return kExitInternalError;
    }
  }
  std::fprintf(stderr, "gleaner: unknown command '%s'\n", name.c_str());
  PrintUsage(stderr);
  return kExitUsage;
}

}  // namespace gleaner::cli
