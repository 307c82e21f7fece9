// `gleaner extract [--sites DIR] [--site ID | --generic] [--url URL] [--content-type CT]
//                  [--pretty] FILE...`
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "daemon/cmd_common.h"
#include "daemon/commands.h"
#include "daemon/settings/site_files.h"
#include "extractors/pipeline.h"

namespace gleaner::cli {
namespace {

constexpr const char* kHelp =
    "usage: gleaner extract [options] FILE...\n"
    "\n"
    "Extracts the article of each saved page (FILE, or - for standard input) and prints one\n"
    "JSON record per file (JSON Lines). A file that fails prints\n"
    "{\"file\": PATH, \"error\": MESSAGE, \"exit\": CODE} and the run goes on; the exit status is\n"
    "the first non-zero code met.\n"
    "\n"
    "options:\n"
    "  --url URL            the page's URL (one FILE only); picks the site and resolves links.\n"
    "                       Without it, the page's rel=canonical is used.\n"
    "  --content-type CT    the HTTP Content-Type the page was served with (one FILE only)\n"
    "  --site ID            use this site's rules whatever the URL\n"
    "  --generic            no site rules: generic extraction only\n"
    "  --sites DIR          site files (default: from the config; ./sites in the source tree)\n"
    "  --config FILE        configuration file\n"
    "  --pretty             indent the JSON for people\n";

ArgSpec Spec() {
  return {{"url", "content-type", "site", "sites", "config"}, {"generic", "pretty", "help"}, {}};
}

// The sites to use: none with --generic; the configured directory otherwise. A missing
// default directory means no sites (generic extraction); a missing --sites DIR is an error.
Result<rules::SiteSet> SitesFor(const Args& args, const Config& config) {
  if (args.Has("generic")) return rules::SiteSet{};
  std::error_code ec;
  if (!args.Has("sites") && !std::filesystem::is_directory(config.sites_dir, ec))
    return rules::SiteSet{};
  return LoadSites(config.sites_dir, config.limits.max_site_file_bytes);
}

void PrintFailure(const std::string& file, const Error& error) {
  nlohmann::ordered_json j{{"file", file}, {"error", error.message}, {"exit", error.ExitCode()}};
  std::printf("%s\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  std::fprintf(stderr, "gleaner extract: %s: %s\n", file.c_str(), error.message.c_str());
}

Result<Article> ExtractFile(const std::string& file, const Args& args, const Config& config,
                            const rules::SiteSet& sites) {
  auto bytes = ReadFileCapped(file, config.limits.max_page_bytes);
  if (!bytes) return tl::unexpected(bytes.error());
  PageInput page{*bytes, args.Value("url"), args.Value("content-type")};
  ExtractOptions options;
  options.limits = DomLimitsFrom(config.limits);
  options.generic_only = args.Has("generic");
  options.site_id = args.Value("site");
  return ExtractPage(page, &sites, options);
}

}  // namespace

int CmdExtract(const CommandArgs& argv) {
  auto args = ParseArgs(argv, Spec());
  if (!args) return ReportError("extract", args.error());
  if (args->Has("help")) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (args->positional.empty())
    return ReportError("extract", {ErrorCode::kUsage, "no FILE given (see --help)"});
  if (args->positional.size() > 1 && (args->Has("url") || args->Has("content-type"))) {
    return ReportError("extract",
                       {ErrorCode::kUsage, "--url and --content-type apply to a single FILE"});
  }
  if (args->Has("generic") && args->Has("site")) {
    return ReportError("extract", {ErrorCode::kUsage, "--generic and --site exclude each other"});
  }
  auto config = ConfigFromArgs(*args);
  if (!config) return ReportError("extract", config.error());
  auto sites = SitesFor(*args, *config);
  if (!sites) return ReportError("extract", sites.error());
  if (auto id = args->Value("site"); id && !sites->Find(*id)) {
    return ReportError(
        "extract", {ErrorCode::kUsage, "no site with id '" + *id + "' in " + config->sites_dir});
  }
  int status = 0;
  for (const std::string& file : args->positional) {
    auto article = ExtractFile(file, *args, *config, *sites);
    if (!article) {
      PrintFailure(file, article.error());
      if (status == 0) status = article.error().ExitCode();
      continue;
    }
    std::printf("%s\n", ArticleToJson(*article, args->Has("pretty")).c_str());
  }
  std::fflush(stdout);
  return status;
}

}  // namespace gleaner::cli
