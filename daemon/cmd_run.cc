// `gleaner run [--config FILE] [--sites DIR] [--db PATH] [--log-level LEVEL]`: starts the
// daemon (schedule/daemon.h) and runs it until SIGTERM.
#include "daemon/commands.h"
#include "daemon/log.h"
#include "daemon/schedule/daemon.h"

namespace gleaner::cli {
namespace {

constexpr std::string_view kHelp =
    "usage: gleaner run [--config FILE] [--sites DIR] [--db PATH] [--log-level LEVEL]\n"
    "\n"
    "Runs the daemon: polls every site's sources, fetches new articles politely, extracts\n"
    "and stores them, and queues them for consumers. SIGHUP reloads the configuration and\n"
    "the site files (an invalid one is reported and the running one kept); SIGTERM or SIGINT\n"
    "stop it after the transfers in flight (at most a few seconds). Under systemd it\n"
    "notifies READY, RELOADING, STOPPING, a STATUS line and the watchdog.\n";

Result<void> CheckArguments(const Args& args) {
  if (!args.positional.empty()) return Fail(ErrorCode::kUsage, "run takes no arguments");
  return {};
}

int RunDaemon(const Invocation& in) {
  if (auto ok = SetupLogging(in.config->log_level); !ok) return ReportError(in.name, ok.error());
  auto daemon = schedule::Daemon::Start(OverridesFrom(in.args), *in.config, std::move(*in.sites));
  if (!daemon) return ReportError(in.name, daemon.error());
  // The daemon has logged why it could not run.
  if (auto ran = (*daemon)->Run(); !ran) return ran.error().ExitCode();
  return kExitOk;
}

}  // namespace

const Command& RunCommand() {
  static const Command command{
      .name = "run",
      .summary = "run the daemon: poll, discover, fetch, extract, store and queue",
      .help = kHelp,
      .flags = {{"sites", true}, {"db", true}, {"log-level", true}},
      .needs = {.sites = SitesNeed::kAll},
      .check_arguments = CheckArguments,
      .run = RunDaemon,
  };
  return command;
}

}  // namespace gleaner::cli
