// `gleaner queue claim|ack|nack|stats`: the consumer side of the store (CONTRACT.md
// "The queue").
#include <charconv>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "daemon/args.h"
#include "daemon/cmd_common.h"
#include "daemon/commands.h"
#include "daemon/store/store.h"
#include "extractors/core/units.h"

namespace gleaner::cli {
namespace {

using store::OpenMode;
using store::Store;

constexpr char kQueueHelp[] =
    "usage: gleaner queue claim [--limit N] [--lease DURATION] [--site ID]\n"
    "       gleaner queue ack ID...\n"
    "       gleaner queue nack [--delay DURATION] ID...\n"
    "       gleaner queue stats [--json]\n"
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
    "Every subcommand takes --db PATH (default: the config's `database`) and --config FILE.\n"
    "Acking or nacking the same id twice is harmless. Exit codes: 0 ok; 2 usage, or an id\n"
    "this database never issued; 3 the database does not exist; 8 database error; 9 a claim\n"
    "that expired (its lease ended, or it was delivered again) or was already settled the\n"
    "other way: its ack/nack is refused, and the other ids are still settled.\n";

// Bounds one claim's memory and the time its transaction holds the write lock.
constexpr int kMaxClaimLimit = 10000;

int UsageError(const std::string& message) {
  std::fprintf(stderr, "gleaner queue: %s\n(see gleaner queue --help)\n", message.c_str());
  return static_cast<int>(ErrorCode::kUsage);
}

// Parses argv for a subcommand; nullopt after printing help or a usage error into `exit`.
std::optional<Args> ParseSubcommand(const CommandArgs& argv, ArgSpec spec, int& exit) {
  spec.value_options.insert({"db", "config"});
  spec.flag_options.insert("help");
  auto args = ParseArgs(CommandArgs(argv.begin() + 1, argv.end()), spec);
  if (!args) {
    exit = UsageError(args.error().message);
    return std::nullopt;
  }
  if (args->Has("help")) {
    std::fputs(kQueueHelp, stdout);
    exit = 0;
    return std::nullopt;
  }
  return std::move(*args);
}

Result<Store> OpenStore(const Args& args, OpenMode mode) {
  auto config = ConfigFromArgs(args);
  if (!config) return tl::unexpected(config.error());
  return Store::Open(config->database, mode);
}

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

int Claim(const CommandArgs& argv) {
  int exit = 0;
  auto args = ParseSubcommand(argv, {{"limit", "lease", "site"}, {}, {}}, exit);
  if (!args) return exit;
  if (!args->positional.empty()) return UsageError("claim takes no arguments");
  store::ClaimRequest request;
  auto limit = ParseLimit(args->Value("limit"));
  if (!limit) return UsageError(limit.error().message);
  request.limit = *limit;
  auto lease = ParseDurationOption(*args, "lease", store::kDefaultLease, false);
  if (!lease) return UsageError(lease.error().message);
  request.lease = *lease;
  request.site = args->Value("site");
  auto db = OpenStore(*args, OpenMode::kReadWrite);
  if (!db) return ReportError("queue claim", db.error());
  auto claimed = db->queue().Claim(request, store::Now());
  if (!claimed) return ReportError("queue claim", claimed.error());
  for (const store::ClaimedMessage& message : *claimed) {
    std::string line = store::ClaimedMessageToJson(message);
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stdout);
  }
  return 0;
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

int Settle(const CommandArgs& argv, bool ack) {
  const char* name = ack ? "queue ack" : "queue nack";
  int exit = 0;
  ArgSpec spec;
  if (!ack) spec.value_options.insert("delay");
  auto args = ParseSubcommand(argv, spec, exit);
  if (!args) return exit;
  auto delay = ParseDurationOption(*args, "delay", {}, true);
  if (!delay) return UsageError(delay.error().message);
  std::vector<std::string> tokens = CollectTokens(args->positional);
  if (args->positional.empty()) return UsageError(std::string(name) + " needs at least one ID");
  auto db = OpenStore(*args, OpenMode::kReadWrite);
  if (!db) return ReportError(name, db.error());
  auto results =
      ack ? db->queue().Ack(tokens, store::Now()) : db->queue().Nack(tokens, store::Now(), *delay);
  if (!results) return ReportError(name, results.error());
  int first_failure = 0;
  for (const store::TokenResult& result : *results) {
    if (!result.error) continue;
    int code = ReportError(name, *result.error);
    if (first_failure == 0) first_failure = code;
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

void PrintStatsJson(const store::QueueStats& s) {
  std::string oldest = "null";
  if (s.oldest_pending) {
    oldest.assign(1, '"').append(store::FormatTime(*s.oldest_pending)).push_back('"');
  }
  std::printf(
      "{\"ready\":%lld,\"delayed\":%lld,\"claimed\":%lld,\"expired\":%lld,\"acked\":%lld,"
      "\"dead\":%lld,\"articles\":%lld,\"oldest_pending\":%s}\n",
      static_cast<long long>(s.ready), static_cast<long long>(s.delayed),
      static_cast<long long>(s.claimed), static_cast<long long>(s.expired),
      static_cast<long long>(s.acked), static_cast<long long>(s.dead),
      static_cast<long long>(s.articles), oldest.c_str());
}

int Stats(const CommandArgs& argv) {
  int exit = 0;
  auto args = ParseSubcommand(argv, {{}, {"json"}, {}}, exit);
  if (!args) return exit;
  if (!args->positional.empty()) return UsageError("stats takes no arguments");
  auto db = OpenStore(*args, OpenMode::kReadOnly);
  if (!db) return ReportError("queue stats", db.error());
  auto stats = db->queue().Stats(store::Now());
  if (!stats) return ReportError("queue stats", stats.error());
  if (args->Has("json")) {
    PrintStatsJson(*stats);
  } else {
    PrintStatsTable(*stats);
  }
  return 0;
}

}  // namespace

int CmdQueue(const CommandArgs& argv) {
  if (argv.empty()) return UsageError("missing subcommand: claim, ack, nack or stats");
  const std::string& sub = argv[0];
  if (sub == "--help" || sub == "-h" || sub == "help") {
    std::fputs(kQueueHelp, stdout);
    return 0;
  }
  if (sub == "claim") return Claim(argv);
  if (sub == "ack") return Settle(argv, true);
  if (sub == "nack") return Settle(argv, false);
  if (sub == "stats") return Stats(argv);
  return UsageError("unknown subcommand '" + sub + "': claim, ack, nack or stats");
}

}  // namespace gleaner::cli
