#include "daemon/store/migrations.h"

#include <string>

#include "daemon/store/store.h"

namespace gleaner::store {
namespace {

// Migration N takes the schema from version N-1 to N. STRICT tables make SQLite refuse a
// value of the wrong type instead of storing it silently.
constexpr const char* kMigrations[] = {
    // 1: articles (one per normalised URL) and the consumer queue.
    R"sql(
CREATE TABLE articles (
  id            INTEGER PRIMARY KEY,
  url_key       TEXT NOT NULL UNIQUE,      -- NormalizeUrl(url): the article's identity
  url           TEXT NOT NULL,             -- as the record gave it
  site          TEXT,
  extractor     TEXT NOT NULL,
  title         TEXT,
  author        TEXT,
  published     TEXT,
  source        TEXT,
  source_url    TEXT,
  language      TEXT,
  body          TEXT,
  related       TEXT NOT NULL DEFAULT '[]', -- JSON list of {"title", "url"}
  ticker        TEXT NOT NULL DEFAULT '[]', -- JSON list of {"title", "url"}
  warnings      TEXT NOT NULL DEFAULT '[]', -- JSON list of strings
  content_hash  TEXT NOT NULL,             -- of title and body; a change re-queues
  first_seen_ms INTEGER NOT NULL,
  updated_ms    INTEGER NOT NULL
) STRICT;
CREATE INDEX articles_by_update ON articles(updated_ms, id);
CREATE INDEX articles_by_site ON articles(site, updated_ms, id);

CREATE TABLE queue (
  id           INTEGER PRIMARY KEY,        -- delivery order
  article_id   INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  is_update    INTEGER NOT NULL,           -- 1: a changed article queued again
  state        TEXT NOT NULL CHECK (state IN ('ready', 'claimed', 'acked', 'dead')),
  attempts     INTEGER NOT NULL DEFAULT 0, -- deliveries so far
  due_ms       INTEGER NOT NULL,           -- ready: claimable from; claimed: lease end
  claim_token  TEXT,                       -- the latest delivery's token
  enqueued_ms  INTEGER NOT NULL,
  finished_ms  INTEGER                     -- when acked or declared dead
) STRICT;
CREATE INDEX queue_pending ON queue(id) WHERE state IN ('ready', 'claimed');
CREATE INDEX queue_by_article ON queue(article_id, state);
)sql",
    // 2: the crawl frontier.
    R"sql(
CREATE TABLE frontier (
  id            INTEGER PRIMARY KEY,
  url_key       TEXT NOT NULL UNIQUE,      -- NormalizeUrl(url)
  url           TEXT NOT NULL,             -- as discovered: what the fetcher requests
  canonical_url TEXT,                      -- the page's rel=canonical, a hint only
  site          TEXT,
  kind          TEXT NOT NULL CHECK (kind IN ('listing', 'feed', 'sitemap', 'article')),
  state         TEXT NOT NULL CHECK (state IN ('scheduled', 'done', 'failed')),
  next_fetch_ms INTEGER NOT NULL,
  attempts      INTEGER NOT NULL DEFAULT 0, -- failed fetches since the last success
  last_status   INTEGER,                   -- HTTP status of the last response
  last_error    TEXT,
  etag          TEXT,
  last_modified TEXT,
  content_hash  TEXT,                      -- of the last body fetched
  discovered_ms INTEGER NOT NULL,
  fetched_ms    INTEGER
) STRICT;
CREATE INDEX frontier_due ON frontier(next_fetch_ms) WHERE state = 'scheduled';
CREATE INDEX frontier_by_site ON frontier(site, state);
)sql",
    // 3: the frontier is fetched host by host in priority order, rows of sites or sources no
    // longer configured are parked, and done articles can leave it for `retired`. SQLite
    // cannot alter a CHECK, so the table is rebuilt (ids kept); gleaner_host() is HostOf(),
    // registered on the migrating connection (see RegisterMigrationFunctions).
    R"sql(
CREATE TABLE frontier_v3 (
  id            INTEGER PRIMARY KEY,
  url_key       TEXT NOT NULL UNIQUE,      -- NormalizeUrl(url)
  url           TEXT NOT NULL,             -- as discovered: what the fetcher requests
  canonical_url TEXT,                      -- the page's rel=canonical, a hint only
  site          TEXT,
  kind          TEXT NOT NULL CHECK (kind IN ('listing', 'feed', 'sitemap', 'article')),
  state         TEXT NOT NULL CHECK (state IN ('scheduled', 'done', 'failed', 'parked')),
  next_fetch_ms INTEGER NOT NULL,
  attempts      INTEGER NOT NULL DEFAULT 0, -- failed fetches since the last success
  last_status   INTEGER,                   -- HTTP status of the last response
  last_error    TEXT,
  etag          TEXT,
  last_modified TEXT,
  content_hash  TEXT,                      -- of the last body fetched
  discovered_ms INTEGER NOT NULL,
  fetched_ms    INTEGER,
  host          TEXT NOT NULL,             -- HostOf(url_key): the politeness unit
  priority      INTEGER NOT NULL CHECK (priority BETWEEN 0 AND 2), -- Priority: 0 first
  depth         INTEGER NOT NULL DEFAULT 0, -- sources: levels below the configured one
  root          TEXT                       -- sources: url_key of that configured source
) STRICT;
INSERT INTO frontier_v3 (id, url_key, url, canonical_url, site, kind, state, next_fetch_ms,
    attempts, last_status, last_error, etag, last_modified, content_hash, discovered_ms,
    fetched_ms, host, priority)
  SELECT id, url_key, url, canonical_url, site, kind, state, next_fetch_ms, attempts,
    last_status, last_error, etag, last_modified, content_hash, discovered_ms, fetched_ms,
    gleaner_host(url_key), CASE kind WHEN 'article' THEN 1 ELSE 0 END
  FROM frontier;
DROP TABLE frontier;
ALTER TABLE frontier_v3 RENAME TO frontier;
CREATE INDEX frontier_by_site ON frontier(site, state);
-- DueForHost, NextDueForHost, HostsWithWork: one range per (host, priority).
CREATE INDEX frontier_by_host ON frontier(host, priority, next_fetch_ms)
  WHERE state = 'scheduled';
-- RetireDone: the oldest done articles first.
CREATE INDEX frontier_done_articles ON frontier(fetched_ms)
  WHERE state = 'done' AND kind = 'article';
CREATE TABLE retired (
  url_key TEXT PRIMARY KEY                 -- NormalizeUrl of an article that left the frontier
) STRICT, WITHOUT ROWID;
)sql",
    // 4: every new or changed article takes the next change number, the order in which a
    // sink (a cluster's PostgreSQL) is sent them; each sink keeps the last number it has.
    // Articles already stored are numbered in the order they last changed.
    R"sql(
