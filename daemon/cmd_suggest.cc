// `gleaner suggest [--id ID] [--name NAME] [--language LANG] [--listing URL] [--write DIR]
//                  SAMPLE... | --from-archive HOST`: drafts a site file from a few pages of
// one site (extractors/suggest/suggest.h), fetching the samples given as URLs, or taking
// the host's latest pages from the archive (store/archive.h).
#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "daemon/commands.h"
#include "daemon/fetch/curl_fetcher.h"
#include "daemon/log.h"
#include "daemon/schedule/fetch_now.h"
#include "daemon/settings/site_files.h"
#include "daemon/store/archive.h"
#include "extractors/core/ascii.h"
#include "extractors/core/url.h"
#include "extractors/suggest/page.h"
#include "extractors/suggest/suggest.h"
#include "extractors/suggest/url_shape.h"

namespace gleaner::cli {
namespace {

constexpr std::string_view kHelp =
    "usage: gleaner suggest [options] SAMPLE...\n"
    "       gleaner suggest [options] --from-archive HOST [--db PATH]\n"
    "\n"
    "Drafts a site file from a few article pages of one site (two of the same design are a\n"
    "good start; give more when the site has several designs) and prints it. A SAMPLE is:\n"
    "  URL        fetched now (robots.txt, the politeness delay and every cap apply)\n"
    "  FILE       a saved page; its URL is its rel=canonical or og:url\n"
    "  FILE=URL   a saved page and its URL (split at the first '=')\n"
    "With --from-archive HOST the samples are the pages of HOST the crawler or `gleaner\n"
    "fetch --store` archived instead (no SAMPLE then): each URL's latest capture, newest\n"
    "first, at most 8, only 2xx responses that generic extraction reads as articles, each\n"
    "with the URL it was requested as and the Content-Type it was served with. HOST is a\n"
    "host name (any case; example.com and www.example.com take each other's pages) or a\n"
    "URL of it. The path for a publisher whose pages came through generic extraction.\n"
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
    "  --from-archive HOST  take the samples from the archive (see above)\n"
    "  --db PATH         the database whose archive --from-archive reads (default: the\n"
    "                    config's `database`; the archive is beside it, .archive.db)\n"
    "  --config FILE     configuration file (fetch settings and caps)\n"
    "\n"
    "Exit codes: 0 the draft holds on every sample; 1 it falls short on some (the draft is\n"
    "still printed or written); 2 usage, or DIR/<id>.yaml exists; 3 a FILE cannot be read,\n"
    "or the archive does not exist; 4 a sample cannot be fetched, is not an article, or is\n"
    "of another site than the first, or the archive holds no article page of HOST; 8 the\n"
    "archive cannot be read.\n";

// Drafts that fall short are still a result: the user edits them.
constexpr int kExitDraftFallsShort = 1;

bool IsUrl(std::string_view arg) {
  return arg.rfind("http://", 0) == 0 || arg.rfind("https://", 0) == 0;
}

// The longest host name DNS allows (RFC 1035: 253 characters written out).
constexpr size_t kMaxHostBytes = 253;

// The archived pages --from-archive gives suggest: enough that each of a site's two or
// three designs is likely to be among them twice (suggest drafts a layout per design, and
// two pages of one design tell its stable markup from one article's), few enough that the
// draft, its check and its per-sample report stay quick to run and to read.
constexpr size_t kMaxArchiveSamples = 8;
// The newest 2xx captures looked at to find those samples: a few pages of a host may be
// corrupt or not articles (a page archived though nothing was extracted from it); past
// this many, the archive holds something else than the host's articles and reading more
// would only slow the command down.
constexpr size_t kMaxArchiveCandidates = 4 * kMaxArchiveSamples;

// The host --from-archive names, lower-case: the value itself, or the host of a URL.
std::string ArchiveHost(const std::string& value) {
  if (IsUrl(value)) return store::HostOf(value);
  return AsciiLower(value);
}

Result<void> CheckArchiveArguments(const Args& args) {
  if (!args.positional.empty()) {
    return Fail(ErrorCode::kUsage,
                "give SAMPLEs or --from-archive HOST, not both ('" + args.positional[0] + "')");
  }
  std::string value = *args.Value("from-archive");
  std::string host = value.size() > kMaxUrlBytes ? "" : ArchiveHost(value);
  bool plain = std::none_of(host.begin(), host.end(), [](char c) {
    return c == '/' || c == ':' || IsHtmlSpace(c) || static_cast<unsigned char>(c) < 0x20;
  });
  if (host.empty() || host.size() > kMaxHostBytes || !plain) {
    return Fail(ErrorCode::kUsage,
                "--from-archive takes a host name such as example.com, not '" + value + "'");
  }
  return {};
}

Result<void> CheckArguments(const Args& args) {
  if (args.Has("db") && !args.Has("from-archive"))
    return Fail(ErrorCode::kUsage, "--db goes with --from-archive");
  if (args.Has("from-archive")) {
    if (auto ok = CheckArchiveArguments(args); !ok) return ok;
  } else if (args.positional.empty()) {
    return Fail(ErrorCode::kUsage, "no SAMPLE given");
  }
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

// The value of the last Content-Type line of an archived head (the one a client obeys);
// nullopt when it has none.
std::optional<std::string> ContentTypeOf(std::string_view head) {
  std::optional<std::string> type;
  constexpr std::string_view kName = "content-type:";
  while (!head.empty()) {
    size_t end = head.find('\n');
    std::string_view line = head.substr(0, end);
    head = end == std::string_view::npos ? std::string_view() : head.substr(end + 1);
    if (StartsWithIgnoreCase(line, kName)) {
      line.remove_prefix(kName.size());
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      type = std::string(TrimHttpSpace(line));
    }
  }
  return type;
}

// Whether `a` was fetched after `b` (the later id first among equal times).
bool Newer(const store::Capture& a, const store::Capture& b) {
  return a.fetched != b.fetched ? a.fetched > b.fetched : a.id > b.id;
}

// The newest 2xx latest captures of `host` and of its www. twin, newest first, at most
// kMaxArchiveCandidates.
Result<std::vector<store::Capture>> NewestCaptures(store::Archive& archive,
                                                   const std::string& host) {
  std::vector<store::Capture> newest;
  auto keep_newest = [&newest] {
    std::sort(newest.begin(), newest.end(), Newer);
    if (newest.size() > kMaxArchiveCandidates) newest.resize(kMaxArchiveCandidates);
  };
  std::string bare = suggest::BareHost(host);
  for (const std::string& name : {bare, "www." + bare}) {
    store::CaptureFilter filter;
    filter.host = name;
    filter.latest_only = true;
    auto walked = archive.ForEach(filter, [&](const store::Capture& capture) {
      if (capture.status < 200 || capture.status > 299) return true;
      newest.push_back(capture);
      // Pruned in batches so that a host with many pages costs bounded memory.
      if (newest.size() >= 2 * kMaxArchiveCandidates) keep_newest();
      return true;
    });
    if (!walked) return tl::unexpected(walked.error());
  }
  keep_newest();
  return newest;
}

// The samples --from-archive takes: the newest captures of the host that read as articles,
// all of one origin (suggest drafts one site), at most kMaxArchiveSamples. Corrupt entries
// and pages that are not articles are reported on stderr and skipped.
Result<std::vector<suggest::Sample>> ArchiveSamples(const Invocation& in) {
  std::string host = ArchiveHost(*in.args.Value("from-archive"));
  std::string path = store::ArchivePathFor(in.config->database);
  auto archive = store::Archive::Open(path, store::OpenMode::kReadOnly);
  if (!archive) {
    Error error = archive.error();
    if (error.code == ErrorCode::kInput) {
      error.message = "archive " + path +
                      " does not exist: pages are archived as they are fetched (by the daemon "
                      "and `gleaner fetch --store`) while `archive: true` (the default)";
    }
    return tl::unexpected(error);
  }
  auto captures = NewestCaptures(*archive, host);
  if (!captures) return tl::unexpected(captures.error());
  std::vector<suggest::Sample> samples;
  std::optional<std::string> port;  // of the first sample: one origin
  html::DomLimits limits = DomLimitsFrom(in.config->limits);
  auto skip = [&in](const std::string& url, const std::string& why) {
    std::fprintf(stderr, "gleaner %s: skipped %s: %s\n", std::string(in.name).c_str(), url.c_str(),
                 why.c_str());
  };
  for (const store::Capture& capture : *captures) {
    if (samples.size() == kMaxArchiveSamples) break;
    auto parts = ParseUrl(capture.url_key);
    if (!parts || (!samples.empty() && parts->port != port)) continue;
    auto body = archive->Body(capture);
    if (!body && body.error().code != ErrorCode::kInput) return tl::unexpected(body.error());
    if (!body) {
      skip(capture.url, body.error().message);
      continue;
    }
    suggest::Sample sample{capture.url, std::move(*body), capture.url, ContentTypeOf(capture.head)};
    // Parsed here and again by Suggest (a few milliseconds a page): one page that is not
    // an article would make Suggest refuse them all, and an archive holds such pages
    // (kept even when nothing was extracted from them).
    if (auto page = suggest::LoadPage(sample, limits); !page) {
      skip(capture.url, page.error().message);
      continue;
    }
    if (samples.empty()) port = parts->port;
    samples.push_back(std::move(sample));
  }
  if (samples.empty()) {
    return Fail(ErrorCode::kNoArticle,
                "the archive " + path + " holds no article page of " + host +
                    (captures->empty() ? "" : " (none of its newest pages could be used)"));
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
  auto samples = args.Has("from-archive") ? ArchiveSamples(in) : Samples(in, &hints);
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
      .flags = {{"id", true},
                {"name", true},
                {"language", true},
                {"listing", true},
                {"write", true},
                {"from-archive", true},
                {"db", true}},
      .needs = {.config = true},
      .check_arguments = CheckArguments,
      .run = Suggest,
  };
  return command;
}

}  // namespace gleaner::cli
