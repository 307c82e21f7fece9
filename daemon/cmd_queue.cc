// `gleaner queue claim|ack|nack|stats`: the consumer side of the store (docs/CONTRACT.md
// "The queue"), on the cluster's PostgreSQL when the config has `cluster:` (cluster/pg_queue.h)
// and on this box's SQLite otherwise, or with --local (store/queue.h).
#include <charconv>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "daemon/cluster/pg_queue.h"
#include "daemon/cluster/pg_schema.h"
#include "daemon/commands.h"
#include "daemon/store/store.h"
#include "extractors/core/units.h"

namespace gleaner::cli {
namespace {

constexpr std::string_view kQueueHelp =
    "usage: gleaner queue claim [--limit N] [--lease DURATION] [--site ID] [--local]\n"
    "       gleaner queue ack [--local] ID...\n"
    "       gleaner queue nack [--delay DURATION] [--local] ID...\n"
    "       gleaner queue stats [--json] [--local]\n"
    "\n"
    "Hands stored articles to consumers, each once and in order, at least once.\n"
    "\n"
    "  claim   prints up to N (default 100, at most 10000) queued articles as JSON Lines:\n"
    "          the article record plus \"id\" (this delivery's token), \"attempt\" (1 on the\n"
    "          first delivery) and \"update\" (true when the article changed after it was\n"
    "          first delivered). The claim holds them for --lease (default 5m); unacked,\n"
    "          they are delivered again after it, under new ids. --site ID only claims\n"
    "          that site's articles. A message delivered 5 times without an ack goes dead.\n"
    "  ack     settles claims: the articles will not be delivered again. IDs may also be\n"
    "          read from standard input, one per line, with `-`.\n"
    "  nack    gives claims back: delivered again after --delay (default 0s), or dead\n"
    "          after the 5th delivery.\n"
    "  stats   counts messages by state (a table; --json for one JSON object).\n"
    "\n"
    "Which queue: with `cluster:` in the config, the cluster's PostgreSQL (every box's\n"
    "records; consumers on any number of machines never receive the same one; leases run\n"
    "on the server's clock). Without it, or with --local, this box's own database.\n"
    "\n"
    "Every subcommand takes --config FILE, and --db PATH (default: the config's `database`;\n"
    "with `cluster:`, only together with --local). Acking or nacking the same id twice is\n"
    "harmless. Exit codes: 0 ok; 2 usage, or an id this queue never issued; 3 the database\n"
    "does not exist; 8 database error (PostgreSQL unreachable, or refusing the login); 9 a\n"
    "claim that expired (its lease ended, or it was delivered again) or was already settled\n"
    "the other way: its ack/nack is refused, and the other ids are still settled.\n";

// Bounds one claim's memory and the time its transaction holds the write lock.
constexpr int kMaxClaimLimit = 10000;

Result<int> ParseLimit(const std::optional<std::string>& text) {
  if (!text) return store::kDefaultClaimLimit;
  int value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size() || value < 1 ||
      value > kMaxClaimLimit) {
    return Fail(ErrorCode::kUsage, "--limit must be a whole number from 1 to " +
                                       std::to_string(kMaxClaimLimit) + ", not '" + *text + "'");
  }
  return value;
}

Result<std::chrono::milliseconds> ParseDurationOption(const Args& args, const std::string& name,
                                                      std::chrono::milliseconds fallback,
                                                      bool allow_zero) {
  auto text = args.Value(name);
  if (!text) return fallback;
  auto duration = ParseDuration(*text);
  if (!duration || (!allow_zero && duration->count() == 0)) {
    return Fail(ErrorCode::kUsage, "--" + name + " must be a duration such as 30s, 5m or 2h" +
                                       (allow_zero ? "" : " (more than zero)") + ", not '" + *text +
                                       "'");
  }
  return *duration;
}

Result<store::ClaimRequest> ClaimRequestFrom(const Args& args) {
  store::ClaimRequest request;
  auto limit = ParseLimit(args.Value("limit"));
  if (!limit) return tl::unexpected(limit.error());
  request.limit = *limit;
  auto lease = ParseDurationOption(args, "lease", store::kDefaultLease, false);
  if (!lease) return tl::unexpected(lease.error());
  request.lease = *lease;
  request.site = args.Value("site");
  return request;
}

Result<void> CheckClaimArguments(const Args& args) {
  if (!args.positional.empty()) return Fail(ErrorCode::kUsage, "claim takes no arguments");
  if (auto request = ClaimRequestFrom(args); !request) return tl::unexpected(request.error());
  return {};
}

// The queue a command works on: the cluster's PostgreSQL, or this box's SQLite. Exactly one
// of the two is set.
struct QueueTarget {
  std::optional<cluster::PgConnection> pg;
  std::optional<store::Store> store;
};

// With `cluster:` and without --local, PostgreSQL; else the config's (or --db's) database,
// opened in `mode`. --db without --local is refused when there is a cluster: the user
// names a file but would be served PostgreSQL.
Result<QueueTarget> OpenQueue(const Invocation& in, store::OpenMode mode) {
  QueueTarget target;
  if (in.config->cluster && !in.args.Has("local")) {
    if (in.args.Has("db")) {
      return Fail(ErrorCode::kUsage,
                  "--db names this box's database, which the cluster's queue is not: add --local "
                  "to use it\n(see gleaner queue --help)");
    }
    auto pg = cluster::OpenCluster(in.config->cluster->postgresql, "gleaner queue");
    if (!pg) return tl::unexpected(pg.error());
    target.pg = std::move(*pg);
    return target;
  }
  auto store = store::Store::Open(in.config->database, mode);
  if (!store) return tl::unexpected(store.error());
  target.store = std::move(*store);
  return target;
}

void PrintLine(std::string line) {
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stdout);
}

