// `gleaner check [--config FILE] [--sites DIR]`: validates the configuration and every site
// file, and reports URLs that two sites claim.
#include <cstdio>

#include "daemon/cmd_common.h"
#include "daemon/commands.h"
#include "daemon/settings/site_files.h"

namespace gleaner::cli {

int CmdCheck(const CommandArgs& argv) {
  auto args = ParseArgs(argv, {{"config", "sites"}, {"help"}, {}});
  if (!args) return ReportError("check", args.error());
  if (args->Has("help")) {
    std::fputs(
        "usage: gleaner check [--config FILE] [--sites DIR]\n\n"
        "Validates the configuration file and every site file. Prints\n"
        "file:line:col: message for each problem and exits 1, or prints\n"
        "\"N sites OK\" and exits 0.\n",
        stdout);
    return 0;
  }
  if (!args->positional.empty())
    return ReportError("check", {ErrorCode::kUsage, "check takes no FILE"});
  auto config = ConfigFromArgs(*args);
  if (!config) {
    std::printf("%s\n", config.error().message.c_str());
    return config.error().ExitCode();
  }
  std::vector<Error> problems;
  rules::SiteSet sites =
      LoadSitesLenient(config->sites_dir, config->limits.max_site_file_bytes, &problems);
  int status = 0;
  for (const Error& e : problems) {
    std::printf("%s\n", e.message.c_str());
    if (status == 0) status = e.ExitCode();
  }
  for (const std::string& overlap : sites.Overlaps()) {
    std::printf("%s\n", overlap.c_str());
    if (status == 0) status = static_cast<int>(ErrorCode::kConfig);
  }
  if (status == 0) std::printf("%zu sites OK\n", sites.sites().size());
  return status;
}

}  // namespace gleaner::cli
