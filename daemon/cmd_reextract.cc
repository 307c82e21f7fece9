// `gleaner reextract [--site ID] [--since TIME] [--dry-run] [--json]`: extraction run again
// on archived pages with the current configuration and site files (schedule/reextract.h).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "daemon/commands.h"
#include "daemon/schedule/reextract.h"
#include "daemon/store/archive.h"

namespace gleaner::cli {
namespace {

constexpr std::string_view kReextractHelp =
    "usage: gleaner reextract [--site ID] [--since TIME] [--dry-run] [--json] [--db PATH]\n"
    "                         [--sites DIR] [--config FILE]\n"
    "\n"
    "Extracts the archived pages again with the current configuration and site files, as\n"
    "the daemon extracts a page it fetched: each URL's latest archived page once. A record\n"
    "whose title or body changed is replaced and queued once as an update; nothing else is\n"
    "written. A page with no record before (its extraction failed then) that gives one now\n"
    "is stored and queued as new. A page that now fails keeps its old record and is\n"
    "reported. Safe while the daemon runs; after an interruption (even SIGKILL) run it\n"
    "again: the records already updated are found unchanged and queued nothing twice.\n"
    "\n"
    "  --site ID     only pages of that site (the site that owns them now, or the one they\n"
    "                were fetched for)\n"
    "  --since TIME  only pages fetched at or after TIME: ISO 8601 (2024-05-01,\n"
    "                2024-05-01T09:30:00+02:00; no offset means UTC), or a duration back\n"
    "                from now (30m, 24h, 7d)\n"
    "  --dry-run     write nothing; print each record that would change and its fields\n"
    "  --json        print the changes and the summary as JSON lines\n"
    "\n"
    "Progress goes to stderr: a bar on a terminal, one line a second otherwise. The summary\n"
    "(stdout) gives per site: pages, records changed (and added), how many of the changed\n"
    "records differ in each field, pages generic extraction filled in before and after,\n"
    "pages that failed, and archive entries skipped as corrupt or as older than their\n"
    "record.\n"
    "\n"
    "Exit codes: 0 ok; 2 usage; 3 the archive or the database does not exist, or a corrupt\n"
    "archive entry was skipped; 4 a page gives no article now (its old record, if any,\n"
    "is kept); 8 database error.\n";

// A terminal's bar is redrawn this often at most; a log gets one line this often.
constexpr std::chrono::milliseconds kBarRedraw{100};
constexpr std::chrono::milliseconds kLogLineEvery{1000};
constexpr int kBarWidth = 30;

Result<void> CheckArguments(const Args& args) {
  if (!args.positional.empty())
    return Fail(ErrorCode::kUsage, "unexpected argument '" + args.positional[0] + "'");
  if (auto since = args.Value("since"); since && !store::ParseSince(*since, store::Now())) {
    return Fail(ErrorCode::kUsage,
                "--since must be an ISO 8601 time or a duration such as 24h, not '" + *since + "'");
  }
  return {};
}

// Progress on stderr, throttled: a redrawn bar on a terminal, a line a second in a log.
class Progress {
 public:
  Progress() : terminal_(isatty(STDERR_FILENO) == 1) {}

  void Update(int64_t done, int64_t total, int64_t changed) {
    auto now = std::chrono::steady_clock::now();
    bool last = done >= total;
    if (!last && now - last_ < (terminal_ ? kBarRedraw : kLogLineEvery)) return;
    last_ = now;
    if (!terminal_) {
      std::fprintf(stderr, "gleaner reextract: %lld/%lld pages, %lld changed\n",
                   static_cast<long long>(done), static_cast<long long>(total),
                   static_cast<long long>(changed));
      return;
    }
    int filled = total > 0 ? static_cast<int>(kBarWidth * done / total) : kBarWidth;
    std::string bar(static_cast<size_t>(filled), '#');
    bar.resize(kBarWidth, '.');
    std::fprintf(stderr, "\r[%s] %lld/%lld pages, %lld changed", bar.c_str(),
                 static_cast<long long>(done), static_cast<long long>(total),
                 static_cast<long long>(changed));
    drawn_ = true;
  }

  void End() {
    if (drawn_) std::fputc('\n', stderr);
    drawn_ = false;
  }

