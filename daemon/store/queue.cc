#include "daemon/store/queue.h"

#include <charconv>
#include <cinttypes>
#include <cstdio>

namespace gleaner::store {
namespace {

// Oldest pending messages first, at most one per article: a message waits while an older
// one for the same article is pending (ready or claimed), which keeps an article out of two
// deliveries at once and its versions in order. The state list matches queue_pending's
// WHERE so SQLite walks that index in id order and stops at the limit.
const std::string& CandidatesSql() {
  static const std::string sql =
      "SELECT q.id, q.attempts, q.is_update, " + std::string(kArticleColumns) +
      " FROM queue q JOIN articles a ON a.id = q.article_id"
      " WHERE q.state IN ('ready', 'claimed') AND q.due_ms <= ?1"
      " AND (?2 IS NULL OR a.site = ?2)"
      " AND NOT EXISTS (SELECT 1 FROM queue o WHERE o.article_id = q.article_id"
      "   AND o.state IN ('ready', 'claimed') AND o.id < q.id)"
      " ORDER BY q.id LIMIT ?3";
  return sql;
}

struct Candidate {
  int64_t id = 0;
  int attempts = 0;
  bool update = false;
  StoredArticle article;
};

Result<std::vector<Candidate>> ReadCandidates(Database& db, const ClaimRequest& request, Time now,
                                              int limit) {
  auto select = db.Prepare(CandidatesSql());
  if (!select) return tl::unexpected(select.error());
  (*select)->Bind(1, ToMillis(now)).Bind(2, request.site).Bind(3, int64_t{limit});
  std::vector<Candidate> candidates;
  while (true) {
    auto row = (*select)->Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) return candidates;
    Candidate c;
    c.id = (*select)->ColumnInt(0);
    c.attempts = static_cast<int>((*select)->ColumnInt(1));
    c.update = (*select)->ColumnInt(2) != 0;
    auto article = ReadArticleRow(**select, 3, db.path());
    if (!article) return tl::unexpected(article.error());
    c.article = std::move(*article);
    candidates.push_back(std::move(c));
  }
}

Error UnknownToken(const std::string& token) {
  return Error{ErrorCode::kUsage,
               "unknown claim token '" + token + "' (not issued by this database)"};
}

Error ExpiredToken(const std::string& token, const std::string& why) {
  return Error{ErrorCode::kExpiredClaim, "claim '" + token + "' " + why};
}

}  // namespace

std::string ClaimedMessageToJson(const ClaimedMessage& message) {
  // ArticleToJson always prints an object, which DeliveryJson takes.
  return *DeliveryJson(ArticleToJson(message.article.article), message.token, message.attempt,
                       message.update);
}

Result<std::string> DeliveryJson(std::string_view record_json, std::string_view token, int attempt,
                                 bool update) {
  if (record_json.size() < 2 || record_json.front() != '{' || record_json.back() != '}') {
    return Fail(ErrorCode::kDatabase, "a stored record is not a JSON object");
  }
  // Without its closing brace: the delivery's keys follow the record's.
  std::string json(record_json.substr(0, record_json.size() - 1));
  if (json.size() > 1) json += ',';
  // The token holds only digits, dots and hex digits: no escaping needed.
  json.append("\"id\":\"").append(token).append("\",\"attempt\":");
  json.append(std::to_string(attempt)).append(",\"update\":");
  json.append(update ? "true" : "false").append("}");
  return json;
}

std::optional<ClaimToken> ParseClaimToken(std::string_view token) {
  size_t first = token.find('.');
  size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || second + 1 >= token.size()) return std::nullopt;
  ClaimToken parsed;
  const char* begin = token.data();
  auto [end_id, ec_id] = std::from_chars(begin, begin + first, parsed.message_id);
  auto [end_attempt, ec_attempt] =
      std::from_chars(begin + first + 1, begin + second, parsed.attempt);
  if (ec_id != std::errc() || end_id != begin + first || ec_attempt != std::errc() ||
      end_attempt != begin + second) {
    return std::nullopt;
  }
  return parsed;
}

std::string NewClaimToken(int64_t message_id, int attempt, std::mt19937_64& random) {
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016" PRIx64, static_cast<uint64_t>(random()));
  return std::to_string(message_id) + "." + std::to_string(attempt) + "." + hex;
}

