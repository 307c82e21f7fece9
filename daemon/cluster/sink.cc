#include "daemon/cluster/sink.h"

#include <nlohmann/json.hpp>
#include <string>

#include "daemon/cluster/pg_schema.h"

namespace gleaner::cluster {
namespace {

// One statement for the whole batch: the records arrive as one JSON array ($1) and are
// upserted together; the new versions queue their messages in change order. A record
// PostgreSQL already holds at this version, or at a newer one, changes nothing.
const std::string& UpsertSql() {
  static const std::string sql = std::string(R"sql(
WITH input AS (
  SELECT * FROM json_to_recordset($1::json) AS x(seq bigint, url_key text, url text, site text,
    content_hash text, record text, first_seen_ms bigint, updated_ms bigint)
), up AS (
  INSERT INTO gleaner_articles AS a (url_key, url, site, content_hash, record, box,
                                     first_seen_ms, updated_ms, shipped_ms)
  SELECT url_key, url, site, content_hash, record, $2, first_seen_ms, updated_ms, )sql") +
                                 kNowMs + R"sql(
  FROM input
  ON CONFLICT (url_key) DO UPDATE SET url = EXCLUDED.url, site = EXCLUDED.site,
    content_hash = EXCLUDED.content_hash, record = EXCLUDED.record, box = EXCLUDED.box,
    updated_ms = EXCLUDED.updated_ms, shipped_ms = EXCLUDED.shipped_ms
  WHERE a.content_hash <> EXCLUDED.content_hash AND a.updated_ms <= EXCLUDED.updated_ms
  RETURNING (a.xmax = 0) AS inserted, a.url_key, a.site
), queued AS (
  INSERT INTO gleaner_queue (url_key, site, is_update, state, due_ms, enqueued_ms)
  SELECT up.url_key, up.site, NOT up.inserted, 'ready', )sql" +
                                 kNowMs + ", " + kNowMs + R"sql(
  FROM up JOIN input USING (url_key)
  WHERE up.inserted OR NOT EXISTS (SELECT 1 FROM gleaner_queue q
                                   WHERE q.url_key = up.url_key AND q.state = 'ready')
  ORDER BY input.seq
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM up)sql";
  return sql;
}

std::string BatchJson(const std::vector<const store::ArticleChange*>& changes) {
  nlohmann::json array = nlohmann::json::array();
  for (const store::ArticleChange* change : changes) {
    const store::StoredArticle& s = change->stored;
    nlohmann::json row{{"seq", change->seq},
                       {"url_key", s.url_key},
                       {"url", s.article.url.value_or(s.url_key)},
                       {"content_hash", s.content_hash},
                       {"record", ArticleToJson(s.article)},
                       {"first_seen_ms", store::ToMillis(s.first_seen)},
                       {"updated_ms", store::ToMillis(s.updated)}};
    row["site"] = s.article.site ? nlohmann::json(*s.article.site) : nlohmann::json(nullptr);
    array.push_back(std::move(row));
  }
  // Bytes that are not UTF-8 are replaced rather than thrown on: PostgreSQL would refuse
  // them anyway, and a record is better stored with U+FFFD than not at all.
  return array.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<void> Upsert(PgConnection& conn, const std::string& box,
                    const std::vector<const store::ArticleChange*>& changes, ShipSummary& summary) {
  auto result = conn.Exec(UpsertSql(), {BatchJson(changes), box});
  if (!result) return tl::unexpected(result.error());
  int inserted = static_cast<int>(result->Int(0, 0));
  int updated = static_cast<int>(result->Int(0, 1));
  summary.new_records += inserted;
  summary.updated += updated;
  summary.unchanged += static_cast<int>(changes.size()) - inserted - updated;
  return {};
}

}  // namespace

Result<ShipSummary> ShipChanges(
    PgConnection& conn, const std::string& box, const std::vector<store::ArticleChange>& changes,
    const std::function<void(const store::ArticleChange&, const Error&)>& on_reject) {
  ShipSummary summary;
  if (changes.empty()) return summary;
  std::vector<const store::ArticleChange*> all;
  for (const auto& change : changes) all.push_back(&change);
  auto tx = PgTransaction::Begin(conn);
  if (!tx) return tl::unexpected(tx.error());
  if (auto ok = conn.Run("SAVEPOINT batch"); !ok) return tl::unexpected(ok.error());
  auto whole = Upsert(conn, box, all, summary);
  if (!whole) {
    if (conn.last_failure() != PgFailure::kData) return tl::unexpected(whole.error());
    // One value spoiled the batch: find it, record by record.
    summary = {};
    if (auto ok = conn.Run("ROLLBACK TO SAVEPOINT batch"); !ok) return tl::unexpected(ok.error());
    for (const store::ArticleChange* change : all) {
      if (auto ok = conn.Run("SAVEPOINT one"); !ok) return tl::unexpected(ok.error());
      auto one = Upsert(conn, box, {change}, summary);
      if (one) continue;
      if (conn.last_failure() != PgFailure::kData) return tl::unexpected(one.error());
      if (auto ok = conn.Run("ROLLBACK TO SAVEPOINT one"); !ok) return tl::unexpected(ok.error());
      ++summary.rejected;
      on_reject(*change, one.error());
    }
  }
  if (auto ok = tx->Commit(); !ok) return tl::unexpected(ok.error());
  return summary;
}

}  // namespace gleaner::cluster
