// `gleaner check [--config FILE] [--sites DIR]`: validates the configuration and every site
// file, and reports URLs that two sites claim.
#include <cstdio>

#include "daemon/commands.h"
#include "daemon/settings/site_files.h"

namespace gleaner::cli {
namespace {

constexpr std::string_view kHelp =
    "usage: gleaner check [--config FILE] [--sites DIR]\n\n"
    "Validates the configuration file and every site file. Prints\n"
    "file:line:col: message for each problem and exits 1, or prints\n"
    "\"N sites OK\" and exits 0.\n";

Result<void> CheckArguments(const Args& args) {
  if (!args.positional.empty()) return Fail(ErrorCode::kUsage, "check takes no FILE");
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
  return status;
}

}  // namespace

const Command& CheckCommand() {
  static const Command command{
      .name = "check",
      .summary = "validate the configuration and every site file",
      .help = kHelp,
      .flags = {{"sites", true}},
      .needs = {.config = true, .config_errors_on_stdout = true},
      .check_arguments = CheckArguments,
      .run = Check,
  };
  return command;
}

}  // namespace gleaner::cli
