#include "daemon/cmd_check_live.h"

#include <cstdio>
#include <string>
#include <vector>

#include "daemon/fetch/curl_fetcher.h"
#include "daemon/log.h"
#include "daemon/schedule/live_check.h"

namespace gleaner::cli {
namespace {

// The sites to check: the one --site names, else all in file order. kUsage for an
// unknown id.
Result<std::vector<const rules::SiteRules*>> SitesToCheck(const Invocation& in,
                                                          const rules::SiteSet& sites) {
  std::vector<const rules::SiteRules*> chosen;
  if (auto id = in.args.Value("site")) {
    const rules::SiteRules* site = sites.Find(*id);
    if (site == nullptr) {
      return Fail(ErrorCode::kUsage, "no site with id '" + *id + "' in " + in.config->sites_dir +
                                         "\n(see gleaner check --help)");
    }
    chosen.push_back(site);
    return chosen;
  }
  for (const rules::SiteRules& site : sites.sites()) chosen.push_back(&site);
  return chosen;
}

}  // namespace

int CheckLiveIfAsked(const Invocation& in, const rules::SiteSet& sites, int status) {
  if (!in.args.Has("live")) return status;
  if (status != kExitOk) {
    std::printf("live check skipped: fix the problems above first\n");
    return status;
  }
  auto chosen = SitesToCheck(in, sites);
  if (!chosen) return ReportError(in.name, chosen.error());
  // The fetcher's logs (retries, Retry-After, a paused host) go to stderr: stdout carries
  // the report only.
  if (auto logging = SetupLogging(in.config->log_level); !logging) {
    return ReportError(in.name, logging.error());
  }
  fetch::CurlFetcherOptions options;
  options.settings = in.config->fetch;
  auto fetcher = fetch::CurlFetcher::Create(options);
  if (!fetcher) return ReportError(in.name, fetcher.error());

  std::printf("\nfetching the examples of %zu site%s (robots.txt and each host's delay apply)\n",
              chosen->size(), chosen->size() == 1 ? "" : "s");
  std::fflush(stdout);
  auto print = [](const schedule::SiteCheck& site) {
    std::printf("\n%s", schedule::RenderSiteCheck(site).c_str());
    std::fflush(stdout);  // a long check shows each site as soon as it is done
  };
  std::vector<schedule::SiteCheck> checks =
      schedule::CheckSitesLive(**fetcher, *chosen, sites, in.config->limits, print);
  std::printf("\n%s\n", schedule::RenderLiveSummary(checks).c_str());
  return schedule::LiveCheckExitStatus(checks);
}

}  // namespace gleaner::cli
