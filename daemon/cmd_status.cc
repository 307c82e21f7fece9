// `gleaner status [--config FILE] [--db PATH] [--json]`: per-site health from the running
// daemon's status file, the queue's depth from the database (read-only).
#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "daemon/commands.h"
#include "daemon/schedule/status_file.h"
#include "daemon/store/store.h"

namespace gleaner::cli {
namespace {

using nlohmann::json;

json FrontierJson(const std::vector<store::SiteFrontier>& sites) {
  json j = json::object();
  for (const store::SiteFrontier& s : sites) {
    j[s.site] = {
        {"backlog", s.backlog},
        {"retrying", s.waiting},
        {"parked", s.parked},
        {"next_poll", s.next_poll ? json(store::FormatTime(*s.next_poll)) : json(nullptr)}};
  }
  return j;
}

std::string Field(const json& object, const char* key) {
  if (!object.is_object() || !object.contains(key) || !object[key].is_string()) return "-";
  return object[key].get<std::string>();
}

// Whether `id` is written as a site file's id must be: lower-case letters, digits, - and _
// (sites/README.md), at most kMaxSiteIdBytes. The status file is not trusted, and a hint
// is a command line people paste into a shell: a hostile "id" must not become one.
constexpr size_t kMaxSiteIdBytes = 64;
bool IsSiteId(const std::string& id) {
  if (id.empty() || id.size() > kMaxSiteIdBytes) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

// Whether any of a site's `broken_rules` counters is non-zero: its rules broke on a page.
bool RulesBroke(const json& site) {
  for (const auto& [why, n] : site["broken_rules"].items()) {
    if (n.get<int64_t>() > 0) return true;
  }
  return false;
}

void PrintFrontier(const json& daemon, const json& frontier) {
  if (frontier.is_null() || frontier.empty()) return;
  std::printf("%-22s %8s %8s %8s  %-24s %s\n", "site", "backlog", "retrying", "parked", "next poll",
              "last success");
  for (const auto& [id, f] : frontier.items()) {
    json site =
        daemon.is_null() || !daemon["sites"].contains(id) ? json(nullptr) : daemon["sites"][id];
    std::printf("%-22s %8lld %8lld %8lld  %-24s %s\n", id.c_str(),
                static_cast<long long>(f["backlog"].get<int64_t>()),
                static_cast<long long>(f["retrying"].get<int64_t>()),
                static_cast<long long>(f["parked"].get<int64_t>()), Field(f, "next_poll").c_str(),
                Field(site, "last_success").c_str());
  }
}

void PrintTable(const json& daemon, const json& queue, const json& frontier) {
  if (daemon.is_null()) {
    std::printf("daemon: not running (no fresh status file)\n");
  } else {
    std::printf("daemon: running, pid %d, since %s\n", daemon["pid"].get<int>(),
                daemon["started"].get<std::string>().c_str());
    std::printf("%-22s %7s %7s %7s %7s %7s %7s  %s\n", "site", "polls", "new", "errors", "broken",
                "1h err", "found", "last new article");
    for (const auto& [id, s] : daemon["sites"].items()) {
      int64_t errors = s["poll_errors"].get<int64_t>() + s["fetch_errors"].get<int64_t>() +
                       s["extract_errors"].get<int64_t>();
      std::printf(
          "%-22s %7lld %7lld %7lld %7lld %7lld %7lld  %s\n", id.c_str(),
          static_cast<long long>(s["polls"].get<int64_t>()),
          static_cast<long long>(s["new_articles"].get<int64_t>()), static_cast<long long>(errors),
          static_cast<long long>(s["rule_breakage"].get<int64_t>()),
          static_cast<long long>(s["errors_last_hour"].get<int64_t>()),
          static_cast<long long>(s["discovered"].get<int64_t>()),
          s["last_new_article"].is_null() ? "-" : s["last_new_article"].get<std::string>().c_str());
      for (const auto& [why, n] : s["broken_rules"].items()) {
        std::printf("    rules broke %lld times: %s\n", static_cast<long long>(n.get<int64_t>()),
                    why.c_str());
      }
      if (RulesBroke(s) && IsSiteId(id)) {
        std::printf("    to see what broke: gleaner check --live --site %s\n", id.c_str());
      }
    }
    for (const auto& pause : daemon.value("paused_hosts", json::array())) {
      std::printf("host %s paused until %s (%s)\n", Field(pause, "host").c_str(),
                  Field(pause, "until").c_str(), Field(pause, "reason").c_str());
    }
  }
  PrintFrontier(daemon, frontier);
  if (queue.is_null()) {
    std::printf("queue: no database yet\n");
  } else {
    std::printf(
        "queue: %lld ready, %lld claimed, %lld expired, %lld delayed, %lld dead, %lld acked; %lld "
        "articles\n",
        static_cast<long long>(queue["ready"].get<int64_t>()),
        static_cast<long long>(queue["claimed"].get<int64_t>()),
        static_cast<long long>(queue["expired"].get<int64_t>()),
        static_cast<long long>(queue["delayed"].get<int64_t>()),
        static_cast<long long>(queue["dead"].get<int64_t>()),
        static_cast<long long>(queue["acked"].get<int64_t>()),
        static_cast<long long>(queue["articles"].get<int64_t>()));
  }
}

constexpr std::string_view kHelp =
    "usage: gleaner status [--config FILE] [--db PATH] [--json]\n\n"
    "Shows, per site, the running daemon's polls, new articles, errors (by kind with\n"
    "--json), rule breakage (how often the generic fallback stepped in, and why), the\n"
    "time of the last new article and of the last successful fetch, its backlog (articles\n"
    "due), retries waiting, parked rows and next poll; the hosts paused (Retry-After,\n"
    "circuit breaker) and until when; and the queue's depth. Read-only.\n\n"
    "Exit codes: 0 ok (also when no daemon runs); 3 the status file beside the database\n"
    "is unreadable, larger than 4 MiB or not a status document (the message names it);\n"
    "8 database error.\n";

// The queue's depth: the counts of `queue stats --json`, which also says how old the
// oldest pending message is; `status` has always shown the counts only.
json QueueJson(const store::QueueStats& stats) {
  nlohmann::ordered_json counts = store::QueueStatsJson(stats);
  counts.erase("oldest_pending");
  return json(counts);
}

int Status(const Invocation& in) {
  json queue = nullptr;
  json frontier = nullptr;
  if (in.store != nullptr) {  // none yet is no error: the daemon may not have run
    auto stats = in.store->queue().Stats(store::Now());
    if (!stats) return ReportError(in.name, stats.error());
    queue = QueueJson(*stats);
    auto sites = in.store->SiteFrontiers(store::Now());
    if (!sites) return ReportError(in.name, sites.error());
    frontier = FrontierJson(*sites);
  }
  auto live = schedule::ReadLiveStatus(in.config->database, store::Now());
  if (!live) return ReportError(in.name, live.error());
  const json daemon = *live ? std::move(**live) : json(nullptr);
  if (in.args.Has("json")) {
    std::printf("%s\n",
                json{{"daemon", daemon}, {"queue", queue}, {"frontier", frontier}}.dump().c_str());
  } else {
    PrintTable(daemon, queue, frontier);
  }
  return kExitOk;
}

}  // namespace

const Command& StatusCommand() {
  static const Command command{
      .name = "status",
      .summary = "per-site health, queue depth and last new article",
      .help = kHelp,
      .flags = {{"db", true}, {"json", false}},
      .needs = {.database = DatabaseNeed::kReadOnlyIfExists},
      .run = Status,
  };
  return command;
}

}  // namespace gleaner::cli
