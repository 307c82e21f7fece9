// How a `gleaner` command is declared for the one driver that runs them all (cli.cc):
// its flags, its help text, what it needs loaded (configuration, site files, database)
// and its own code. The driver parses argv, prints --help, reports usage errors, loads
// what the command needs once and turns errors into the exit codes of docs/CONTRACT.md
// "Exit codes"; a command only checks its arguments and prints its results.
#pragma once

#include <string_view>
#include <vector>

#include "daemon/args.h"
#include "daemon/settings/config.h"
#include "daemon/store/store.h"
#include "extractors/core/result.h"
#include "extractors/rules/site_rules.h"

namespace gleaner::cli {

// The process exit status for an error (docs/CONTRACT.md "Exit codes").
constexpr int ExitCode(ErrorCode code) { return static_cast<int>(code); }
inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = ExitCode(ErrorCode::kUsage);
// An exception escaped a command: a bug, not an outcome the contract describes. sysexits.h's
// EX_SOFTWARE, outside the contract's 0-9 so that no script mistakes it for one of them.
inline constexpr int kExitInternalError = 70;

// One option: `--name VALUE` (or `--name=VALUE`) when it takes a value, `--name` otherwise.
struct Flag {
  std::string_view name;  // without the dashes
  bool takes_value = false;
  // A one-letter alias (`-o FILE` for `--output FILE`), or 0 for none. The help must show
  // it as "-X".
  char short_name = 0;
};

enum class SitesNeed {
  kNone,
  kAll,        // every site file of the sites directory must compile (`run`)
  kIfPresent,  // LoadSitesIfPresent: a missing default directory means no sites
};

enum class DatabaseNeed {
  kNone,
  kReadOnly,          // must exist (kInput otherwise)
  kReadOnlyIfExists,  // none is no error: Invocation::store is then null
  kReadWrite,         // must exist
  kCreate,            // created if missing
};

struct Needs {
  bool config = false;  // implied by sites and database
  SitesNeed sites = SitesNeed::kNone;
  // A flag that, when given, turns site loading off (`extract --generic`): sites is then
  // an empty set, and broken site files do not matter.
  std::string_view no_sites_flag;
  DatabaseNeed database = DatabaseNeed::kNone;
  // `check`: a bad configuration is the command's output (stdout, the bare message), not
  // a diagnostic.
  bool config_errors_on_stdout = false;
};

// What the driver hands a command's run: the arguments, and what it declared it needs.
// Everything is borrowed for the duration of the call.
struct Invocation {
  std::string_view name;  // "extract", "queue claim": the prefix of its messages
  const Args& args;
  const Config* config = nullptr;   // set when needed
  rules::SiteSet* sites = nullptr;  // set when needed; the command may move it out
  store::Store* store = nullptr;    // set when needed; null if kReadOnlyIfExists found none
};

struct Command {
  std::string_view name;     // as typed: "extract", or "claim" for a subcommand of `queue`
  std::string_view summary;  // one line of `gleaner --help`; empty for subcommands
  // The whole text `--help` prints (stdout, exit 0). Written by hand rather than assembled
  // from `flags`: each command lays its options out its own way, and people and scripts
  // already read these texts. tests/unit/command_test.cc checks every flag is in it.
  std::string_view help;
  // The options besides --config FILE and --help, which every command takes. An option not
  // listed, one given twice, or a value missing is a usage error.
  std::vector<Flag> flags;
  Needs needs;
  // Checks the arguments beyond the flags (positional arguments, values, options that
  // exclude each other) before anything is loaded. A kUsage error is reported as a usage
  // error; any other code (a URL too long is kInput) as an ordinary error. May be null.
  Result<void> (*check_arguments)(const Args& args) = nullptr;
  // Runs the command: records on stdout, diagnostics on stderr (ReportError). Returns the
  // exit code. Null when the command only has subcommands.
  int (*run)(const Invocation& invocation) = nullptr;
  std::vector<Command> subcommands;  // `queue claim`, ...
};

// The flags that override settings, as given: --config, --sites, --db, --log-level.
ConfigOverrides OverridesFrom(const Args& args);

// Prints "gleaner NAME: MESSAGE" on stderr and returns the error's exit code.
int ReportError(std::string_view name, const Error& error);

}  // namespace gleaner::cli
