#include "daemon/cluster/pg_queue.h"

#include <map>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "daemon/cluster/pg_schema.h"

namespace gleaner::cluster {
namespace {

using store::SettleAction;

// Oldest pending messages first, at most one per article (a message waits while an older
// one for the same URL is ready or claimed), as store::Queue picks them. SKIP LOCKED: a
// message another consumer is claiming or settling right now is left to it, so consumers
// neither wait for one another nor take the same message. Only the queue's rows are locked:
// shipping boxes go on updating the records meanwhile.
constexpr char kCandidatesSql[] = R"sql(
SELECT q.id, q.attempts, q.is_update, q.url_key, a.record
FROM gleaner_queue q JOIN gleaner_articles a ON a.url_key = q.url_key
WHERE q.state IN ('ready', 'claimed') AND q.due_ms <= $1
  AND ($2::text IS NULL OR q.site = $2::text)
  AND NOT EXISTS (SELECT 1 FROM gleaner_queue o WHERE o.url_key = q.url_key
                  AND o.state IN ('ready', 'claimed') AND o.id < q.id)
ORDER BY q.id LIMIT $3
FOR UPDATE OF q SKIP LOCKED)sql";

constexpr char kClaimSql[] = R"sql(
UPDATE gleaner_queue q SET state = 'claimed', attempts = v.attempt, due_ms = $4,
                           claim_token = v.token
FROM unnest($1::bigint[], $2::integer[], $3::text[]) AS v(id, attempt, token)
WHERE q.id = v.id)sql";

// Ends messages' lives (acked or dead) at $3.
constexpr char kFinishSql[] =
    "UPDATE gleaner_queue SET state = $2, finished_ms = $3, due_ms = $3 WHERE id = "
    "ANY($1::bigint[])";

constexpr char kMakeReadySql[] =
    "UPDATE gleaner_queue SET state = 'ready', due_ms = $2 WHERE id = ANY($1::bigint[])";

// The messages the tokens name, locked in id order (two consumers settling overlapping
// batches cannot deadlock) so that no claim changes them under the decision.
constexpr char kLockMessagesSql[] =
    "SELECT id, state, attempts, due_ms, coalesce(claim_token, '') FROM gleaner_queue"
    " WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE";

// A PostgreSQL array literal of plain values (numbers, tokens: no quoting needed).
template <typename T>
std::string ArrayLiteral(const std::vector<T>& values) {
  std::string text = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) text += ',';
    if constexpr (std::is_same_v<T, std::string>) {
      text += '"' + values[i] + '"';
    } else {
      text += std::to_string(values[i]);
    }
  }
  return text + "}";
}

}  // namespace

Result<std::string> PgClaimedMessageToJson(const PgClaimedMessage& message) {
  return store::DeliveryJson(message.record, message.token, message.attempt, message.update);
}

PgQueue::PgQueue(PgConnection* conn) : conn_(conn), random_(std::random_device{}()) {}

Result<int64_t> PgQueue::ServerNow() {
  auto now = conn_->Exec(std::string("SELECT ") + kNowMs);
  if (!now) return tl::unexpected(now.error());
  return now->Int(0, 0);
}

Result<std::vector<PgClaimedMessage>> PgQueue::Claim(const store::ClaimRequest& request) {
  std::vector<PgClaimedMessage> claimed;
  auto tx = PgTransaction::Begin(*conn_);
  if (!tx) return tl::unexpected(tx.error());
  // Messages that go dead leave room in the batch: claim again until it is full or no
  // message went dead.
  while (static_cast<int>(claimed.size()) < request.limit) {
    auto went_dead = ClaimRound(request, claimed);
    if (!went_dead) return tl::unexpected(went_dead.error());
    if (*went_dead == 0) break;
  }
  if (auto ok = tx->Commit(); !ok) return tl::unexpected(ok.error());
  return claimed;
}

// One SELECT of candidates, then one UPDATE for those going dead and one for the claimed.
// Returns how many went dead.
Result<int> PgQueue::ClaimRound(const store::ClaimRequest& request,
                                std::vector<PgClaimedMessage>& out) {
  auto now = ServerNow();
  if (!now) return tl::unexpected(now.error());
  int room = request.limit - static_cast<int>(out.size());
  auto rows =
      conn_->Exec(kCandidatesSql, {std::to_string(*now), request.site, std::to_string(room)});
  if (!rows) return tl::unexpected(rows.error());
  std::vector<int64_t> dead, ids;
  std::vector<int> attempts;
  std::vector<std::string> tokens;
  int64_t lease_end = *now + request.lease.count();
  for (int r = 0; r < rows->rows(); ++r) {
    int64_t id = rows->Int(r, 0);
    if (rows->Int(r, 1) >= request.max_attempts) {
      dead.push_back(id);
      continue;
    }
    PgClaimedMessage message;
    message.attempt = static_cast<int>(rows->Int(r, 1)) + 1;
    message.token = store::NewClaimToken(id, message.attempt, random_);
    message.update = rows->Text(r, 2) == "t";
    message.lease_end = store::FromMillis(lease_end);
    message.url_key = rows->Text(r, 3);
    message.record = rows->Text(r, 4);
    ids.push_back(id);
    attempts.push_back(message.attempt);
    tokens.push_back(message.token);
    out.push_back(std::move(message));
  }
  if (!dead.empty()) {
    auto ok = conn_->Run(kFinishSql, {ArrayLiteral(dead), "dead", std::to_string(*now)});
    if (!ok) return tl::unexpected(ok.error());
  }
  if (!ids.empty()) {
    auto ok = conn_->Run(kClaimSql, {ArrayLiteral(ids), ArrayLiteral(attempts),
                                     ArrayLiteral(tokens), std::to_string(lease_end)});
    if (!ok) return tl::unexpected(ok.error());
  }
  return static_cast<int>(dead.size());
}

