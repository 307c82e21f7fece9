#include "daemon/store/store.h"

#include <array>
#include <utility>

#include "daemon/store/migrations.h"
#include "extractors/core/url.h"

namespace gleaner::store {
namespace {

constexpr std::array<std::string_view, 4> kKindNames = {"listing", "feed", "sitemap", "article"};
constexpr std::array<std::string_view, 3> kStateNames = {"scheduled", "done", "failed"};

std::optional<FrontierState> ParseFrontierState(std::string_view name) {
  for (size_t i = 0; i < kStateNames.size(); ++i) {
    if (kStateNames[i] == name) return static_cast<FrontierState>(i);
  }
  return std::nullopt;
}

Result<std::string> KeyFor(const std::string& url, std::string_view what) {
  std::optional<std::string> key = NormalizeUrl(url);
  if (!key) {
    return Fail(ErrorCode::kInput,
                std::string(what) + " URL '" + url + "' is not an absolute http(s) URL");
  }
  return *key;
}

constexpr std::string_view kFrontierColumns =
    "id, url, url_key, canonical_url, site, kind, state, next_fetch_ms, attempts, last_status,"
    " last_error, etag, last_modified, content_hash, discovered_ms, fetched_ms";

std::optional<int> OptionalInt(const Statement& row, int column) {
  if (row.ColumnIsNull(column)) return std::nullopt;
  return static_cast<int>(row.ColumnInt(column));
}

Result<FrontierEntry> ReadFrontierRow(const Statement& row, const std::string& db_path) {
  FrontierEntry e;
  e.id = row.ColumnInt(0);
  e.url = row.ColumnText(1);
  e.url_key = row.ColumnText(2);
  e.canonical_url = row.ColumnOptionalText(3);
  e.site = row.ColumnOptionalText(4);
  auto kind = ParseUrlKind(row.ColumnText(5));
  auto state = ParseFrontierState(row.ColumnText(6));
  if (!kind || !state) {
    return Fail(ErrorCode::kDatabase, "database " + db_path + ": frontier entry " +
                                          std::to_string(e.id) + " has an unknown kind or state");
  }
  e.kind = *kind;
  e.state = *state;
  e.next_fetch = FromMillis(row.ColumnInt(7));
  e.attempts = static_cast<int>(row.ColumnInt(8));
  e.last_status = OptionalInt(row, 9);
  e.last_error = row.ColumnOptionalText(10);
  e.etag = row.ColumnOptionalText(11);
  e.last_modified = row.ColumnOptionalText(12);
  e.content_hash = row.ColumnOptionalText(13);
  e.discovered = FromMillis(row.ColumnInt(14));
  if (!row.ColumnIsNull(15)) e.fetched = FromMillis(row.ColumnInt(15));
  return e;
}

// Binds the article's fields to parameters first.. first+12, then its hash.
void BindArticle(Statement& stmt, int first, const Article& a, const std::string& hash) {
  stmt.Bind(first, a.url.value_or(""));
  stmt.Bind(first + 1, a.site);
  stmt.Bind(first + 2, a.extractor);
  int i = first + 3;
  for (const std::optional<std::string>* field :
       {&a.title, &a.author, &a.published, &a.source, &a.source_url, &a.language, &a.body}) {
    stmt.Bind(i++, *field);
  }
  stmt.Bind(first + 10, LinksToColumn(a.related));
  stmt.Bind(first + 11, LinksToColumn(a.ticker));
  stmt.Bind(first + 12, StringsToColumn(a.warnings));
  stmt.Bind(first + 13, hash);
}

}  // namespace

std::string_view UrlKindName(UrlKind kind) { return kKindNames[static_cast<size_t>(kind)]; }

std::optional<UrlKind> ParseUrlKind(std::string_view name) {
  for (size_t i = 0; i < kKindNames.size(); ++i) {
    if (kKindNames[i] == name) return static_cast<UrlKind>(i);
  }
  return std::nullopt;
}

std::string_view FrontierStateName(FrontierState state) {
  return kStateNames[static_cast<size_t>(state)];
}

// ---- WriteBatch ----

Result<void> WriteBatch::AddUrl(DiscoveredUrl url) {
  auto key = KeyFor(url.url, "discovered");
  if (!key) return tl::unexpected(key.error());
  ops_.emplace_back(UrlOp{std::move(*key), std::move(url)});
  return {};
}

Result<void> WriteBatch::RecordFetch(FetchOutcome outcome) {
  auto key = KeyFor(outcome.url, "fetched");
  if (!key) return tl::unexpected(key.error());
  ops_.emplace_back(FetchOp{std::move(*key), std::move(outcome)});
  return {};
}

Result<void> WriteBatch::PutArticle(Article article) {
  if (!article.url) {
    return Fail(ErrorCode::kInput,
                "the record has no url (give `gleaner extract` the page's "
                "--url): an article is stored under its URL");
  }
  auto key = KeyFor(*article.url, "the record's");
  if (!key) return tl::unexpected(key.error());
  ops_.emplace_back(ArticleOp{std::move(*key), std::move(article)});
  return {};
}

// ---- Store ----

Store::Store(std::unique_ptr<Database> db)
    : db_(std::move(db)), queue_(std::make_unique<Queue>(db_.get())) {}

Result<Store> Store::Open(const std::string& path, OpenMode mode) {
  auto db = Database::Open(path, mode);
  if (!db) return tl::unexpected(db.error());
  if (mode == OpenMode::kReadOnly) {
    if (auto ok = CheckSchema(**db); !ok) return tl::unexpected(ok.error());
  } else if (auto migrated = Migrate(**db); !migrated) {
    return tl::unexpected(migrated.error());
  }
  return Store(std::move(*db));
}

Result<WriteSummary> Store::Write(const WriteBatch& batch, Time now) {
  WriteSummary summary;
  if (batch.empty()) return summary;
  auto tx = Transaction::Begin(*db_);
  if (!tx) return tl::unexpected(tx.error());
  for (const auto& op : batch.ops_) {
    auto ok = std::visit([&](const auto& o) { return Apply(o, now, summary); }, op);
    if (!ok) return tl::unexpected(ok.error());  // the Transaction rolls back
  }
  if (auto ok = tx->Commit(); !ok) return tl::unexpected(ok.error());
  return summary;
}

Result<void> Store::Apply(const WriteBatch::UrlOp& op, Time now, WriteSummary& summary) {
  auto insert = db_->Prepare(
      "INSERT INTO frontier (url_key, url, site, kind, state, next_fetch_ms, discovered_ms)"
      " VALUES (?1, ?2, ?3, ?4, 'scheduled', ?5, ?6) ON CONFLICT (url_key) DO NOTHING");
  if (!insert) return tl::unexpected(insert.error());
  const DiscoveredUrl& u = op.url;
  (*insert)->Bind(1, op.key).Bind(2, u.url).Bind(3, u.site).Bind(4, UrlKindName(u.kind));
  (*insert)->Bind(5, ToMillis(u.next_fetch)).Bind(6, ToMillis(now));
  if (auto ok = (*insert)->Run(); !ok) return ok;
  summary.urls_added += sqlite3_changes(db_->handle());
  return {};
}

Result<void> Store::Apply(const WriteBatch::FetchOp& op, Time now, WriteSummary&) {
  // Inserted when missing, so a fetch of a URL nobody discovered is still recorded.
  auto upsert = db_->Prepare(
      "INSERT INTO frontier (url_key, url, canonical_url, site, kind, state, next_fetch_ms,"
      " attempts, last_status, last_error, etag, last_modified, content_hash, discovered_ms,"
      " fetched_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14)"
      " ON CONFLICT (url_key) DO UPDATE SET"
      " canonical_url = coalesce(excluded.canonical_url, canonical_url),"
      " state = excluded.state, next_fetch_ms = excluded.next_fetch_ms,"
      " attempts = CASE WHEN ?15 THEN 0 ELSE attempts + 1 END,"
      " last_status = excluded.last_status, last_error = excluded.last_error,"
      " etag = CASE WHEN ?15 THEN excluded.etag ELSE etag END,"
      " last_modified = CASE WHEN ?15 THEN excluded.last_modified ELSE last_modified END,"
      " content_hash = CASE WHEN ?15 THEN excluded.content_hash ELSE content_hash END,"
      " fetched_ms = excluded.fetched_ms");
  if (!upsert) return tl::unexpected(upsert.error());
  const FetchOutcome& o = op.outcome;
  Statement& s = **upsert;
  s.Bind(1, op.key).Bind(2, o.url).Bind(3, o.canonical_url).Bind(4, o.site);
  s.Bind(5, UrlKindName(o.kind)).Bind(6, FrontierStateName(o.state));
  s.Bind(7, ToMillis(o.next_fetch)).Bind(8, int64_t{o.ok ? 0 : 1});
  if (o.status) {
    s.Bind(9, int64_t{*o.status});
  } else {
    s.BindNull(9);
  }
  s.Bind(10, o.error).Bind(11, o.etag).Bind(12, o.last_modified).Bind(13, o.content_hash);
  s.Bind(14, ToMillis(now)).Bind(15, int64_t{o.ok});
  return s.Run();
}

Result<void> Store::Apply(const WriteBatch::ArticleOp& op, Time now, WriteSummary& summary) {
  auto result = PutArticle(op.key, op.article, now);
  if (!result) return tl::unexpected(result.error());
  summary.articles.push_back(*result);
  switch (*result) {
    case PutResult::kNew:
      ++summary.articles_new;
      break;
    case PutResult::kUpdated:
      ++summary.articles_updated;
      break;
    case PutResult::kUnchanged:
      ++summary.articles_unchanged;
      break;
  }
  return {};
}

Result<PutResult> Store::PutArticle(const std::string& key, const Article& article, Time now) {
  const std::string hash = ArticleContentHash(article);
  std::optional<int64_t> existing_id;
  {
    auto find = db_->Prepare("SELECT id, content_hash FROM articles WHERE url_key = ?1");
    if (!find) return tl::unexpected(find.error());
    auto row = (*find)->Bind(1, key).Step();
    if (!row) return tl::unexpected(row.error());
    if (*row) {
      if ((*find)->ColumnText(1) == hash) return PutResult::kUnchanged;
      existing_id = (*find)->ColumnInt(0);
    }
  }
  const char* sql =
      existing_id
          ? "UPDATE articles SET url = ?2, site = ?3, extractor = ?4, title = ?5, author = ?6,"
            " published = ?7, source = ?8, source_url = ?9, language = ?10, body = ?11,"
            " related = ?12, ticker = ?13, warnings = ?14, content_hash = ?15,"
            " updated_ms = ?16 WHERE id = ?1"
          : "INSERT INTO articles (url_key, url, site, extractor, title, author, published,"
            " source, source_url, language, body, related, ticker, warnings, content_hash,"
            " first_seen_ms, updated_ms)"
            " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?16)";
  auto write = db_->Prepare(sql);
  if (!write) return tl::unexpected(write.error());
  if (existing_id) {
    (*write)->Bind(1, *existing_id);
  } else {
    (*write)->Bind(1, key);
  }
  BindArticle(**write, 2, article, hash);
  (*write)->Bind(16, ToMillis(now));
  if (auto ok = (*write)->Run(); !ok) return tl::unexpected(ok.error());
  int64_t id = existing_id.value_or(sqlite3_last_insert_rowid(db_->handle()));
  if (auto ok = queue_->Enqueue(id, existing_id.has_value(), now); !ok) {
    return tl::unexpected(ok.error());
  }
  return existing_id ? PutResult::kUpdated : PutResult::kNew;
}

Result<std::optional<StoredArticle>> Store::FindArticle(std::string_view url) {
  std::optional<std::string> key = NormalizeUrl(url);
  if (!key) return std::optional<StoredArticle>();
  static const std::string sql =
      "SELECT " + std::string(kArticleColumns) + " FROM articles a WHERE a.url_key = ?1";
  auto find = db_->Prepare(sql);
  if (!find) return tl::unexpected(find.error());
  auto row = (*find)->Bind(1, *key).Step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return std::optional<StoredArticle>();
  auto article = ReadArticleRow(**find, 0, db_->path());
  if (!article) return tl::unexpected(article.error());
  return std::optional<StoredArticle>(std::move(*article));
}

Result<void> Store::ForEachArticle(const ArticleFilter& filter,
                                   const std::function<bool(const StoredArticle&)>& visit) {
  static const std::string sql = "SELECT " + std::string(kArticleColumns) +
                                 " FROM articles a WHERE a.updated_ms >= ?1"
                                 " AND (?2 IS NULL OR a.site = ?2)"
                                 " ORDER BY a.updated_ms, a.id";
  auto tx = Transaction::BeginRead(*db_);
  if (!tx) return tl::unexpected(tx.error());
  {
    auto select = db_->Prepare(sql);
    if (!select) return tl::unexpected(select.error());
    (*select)->Bind(1, filter.since ? ToMillis(*filter.since) : INT64_MIN).Bind(2, filter.site);
    while (true) {
      auto row = (*select)->Step();
      if (!row) return tl::unexpected(row.error());
      if (!*row) break;
      auto article = ReadArticleRow(**select, 0, db_->path());
      if (!article) return tl::unexpected(article.error());
      if (!visit(*article)) break;
    }
  }
  return tx->Commit();
}

Result<std::vector<FrontierEntry>> Store::DueUrls(Time now, int limit,
                                                  const std::optional<std::string>& site) {
  static const std::string sql = "SELECT " + std::string(kFrontierColumns) +
                                 " FROM frontier WHERE state = 'scheduled'"
                                 " AND next_fetch_ms <= ?1 AND (?2 IS NULL OR site = ?2)"
                                 " ORDER BY next_fetch_ms, id LIMIT ?3";
  auto select = db_->Prepare(sql);
  if (!select) return tl::unexpected(select.error());
  (*select)->Bind(1, ToMillis(now)).Bind(2, site).Bind(3, int64_t{limit});
  std::vector<FrontierEntry> entries;
  while (true) {
    auto row = (*select)->Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    auto entry = ReadFrontierRow(**select, db_->path());
    if (!entry) return tl::unexpected(entry.error());
    entries.push_back(std::move(*entry));
  }
  return entries;
}

Result<std::optional<FrontierEntry>> Store::FindUrl(std::string_view url) {
  std::optional<std::string> key = NormalizeUrl(url);
  if (!key) return std::optional<FrontierEntry>();
  static const std::string sql =
      "SELECT " + std::string(kFrontierColumns) + " FROM frontier WHERE url_key = ?1";
  auto select = db_->Prepare(sql);
  if (!select) return tl::unexpected(select.error());
  auto row = (*select)->Bind(1, *key).Step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return std::optional<FrontierEntry>();
  auto entry = ReadFrontierRow(**select, db_->path());
  if (!entry) return tl::unexpected(entry.error());
  return std::optional<FrontierEntry>(std::move(*entry));
}

}  // namespace gleaner::store
