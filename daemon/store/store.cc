#include "daemon/store/store.h"

#include <array>
#include <utility>

#include "daemon/store/json_lists.h"
#include "daemon/store/migrations.h"
#include "extractors/core/url.h"

namespace gleaner::store {
namespace {

constexpr std::array<std::string_view, 4> kKindNames = {"listing", "feed", "sitemap", "article"};
constexpr std::array<std::string_view, 4> kStateNames = {"scheduled", "done", "failed", "parked"};
constexpr std::array<Priority, 3> kPriorities = {Priority::kSource, Priority::kFresh,
                                                 Priority::kBacklog};

// A cleared batch keeps room for this many operations: a turn's usual writes. More (an
// article holds a whole record, so an operation is about half a kilobyte) is given back.
constexpr size_t kRetainedOps = 1024;

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
    " last_error, etag, last_modified, content_hash, discovered_ms, fetched_ms, host, priority,"
    " depth, root";

// The earliest next fetch among the scheduled rows of the host HOST_EXPR: one index seek
// per priority (a plain min() over the host would read all its rows, since next_fetch_ms
// only orders the index within one priority).
std::string NextDueSubquery(std::string_view host_expr) {
  return "(SELECT min((SELECT next_fetch_ms FROM frontier WHERE host = " + std::string(host_expr) +
         " AND priority = p.column1 AND state = 'scheduled'"
         " ORDER BY next_fetch_ms LIMIT 1)) FROM (VALUES (0), (1), (2)) p)";
}
static_assert(static_cast<int>(Priority::kBacklog) == 2, "NextDueSubquery lists every priority");

int64_t PriorityNumber(Priority priority) { return static_cast<int64_t>(priority); }

// What a row inserted by a fetch (nobody discovered it) is ranked as.
Priority DefaultPriority(UrlKind kind) {
  return kind == UrlKind::kArticle ? Priority::kFresh : Priority::kSource;
}

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
  e.host = row.ColumnText(16);
  // The schema's CHECK keeps priority within kPriorities.
  e.priority = static_cast<Priority>(row.ColumnInt(17));
  e.depth = static_cast<int>(row.ColumnInt(18));
  e.root = row.ColumnOptionalText(19);
  return e;
}

// Appends the frontier rows `select` returns (its columns: kFrontierColumns).
Result<void> AppendFrontierRows(Statement& select, const std::string& db_path,
                                std::vector<FrontierEntry>& entries) {
  while (true) {
    auto row = select.Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) return {};
    auto entry = ReadFrontierRow(select, db_path);
    if (!entry) return tl::unexpected(entry.error());
    entries.push_back(std::move(*entry));
  }
}

// Reads every row of a one-text-column SELECT.
Result<std::vector<std::string>> ReadTexts(Statement& select) {
  std::vector<std::string> texts;
  while (true) {
    auto row = select.Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) return texts;
    texts.push_back(select.ColumnText(0));
  }
}

// Runs a write statement; returns the rows it changed.
Result<int64_t> RunCounted(Database& db, Statement& stmt) {
  if (auto ok = stmt.Run(); !ok) return tl::unexpected(ok.error());
  return static_cast<int64_t>(sqlite3_changes64(db.handle()));
}

// Inserts a discovered URL; false when it is in the frontier already or was retired.
Result<bool> InsertDiscovered(Database& db, const std::string& key, const DiscoveredUrl& u,
                              Time now) {
  auto insert = db.Prepare(
      "INSERT INTO frontier (url_key, url, site, kind, state, next_fetch_ms, discovered_ms,"
      " host, priority, depth, root)"
      " SELECT ?1, ?2, ?3, ?4, 'scheduled', ?5, ?6, ?7, ?8, ?9, ?10"
      " WHERE NOT EXISTS (SELECT 1 FROM retired WHERE url_key = ?1)"
      " ON CONFLICT (url_key) DO NOTHING");
  if (!insert) return tl::unexpected(insert.error());
  Statement& s = **insert;
  s.Bind(1, key).Bind(2, u.url).Bind(3, u.site).Bind(4, UrlKindName(u.kind));
  s.Bind(5, ToMillis(u.next_fetch)).Bind(6, ToMillis(now)).Bind(7, HostOf(key));
  s.Bind(8, PriorityNumber(u.priority)).Bind(9, int64_t{u.depth}).Bind(10, u.root);
  auto changed = RunCounted(db, s);
  if (!changed) return tl::unexpected(changed.error());
  return *changed > 0;
}