ALTER TABLE articles ADD COLUMN change_seq INTEGER;
WITH ordered AS (SELECT id, row_number() OVER (ORDER BY updated_ms, id) AS n FROM articles)
UPDATE articles SET change_seq = ordered.n FROM ordered WHERE ordered.id = articles.id;
CREATE UNIQUE INDEX articles_by_change ON articles(change_seq);
CREATE TABLE sinks (
  name        TEXT PRIMARY KEY,            -- the sink, e.g. "postgresql"
  shipped_seq INTEGER NOT NULL             -- every change up to this one is in the sink
) STRICT;
)sql",
};
static_assert(std::size(kMigrations) == kSchemaVersion);

Result<int64_t> ApplicationId(Database& db) { return db.QueryInt("PRAGMA application_id"); }

int Latest(const SchemaSpec& spec) { return static_cast<int>(spec.migrations.size()); }

// A file with tables but neither our id nor a version is another program's file.
Result<void> CheckOwner(Database& db, const SchemaSpec& spec, int version) {
  auto app_id = ApplicationId(db);
  if (!app_id) return tl::unexpected(app_id.error());
  if (*app_id == spec.application_id) return {};
  auto tables = db.QueryInt("SELECT count(*) FROM sqlite_schema");
  if (!tables) return tl::unexpected(tables.error());
  if (*app_id == 0 && version == 0 && *tables == 0) return {};
  std::string what(spec.what);
  return Fail(ErrorCode::kDatabase, what + " " + db.path() + ": not a gleaner " + what +
                                        " (another program's SQLite file)");
}