int Claim(const Invocation& in) {
  auto request = ClaimRequestFrom(in.args);  // checked by CheckClaimArguments
  if (!request) return ReportError(in.name, request.error());
  auto target = OpenQueue(in, store::OpenMode::kReadWrite);
  if (!target) return ReportError(in.name, target.error());
  if (target->pg) {
    cluster::PgQueue queue(&*target->pg);
    auto claimed = queue.Claim(*request);
    if (!claimed) return ReportError(in.name, claimed.error());
    for (const cluster::PgClaimedMessage& message : *claimed) {
      auto line = cluster::PgClaimedMessageToJson(message);
      if (!line) return ReportError(in.name, line.error());
      PrintLine(std::move(*line));
    }
    return kExitOk;
  }
  auto claimed = target->store->queue().Claim(*request, store::Now());
  if (!claimed) return ReportError(in.name, claimed.error());
  for (const store::ClaimedMessage& message : *claimed) {
    PrintLine(store::ClaimedMessageToJson(message));
  }
  return kExitOk;
}

// Ids from the command line; `-` reads more from stdin, one per line.
std::vector<std::string> CollectTokens(const std::vector<std::string>& positional) {
  std::vector<std::string> tokens;
  for (const std::string& arg : positional) {
    if (arg != "-") {
      tokens.push_back(arg);
      continue;
    }
    std::string line;
    while (std::getline(std::cin, line)) {
      size_t begin = line.find_first_not_of(" \t\r");
      if (begin == std::string::npos) continue;
      size_t end = line.find_last_not_of(" \t\r");
      tokens.push_back(line.substr(begin, end - begin + 1));
    }
  }
  return tokens;
}

Result<void> CheckSettleArguments(const Args& args) {
  if (auto delay = ParseDurationOption(args, "delay", {}, true); !delay)
    return tl::unexpected(delay.error());
  if (args.positional.empty())
    return Fail(ErrorCode::kUsage, "no ID given (give ids, or - for stdin)");
  return {};
}

