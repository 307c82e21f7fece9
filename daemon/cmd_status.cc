// `gleaner status [--config FILE] [--db PATH] [--json]`: per-site health from the running
// daemon's status file, the queue's depth from the database (read-only).
#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "daemon/cluster/leases.h"
#include "daemon/cluster/pg.h"
#include "daemon/cluster/sink.h"
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

// A number from the status file, which is not trusted: 0 when it is not one.
int64_t Count(const json& object, const char* key) {
  if (!object.is_object() || !object.contains(key) || !object[key].is_number_integer()) return 0;
  return object[key].get<int64_t>();
}

// How long `gleaner status` waits for the cluster's PostgreSQL.
constexpr std::chrono::seconds kClusterConnectTimeout{5};

// In a cluster: this box's sink (from the daemon's status file and the box's database) and
// every box with its heartbeat, backlog and sites (from PostgreSQL).
json ClusterJson(const ClusterSettings& settings, store::Store* store, const json& daemon) {
  json j;
  j["this_box"] = daemon.is_object() && daemon.contains("cluster") && daemon["cluster"].is_object()
                      ? daemon["cluster"]
                      : json(nullptr);
  j["box"] = settings.box;
  j["postgresql"] = cluster::DescribeTarget(settings.postgresql);
  j["to_ship"] = nullptr;
  if (store != nullptr) {
    auto backlog = store->SinkBacklog(cluster::kSinkName);
    if (backlog) j["to_ship"] = *backlog;
  }
  j["boxes"] = nullptr;
  j["error"] = nullptr;
  auto conn =
      cluster::PgConnection::Connect(settings.postgresql, kClusterConnectTimeout, "gleaner status");
  auto boxes = conn ? cluster::Boxes(*conn, settings.lease)
                    : Result<std::vector<cluster::BoxRow>>(tl::unexpected(conn.error()));
  if (!boxes) {
    j["error"] = boxes.error().message;
    return j;
  }
  j["boxes"] = json::array();
  for (const cluster::BoxRow& b : *boxes) {
    j["boxes"].push_back({{"box", b.box},
                          {"live", b.live},
                          {"heartbeat", store::FormatTime(store::FromMillis(b.heartbeat_ms))},
                          {"backlog", b.backlog},
                          {"sites", b.sites}});
  }
  return j;
}

void PrintCluster(const json& c) {
  if (c.is_null()) return;
  std::printf("cluster: box %s, PostgreSQL %s\n", Field(c, "box").c_str(),
              Field(c, "postgresql").c_str());
  const json& mine = c["this_box"];
  if (mine.is_object()) {
    if (Field(mine, "state") == "ok") {
      std::printf("  sink: ok, %lld shipped, %lld refused since the start\n",
                  static_cast<long long>(Count(mine, "shipped")),
                  static_cast<long long>(Count(mine, "rejected")));
    } else {
      std::printf("  sink: failing since %s: %s\n", Field(mine, "failing_since").c_str(),
                  Field(mine, "error").c_str());
    }
  }
  if (c["to_ship"].is_number_integer()) {
    std::printf("  records waiting here to be shipped: %lld\n",
                static_cast<long long>(c["to_ship"].get<int64_t>()));
  }
  if (!c["error"].is_null()) {
    std::printf("  boxes: unknown: %s\n", Field(c, "error").c_str());
    return;
  }
  std::printf("  %-16s %-5s %-24s %8s  %s\n", "box", "state", "last heartbeat", "backlog", "sites");
  for (const json& b : c["boxes"]) {
    std::string sites;
    for (const json& site : b["sites"])
      sites += (sites.empty() ? "" : ", ") + site.get<std::string>();
    std::printf("  %-16s %-5s %-24s %8lld  %zu: %s\n", b["box"].get<std::string>().c_str(),
                b["live"].get<bool>() ? "live" : "dead", b["heartbeat"].get<std::string>().c_str(),
                static_cast<long long>(b["backlog"].get<int64_t>()), b["sites"].size(),
                sites.c_str());
  }
}

constexpr std::string_view kHelp =
    "usage: gleaner status [--config FILE] [--db PATH] [--json]\n\n"
    "Shows, per site, the running daemon's polls, new articles, errors (by kind with\n"
    "--json), rule breakage (how often the generic fallback stepped in, and why), the\n"
    "time of the last new article and of the last successful fetch, its backlog (articles\n"
    "due), retries waiting, parked rows and next poll; the hosts paused (Retry-After,\n"
    "circuit breaker) and until when; and the queue's depth. In a cluster (`cluster:` in\n"
    "the config), also this box's sink (ok or failing, and why; records waiting to be\n"
    "shipped) and every box with its last heartbeat, backlog and the sites it holds, read\n"
    "from PostgreSQL. Read-only.\n\n"
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
  const json cluster =
      in.config->cluster ? ClusterJson(*in.config->cluster, in.store, daemon) : json(nullptr);
  if (in.args.Has("json")) {
    json all{{"daemon", daemon}, {"queue", queue}, {"frontier", frontier}};
    if (!cluster.is_null()) all["cluster"] = cluster;
    std::printf("%s\n", all.dump(-1, ' ', false, json::error_handler_t::replace).c_str());
  } else {
    PrintTable(daemon, queue, frontier);
    PrintCluster(cluster);
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