// A scheduled article announced again with a better priority moves up; nothing else changes.
Result<void> PromoteArticle(Database& db, const std::string& key, Priority priority) {
  auto update = db.Prepare(
      "UPDATE frontier SET priority = ?2 WHERE url_key = ?1 AND kind = 'article'"
      " AND state = 'scheduled' AND priority > ?2");
  if (!update) return tl::unexpected(update.error());
  return (*update)->Bind(1, key).Bind(2, PriorityNumber(priority)).Run();
}

// A fetch that was tried: see FetchOutcome. Inserted when missing, so a fetch of a URL nobody
// discovered is still recorded. A parked row stays parked when the outcome reschedules it
// (a fetch in flight when its site was removed).
Result<void> RecordTried(Database& db, const std::string& key, const FetchOutcome& o, Time now) {
  auto upsert = db.Prepare(
      "INSERT INTO frontier (url_key, url, canonical_url, site, kind, state, next_fetch_ms,"
      " attempts, last_status, last_error, etag, last_modified, content_hash, discovered_ms,"
      " fetched_ms, host, priority)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14, ?16, ?17)"
      " ON CONFLICT (url_key) DO UPDATE SET"
      " canonical_url = coalesce(excluded.canonical_url, canonical_url),"
      " state = CASE WHEN state = 'parked' AND excluded.state = 'scheduled' THEN 'parked'"
      " ELSE excluded.state END,"
      " next_fetch_ms = excluded.next_fetch_ms,"
      " attempts = CASE WHEN ?15 THEN 0 ELSE attempts + 1 END,"
      " last_status = excluded.last_status, last_error = excluded.last_error,"
      " etag = CASE WHEN ?15 THEN excluded.etag ELSE etag END,"
      " last_modified = CASE WHEN ?15 THEN excluded.last_modified ELSE last_modified END,"
      " content_hash = CASE WHEN ?15 THEN excluded.content_hash ELSE content_hash END,"
      " fetched_ms = excluded.fetched_ms");
  if (!upsert) return tl::unexpected(upsert.error());
  Statement& s = **upsert;
  s.Bind(1, key).Bind(2, o.url).Bind(3, o.canonical_url).Bind(4, o.site);
  s.Bind(5, UrlKindName(o.kind)).Bind(6, FrontierStateName(o.state));
  s.Bind(7, ToMillis(o.next_fetch)).Bind(8, int64_t{o.ok ? 0 : 1});
  if (o.status) {
    s.Bind(9, int64_t{*o.status});
  } else {
    s.BindNull(9);
  }
  s.Bind(10, o.error).Bind(11, o.etag).Bind(12, o.last_modified).Bind(13, o.content_hash);
  s.Bind(14, ToMillis(now)).Bind(15, int64_t{o.ok});
  s.Bind(16, HostOf(key)).Bind(17, PriorityNumber(DefaultPriority(o.kind)));
  return s.Run();
}

