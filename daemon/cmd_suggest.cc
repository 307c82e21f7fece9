// `gleaner suggest [--id ID] [--name NAME] [--language LANG] [--listing URL] [--write DIR]
//                  SAMPLE...`: drafts a site file from a few pages of one site
// (extractors/suggest/suggest.h), fetching the samples given as URLs.
#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "daemon/commands.h"
#include "daemon/fetch/curl_fetcher.h"
#include "daemon/log.h"
#include "daemon/schedule/fetch_now.h"
#include "daemon/settings/site_files.h"
#include "extractors/core/url.h"
#include "extractors/suggest/suggest.h"

namespace gleaner::cli {
namespace {

constexpr std::string_view kHelp =
    "usage: gleaner suggest [options] SAMPLE...\n"
    "\n"
    "Drafts a site file from a few article pages of one site (two of the same design are a\n"
    "good start; give more when the site has several designs) and prints it. A SAMPLE is:\n"
    "  URL        fetched now (robots.txt, the politeness delay and every cap apply)\n"
    "  FILE       a saved page; its URL is its rel=canonical or og:url\n"
    "  FILE=URL   a saved page and its URL (split at the first '=')\n"
    "\n"
    "Each rule of the draft says in a comment what it rests on; 'UNSURE' marks what needs a\n"
    "look. Before printing, the draft is applied to every sample: each field must give what\n"
    "was found and the body must reach token F1 0.95 against generic extraction; what falls\n"
    "short is reported on stderr and in the draft.\n"
    "\n"
    "options:\n"
    "  --id ID           the site's id (default: from the host)\n"
    "  --name NAME       the site's name (default: the pages' og:site_name, else the host)\n"
    "  --language LANG   the site's language (default: the pages')\n"
    "  --listing URL     a listing page for the daemon to poll\n"
    "  --write DIR       write the draft to DIR/<id>.yaml instead of printing it; an\n"
    "                    existing file is never overwritten\n"
    "  --config FILE     configuration file (fetch settings and caps)\n"
    "\n"
    "Exit codes: 0 the draft holds on every sample; 1 it falls short on some (the draft is\n"
    "still printed or written); 2 usage, or DIR/<id>.yaml exists; 3 a FILE cannot be read;\n"
    "4 a sample cannot be fetched, is not an article, or is of another site than the first.\n";

// Drafts that fall short are still a result: the user edits them.
constexpr int kExitDraftFallsShort = 1;

bool IsUrl(std::string_view arg) {
  return arg.rfind("http://", 0) == 0 || arg.rfind("https://", 0) == 0;
}

Result<void> CheckArguments(const Args& args) {
  if (args.positional.empty()) return Fail(ErrorCode::kUsage, "no SAMPLE given");
  for (const std::string& sample : args.positional) {
    if (sample.size() > kMaxUrlBytes + 4096) {
      return Fail(ErrorCode::kUsage, "a SAMPLE of " + std::to_string(sample.size()) +
                                         " bytes: too long for a file name or a URL");
    }
  }
  if (auto id = args.Value("id"); id && (id->empty() || id->find('/') != std::string::npos))
    return Fail(ErrorCode::kUsage, "--id must be a non-empty name without '/'");
  return {};
}

// Reads FILE or FILE=URL.
Result<suggest::Sample> SavedSample(const std::string& arg, const Config& config) {
  suggest::Sample sample;
  std::string file = arg;
  if (size_t eq = arg.find('='); eq != std::string::npos && !std::filesystem::exists(arg)) {
    file = arg.substr(0, eq);
    sample.url = arg.substr(eq + 1);
    if (!ParseUrl(*sample.url))
      return Fail(ErrorCode::kUsage, arg + ": not an absolute URL after '='");
  }
  auto bytes = ReadFileCapped(file, config.limits.max_page_bytes);
  if (!bytes) return tl::unexpected(bytes.error());
  sample.label = file;
  sample.bytes = std::move(*bytes);
  return sample;
}

// Fetches each URL sample (one fetcher, so robots.txt and the per-host delay hold across
// them) and collects the Sitemap: lines of the site's robots.txt.
Result<suggest::Sample> FetchedSample(fetch::Fetcher& fetcher, const std::string& url,
                                      suggest::Hints* hints) {
  fetch::FetchResult result = fetch::FetchOne(fetcher, schedule::RequestFor(url, nullptr));
  if (!result.ok()) {
    Error e = schedule::FetchFailure(result);
    return Fail(ErrorCode::kNoArticle, url + ": cannot be fetched: " + e.message);
  }
  for (std::string& sitemap : fetcher.Sitemaps(url)) {
    if (std::find(hints->sitemaps.begin(), hints->sitemaps.end(), sitemap) == hints->sitemaps.end())
      hints->sitemaps.push_back(std::move(sitemap));
  }
  return suggest::Sample{url, std::move(result.body), url, result.content_type};
}

Result<std::vector<suggest::Sample>> Samples(const Invocation& in, suggest::Hints* hints) {
  std::vector<suggest::Sample> samples;
  std::unique_ptr<fetch::Fetcher> fetcher;
  for (const std::string& arg : in.args.positional) {
    if (!IsUrl(arg)) {
      auto sample = SavedSample(arg, *in.config);
      if (!sample) return tl::unexpected(sample.error());
      samples.push_back(std::move(*sample));
      continue;
    }
    if (!fetcher) {
      fetch::CurlFetcherOptions options;
      options.settings = in.config->fetch;
      auto created = fetch::CurlFetcher::Create(options);
      if (!created) return tl::unexpected(created.error());
      fetcher = std::move(*created);
    }
    auto sample = FetchedSample(*fetcher, arg, hints);
    if (!sample) return tl::unexpected(sample.error());
    samples.push_back(std::move(*sample));
  }
  return samples;
}

// A draft is as public as the site files it joins.
constexpr mode_t kDraftFileMode = 0644;

// Writes `text` to DIR/<id>.yaml, whole or not at all, never replacing a file.
Result<std::string> WriteDraft(const std::string& dir, const std::string& id,
                               const std::string& text) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  std::string path = (std::filesystem::path(dir) / (id + ".yaml")).string();
  auto written = WriteNewFile(path, text, kDraftFileMode);
  if (!written && written.error().code == ErrorCode::kUsage)
    return Fail(ErrorCode::kUsage, path + " exists; it is never overwritten");
  if (!written) return tl::unexpected(written.error());
  return path;
}

void ReportChecks(const suggest::Draft& draft) {
  for (const suggest::SampleCheck& c : draft.checks) {
    std::fprintf(stderr, "gleaner suggest: %s: %s, body F1 %.3f%s\n", c.label.c_str(),
                 c.extractor.empty() ? "no record" : c.extractor.c_str(), c.body_f1,
                 c.problems.empty() ? ", every field as found" : "");
  }
  for (const std::string& w : draft.warnings) {
    std::fprintf(stderr, "gleaner suggest: UNSURE: %s\n", w.c_str());
  }
}

int Suggest(const Invocation& in) {
  const Args& args = in.args;
  if (auto ok = SetupLogging(in.config->log_level); !ok) ReportError(in.name, ok.error());
  suggest::Hints hints{
      args.Value("id"), args.Value("name"), args.Value("language"), args.Value("listing"), {}};
  auto samples = Samples(in, &hints);
  if (!samples) return ReportError(in.name, samples.error());
  auto draft = suggest::Suggest(*samples, hints, DomLimitsFrom(in.config->limits));
  if (!draft) return ReportError(in.name, draft.error());
  if (auto dir = args.Value("write")) {
    auto path = WriteDraft(*dir, draft->id, draft->yaml);
    if (!path) return ReportError(in.name, path.error());
    std::fprintf(stderr, "gleaner suggest: wrote %s\n", path->c_str());
  } else {
    std::fputs(draft->yaml.c_str(), stdout);
    std::fflush(stdout);
  }
  ReportChecks(*draft);
  return draft->verified ? kExitOk : kExitDraftFallsShort;
}

}  // namespace

const Command& SuggestCommand() {
  static const Command command{
      .name = "suggest",
      .summary = "draft a site file from a few pages of a site",
      .help = kHelp,
      .flags =
          {{"id", true}, {"name", true}, {"language", true}, {"listing", true}, {"write", true}},
      .needs = {.config = true},
      .check_arguments = CheckArguments,
      .run = Suggest,
  };
  return command;
}

}  // namespace gleaner::cli