int Settle(const Invocation& in, bool ack) {
  auto delay = ParseDurationOption(in.args, "delay", {}, true);  // checked before
  if (!delay) return ReportError(in.name, delay.error());
  std::vector<std::string> tokens = CollectTokens(in.args.positional);
  auto target = OpenQueue(in, store::OpenMode::kReadWrite);
  if (!target) return ReportError(in.name, target.error());
  Result<std::vector<store::TokenResult>> results;
  if (target->pg) {
    cluster::PgQueue queue(&*target->pg);
    results = ack ? queue.Ack(tokens) : queue.Nack(tokens, *delay);
  } else {
    store::Queue& queue = target->store->queue();
    results = ack ? queue.Ack(tokens, store::Now()) : queue.Nack(tokens, store::Now(), *delay);
  }
  if (!results) return ReportError(in.name, results.error());
  int first_failure = kExitOk;
  for (const store::TokenResult& result : *results) {
    if (!result.error) continue;
    int code = ReportError(in.name, *result.error);
    if (first_failure == kExitOk) first_failure = code;
  }
  return first_failure;
}

void PrintStatsTable(const store::QueueStats& s) {
  std::printf("ready     %10lld  claimable now\n", static_cast<long long>(s.ready));
  std::printf("delayed   %10lld  nacked, claimable later\n", static_cast<long long>(s.delayed));
  std::printf("claimed   %10lld  under a running lease\n", static_cast<long long>(s.claimed));
  std::printf("expired   %10lld  lease over, delivered again next\n",
              static_cast<long long>(s.expired));
  std::printf("acked     %10lld\n", static_cast<long long>(s.acked));
  std::printf("dead      %10lld  gave up after repeated failures\n",
              static_cast<long long>(s.dead));
  std::printf("articles  %10lld\n", static_cast<long long>(s.articles));
  std::printf("oldest pending: %s\n",
              s.oldest_pending ? store::FormatTime(*s.oldest_pending).c_str() : "none");
}

Result<void> CheckStatsArguments(const Args& args) {
  if (!args.positional.empty()) return Fail(ErrorCode::kUsage, "stats takes no arguments");
  return {};
}

int Stats(const Invocation& in) {
  auto target = OpenQueue(in, store::OpenMode::kReadOnly);
  if (!target) return ReportError(in.name, target.error());
  auto stats = target->pg ? cluster::PgQueue(&*target->pg).Stats()
                          : target->store->queue().Stats(store::Now());
  if (!stats) return ReportError(in.name, stats.error());
  if (in.args.Has("json")) {
    std::printf("%s\n", store::QueueStatsJson(*stats).dump().c_str());
  } else {
    PrintStatsTable(*stats);
  }
  return kExitOk;
}

}  // namespace

const Command& QueueCommand() {
  static const Command command{
      .name = "queue",
      .summary = "claim, ack, nack queued articles; queue stats",
      .help = kQueueHelp,
      .subcommands =
          {
              {
                  .name = "claim",
                  .help = kQueueHelp,
                  .flags = {{"limit", true},
                            {"lease", true},
                            {"site", true},
                            {"db", true},
                            {"local", false}},
                  .needs = {.config = true},
                  .check_arguments = CheckClaimArguments,
                  .run = Claim,
              },
              {
                  .name = "ack",
                  .help = kQueueHelp,
                  .flags = {{"db", true}, {"local", false}},
                  .needs = {.config = true},
                  .check_arguments = CheckSettleArguments,
                  .run = [](const Invocation& in) { return Settle(in, true); },
              },
              {
                  .name = "nack",
                  .help = kQueueHelp,
                  .flags = {{"delay", true}, {"db", true}, {"local", false}},
                  .needs = {.config = true},
                  .check_arguments = CheckSettleArguments,
                  .run = [](const Invocation& in) { return Settle(in, false); },
              },
              {
                  .name = "stats",
                  .help = kQueueHelp,
                  .flags = {{"json", false}, {"db", true}, {"local", false}},
                  .needs = {.config = true},
                  .check_arguments = CheckStatsArguments,
                  .run = Stats,
              },
          },
  };
  return command;
}

}  // namespace gleaner::cli