// A fetch that was put off, not tried: only the next fetch time and the reason change. A
// missing row is inserted as never fetched.
Result<void> RecordDeferred(Database& db, const std::string& key, const FetchOutcome& o, Time now) {
  auto upsert = db.Prepare(
      "INSERT INTO frontier (url_key, url, canonical_url, site, kind, state, next_fetch_ms,"
      " last_error, discovered_ms, host, priority)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
      " ON CONFLICT (url_key) DO UPDATE SET"
      " next_fetch_ms = excluded.next_fetch_ms, last_error = excluded.last_error");
  if (!upsert) return tl::unexpected(upsert.error());
  Statement& s = **upsert;
  s.Bind(1, key).Bind(2, o.url).Bind(3, o.canonical_url).Bind(4, o.site);
  s.Bind(5, UrlKindName(o.kind)).Bind(6, FrontierStateName(o.state));
  s.Bind(7, ToMillis(o.next_fetch)).Bind(8, o.error).Bind(9, ToMillis(now));
  s.Bind(10, HostOf(key)).Bind(11, PriorityNumber(DefaultPriority(o.kind)));
  return s.Run();
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

std::string HostOf(std::string_view url) {
  std::optional<std::string> key = NormalizeUrl(url);
  if (!key) return std::string();
  std::optional<UrlParts> parts = ParseUrl(*key);
  if (!parts) return std::string();
  // ASCII only, as the fetcher lowers it: a non-ASCII byte is part of a UTF-8 sequence.
  for (char& c : parts->host) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return std::move(parts->host);
}

// ---- WriteBatch ----

Result<void> WriteBatch::AddUrl(DiscoveredUrl url) {
  auto key = KeyFor(url.url, "discovered");
  if (!key) return tl::unexpected(key.error());
  if (url.kind == UrlKind::kArticle) {
    url.depth = 0;
    url.root.reset();
  } else {
    url.priority = Priority::kSource;
  }
  if (url.root) {
    auto root = KeyFor(*url.root, "the root of discovered");
    if (!root) return tl::unexpected(root.error());
    url.root = std::move(*root);
  }
  ops_.emplace_back(UrlOp{std::move(*key), std::move(url)});
  return {};
}

void WriteBatch::Clear() {
  if (ops_.capacity() > kRetainedOps) {
    std::vector<std::variant<UrlOp, FetchOp, ArticleOp>>().swap(ops_);
  } else {
    ops_.clear();
  }
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
  ops_.emplace_back(
      ArticleOp{std::move(*key), std::make_unique<const Article>(std::move(article))});
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
  auto inserted = InsertDiscovered(*db_, op.key, op.url, now);
  if (!inserted) return tl::unexpected(inserted.error());
  if (*inserted) {
    ++summary.urls_added;
    return {};
  }
  if (op.url.kind != UrlKind::kArticle) return {};
  return PromoteArticle(*db_, op.key, op.url.priority);
}

Result<void> Store::Apply(const WriteBatch::FetchOp& op, Time now, WriteSummary&) {
  if (op.outcome.deferred) return RecordDeferred(*db_, op.key, op.outcome, now);
  return RecordTried(*db_, op.key, op.outcome, now);
}

Result<void> Store::Apply(const WriteBatch::ArticleOp& op, Time now, WriteSummary& summary) {
  auto result = PutArticle(op.key, *op.article, now);
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
            " updated_ms = ?16, change_seq = ?17 WHERE id = ?1"
          : "INSERT INTO articles (url_key, url, site, extractor, title, author, published,"
            " source, source_url, language, body, related, ticker, warnings, content_hash,"
            " first_seen_ms, updated_ms, change_seq)"
            " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?16,"
            " ?17)";
  // The next change number: the last one is the end of articles_by_change, one look-up.
  auto last_change = db_->QueryInt("SELECT coalesce(max(change_seq), 0) FROM articles");
  if (!last_change) return tl::unexpected(last_change.error());
  auto write = db_->Prepare(sql);
  if (!write) return tl::unexpected(write.error());
  if (existing_id) {
    (*write)->Bind(1, *existing_id);
  } else {
    (*write)->Bind(1, key);
  }
  BindArticle(**write, 2, article, hash);
  (*write)->Bind(16, ToMillis(now)).Bind(17, *last_change + 1);
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
  // Keyset pages, each read in its own short transaction and visited after it ends: a
  // reader that stops (`gleaner export | less`) never pins the WAL, so checkpoints go on.
  static const std::string sql = "SELECT " + std::string(kArticleColumns) +
                                 " FROM articles a WHERE a.updated_ms >= ?1"
                                 " AND (?2 IS NULL OR a.site = ?2)"
                                 " AND (a.updated_ms, a.id) > (?3, ?4)"
                                 " ORDER BY a.updated_ms, a.id LIMIT ?5";
  int64_t after_ms = INT64_MIN;
  int64_t after_id = INT64_MIN;
  std::vector<StoredArticle> page;
  while (true) {
    page.clear();
    size_t bytes = 0;
    {
      auto tx = Transaction::BeginRead(*db_);
      if (!tx) return tl::unexpected(tx.error());
      auto select = db_->Prepare(sql);
      if (!select) return tl::unexpected(select.error());
      (*select)->Bind(1, filter.since ? ToMillis(*filter.since) : INT64_MIN).Bind(2, filter.site);
      (*select)->Bind(3, after_ms).Bind(4, after_id).Bind(5, kExportPageRows);
      while (bytes < kExportPageBytes) {
        auto row = (*select)->Step();
        if (!row) return tl::unexpected(row.error());
        if (!*row) break;
        auto article = ReadArticleRow(**select, 0, db_->path());
        if (!article) return tl::unexpected(article.error());
        bytes += article->article.body.value_or("").size();
        page.push_back(std::move(*article));
      }
    }  // the statement is reset, then the transaction ends
    if (page.empty()) return {};
    after_ms = ToMillis(page.back().updated);
    after_id = page.back().id;
    for (const StoredArticle& article : page) {
      if (!visit(article)) return {};
    }
  }
}

Result<std::vector<FrontierEntry>> Store::DueForHost(const std::string& host, Time now, int limit) {
  // One index range per priority, in priority order: within a priority the index is ordered
  // by next fetch time, so each range stops at the first row not due.
  static const std::string sql = "SELECT " + std::string(kFrontierColumns) +
                                 " FROM frontier WHERE host = ?1 AND priority = ?2"
                                 " AND state = 'scheduled' AND next_fetch_ms <= ?3"
                                 " ORDER BY next_fetch_ms, id LIMIT ?4";
  std::vector<FrontierEntry> entries;
  for (Priority priority : kPriorities) {
    const int64_t room = int64_t{limit} - static_cast<int64_t>(entries.size());
    if (room <= 0) break;
    auto select = db_->Prepare(sql);
    if (!select) return tl::unexpected(select.error());
    (*select)->Bind(1, host).Bind(2, PriorityNumber(priority)).Bind(3, ToMillis(now));
    (*select)->Bind(4, room);
    if (auto ok = AppendFrontierRows(**select, db_->path(), entries); !ok) {
      return tl::unexpected(ok.error());
    }
  }
  return entries;
}

Result<std::optional<Time>> Store::NextDueForHost(const std::string& host) {
  static const std::string sql = "SELECT " + NextDueSubquery("?1");
  auto select = db_->Prepare(sql);
  if (!select) return tl::unexpected(select.error());
  auto row = (*select)->Bind(1, host).Step();
  if (!row) return tl::unexpected(row.error());
  if (!*row || (*select)->ColumnIsNull(0)) return std::optional<Time>();
  return std::optional<Time>(FromMillis((*select)->ColumnInt(0)));
}

Result<std::vector<std::pair<std::string, Time>>> Store::HostsWithWork() {
  // A skip over frontier_by_host: each step seeks the next host after the previous one.
  static const std::string sql =
      "WITH RECURSIVE hosts(name) AS ("
      " SELECT (SELECT min(host) FROM frontier WHERE state = 'scheduled')"
      " UNION ALL"
      " SELECT (SELECT min(host) FROM frontier WHERE state = 'scheduled' AND host > hosts.name)"
      " FROM hosts WHERE hosts.name IS NOT NULL)"
      " SELECT name, " +
      NextDueSubquery("hosts.name") + " FROM hosts WHERE name IS NOT NULL";
  auto select = db_->Prepare(sql);
  if (!select) return tl::unexpected(select.error());
  std::vector<std::pair<std::string, Time>> hosts;
  while (true) {
    auto row = (*select)->Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) return hosts;
    hosts.emplace_back((*select)->ColumnText(0), FromMillis((*select)->ColumnInt(1)));
  }
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

Result<std::optional<FrontierEntry>> Store::FindFrontierId(int64_t id) {
  static const std::string sql =
      "SELECT " + std::string(kFrontierColumns) + " FROM frontier WHERE id = ?1";
  auto select = db_->Prepare(sql);
  if (!select) return tl::unexpected(select.error());
  auto row = (*select)->Bind(1, id).Step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return std::optional<FrontierEntry>();
  auto entry = ReadFrontierRow(**select, db_->path());
  if (!entry) return tl::unexpected(entry.error());
  return std::optional<FrontierEntry>(std::move(*entry));
}

Result<bool> Store::Known(std::string_view url) {
  std::optional<std::string> key = NormalizeUrl(url);
  if (!key) return false;
  auto select = db_->Prepare(
      "SELECT EXISTS (SELECT 1 FROM frontier WHERE url_key = ?1)"
      " OR EXISTS (SELECT 1 FROM retired WHERE url_key = ?1)");
  if (!select) return tl::unexpected(select.error());
  auto row = (*select)->Bind(1, *key).Step();
  if (!row) return tl::unexpected(row.error());
  return *row && (*select)->ColumnInt(0) != 0;
}

Result<std::vector<std::string>> Store::FrontierSites() {
  // A skip over frontier_by_site, as HostsWithWork does over hosts; min() ignores NULL sites.
  auto select = db_->Prepare(
      "WITH RECURSIVE sites(name) AS ("
      " SELECT (SELECT min(site) FROM frontier)"
      " UNION ALL"
      " SELECT (SELECT min(site) FROM frontier WHERE site > sites.name)"
      " FROM sites WHERE sites.name IS NOT NULL)"
      " SELECT name FROM sites WHERE name IS NOT NULL");
  if (!select) return tl::unexpected(select.error());
  return ReadTexts(**select);
}

Result<int64_t> Store::SetSiteParked(const std::string& site, bool parked) {
  auto update = db_->Prepare("UPDATE frontier SET state = ?3 WHERE site = ?1 AND state = ?2");
  if (!update) return tl::unexpected(update.error());
  const FrontierState from = parked ? FrontierState::kScheduled : FrontierState::kParked;
  const FrontierState to = parked ? FrontierState::kParked : FrontierState::kScheduled;
  (*update)->Bind(1, site).Bind(2, FrontierStateName(from)).Bind(3, FrontierStateName(to));
  return RunCounted(*db_, **update);
}

Result<int64_t> Store::SyncSources(const std::string& site,
                                   const std::vector<std::string>& configured) {
  std::vector<std::string> keys;
  for (const std::string& url : configured) {
    // A URL that is not http(s) names no frontier row; the config check reports it.
    if (std::optional<std::string> key = NormalizeUrl(url)) keys.push_back(std::move(*key));
  }
  const std::string roots = StringsToColumn(keys);
  // ?2: the state moved from, ?3: to; ?5: whether the rows moved are those whose root is
  // configured (unparked) or those whose root is not (parked).
  auto update = db_->Prepare(
      "UPDATE frontier SET state = ?3 WHERE site = ?1 AND state = ?2 AND kind <> 'article'"
      " AND (coalesce(root, url_key) IN (SELECT value FROM json_each(?4))) = ?5");
  if (!update) return tl::unexpected(update.error());
  auto tx = Transaction::Begin(*db_);
  if (!tx) return tl::unexpected(tx.error());
  int64_t changed = 0;
  for (bool park : {true, false}) {
    const FrontierState from = park ? FrontierState::kScheduled : FrontierState::kParked;
    const FrontierState to = park ? FrontierState::kParked : FrontierState::kScheduled;
    (*update)->Reset();
    (*update)->Bind(1, site).Bind(2, FrontierStateName(from)).Bind(3, FrontierStateName(to));
    (*update)->Bind(4, roots).Bind(5, int64_t{park ? 0 : 1});
    auto n = RunCounted(*db_, **update);
    if (!n) return tl::unexpected(n.error());
    changed += *n;
  }
  if (auto ok = tx->Commit(); !ok) return tl::unexpected(ok.error());
  return changed;
}

Result<int64_t> Store::RetireDone(Time before, int limit) {
  // Both statements pick the same rows: same condition, same order, same transaction.
  constexpr std::string_view kOldestDone =
      "SELECT url_key FROM frontier WHERE state = 'done' AND kind = 'article'"
      " AND fetched_ms < ?1 ORDER BY fetched_ms, id LIMIT ?2";
  static const std::string remember =
      "INSERT OR IGNORE INTO retired (url_key) " + std::string(kOldestDone);
  static const std::string forget =
      "DELETE FROM frontier WHERE url_key IN (" + std::string(kOldestDone) + ")";
  if (limit <= 0) return 0;  // SQLite reads a negative LIMIT as none
  auto tx = Transaction::Begin(*db_);
  if (!tx) return tl::unexpected(tx.error());
  int64_t retired = 0;
  for (const std::string* sql : {&remember, &forget}) {
    auto stmt = db_->Prepare(*sql);
    if (!stmt) return tl::unexpected(stmt.error());
    (*stmt)->Bind(1, ToMillis(before)).Bind(2, int64_t{limit});
    auto n = RunCounted(*db_, **stmt);
    if (!n) return tl::unexpected(n.error());
    retired = *n;
  }
  if (auto ok = tx->Commit(); !ok) return tl::unexpected(ok.error());
  return retired;
}

Result<std::vector<SiteFrontier>> Store::SiteFrontiers(Time now) {
  auto select = db_->Prepare(
      "SELECT site,"
      " sum(state = 'scheduled' AND kind = 'article' AND next_fetch_ms <= ?1),"
      " sum(state = 'scheduled' AND kind = 'article' AND next_fetch_ms > ?1),"
      " sum(state = 'parked'),"
      " min(CASE WHEN state = 'scheduled' AND kind <> 'article' THEN next_fetch_ms END)"
      " FROM frontier WHERE site IS NOT NULL AND state IN ('scheduled', 'parked')"
      " GROUP BY site ORDER BY site");
  if (!select) return tl::unexpected(select.error());
  (*select)->Bind(1, ToMillis(now));
  std::vector<SiteFrontier> sites;
  while (true) {
    auto row = (*select)->Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) return sites;
    SiteFrontier& s = sites.emplace_back();
    s.site = (*select)->ColumnText(0);
    s.backlog = (*select)->ColumnInt(1);
    s.waiting = (*select)->ColumnInt(2);
    s.parked = (*select)->ColumnInt(3);
    if (!(*select)->ColumnIsNull(4)) s.next_poll = FromMillis((*select)->ColumnInt(4));
  }
}

}  // namespace gleaner::store