SettleDecision DecideSettle(std::string_view token_view, const std::optional<MessageState>& message,
                            SettleHow how, Time now, int max_attempts) {
  std::string token(token_view);
  auto parsed = ParseClaimToken(token);
  if (!parsed || !message) return {SettleAction::kNothing, UnknownToken(token)};
  const MessageState& m = *message;
  if (m.claim_token != token) {
    if (parsed->attempt >= 1 && parsed->attempt < m.attempts) {
      return {SettleAction::kNothing,
              ExpiredToken(token, "has expired: the message was delivered again (attempt " +
                                      std::to_string(m.attempts) + ")")};
    }
    return {SettleAction::kNothing, UnknownToken(token)};
  }
  // Repeating the call that settled the claim is harmless, so a consumer may retry it.
  if (how == SettleHow::kAck && m.state == "acked") return {};
  if (how == SettleHow::kNack && (m.state == "ready" || m.state == "dead")) return {};
  if (m.state != "claimed") {
    return {SettleAction::kNothing,
            ExpiredToken(token, "was already settled (the message is " + m.state + ")")};
  }
  if (m.due <= now) {
    return {SettleAction::kNothing,
            ExpiredToken(token, "has expired: its lease ended at " + FormatTime(m.due) +
                                    " and the message will be delivered again")};
  }
  if (how == SettleHow::kAck) return {SettleAction::kAcked, std::nullopt};
  return {m.attempts >= max_attempts ? SettleAction::kDead : SettleAction::kReady, std::nullopt};
}

nlohmann::ordered_json QueueStatsJson(const QueueStats& s) {
  nlohmann::ordered_json j{{"ready", s.ready},      {"delayed", s.delayed}, {"claimed", s.claimed},
                           {"expired", s.expired},  {"acked", s.acked},     {"dead", s.dead},
                           {"articles", s.articles}};
  j["oldest_pending"] = s.oldest_pending ? nlohmann::ordered_json(FormatTime(*s.oldest_pending))
                                         : nlohmann::ordered_json(nullptr);
  return j;
}

Queue::Queue(Database* db) : db_(db), random_(std::random_device{}()) {}

Result<void> Queue::Enqueue(int64_t article_id, bool update, Time now) {
  if (update) {
    auto waiting = db_->Prepare("SELECT 1 FROM queue WHERE article_id = ?1 AND state = 'ready'");
    if (!waiting) return tl::unexpected(waiting.error());
    auto row = (*waiting)->Bind(1, article_id).Step();
    if (!row) return tl::unexpected(row.error());
    if (*row) return {};
  }
  auto insert = db_->Prepare(
      "INSERT INTO queue (article_id, is_update, state, attempts, due_ms, enqueued_ms)"
      " VALUES (?1, ?2, 'ready', 0, ?3, ?3)");
  if (!insert) return tl::unexpected(insert.error());
  return (*insert)->Bind(1, article_id).Bind(2, int64_t{update}).Bind(3, ToMillis(now)).Run();
}

Result<std::vector<ClaimedMessage>> Queue::Claim(const ClaimRequest& request, Time now) {
  std::vector<ClaimedMessage> claimed;
  auto tx = Transaction::Begin(*db_);
  if (!tx) return tl::unexpected(tx.error());
  // Messages that go dead leave room in the batch: claim again until it is full or no
  // message went dead.
  while (static_cast<int>(claimed.size()) < request.limit) {
    auto went_dead = ClaimRound(request, now, claimed);
    if (!went_dead) return tl::unexpected(went_dead.error());
    if (*went_dead == 0) break;
  }
  if (auto ok = tx->Commit(); !ok) return tl::unexpected(ok.error());
  return claimed;
}

// One SELECT of candidates, then an UPDATE per candidate. Returns how many went dead.
Result<int> Queue::ClaimRound(const ClaimRequest& request, Time now,
                              std::vector<ClaimedMessage>& out) {
  auto candidates =
      ReadCandidates(*db_, request, now, request.limit - static_cast<int>(out.size()));
  if (!candidates) return tl::unexpected(candidates.error());
  int went_dead = 0;
  for (Candidate& c : *candidates) {
    if (c.attempts >= request.max_attempts) {
      if (auto ok = Finish(c.id, "dead", now); !ok) return tl::unexpected(ok.error());
      ++went_dead;
      continue;
    }
    ClaimedMessage message;
    message.attempt = c.attempts + 1;
    message.token = NewClaimToken(c.id, message.attempt, random_);
    message.update = c.update;
    message.lease_end = now + request.lease;
    message.article = std::move(c.article);
    auto claim = db_->Prepare(
        "UPDATE queue SET state = 'claimed', attempts = ?2, due_ms = ?3, claim_token = ?4"
        " WHERE id = ?1");
    if (!claim) return tl::unexpected(claim.error());
    (*claim)->Bind(1, c.id).Bind(2, int64_t{message.attempt});
    (*claim)->Bind(3, ToMillis(message.lease_end)).Bind(4, message.token);
    if (auto ok = (*claim)->Run(); !ok) return tl::unexpected(ok.error());
    out.push_back(std::move(message));
  }
  return went_dead;
}

Result<std::vector<TokenResult>> Queue::Ack(const std::vector<std::string>& tokens, Time now) {
  return SettleAll(tokens, SettleHow::kAck, now, {}, kDefaultMaxAttempts);
}

