// `gleaner check [--config FILE] [--sites DIR] [--live [--site ID]]`: validates the
// configuration and every site file, reports URLs that two sites claim, then runs the site
// tests (settings/site_tests.h); with --live, also fetches each site's examples and says
// whether its rules still work.
#include <cstdio>

#include "daemon/cluster/pg.h"
#include "daemon/cluster/pg_schema.h"
#include "daemon/cmd_check_live.h"
#include "daemon/commands.h"
#include "daemon/settings/site_files.h"
#include "daemon/settings/site_tests.h"

namespace gleaner::cli {
namespace {

constexpr std::string_view kHelp =
    "usage: gleaner check [--config FILE] [--sites DIR] [--live [--site ID]]\n\n"
    "Validates the configuration file and every site file, then runs the site tests\n"
    "(DIR/tests/<site-id>/NAME.json with its page NAME.html); with `cluster:`, connects to\n"
    "the cluster's PostgreSQL and checks its schema (exit 8 when it cannot). Prints one\n"
    "line per problem (file:line:col: message; FILE: FIELD: expected ... got ... for a site\n"
    "test) and exits with the first problem's code, or prints \"N sites OK, M site tests\n"
    "passed\" and exits 0.\n"
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

// How long `check` waits for the cluster's PostgreSQL.
constexpr std::chrono::seconds kClusterConnectTimeout{5};

// The cluster's PostgreSQL answers, takes the password, and holds no newer schema. Prints
// what it checked; nothing is changed there.
Result<void> CheckCluster(const ClusterSettings& cluster) {
  auto conn =
      cluster::PgConnection::Connect(cluster.postgresql, kClusterConnectTimeout, "gleaner check");
  if (!conn) return tl::unexpected(conn.error());
  auto version = cluster::PgSchemaVersion(*conn);
  if (!version) return tl::unexpected(version.error());
  std::printf("cluster: box %s, PostgreSQL %s reachable (gleaner schema %s)\n", cluster.box.c_str(),
              conn->target().c_str(),
              *version == 0 ? "not created yet" : std::to_string(*version).c_str());
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
  if (config.cluster) {
    if (auto ok = CheckCluster(*config.cluster); !ok) problems.push_back(ok.error());
  }
  for (const Error& e : problems) std::printf("%s\n", e.message.c_str());
  int status = problems.empty() ? kExitOk : problems.front().ExitCode();
  if (status == kExitOk)
    std::printf("%zu sites OK, %zu site tests passed\n", sites.sites().size(), tests.passed);
  return CheckLiveIfAsked(in, sites, status);
}

}  // namespace

const Command& CheckCommand() {
  static const Command command{
      .name = "check",
      .summary = "validate the configuration and every site file; run the site tests",
      .help = kHelp,
      .flags = {{"sites", true}, {"live", false}, {"site", true}},
      .needs = {.config = true, .config_errors_on_stdout = true},
      .check_arguments = CheckArguments,
      .run = Check,
  };
  return command;
}

}  // namespace gleaner::cli
