// `gleaner check [--config FILE] [--sites DIR] [--live [--site ID]]`: validates the
// configuration and every site file, and reports URLs that two sites claim; with --live,
// also fetches each site's examples and says whether its rules still work.
#include <cstdio>

#include "daemon/cmd_check_live.h"
#include "daemon/commands.h"
#include "daemon/settings/site_files.h"

namespace gleaner::cli {
namespace {

constexpr std::string_view kHelp =
    "usage: gleaner check [--config FILE] [--sites DIR] [--live [--site ID]]\n\n"
    "Validates the configuration file and every site file. Prints\n"
    "file:line:col: message for each problem and exits 1, or prints\n"
    "\"N sites OK\" and exits 0.\n"
    "\n"
    "  --live      then fetch each site's `examples` (at most 20 per site) as the daemon\n"
    "              would (robots.txt, delays, caps), extract them with the site's rules and\n"
    "              print per site the layout used, the fields found and missing, whether\n"
    "              generic extraction stepped in, and a verdict: ok, broken, unreachable or\n"
    "              no examples. Exit 1 if a site is broken, else 5, 6 or 7 for the first\n"
    "              fetch failure (network, HTTP status, robots.txt), else 0.\n"
    "  --site ID   with --live: check only this site\n";

Result<void> CheckArguments(const Args& args) {
  if (!args.positional.empty()) return Fail(ErrorCode::kUsage, "check takes no FILE");
  if (args.Has("site") && !args.Has("live")) return Fail(ErrorCode::kUsage, "--site needs --live");
  return {};
}

// Every problem is printed, not only the first: the sites are loaded leniently here rather
// than by the driver.
int Check(const Invocation& in) {
  const Config& config = *in.config;
  std::vector<Error> problems;
  rules::SiteSet sites =
      LoadSitesLenient(config.sites_dir, config.limits.max_site_file_bytes, &problems);
  int status = kExitOk;
  for (const Error& e : problems) {
    std::printf("%s\n", e.message.c_str());
    if (status == kExitOk) status = e.ExitCode();
  }
  for (const std::string& overlap : sites.Overlaps()) {
    std::printf("%s\n", overlap.c_str());
    if (status == kExitOk) status = ExitCode(ErrorCode::kConfig);
  }
  if (status == kExitOk) std::printf("%zu sites OK\n", sites.sites().size());
  return CheckLiveIfAsked(in, sites, status);
}

}  // namespace

const Command& CheckCommand() {
  static const Command command{
      .name = "check",
      .summary = "validate the configuration and every site file",
      .help = kHelp,
      .flags = {{"sites", true}, {"live", false}, {"site", true}},
      .needs = {.config = true, .config_errors_on_stdout = true},
      .check_arguments = CheckArguments,
      .run = Check,
  };
  return command;
}

}  // namespace gleaner::cli