 private:
  bool terminal_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_{};
};

std::string FieldList(const std::map<std::string, int64_t>& fields) {
  std::string text;
  for (const char* field : schedule::kReextractFields) {
    auto it = fields.find(field);
    if (it == fields.end()) continue;
    if (!text.empty()) text += ", ";
    text += std::string(field) + " " + std::to_string(it->second);
  }
  return text.empty() ? "-" : text;
}

void PrintSummary(const schedule::ReextractReport& report, bool json, bool dry_run) {
  if (!json) {
    std::printf("%-24s %7s %8s %6s %7s %10s  %s\n", "site", "pages", "changed", "added", "failed",
                "fallbacks", "fields changed");
  }
  for (const auto& [site, f] : report.sites) {
    std::string name = site.empty() ? "(no site)" : site;
    if (json) {
      nlohmann::json line = {{"site", site.empty() ? nullptr : nlohmann::json(site)},
                             {"pages", f.pages},
                             {"changed", f.changed},
                             {"added", f.added},
                             {"fields", f.fields},
                             {"fallbacks_before", f.fallbacks_before},
                             {"fallbacks_after", f.fallbacks_after},
                             {"failed", f.failed},
                             {"corrupt", f.corrupt},
                             {"stale", f.stale},
                             {"dry_run", dry_run}};
      std::printf("%s\n", line.dump().c_str());
      continue;
    }
    std::string fallbacks =
        std::to_string(f.fallbacks_before) + " -> " + std::to_string(f.fallbacks_after);
    std::printf("%-24s %7lld %8lld %6lld %7lld %10s  %s\n", name.c_str(),
                static_cast<long long>(f.pages), static_cast<long long>(f.changed),
                static_cast<long long>(f.added), static_cast<long long>(f.failed),
                fallbacks.c_str(), FieldList(f.fields).c_str());
    if (f.corrupt > 0 || f.stale > 0) {
      std::printf("%-24s skipped: %lld corrupt, %lld older than their record\n", "",
                  static_cast<long long>(f.corrupt), static_cast<long long>(f.stale));
    }
  }
  if (!json && dry_run) std::printf("(dry run: nothing was written)\n");
}

void PrintChange(const schedule::PageEvent& event, bool json, bool dry_run) {
  bool added = event.kind == schedule::PageEvent::Kind::kAdded;
  if (json) {
    nlohmann::json line = {{"url", event.url},
                           {"site", event.site.empty() ? nullptr : nlohmann::json(event.site)},
                           {"change", added ? "added" : "updated"},
                           {"fields", event.fields},
                           {"dry_run", dry_run}};
    std::printf("%s\n", line.dump().c_str());
    return;
  }
  std::string fields;
  for (const std::string& field : event.fields) fields += (fields.empty() ? "" : ", ") + field;
  std::printf("%s %s%s%s\n",
              dry_run ? (added ? "would add" : "would update") : (added ? "added" : "updated"),
              event.url.c_str(), fields.empty() ? "" : ": ", fields.c_str());
}

int Reextract(const Invocation& in) {
  const Args& args = in.args;
  schedule::ReextractOptions options;
  options.site = args.Value("site");
  options.dry_run = args.Has("dry-run");
  bool json = args.Has("json");
  if (auto since = args.Value("since")) options.since = store::ParseSince(*since, store::Now());
  if (options.site && in.sites->Find(*options.site) == nullptr) {
    return ReportError(in.name, Error{ErrorCode::kUsage, "no site '" + *options.site + "' in " +
                                                             in.config->sites_dir});
  }
  std::string path = store::ArchivePathFor(in.config->database);
  auto archive = store::Archive::Open(path, store::OpenMode::kReadOnly);
  if (!archive) {
    Error error = archive.error();
    if (error.code == ErrorCode::kInput) {
      error.message = "archive " + path +
                      " does not exist: pages are archived as they are fetched while "
                      "`archive: true` (the default)";
    }
    return ReportError(in.name, error);
  }
  Progress progress;
  int64_t changed = 0;
  bool corrupt = false;
  bool failed = false;
  schedule::ReextractHooks hooks;
  hooks.on_event = [&](const schedule::PageEvent& event) {
    using Kind = schedule::PageEvent::Kind;
    if (event.kind == Kind::kChanged || event.kind == Kind::kAdded) {
      ++changed;
      if (options.dry_run || json) PrintChange(event, json, options.dry_run);
      return;
    }
    corrupt |= event.kind == Kind::kCorrupt;
    failed |= event.kind == Kind::kFailed;
    progress.End();
    std::fprintf(stderr, "gleaner %s: %s: %s%s\n", std::string(in.name).c_str(), event.url.c_str(),
                 event.kind == Kind::kFailed ? "old record kept: " : "", event.reason.c_str());
  };
  hooks.on_progress = [&](int64_t done, int64_t total) { progress.Update(done, total, changed); };
  auto report = schedule::Reextract(*in.config, *in.sites, *in.store, *archive, options, hooks);
  progress.End();
  if (!report) return ReportError(in.name, report.error());
  PrintSummary(*report, json, options.dry_run);
  std::fflush(stdout);
  if (corrupt) return ExitCode(ErrorCode::kInput);
  if (failed) return ExitCode(ErrorCode::kNoArticle);
  return kExitOk;
}

}  // namespace

const Command& ReextractCommand() {
  static const Command command{
      .name = "reextract",
      .summary = "extract archived pages again after a rule change",
      .help = kReextractHelp,
      .flags = {{"db", true},
                {"sites", true},
                {"since", true},
                {"site", true},
                {"dry-run", false},
                {"json", false}},
      .needs = {.sites = SitesNeed::kAll, .database = DatabaseNeed::kReadWrite},
      .check_arguments = CheckArguments,
      .run = Reextract,
  };
  return command;
}

}  // namespace gleaner::cli
