// `gleaner check [--config FILE] [--sites DIR]`: validates the configuration and every site
// file, reports URLs that two sites claim, then runs the site tests (settings/site_tests.h).
#include <cstdio>

#include "daemon/commands.h"
#include "daemon/settings/site_files.h"
#include "daemon/settings/site_tests.h"

namespace gleaner::cli {
namespace {

constexpr std::string_view kHelp =
    "usage: gleaner check [--config FILE] [--sites DIR]\n\n"
    "Validates the configuration file and every site file, then runs the site tests\n"
    "(DIR/tests/<site-id>/NAME.json with its page NAME.html). Prints one line per problem\n"
    "(file:line:col: message; FILE: FIELD: expected ... got ... for a site test) and exits 1,\n"
    "or prints \"N sites OK, M site tests passed\" and exits 0.\n";

Result<void> CheckArguments(const Args& args) {
  if (!args.positional.empty()) return Fail(ErrorCode::kUsage, "check takes no FILE");
  return {};
}

// Every problem is printed, not only the first: the sites are loaded leniently here rather
// than by the driver. The exit status is the first problem's.
int Check(const Invocation& in) {
  const Config& config = *in.config;
  std::vector<Error> problems;
  rules::SiteSet sites =
      LoadSitesLenient(config.sites_dir, config.limits.max_site_file_bytes, &problems);
  for (const std::string& overlap : sites.Overlaps())
    problems.push_back({ErrorCode::kConfig, overlap});
  // The site tests need sound site files: the tests of a broken one would only repeat its
  // error.
  sitetests::Report tests;
  if (problems.empty()) tests = sitetests::RunSiteTests(config.sites_dir, sites, config.limits);
  problems.insert(problems.end(), tests.problems.begin(), tests.problems.end());
  for (const Error& e : problems) std::printf("%s\n", e.message.c_str());
  int status = problems.empty() ? kExitOk : problems.front().ExitCode();
  if (status == kExitOk)
    std::printf("%zu sites OK, %zu site tests passed\n", sites.sites().size(), tests.passed);
  return status;
}

}  // namespace

const Command& CheckCommand() {
  static const Command command{
      .name = "check",
      .summary = "validate the configuration and every site file; run the site tests",
      .help = kHelp,
      .flags = {{"sites", true}},
      .needs = {.config = true, .config_errors_on_stdout = true},
      .check_arguments = CheckArguments,
      .run = Check,
  };
  return command;
}

}  // namespace gleaner::cli
