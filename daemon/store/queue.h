// The consumer queue (docs/CONTRACT.md "The queue"): every stored article, and every change to
// one, becomes a message; consumers claim messages under a lease and ack them. Delivery is at
// least once: a claim that is neither acked nor nacked before its lease ends is delivered
// again, under a new token, and the old token is refused (kExpiredClaim). A message that
// fails max_attempts deliveries goes to the dead state and is no longer delivered.
//
// Order: messages are delivered in the order they were queued, and an article is never in
// two deliveries at once (a newer message for an article waits until the older one is acked
// or dead). A message carries no snapshot: a claim delivers the article as stored at claim
// time, so a consumer always gets the latest version.
//
// This module does not decide what to queue (the store does, on writes) and does not know
// what consumers do with records.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/store/article_rows.h"
#include "daemon/store/db.h"
#include "daemon/store/timestamps.h"
#include "extractors/core/result.h"

namespace gleaner::store {

// Deliveries before a message goes dead. A consumer restarting or timing out fails a message
// once or twice; five failures in a row mean the record itself breaks the consumer, and it
// must stop holding up the queue (it stays visible in `queue stats` as dead).
inline constexpr int kDefaultMaxAttempts = 5;

// Batch size when `--limit` is not given: large enough to amortise one transaction, small
// enough for a consumer to finish well inside the default lease.
inline constexpr int kDefaultClaimLimit = 100;

// Lease when `--lease` is not given (docs/CONTRACT.md's example): a consumer that dies holds its
// batch back for at most this long.
inline constexpr std::chrono::milliseconds kDefaultLease = std::chrono::minutes(5);

struct ClaimRequest {
  int limit = kDefaultClaimLimit;                   // REQUIRES: > 0
  std::chrono::milliseconds lease = kDefaultLease;  // REQUIRES: > 0
  std::optional<std::string> site;                  // only articles of this site
  int max_attempts = kDefaultMaxAttempts;           // REQUIRES: > 0
};

struct ClaimedMessage {
  std::string token;    // the `id` consumers pass to ack/nack: "<message>.<attempt>.<random>"
  int attempt = 0;      // 1 for the first delivery
  bool update = false;  // the article changed after an earlier delivery of it
  Time lease_end;
  StoredArticle article;
};

// The record a consumer reads: every key of ArticleToJson, in its order, then "id",
// "attempt" and "update". One line, no newline.
std::string ClaimedMessageToJson(const ClaimedMessage& message);

// The same line from a record already printed by ArticleToJson (one JSON object, as the
// cluster's PostgreSQL keeps it): its keys, then "id", "attempt" and "update". Every queue
// prints its deliveries through this, so they read alike whatever holds them. kDatabase
// (a corrupt row) when `record_json` does not end as a JSON object does.
Result<std::string> DeliveryJson(std::string_view record_json, std::string_view token, int attempt,
                                 bool update);

// A claim token, "<message>.<attempt>.<random>", taken apart. Every queue issues and reads
// the same form, so consumers need not know which one they talk to.
struct ClaimToken {
  int64_t message_id = 0;
  int attempt = 0;
};

// nullopt when `token` is not of that form (it was then never issued).
std::optional<ClaimToken> ParseClaimToken(std::string_view token);

// A new token for delivery `attempt` of message `message_id`; the random part (16 hex
// digits from `random`) makes a token of an earlier or later delivery unguessable from it.
std::string NewClaimToken(int64_t message_id, int attempt, std::mt19937_64& random);

// What a queue knows of a message when a consumer settles a claim on it.
struct MessageState {
  std::string state;  // "ready", "claimed", "acked" or "dead"
  int attempts = 0;   // deliveries so far
  Time due;           // ready: claimable from; claimed: the lease's end
  std::string claim_token;
};

enum class SettleHow { kAck, kNack };

// What settling one token does to its message.
enum class SettleAction {
  kNothing,  // refused, or the call repeats the one that settled it
  kAcked,
  kDead,   // nacked at its last delivery
  kReady,  // nacked: claimable again after the delay
};

struct SettleDecision {
  SettleAction action = SettleAction::kNothing;
  std::optional<Error> refusal;  // set when the token is refused (TokenResult::error)
};

// The one rule for acks and nacks, shared by every queue: `message` is the message the token
// names (nullopt when there is none), `now` the queue's clock. Refuses with kUsage a token
// never issued, with kExpiredClaim one whose lease ended, that was delivered again, or that
// was settled the other way; accepts the same call repeated (kNothing). A nack of the
// max_attempts-th delivery kills the message. Pure; thread-safe.
SettleDecision DecideSettle(std::string_view token, const std::optional<MessageState>& message,
                            SettleHow how, Time now, int max_attempts);

// The fate of one token passed to Ack or Nack: no error when accepted (repeating the same
// ack or nack is accepted too), kExpiredClaim when the claim's lease ended, the message was
// delivered again, or the claim was already settled the other way; kUsage for a token this
// database never issued.
struct TokenResult {
  std::string token;
  std::optional<Error> error;
};

struct QueueStats {
  int64_t ready = 0;    // claimable now
  int64_t delayed = 0;  // nacked with a delay, claimable later
  int64_t claimed = 0;  // under a running lease
  int64_t expired = 0;  // lease ended unacked: delivered again by the next claim
  int64_t acked = 0;
  int64_t dead = 0;
  int64_t articles = 0;
  std::optional<Time> oldest_pending;  // when the oldest unacked, undead message was queued
};

// The queue's figures as one JSON object, the one `gleaner queue stats --json` prints: the
// counts by state in QueueStats' order, then "oldest_pending" (ISO 8601 UTC, or null).
// `gleaner status` shows the same object without "oldest_pending".
nlohmann::ordered_json QueueStatsJson(const QueueStats& stats);

// Queue operations on a borrowed connection. Not thread-safe (one per connection).
// REQUIRES: the Database outlives the Queue and is read-write for every method but Stats.
class Queue {
 public:
  explicit Queue(Database* db);