Result<std::vector<TokenResult>> Queue::Nack(const std::vector<std::string>& tokens, Time now,
                                             std::chrono::milliseconds delay, int max_attempts) {
  return SettleAll(tokens, SettleHow::kNack, now, delay, max_attempts);
}

Result<std::vector<TokenResult>> Queue::SettleAll(const std::vector<std::string>& tokens,
                                                  SettleHow how, Time now,
                                                  std::chrono::milliseconds delay,
                                                  int max_attempts) {
  std::vector<TokenResult> results;
  auto tx = Transaction::Begin(*db_);
  if (!tx) return tl::unexpected(tx.error());
  for (const std::string& token : tokens) {
    auto outcome = SettleOne(token, how, now, delay, max_attempts);
    if (!outcome) return tl::unexpected(outcome.error());
    results.push_back({token, std::move(*outcome)});
  }
  if (auto ok = tx->Commit(); !ok) return tl::unexpected(ok.error());
  return results;
}

// Returns the refusal for this token, or nullopt when it was accepted.
Result<std::optional<Error>> Queue::SettleOne(const std::string& token, SettleHow how, Time now,
                                              std::chrono::milliseconds delay, int max_attempts) {
  auto parsed = ParseClaimToken(token);
  Result<std::optional<MessageState>> message = std::optional<MessageState>();
  if (parsed) message = ReadMessage(parsed->message_id);
  if (!message) return tl::unexpected(message.error());
  SettleDecision decision = DecideSettle(token, *message, how, now, max_attempts);
  Result<void> ok;
  switch (decision.action) {
    case SettleAction::kNothing:
      break;
    case SettleAction::kAcked:
      ok = Finish(parsed->message_id, "acked", now);
      break;
    case SettleAction::kDead:
      ok = Finish(parsed->message_id, "dead", now);
      break;
    case SettleAction::kReady:
      ok = MakeReady(parsed->message_id, now + delay);
      break;
  }
  if (!ok) return tl::unexpected(ok.error());
  return std::move(decision.refusal);
}

Result<std::optional<MessageState>> Queue::ReadMessage(int64_t message_id) {
  auto select =
      db_->Prepare("SELECT state, attempts, due_ms, claim_token FROM queue WHERE id = ?1");
  if (!select) return tl::unexpected(select.error());
  auto row = (*select)->Bind(1, message_id).Step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return std::optional<MessageState>();
  MessageState m;
  m.state = (*select)->ColumnText(0);
  m.attempts = static_cast<int>((*select)->ColumnInt(1));
  m.due = FromMillis((*select)->ColumnInt(2));
  m.claim_token = (*select)->ColumnText(3);
  return std::optional<MessageState>(std::move(m));
}

// Ends a message's life: acked, or dead.
Result<void> Queue::Finish(int64_t message_id, std::string_view state, Time now) {
  auto update =
      db_->Prepare("UPDATE queue SET state = ?2, finished_ms = ?3, due_ms = ?3 WHERE id = ?1");
  if (!update) return tl::unexpected(update.error());
  return (*update)->Bind(1, message_id).Bind(2, state).Bind(3, ToMillis(now)).Run();
}

Result<void> Queue::MakeReady(int64_t message_id, Time due) {
  auto update = db_->Prepare("UPDATE queue SET state = 'ready', due_ms = ?2 WHERE id = ?1");
  if (!update) return tl::unexpected(update.error());
  return (*update)->Bind(1, message_id).Bind(2, ToMillis(due)).Run();
}

Result<QueueStats> Queue::Stats(Time now) {
  auto tx = Transaction::BeginRead(*db_);
  if (!tx) return tl::unexpected(tx.error());
  QueueStats stats;
  {
    auto counts = db_->Prepare(
        "SELECT sum(state = 'ready' AND due_ms <= ?1), sum(state = 'ready' AND due_ms > ?1),"
        " sum(state = 'claimed' AND due_ms > ?1), sum(state = 'claimed' AND due_ms <= ?1),"
        " sum(state = 'acked'), sum(state = 'dead'),"
        " min(CASE WHEN state IN ('ready', 'claimed') THEN enqueued_ms END) FROM queue");
    if (!counts) return tl::unexpected(counts.error());
    auto row = (*counts)->Bind(1, ToMillis(now)).Step();
    if (!row) return tl::unexpected(row.error());
    int64_t* fields[] = {&stats.ready,   &stats.delayed, &stats.claimed,
                         &stats.expired, &stats.acked,   &stats.dead};
    for (int i = 0; i < 6; ++i) *fields[i] = (*counts)->ColumnInt(i);
    if (!(*counts)->ColumnIsNull(6)) stats.oldest_pending = FromMillis((*counts)->ColumnInt(6));
  }
  auto articles = db_->QueryInt("SELECT count(*) FROM articles");
  if (!articles) return tl::unexpected(articles.error());
  stats.articles = *articles;
  if (auto ok = tx->Commit(); !ok) return tl::unexpected(ok.error());
  return stats;
}

}  // namespace gleaner::store
