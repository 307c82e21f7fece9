// `gleaner extract [--sites DIR] [--site ID | --generic] [--url URL] [--content-type CT]
//                  [--pretty] [--save-test DIR/NAME] FILE...`
// `gleaner extract --explain [--url URL] [--site ID | --generic] FILE`
#include <cstdio>
#include <nlohmann/json.hpp>

#include "daemon/commands.h"
#include "daemon/settings/site_files.h"
#include "daemon/settings/site_tests.h"
#include "daemon/store/timestamps.h"
#include "extractors/pipeline.h"

namespace gleaner::cli {
namespace {

constexpr std::string_view kHelp =
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
    "  --pretty             indent the JSON for people\n"
    "  --explain            instead of the record, print how the page was extracted (one FILE):\n"
    "                       the URL and the site (with the urls regex that matched), the\n"
    "                       encoding, each layout tried, each field's selectors with their\n"
    "                       node counts and first texts, what remove, ticker and related took\n"
    "                       out, the metadata fallbacks, the fallback decision with its\n"
    "                       figures, and the record in short. The exit status is extract's.\n"
    "  --save-test DIR/NAME also save the page and its record as a site test: DIR/NAME.html and\n"
    "                       DIR/NAME.json (one FILE; needs --url or a canonical; never replaces)\n";

// `--save-test DIR/NAME`: a single FILE, extracted with site rules, and a NAME to which the
// test's .html and .json are added (a name beginning with '.' would be ignored by `check`).
Result<void> CheckSaveTestArguments(const Args& args) {
  auto target = args.Value("save-test");
  if (!target) return {};
  if (args.positional.size() != 1) return Fail(ErrorCode::kUsage, "--save-test takes one FILE");
  if (args.Has("generic"))
    return Fail(ErrorCode::kUsage,
                "--save-test saves a test of a site's rules: not with --generic");
  std::string_view name = *target;
  name = name.substr(name.rfind('/') == std::string_view::npos ? 0 : name.rfind('/') + 1);
  if (name.empty() || name[0] == '.' || name.ends_with(".html") || name.ends_with(".json")) {
    return Fail(ErrorCode::kUsage,
                "--save-test takes DIR/NAME: the test's name, not beginning "
                "with '.', without .html or .json");
  }
  return {};
}

Result<void> CheckArguments(const Args& args) {
  if (args.positional.empty()) return Fail(ErrorCode::kUsage, "no FILE given");
  if (args.positional.size() > 1 && (args.Has("url") || args.Has("content-type")))
    return Fail(ErrorCode::kUsage, "--url and --content-type apply to a single FILE");
  if (args.positional.size() > 1 && args.Has("explain"))
    return Fail(ErrorCode::kUsage, "--explain applies to a single FILE");
  if (args.Has("generic") && args.Has("site"))
    return Fail(ErrorCode::kUsage, "--generic and --site exclude each other");
  if (args.Has("explain") && args.Has("save-test"))
    return Fail(ErrorCode::kUsage, "--explain and --save-test exclude each other");
  return CheckSaveTestArguments(args);
}

void PrintFailure(const std::string& file, const Error& error) {
  nlohmann::ordered_json j{{"file", file}, {"error", error.message}, {"exit", error.ExitCode()}};
  std::printf("%s\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  std::fprintf(stderr, "gleaner extract: %s: %s\n", file.c_str(), error.message.c_str());
}

// Extracts `bytes`; with a `trace`, records there how (rules/explain.h).
Result<Article> ExtractBytes(std::string_view bytes, const Args& args, const Config& config,
                             const rules::SiteSet& sites, rules::ExplainTrace* trace = nullptr) {
  PageInput page{bytes, args.Value("url"), args.Value("content-type")};
  ExtractOptions options;
  options.limits = DomLimitsFrom(config.limits);
  options.generic_only = args.Has("generic");
  options.site_id = args.Value("site");
  options.trace = trace;
  options.today = store::LatestPageDay(store::Now());
  return ExtractPage(page, &sites, options);
}

Result<Article> ExtractFile(const std::string& file, const Args& args, const Config& config,
                            const rules::SiteSet& sites, rules::ExplainTrace* trace = nullptr) {
  auto bytes = ReadFileCapped(file, config.limits.max_page_bytes);
  if (!bytes) return tl::unexpected(bytes.error());
  return ExtractBytes(*bytes, args, config, sites, trace);
}

// `--explain`: how the one FILE was extracted, for people, on stdout; a failure is also
// reported on stderr. Returns extract's exit status.
int Explain(const Invocation& in) {
  const std::string& file = in.args.positional.front();
  rules::ExplainTrace trace;
  auto article = ExtractFile(file, in.args, *in.config, *in.sites, &trace);
  std::printf("file: %s\n%s", file.c_str(), rules::RenderExplanation(trace, article).c_str());
  std::fflush(stdout);
  if (!article)
    return ReportError(in.name, {article.error().code, file + ": " + article.error().message});
  return kExitOk;
}

// `--save-test DIR/NAME`: the one FILE's record, saved with the page as a site test
// (settings/site_tests.h), then printed as usual. Nothing is saved when the extraction fails,
// when the record has no URL, or when DIR/NAME.html or DIR/NAME.json exists.
int ExtractAndSaveTest(const Invocation& in) {
  const std::string& file = in.args.positional.front();
  const std::string target = *in.args.Value("save-test");
  if (auto free = sitetests::CheckNewSiteTest(target); !free)
    return ReportError(in.name, free.error());
  auto bytes = ReadFileCapped(file, in.config->limits.max_page_bytes);
  Result<Article> article = bytes ? ExtractBytes(*bytes, in.args, *in.config, *in.sites)
                                  : Result<Article>(tl::unexpected(bytes.error()));
  if (!article) {
    PrintFailure(file, article.error());
    return article.error().ExitCode();
  }
  if (!article->url) {
    return ReportError(in.name, {ErrorCode::kUsage,
                                 "--save-test needs the page's URL: give --url "
                                 "(the page names no canonical URL)"});
  }
  auto saved = sitetests::SaveSiteTest(target, *bytes, *article, in.args.Value("content-type"));
  if (!saved) return ReportError(in.name, saved.error());
  std::printf("%s\n", ArticleToJson(*article, in.args.Has("pretty")).c_str());
  std::fflush(stdout);
  return kExitOk;
}

// One record (or failure line) per file, in order; the exit status is the first failure's.
int Extract(const Invocation& in) {
  const Args& args = in.args;
  if (auto id = args.Value("site"); id && !in.sites->Find(*id)) {
    return ReportError(
        in.name, {ErrorCode::kUsage, "no site with id '" + *id + "' in " + in.config->sites_dir});
  }
  if (args.Has("explain")) return Explain(in);
  if (args.Has("save-test")) return ExtractAndSaveTest(in);
  int status = kExitOk;
  for (const std::string& file : args.positional) {
    auto article = ExtractFile(file, args, *in.config, *in.sites);
    if (!article) {
      PrintFailure(file, article.error());
      if (status == kExitOk) status = article.error().ExitCode();
      continue;
    }
    std::printf("%s\n", ArticleToJson(*article, args.Has("pretty")).c_str());
  }
  std::fflush(stdout);
  return status;
}

}  // namespace

const Command& ExtractCommand() {
  static const Command command{
      .name = "extract",
      .summary = "extract article records from saved pages",
      .help = kHelp,
      .flags = {{"url", true},
                {"content-type", true},
                {"site", true},
                {"sites", true},
                {"generic", false},
                {"pretty", false},
                {"explain", false},
                {"save-test", true}},
      .needs = {.sites = SitesNeed::kIfPresent, .no_sites_flag = "generic"},
      .check_arguments = CheckArguments,
      .run = Extract,
  };
  return command;
}

}  // namespace gleaner::cli
