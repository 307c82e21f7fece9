#include "daemon/cluster/pg_schema.h"

#include <iterator>
#include <string>

namespace gleaner::cluster {
namespace {

// Distinguishes gleaner's advisory lock from any other application's on the same database.
constexpr char kMigrationLock[] = "SELECT pg_advisory_xact_lock(6778231410)";

// How long a connection attempt may take before the box goes on crawling without it.
constexpr std::chrono::seconds kConnectTimeout{5};

// Migration N takes the schema from version N-1 to N.
constexpr const char* kPgMigrations[] = {
    R"sql(
CREATE TABLE gleaner_articles (
  url_key       text PRIMARY KEY,   -- NormalizeUrl(url): the article's identity
  url           text NOT NULL,
  site          text,
  content_hash  text NOT NULL,      -- of title and body: the version
  record        text NOT NULL,      -- the record as consumers read it (one JSON object)
  box           text NOT NULL,      -- the box that fetched this version
  first_seen_ms bigint NOT NULL,
  updated_ms    bigint NOT NULL,
  shipped_ms    bigint NOT NULL
);
CREATE INDEX gleaner_articles_by_update ON gleaner_articles (updated_ms, url_key);
CREATE INDEX gleaner_articles_by_site ON gleaner_articles (site, updated_ms, url_key);
CREATE TABLE gleaner_queue (
  id          bigserial PRIMARY KEY, -- delivery order
  url_key     text NOT NULL REFERENCES gleaner_articles (url_key) ON DELETE CASCADE,
  site        text,
  is_update   boolean NOT NULL,
  state       text NOT NULL CHECK (state IN ('ready', 'claimed', 'acked', 'dead')),
  attempts    integer NOT NULL DEFAULT 0,
  due_ms      bigint NOT NULL,       -- ready: claimable from; claimed: lease end
  claim_token text,
  enqueued_ms bigint NOT NULL,
  finished_ms bigint
);
CREATE INDEX gleaner_queue_pending ON gleaner_queue (id) WHERE state IN ('ready', 'claimed');
CREATE INDEX gleaner_queue_by_article ON gleaner_queue (url_key, state);
CREATE TABLE gleaner_boxes (
  box          text PRIMARY KEY,
  heartbeat_ms bigint NOT NULL,
  connected_ms bigint NOT NULL,     -- since when its connection has been unbroken
  backlog      bigint NOT NULL DEFAULT 0 -- records in its SQLite not shipped yet
);
CREATE TABLE gleaner_leases (
  site       text PRIMARY KEY,
  box        text NOT NULL,
  expires_ms bigint NOT NULL
);
)sql",
};

}  // namespace

namespace {

Error NewerSchema(const PgConnection& conn, int64_t found) {
  return Error{ErrorCode::kDatabase,
               "PostgreSQL " + conn.target() + ": gleaner's tables have schema version " +
                   std::to_string(found) + ", newer than this gleaner knows (" +
                   std::to_string(kPgSchemaVersion) + "); upgrade gleaner on this box"};
}

}  // namespace

Result<int> PgSchemaVersion(PgConnection& conn) {
  auto exists = conn.Exec("SELECT to_regclass('gleaner_schema') IS NOT NULL");
  if (!exists) return tl::unexpected(exists.error());
  if (exists->Text(0, 0) != "t") return 0;
  auto version = conn.Exec("SELECT coalesce(max(version), 0) FROM gleaner_schema");
  if (!version) return tl::unexpected(version.error());
  int64_t found = version->Int(0, 0);
  if (found > kPgSchemaVersion) return tl::unexpected(NewerSchema(conn, found));
  return static_cast<int>(found);
}

Result<void> MigratePg(PgConnection& conn) {
  auto tx = PgTransaction::Begin(conn);
  if (!tx) return tl::unexpected(tx.error());
  if (auto ok = conn.Run(kMigrationLock); !ok) return ok;
  if (auto ok = conn.Run("CREATE TABLE IF NOT EXISTS gleaner_schema (version integer NOT NULL)");
      !ok) {
    return ok;
  }
  auto version = conn.Exec("SELECT max(version) FROM gleaner_schema");
  if (!version) return tl::unexpected(version.error());
  int64_t found = version->Int(0, 0);
  constexpr int64_t latest = std::size(kPgMigrations);
  static_assert(latest == kPgSchemaVersion);
  if (found > latest) return tl::unexpected(NewerSchema(conn, found));
  for (int64_t v = found + 1; v <= latest; ++v) {
    if (auto ok = conn.Run(kPgMigrations[v - 1]); !ok) return ok;
  }
  if (found < latest) {
    if (auto ok = conn.Run("DELETE FROM gleaner_schema"); !ok) return ok;
    if (auto ok =
            conn.Run("INSERT INTO gleaner_schema (version) VALUES ($1)", {std::to_string(latest)});
        !ok) {
      return ok;
    }
  }
  return tx->Commit();
}

Result<PgConnection> OpenCluster(const std::string& conninfo, const std::string& application_name) {
  auto conn = PgConnection::Connect(conninfo, kConnectTimeout, application_name);
  if (!conn) return conn;
  if (auto ok = MigratePg(*conn); !ok) return tl::unexpected(ok.error());
  return conn;
}

}  // namespace gleaner::cluster
