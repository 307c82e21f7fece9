// The consumer queue in a cluster's PostgreSQL (gleaner_queue, filled by sink.h): the same
// contract as the box's SQLite queue (store/queue.h, docs/CONTRACT.md "The queue"), the same
// tokens, refusals and JSON lines, for consumers on any number of machines.
//
// Claims lock the messages they take with FOR UPDATE SKIP LOCKED: consumers claiming at the
// same time never wait for each other and never receive the same message. Oldest first; an
// article is never in two deliveries at once (a newer message for a URL waits while an older
// one is ready or claimed). Every time (lease ends, delays, expiry) is read from the server's
// clock, so consumers with skewed clocks agree on leases.
//
// This module does not queue messages (sink.h does) and does not connect (pg_schema.h's
// OpenCluster does).
#pragma once

#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "daemon/cluster/pg.h"
#include "daemon/store/queue.h"
#include "extractors/core/result.h"

namespace gleaner::cluster {

// One delivery: the claim and the record as PostgreSQL holds it.
struct PgClaimedMessage {
  std::string token;  // "<message>.<attempt>.<random>", as store::ClaimedMessage's
  int attempt = 0;    // 1 for the first delivery
  bool update = false;
  store::Time lease_end;  // by the server's clock
  std::string url_key;
  std::string record;  // the record's JSON object, as ArticleToJson printed it
};

// The line a consumer reads, as store::ClaimedMessageToJson prints it: the record's keys,
// then "id", "attempt" and "update". kDatabase when the stored record is not a JSON object.
Result<std::string> PgClaimedMessageToJson(const PgClaimedMessage& message);

// Queue operations on a borrowed connection (gleaner's tables migrated, see OpenCluster).
// Not thread-safe: one PgQueue per connection. Each method is one transaction; on kDatabase
// nothing it did is kept. REQUIRES: the connection outlives the PgQueue and is not inside a
// transaction.
class PgQueue {
 public:
  explicit PgQueue(PgConnection* conn);

  // Claims up to request.limit messages (only request.site's when set) under a lease of
  // request.lease, oldest first. Expired claims are delivered again under new tokens, or go
  // dead when they already had request.max_attempts deliveries. Returns the deliveries
  // (possibly none); kDatabase on failure, in which case nothing was claimed.
  Result<std::vector<PgClaimedMessage>> Claim(const store::ClaimRequest& request);

  // Settles claims; one TokenResult per token, in order, refused exactly as store::Queue
  // refuses them (store::DecideSettle). kDatabase only when the database fails (then nothing
  // is settled).
  Result<std::vector<store::TokenResult>> Ack(const std::vector<std::string>& tokens);

  // Gives claims back: claimable again after `delay`, or dead at the max_attempts-th
  // delivery. Results as for Ack.
  Result<std::vector<store::TokenResult>> Nack(const std::vector<std::string>& tokens,
                                               std::chrono::milliseconds delay = {},
                                               int max_attempts = store::kDefaultMaxAttempts);

  // Counts messages by state as of the server's now, in one snapshot; "articles" counts
  // the cluster's records. kDatabase on failure.
  Result<store::QueueStats> Stats();

 private:
  Result<int64_t> ServerNow();
  Result<int> ClaimRound(const store::ClaimRequest& request, std::vector<PgClaimedMessage>& out);
  Result<std::vector<store::TokenResult>> SettleAll(const std::vector<std::string>& tokens,
                                                    store::SettleHow how,
                                                    std::chrono::milliseconds delay,
                                                    int max_attempts);

  PgConnection* conn_;
  std::mt19937_64 random_;
};

}  // namespace gleaner::cluster
