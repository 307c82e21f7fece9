// The store's side of a sink: change numbers, the sink's cursor, and URLs known elsewhere.
#include <string>
#include <vector>

#include "daemon/store/store.h"

namespace gleaner::store {

Result<std::vector<ArticleChange>> Store::ChangesAfter(int64_t after, int limit) {
  static const std::string sql = "SELECT a.change_seq, " + std::string(kArticleColumns) +
                                 " FROM articles a WHERE a.change_seq > ?1"
                                 " ORDER BY a.change_seq LIMIT ?2";
  std::vector<ArticleChange> changes;
  if (limit <= 0) return changes;
  auto tx = Transaction::BeginRead(*db_);
  if (!tx) return tl::unexpected(tx.error());
  {
    auto select = db_->Prepare(sql);
    if (!select) return tl::unexpected(select.error());
    (*select)->Bind(1, after).Bind(2, int64_t{limit});
    while (true) {
      auto row = (*select)->Step();
      if (!row) return tl::unexpected(row.error());
      if (!*row) break;
      ArticleChange change;
      change.seq = (*select)->ColumnInt(0);
      auto stored = ReadArticleRow(**select, 1, db_->path());
      if (!stored) return tl::unexpected(stored.error());
      change.stored = std::move(*stored);
      changes.push_back(std::move(change));
    }
  }
  if (auto ok = tx->Commit(); !ok) return tl::unexpected(ok.error());
  return changes;
}

Result<int64_t> Store::SinkCursor(const std::string& name) {
  auto select = db_->Prepare("SELECT shipped_seq FROM sinks WHERE name = ?1");
  if (!select) return tl::unexpected(select.error());
  auto row = (*select)->Bind(1, name).Step();
  if (!row) return tl::unexpected(row.error());
  return *row ? (*select)->ColumnInt(0) : int64_t{0};
}

Result<void> Store::SetSinkCursor(const std::string& name, int64_t seq) {
  auto upsert = db_->Prepare(
      "INSERT INTO sinks (name, shipped_seq) VALUES (?1, ?2)"
      " ON CONFLICT (name) DO UPDATE SET shipped_seq = max(shipped_seq, excluded.shipped_seq)");
  if (!upsert) return tl::unexpected(upsert.error());
  return (*upsert)->Bind(1, name).Bind(2, seq).Run();
}

Result<int64_t> Store::SinkBacklog(const std::string& name) {
  auto cursor = SinkCursor(name);
  if (!cursor) return cursor;
  auto count = db_->Prepare("SELECT count(*) FROM articles WHERE change_seq > ?1");
  if (!count) return tl::unexpected(count.error());
  auto row = (*count)->Bind(1, *cursor).Step();
  if (!row) return tl::unexpected(row.error());
  return (*count)->ColumnInt(0);
}

Result<int64_t> Store::AddKnown(const std::vector<std::string>& url_keys) {
  auto tx = Transaction::Begin(*db_);
  if (!tx) return tl::unexpected(tx.error());
  int64_t added = 0;
  for (const std::string& key : url_keys) {
    auto insert = db_->Prepare("INSERT OR IGNORE INTO retired (url_key) VALUES (?1)");
    if (!insert) return tl::unexpected(insert.error());
    if (auto ok = (*insert)->Bind(1, key).Run(); !ok) return tl::unexpected(ok.error());
    added += sqlite3_changes64(db_->handle());
    // An article this box had discovered but not fetched (or parked when the site moved
    // away) is done: another box stored it.
    auto done = db_->Prepare(
        "UPDATE frontier SET state = 'done' WHERE url_key = ?1 AND kind = 'article'"
        " AND state IN ('scheduled', 'parked')");
    if (!done) return tl::unexpected(done.error());
    if (auto ok = (*done)->Bind(1, key).Run(); !ok) return tl::unexpected(ok.error());
  }
  if (auto ok = tx->Commit(); !ok) return tl::unexpected(ok.error());
  return added;
}

}  // namespace gleaner::store