Result<std::vector<store::TokenResult>> PgQueue::Ack(const std::vector<std::string>& tokens) {
  return SettleAll(tokens, store::SettleHow::kAck, {}, store::kDefaultMaxAttempts);
}

Result<std::vector<store::TokenResult>> PgQueue::Nack(const std::vector<std::string>& tokens,
                                                      std::chrono::milliseconds delay,
                                                      int max_attempts) {
  return SettleAll(tokens, store::SettleHow::kNack, delay, max_attempts);
}

// Locks every message the tokens name, decides token by token as store::Queue does (a
// token's outcome is seen by the next token for the same message), then writes the
// outcomes in one statement per kind.
Result<std::vector<store::TokenResult>> PgQueue::SettleAll(const std::vector<std::string>& tokens,
                                                           store::SettleHow how,
                                                           std::chrono::milliseconds delay,
                                                           int max_attempts) {
  std::vector<int64_t> named;
  for (const std::string& token : tokens) {
    if (auto parsed = store::ParseClaimToken(token)) named.push_back(parsed->message_id);
  }
  auto tx = PgTransaction::Begin(*conn_);
  if (!tx) return tl::unexpected(tx.error());
  auto rows = conn_->Exec(kLockMessagesSql, {ArrayLiteral(named)});
  if (!rows) return tl::unexpected(rows.error());
  std::map<int64_t, store::MessageState> messages;
  for (int r = 0; r < rows->rows(); ++r) {
    store::MessageState& m = messages[rows->Int(r, 0)];
    m.state = rows->Text(r, 1);
    m.attempts = static_cast<int>(rows->Int(r, 2));
    m.due = store::FromMillis(rows->Int(r, 3));
    m.claim_token = rows->Text(r, 4);
  }
  // Read after the locks are held: a lease is judged when nothing can change it any more.
  auto now_ms = ServerNow();
  if (!now_ms) return tl::unexpected(now_ms.error());
  store::Time now = store::FromMillis(*now_ms);
  std::vector<int64_t> acked, dead, ready;
  std::vector<store::TokenResult> results;
  for (const std::string& token : tokens) {
    auto parsed = store::ParseClaimToken(token);
    std::optional<store::MessageState> message;
    auto found = parsed ? messages.find(parsed->message_id) : messages.end();
    if (found != messages.end()) message = found->second;
    store::SettleDecision decision = store::DecideSettle(token, message, how, now, max_attempts);
    results.push_back({token, std::move(decision.refusal)});
    if (decision.action == SettleAction::kNothing) continue;
    store::MessageState& m = found->second;
    if (decision.action == SettleAction::kAcked) {
      m.state = "acked";
      m.due = now;
      acked.push_back(found->first);
    } else if (decision.action == SettleAction::kDead) {
      m.state = "dead";
      m.due = now;
      dead.push_back(found->first);
    } else {
      m.state = "ready";
      m.due = now + delay;
      ready.push_back(found->first);
    }
  }
  std::string now_text = std::to_string(*now_ms);
  if (!acked.empty()) {
    if (auto ok = conn_->Run(kFinishSql, {ArrayLiteral(acked), "acked", now_text}); !ok)
      return tl::unexpected(ok.error());
  }
  if (!dead.empty()) {
    if (auto ok = conn_->Run(kFinishSql, {ArrayLiteral(dead), "dead", now_text}); !ok)
      return tl::unexpected(ok.error());
  }
  if (!ready.empty()) {
    std::string due = std::to_string(*now_ms + delay.count());
    if (auto ok = conn_->Run(kMakeReadySql, {ArrayLiteral(ready), due}); !ok)
      return tl::unexpected(ok.error());
  }
  if (auto ok = tx->Commit(); !ok) return tl::unexpected(ok.error());
  return results;
}

Result<store::QueueStats> PgQueue::Stats() {
  static const std::string sql = std::string(R"sql(
SELECT count(*) FILTER (WHERE state = 'ready' AND due_ms <= n.ms),
       count(*) FILTER (WHERE state = 'ready' AND due_ms > n.ms),
       count(*) FILTER (WHERE state = 'claimed' AND due_ms > n.ms),
       count(*) FILTER (WHERE state = 'claimed' AND due_ms <= n.ms),
       count(*) FILTER (WHERE state = 'acked'),
       count(*) FILTER (WHERE state = 'dead'),
       min(enqueued_ms) FILTER (WHERE state IN ('ready', 'claimed')),
       (SELECT count(*) FROM gleaner_articles)
FROM (SELECT )sql") + kNowMs + R"sql( AS ms) n LEFT JOIN gleaner_queue ON true)sql";
  auto row = conn_->Exec(sql);
  if (!row) return tl::unexpected(row.error());
  store::QueueStats stats;
  int64_t* fields[] = {&stats.ready,   &stats.delayed, &stats.claimed,
                       &stats.expired, &stats.acked,   &stats.dead};
  for (int i = 0; i < 6; ++i) *fields[i] = row->Int(0, i);
  if (!row->IsNull(0, 6)) stats.oldest_pending = store::FromMillis(row->Int(0, 6));
  stats.articles = row->Int(0, 7);
  return stats;
}

}  // namespace gleaner::cluster