  // Claims up to request.limit messages in one BEGIN IMMEDIATE transaction, oldest first,
  // so concurrent consumers never receive the same message. Expired claims that already had
  // max_attempts deliveries go dead here instead of being delivered. Returns the messages
  // (possibly none); kDatabase on failure, in which case nothing was claimed.
  Result<std::vector<ClaimedMessage>> Claim(const ClaimRequest& request, Time now);

  // Settles claims, all in one transaction; returns one TokenResult per token, in order.
  // kDatabase only when the database fails (then nothing is settled).
  Result<std::vector<TokenResult>> Ack(const std::vector<std::string>& tokens, Time now);

  // Gives claims back: each message becomes claimable again after `delay`, or goes dead if it
  // has had max_attempts deliveries. Results as for Ack.
  Result<std::vector<TokenResult>> Nack(const std::vector<std::string>& tokens, Time now,
                                        std::chrono::milliseconds delay = {},
                                        int max_attempts = kDefaultMaxAttempts);

  // Counts messages by state as of `now`. Works on read-only connections. kDatabase on failure.
  Result<QueueStats> Stats(Time now);

  // Queues article `article_id` (a new article, or `update` for a changed one). An update is
  // not queued while an undelivered message for the article is waiting, since that message
  // will deliver the new version anyway. REQUIRES: inside the caller's write transaction.
  Result<void> Enqueue(int64_t article_id, bool update, Time now);

 private:
  Result<std::vector<TokenResult>> SettleAll(const std::vector<std::string>& tokens, SettleHow how,
                                             Time now, std::chrono::milliseconds delay,
                                             int max_attempts);
  Result<std::optional<Error>> SettleOne(const std::string& token, SettleHow how, Time now,
                                         std::chrono::milliseconds delay, int max_attempts);
  Result<std::optional<MessageState>> ReadMessage(int64_t message_id);
  Result<void> Finish(int64_t message_id, std::string_view state, Time now);
  Result<void> MakeReady(int64_t message_id, Time due);
  Result<int> ClaimRound(const ClaimRequest& request, Time now, std::vector<ClaimedMessage>& out);

  Database* db_;
  std::mt19937_64 random_;
};

}  // namespace gleaner::store