Result<void> CheckNotNewer(Database& db, const SchemaSpec& spec, int version) {
  if (version <= Latest(spec)) return {};
  return Fail(ErrorCode::kDatabase, std::string(spec.what) + " " + db.path() +
                                        " has schema version " + std::to_string(version) +
                                        ", newer than this gleaner (" +
                                        std::to_string(Latest(spec)) + "): upgrade gleaner");
}

void HostFunction(sqlite3_context* context, int, sqlite3_value** args) {
  const unsigned char* text = sqlite3_value_text(args[0]);
  if (text == nullptr) {
    sqlite3_result_null(context);
    return;
  }
  std::string host = HostOf(reinterpret_cast<const char*>(text));
  sqlite3_result_text(context, host.data(), static_cast<int>(host.size()), SQLITE_TRANSIENT);
}

// Migrations compute derived columns with the same C++ the store writes them with, so an
// upgraded row cannot differ from a new one.
Result<void> RegisterMigrationFunctions(Database& db) {
  int rc =
      sqlite3_create_function_v2(db.handle(), "gleaner_host", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                 nullptr, HostFunction, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return tl::unexpected(db.MakeError(rc, "register gleaner_host"));
  return {};
}

Result<void> ApplyMigrations(Database& db, const SchemaSpec& spec, int from, int target) {
  if (spec.prepare != nullptr) {
    if (auto ok = spec.prepare(db); !ok) return ok;
  }
  for (int version = from + 1; version <= target; ++version) {
    if (auto ok = db.Exec(spec.migrations[version - 1]); !ok) return ok;
  }
  if (auto ok = db.Exec("PRAGMA application_id = " + std::to_string(spec.application_id)); !ok) {
    return ok;
  }
  return db.Exec("PRAGMA user_version = " + std::to_string(target));
}

}  // namespace

const SchemaSpec& MainSchema() {
  static const SchemaSpec spec{"database", kApplicationId, kMigrations, RegisterMigrationFunctions,
                               "a writing command (gleaner store, gleaner queue claim, gleaner "
                               "run)"};
  return spec;
}

Result<int> SchemaVersion(Database& db) {
  auto version = db.QueryInt("PRAGMA user_version");
  if (!version) return tl::unexpected(version.error());
  return static_cast<int>(*version);
}

Result<int> MigrateSchema(Database& db, const SchemaSpec& spec, int target) {
  if (target < 0) target = Latest(spec);
  auto before = SchemaVersion(db);
  if (!before) return before;
  if (*before == target) {
    if (auto ok = CheckOwner(db, spec, *before); !ok) return tl::unexpected(ok.error());
    return before;
  }
  auto tx = Transaction::Begin(db);
  if (!tx) return tl::unexpected(tx.error());
  // Read again under the write lock: another process may have migrated meanwhile.
  auto version = SchemaVersion(db);
  if (!version) return version;
  if (auto ok = CheckOwner(db, spec, *version); !ok) return tl::unexpected(ok.error());
  if (auto ok = CheckNotNewer(db, spec, *version); !ok) return tl::unexpected(ok.error());
  if (*version < target) {
    if (auto ok = ApplyMigrations(db, spec, *version, target); !ok) {
      return tl::unexpected(ok.error());
    }
  }
  if (auto ok = tx->Commit(); !ok) return tl::unexpected(ok.error());
  return version;
}

Result<int> Migrate(Database& db, int target) { return MigrateSchema(db, MainSchema(), target); }

Result<void> CheckSchemaOf(Database& db, const SchemaSpec& spec) {
  auto version = SchemaVersion(db);
  if (!version) return tl::unexpected(version.error());
  if (auto ok = CheckOwner(db, spec, *version); !ok) return ok;
  if (auto ok = CheckNotNewer(db, spec, *version); !ok) return ok;
  std::string what(spec.what);
  if (*version == 0) {
    return Fail(ErrorCode::kDatabase, what + " " + db.path() + " is empty (nothing stored yet)");
  }
  if (*version < Latest(spec)) {
    return Fail(ErrorCode::kDatabase, what + " " + db.path() + " has schema version " +
                                          std::to_string(*version) +
                                          ", older than this gleaner's; " +
                                          std::string(spec.upgraded_by) + " upgrades it");
  }
  return {};
}

Result<void> CheckSchema(Database& db) { return CheckSchemaOf(db, MainSchema()); }

}  // namespace gleaner::store
