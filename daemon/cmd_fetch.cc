// `gleaner fetch URL [--site ID] [--raw] [--body FILE] [--sites DIR] [--config FILE]
//                    [--pretty]`
// Fetches one URL now through the real fetcher (robots.txt, politeness, caps all apply),
// then either extracts it into an article record or, with --raw, prints the HTTP outcome
// (docs/CONTRACT.md "gleaner fetch --raw URL").
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "daemon/commands.h"
#include "daemon/fetch/curl_fetcher.h"
#include "daemon/log.h"
#include "daemon/schedule/fetch_now.h"
#include "daemon/schedule/fetch_outcome.h"
#include "extractors/core/article.h"
#include "extractors/core/url.h"

namespace gleaner::cli {
namespace {

constexpr std::string_view kHelp =
    "usage: gleaner fetch [options] URL\n"
    "\n"
    "Fetches URL now, obeying robots.txt, the politeness delay and every cap (size, time,\n"
    "redirects, schemes, content types), extracts the page with its site's rules (or generic\n"
    "extraction when no site owns it) and prints the article record as one JSON line.\n"
    "\n"
    "options:\n"
    "  --raw            print the HTTP outcome instead: url, final_url, status, headers,\n"
    "                   bytes, elapsed_ms, error_kind, error (no body)\n"
    "  --body FILE      save the body received to FILE\n"
    "  --site ID        use this site's rules, language and delay whatever the URL\n"
    "  --sites DIR      site files (default: from the config; ./sites in the source tree)\n"
    "  --config FILE    configuration file\n"
    "  --store          also store the record in the database (an update is queued again\n"
    "                   when the title or body changed), and, unless `archive: false`,\n"
    "                   the raw response in the archive beside it (as the daemon does);\n"
    "                   safe while the daemon runs\n"
    "  --db PATH        the database for --store (default: the config's `database`)\n"
    "  --pretty         indent the JSON for people\n"
    "\n"
    "Exit codes: 0 ok, 4 no article, 5 network failure, a cap or a blocked address\n"
    "(see fetch.allow_networks), 6 HTTP error status, 7 refused by robots.txt (and 1, 2, 3\n"
    "for configuration, usage and input errors such as a URL over 4096 bytes).\n";

Result<void> CheckArguments(const Args& args) {
  if (args.positional.size() != 1) return Fail(ErrorCode::kUsage, "exactly one URL expected");
  const std::string& url = args.positional[0];
  if (url.size() > kMaxUrlBytes) {
    return Fail(ErrorCode::kInput, "the URL is " + std::to_string(url.size()) +
                                       " bytes long; gleaner fetches URLs of at most " +
                                       std::to_string(kMaxUrlBytes) + " bytes");
  }
  // Other schemes parse, and are refused by the fetcher (exit 5).
  if (!ParseUrl(url)) return Fail(ErrorCode::kUsage, "not an absolute URL: '" + url + "'");
  return {};
}

// Logs (retries, Retry-After, breaker) go to stderr (SetupLogging): stdout carries only
// the record.
void RouteLogsToStderr(std::string_view name, const std::string& level) {
  if (auto ok = SetupLogging(level); !ok) ReportError(name, ok.error());
}

// The site whose language and delay shape the request: --site ID, else the URL's owner.
Result<const rules::SiteRules*> SiteFor(const Args& args, const rules::SiteSet& sites,
                                        const std::string& url, const std::string& sites_dir) {
  if (auto id = args.Value("site")) {
    const rules::SiteRules* site = sites.Find(*id);
    if (site == nullptr)
      return Fail(ErrorCode::kUsage, "no site with id '" + *id + "' in " + sites_dir);
    return site;
  }
  return sites.Match(url);
}

std::string RawRecord(const std::string& given_url, const fetch::FetchResult& r, bool pretty) {
  using nlohmann::ordered_json;
  ordered_json headers = ordered_json::object();
  if (r.content_type) headers["content-type"] = *r.content_type;
  if (r.etag) headers["etag"] = *r.etag;
  if (r.last_modified) headers["last-modified"] = *r.last_modified;
  if (r.retry_after) headers["retry-after"] = *r.retry_after;
  ordered_json j;
  j["url"] = given_url;
  j["final_url"] = r.final_url.empty() ? ordered_json(nullptr) : ordered_json(r.final_url);
  j["status"] = r.status == 0 ? ordered_json(nullptr) : ordered_json(r.status);
  j["headers"] = std::move(headers);
  j["bytes"] = r.body.size();
  j["elapsed_ms"] = r.elapsed.count();
  j["error_kind"] =
      r.ok() ? ordered_json(nullptr) : ordered_json(fetch::ErrorKindName(r.error_kind));
  j["error"] = r.ok() ? ordered_json(nullptr) : ordered_json(r.error);
  return j.dump(pretty ? 2 : -1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<void> SaveBody(const std::string& path, const std::string& body) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (out) out.write(body.data(), static_cast<std::streamsize>(body.size()));
  if (!out) return Fail(ErrorCode::kInput, path + ": cannot write the body");
  return {};
}

int Fetch(const Invocation& in) {
  const Args& args = in.args;
  const Config& config = *in.config;
  const std::string& url = args.positional[0];
  RouteLogsToStderr(in.name, config.log_level);
  auto site = SiteFor(args, *in.sites, url, config.sites_dir);
  if (!site) return ReportError(in.name, site.error());

  fetch::CurlFetcherOptions options;
  options.settings = config.fetch;
  auto fetcher = fetch::CurlFetcher::Create(options);
  if (!fetcher) return ReportError(in.name, fetcher.error());
  fetch::FetchResult result = fetch::FetchOne(**fetcher, schedule::RequestFor(url, *site));

  if (auto body_file = args.Value("body"); body_file && result.status != 0) {
    if (auto saved = SaveBody(*body_file, result.body); !saved) {
      return ReportError(in.name, saved.error());
    }
  }
  if (args.Has("raw")) {
    std::printf("%s\n", RawRecord(url, result, args.Has("pretty")).c_str());
    std::fflush(stdout);
    return result.ok() ? kExitOk : ReportError(in.name, schedule::FetchFailure(result));
  }
  if (!result.ok()) return ReportError(in.name, schedule::FetchFailure(result));
  auto article =
      schedule::ExtractFetched(url, result, *in.sites, args.Value("site"), config.limits);
  if (args.Has("store")) {
    if (article) {
      auto stored = schedule::StoreFetchedArticle(config.database, url, result, *article);
      if (!stored) return ReportError(in.name, stored.error());
    }
    // After the record, and kept even when nothing was extracted, as the daemon does: a
    // rule fixed later re-extracts it. The record is stored whatever becomes of the page.
    if (config.archive && !result.not_modified()) {
      auto archived = schedule::ArchiveFetched(
          config.database, url, article ? article->site : args.Value("site"), result, store::Now());
      if (!archived) {
        std::fprintf(stderr, "gleaner %s: warning: page not archived: %s\n",
                     std::string(in.name).c_str(), archived.error().message.c_str());
      }
    }
  }
  if (!article) return ReportError(in.name, article.error());
  std::printf("%s\n", ArticleToJson(*article, args.Has("pretty")).c_str());
  std::fflush(stdout);
  return kExitOk;
}

}  // namespace

const Command& FetchCommand() {
  static const Command command{
      .name = "fetch",
      .summary = "fetch one URL now (robots.txt and caps apply) and extract it",
      .help = kHelp,
      .flags = {{"site", true},
                {"sites", true},
                {"body", true},
                {"db", true},
                {"raw", false},
                {"pretty", false},
                {"store", false}},
      .needs = {.sites = SitesNeed::kIfPresent},
      .check_arguments = CheckArguments,
      .run = Fetch,
  };
  return command;
}

}  // namespace gleaner::cli
