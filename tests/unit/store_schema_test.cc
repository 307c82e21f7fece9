// Opening databases: migrations, and the files the store must refuse without touching them.
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "daemon/store/db.h"
#include "daemon/store/migrations.h"
#include "daemon/store/store.h"
#include "support/run_binary.h"

namespace gleaner::store {
namespace {

using testing::ReadFile;
using testing::TempDir;

Article MakeArticle(const std::string& url, const std::string& title) {
  Article a;
  a.url = url;
  a.extractor = "generic";
  a.title = title;
  a.body = "First paragraph.\n\nSecond paragraph.";
  return a;
}

int64_t Count(Database& db, const std::string& sql) {
  auto n = db.QueryInt(sql);
  REQUIRE(n.has_value());
  return *n;
}

TEST_CASE("a new database is created at the current schema, in WAL mode", "[store]") {
  TempDir dir;
  std::string path = dir.path() + "/sub/dir/gleaner.db";  // parent directories are created
  auto db = Store::Open(path, OpenMode::kCreate);
  REQUIRE(db.has_value());
  Database& conn = db->database();
  CHECK(Count(conn, "PRAGMA user_version") == kSchemaVersion);
  CHECK(Count(conn, "PRAGMA application_id") == kApplicationId);
  CHECK(Count(conn, "PRAGMA foreign_keys") == 1);
  CHECK(Count(conn, "PRAGMA synchronous") == 1);  // NORMAL: see db.cc
  auto mode = conn.Prepare("PRAGMA journal_mode");
  REQUIRE(mode.has_value());
  REQUIRE((*mode)->Step().value_or(false));
  CHECK((*mode)->ColumnText(0) == "wal");
  CHECK(Count(conn,
              "SELECT count(*) FROM sqlite_schema WHERE name IN "
              "('articles', 'queue', 'frontier', 'retired')") == 4);
}

TEST_CASE("an older database is migrated and keeps its articles", "[store]") {
  TempDir dir;
  std::string path = dir.path() + "/old.db";
  {
    // A database as version 1 of the schema left it: articles and queue, no frontier.
    auto db = Database::Open(path, OpenMode::kCreate);
    REQUIRE(db.has_value());
    REQUIRE(Migrate(**db, 1).has_value());
    REQUIRE((*db)
                ->Exec("INSERT INTO articles (url_key, url, extractor, content_hash,"
                       " first_seen_ms, updated_ms) VALUES ('https://a.example/x',"
                       " 'https://a.example/x', 'generic', 'h', 1, 1)")
                .has_value());
    CHECK(Count(**db, "PRAGMA user_version") == 1);
  }
  auto store = Store::Open(path, OpenMode::kReadWrite);
  REQUIRE(store.has_value());
  CHECK(Count(store->database(), "PRAGMA user_version") == kSchemaVersion);
  CHECK(Count(store->database(), "SELECT count(*) FROM articles") == 1);
  CHECK(Count(store->database(), "SELECT count(*) FROM sqlite_schema WHERE name = 'frontier'") ==
        1);
  auto found = store->FindArticle("https://a.example/x");
  REQUIRE(found.has_value());
  CHECK(found->has_value());
}

// A database as version 2 of the schema left it, with a feed and two articles (one done).
void MakeVersion2(const std::string& path) {
  auto db = Database::Open(path, OpenMode::kCreate);
  REQUIRE(db.has_value());
  REQUIRE(Migrate(**db, 2).has_value());
  REQUIRE((*db)
              ->Exec("INSERT INTO frontier (id, url_key, url, site, kind, state, next_fetch_ms,"
                     " attempts, etag, discovered_ms, fetched_ms) VALUES"
                     " (7, 'https://news.example/feed.xml', 'https://NEWS.example/feed.xml',"
                     "  'news', 'feed', 'scheduled', 1000, 2, '\"v1\"', 10, 20),"
                     " (9, 'https://news.example:8080/a/1', 'https://news.example:8080/a/1',"
                     "  'news', 'article', 'scheduled', 2000, 0, NULL, 11, NULL),"
                     " (12, 'https://www.other.example/b', 'https://www.other.example/b',"
                     "  NULL, 'article', 'done', 3000, 0, NULL, 12, 30)")
              .has_value());
}

TEST_CASE("a version 2 frontier is migrated with its rows, hosts and priorities", "[store]") {
  TempDir dir;
  std::string path = dir.path() + "/v2.db";
  MakeVersion2(path);
  auto store = Store::Open(path, OpenMode::kReadWrite);
  REQUIRE(store.has_value());
  CHECK(Count(store->database(), "PRAGMA user_version") == kSchemaVersion);
  CHECK(Count(store->database(), "SELECT count(*) FROM frontier") == 3);

  auto feed = store->FindUrl("https://news.example/feed.xml");
  REQUIRE(feed.has_value());
  REQUIRE(feed->has_value());
  const FrontierEntry& f = **feed;
  CHECK(f.id == 7);
  CHECK(f.url == "https://NEWS.example/feed.xml");
  CHECK(f.host == "news.example");
  CHECK(f.priority == Priority::kSource);
  CHECK(f.depth == 0);
  CHECK_FALSE(f.root.has_value());
  CHECK(f.attempts == 2);
  CHECK(f.etag == "\"v1\"");
  CHECK(f.next_fetch == FromMillis(1000));
  CHECK(f.fetched == FromMillis(20));

  auto article = store->FindUrl("https://news.example:8080/a/1");
  REQUIRE(article.has_value());
  REQUIRE(article->has_value());
  CHECK((*article)->id == 9);
  CHECK((*article)->host == "news.example");
  CHECK((*article)->priority == Priority::kFresh);
  CHECK((*article)->state == FrontierState::kScheduled);

  auto hosts = store->HostsWithWork();
  REQUIRE(hosts.has_value());
  CHECK(*hosts == std::vector<std::pair<std::string, Time>>{{"news.example", FromMillis(1000)}});
  // The new states and tables work on the migrated file.
  CHECK(store->SetSiteParked("news", true) == int64_t{2});
  CHECK(store->RetireDone(FromMillis(100), 10) == int64_t{1});
  CHECK(store->Known("https://www.other.example/b") == true);
}

TEST_CASE("a failed migration leaves the version 2 database as it was", "[store]") {
  TempDir dir;
  std::string path = dir.path() + "/v2.db";
  MakeVersion2(path);
  {
    // An object in the way of the last step of migration 3, after the frontier's rebuild.
    auto db = Database::Open(path, OpenMode::kReadWrite);
    REQUIRE(db.has_value());
    REQUIRE((*db)->Exec("CREATE TABLE retired (note TEXT)").has_value());
  }
  auto store = Store::Open(path, OpenMode::kReadWrite);
  REQUIRE_FALSE(store.has_value());
  CHECK(store.error().code == ErrorCode::kDatabase);
  CHECK_THAT(store.error().message, Catch::Contains(path));

  auto db = Database::Open(path, OpenMode::kReadOnly);
  REQUIRE(db.has_value());
  CHECK(Count(**db, "PRAGMA user_version") == 2);
  CHECK(Count(**db, "SELECT count(*) FROM frontier") == 3);
  CHECK(Count(**db, "SELECT count(*) FROM pragma_table_info('frontier') WHERE name = 'host'") == 0);
  CHECK(Count(**db,
              "SELECT count(*) FROM sqlite_schema WHERE name IN"
              " ('frontier_v3', 'frontier_by_host', 'frontier_due')") == 1);
  CHECK(Count(**db, "SELECT count(*) FROM pragma_table_info('retired') WHERE name = 'note'") == 1);
}

TEST_CASE("reopening a current database changes nothing", "[store]") {
  TempDir dir;
  std::string path = dir.path() + "/g.db";
  {
    auto store = Store::Open(path, OpenMode::kCreate);
    REQUIRE(store.has_value());
    WriteBatch batch;
    REQUIRE(batch.PutArticle(MakeArticle("https://a.example/1", "One")).has_value());
    REQUIRE(store->Write(batch, Now()).has_value());
  }
  auto again = Store::Open(path, OpenMode::kCreate);
  REQUIRE(again.has_value());
  CHECK(Count(again->database(), "SELECT count(*) FROM articles") == 1);
}

TEST_CASE("a database newer than this binary is refused, not touched", "[store]") {
  TempDir dir;
  std::string path = dir.path() + "/new.db";
  {
    auto store = Store::Open(path, OpenMode::kCreate);
    REQUIRE(store.has_value());
    REQUIRE(store->database()
                .Exec("PRAGMA user_version = " + std::to_string(kSchemaVersion + 1))
                .has_value());
  }
  for (OpenMode mode : {OpenMode::kCreate, OpenMode::kReadWrite, OpenMode::kReadOnly}) {
    auto store = Store::Open(path, mode);
    REQUIRE_FALSE(store.has_value());
    CHECK(store.error().code == ErrorCode::kDatabase);
    CHECK_THAT(store.error().message, Catch::Contains(path) && Catch::Contains("newer"));
  }
  auto raw = Database::Open(path, OpenMode::kReadOnly);
  REQUIRE(raw.has_value());
  CHECK(Count(**raw, "PRAGMA user_version") == kSchemaVersion + 1);
}

TEST_CASE("a file that is not a database is refused and left as it was", "[store]") {
  TempDir dir;
  const std::string content = "this is a text file, not SQLite\n" + std::string(5000, 'x');
  std::string path = dir.Write("notes.db", content);
  for (OpenMode mode : {OpenMode::kCreate, OpenMode::kReadWrite, OpenMode::kReadOnly}) {
    auto store = Store::Open(path, mode);
    REQUIRE_FALSE(store.has_value());
    CHECK(store.error().code == ErrorCode::kDatabase);
    CHECK_THAT(store.error().message, Catch::Contains(path) && Catch::Contains("not a database"));
  }
  CHECK(ReadFile(path) == content);
}

TEST_CASE("a corrupt database is refused with a database error", "[store]") {
  TempDir dir;
  std::string path = dir.path() + "/corrupt.db";
  {
    auto store = Store::Open(path, OpenMode::kCreate);
    REQUIRE(store.has_value());
    WriteBatch batch;
    for (int i = 0; i < 200; ++i) {
      REQUIRE(
          batch.PutArticle(MakeArticle("https://a.example/" + std::to_string(i), "T")).has_value());
    }
    REQUIRE(store->Write(batch, Now()).has_value());
    REQUIRE(store->database().Exec("PRAGMA wal_checkpoint(TRUNCATE)").has_value());
  }
  // Overwrite the middle of the file (past the header page) with garbage.
  std::string bytes = ReadFile(path);
  REQUIRE(bytes.size() > 8192);
  for (size_t i = 4096; i < bytes.size() - 1024; ++i) bytes[i] = static_cast<char>(0xA5);
  dir.Write("corrupt.db", bytes);
  auto store = Store::Open(path, OpenMode::kReadWrite);
  Result<void> outcome = store
                             ? store->ForEachArticle({}, [](const StoredArticle&) { return true; })
                             : Result<void>(tl::unexpected(store.error()));
  REQUIRE_FALSE(outcome.has_value());
  CHECK(outcome.error().code == ErrorCode::kDatabase);
  CHECK_THAT(outcome.error().message, Catch::Contains(path));
}

TEST_CASE("another program's SQLite database is refused, no tables added", "[store]") {
  TempDir dir;
  std::string path = dir.path() + "/other.db";
  {
    auto db = Database::Open(path, OpenMode::kCreate);
    REQUIRE(db.has_value());
    REQUIRE((*db)->Exec("CREATE TABLE contacts (name TEXT)").has_value());
  }
  auto store = Store::Open(path, OpenMode::kCreate);
  REQUIRE_FALSE(store.has_value());
  CHECK(store.error().code == ErrorCode::kDatabase);
  CHECK_THAT(store.error().message, Catch::Contains("not a gleaner database"));
  auto db = Database::Open(path, OpenMode::kReadOnly);
  REQUIRE(db.has_value());
  CHECK(Count(**db, "SELECT count(*) FROM sqlite_schema") == 1);
}

TEST_CASE("read-only and consumer opens do not create a missing database", "[store]") {
  TempDir dir;
  std::string path = dir.path() + "/missing.db";
  for (OpenMode mode : {OpenMode::kReadOnly, OpenMode::kReadWrite}) {
    auto store = Store::Open(path, mode);
    REQUIRE_FALSE(store.has_value());
    CHECK(store.error().code == ErrorCode::kInput);
    CHECK_THAT(store.error().message, Catch::Contains(path));
  }
  CHECK_FALSE(std::filesystem::exists(path));
}

}  // namespace
}  // namespace gleaner::store

namespace gleaner::store {
namespace {

// Any member of the `gleaner` group can write the file, so no connection trusts its schema.
TEST_CASE(
    "every connection is defensive: SQL cannot rewrite the schema, and the schema is not trusted",
    "[store][defensive]") {
  TempDir dir;
  std::string path = dir.path() + "/gleaner.db";
  REQUIRE(Store::Open(path, OpenMode::kCreate).has_value());
  for (OpenMode mode : {OpenMode::kCreate, OpenMode::kReadWrite, OpenMode::kReadOnly}) {
    auto db = Database::Open(path, mode);
    REQUIRE(db.has_value());
    CHECK(Count(**db, "PRAGMA trusted_schema") == 0);
  }
  auto db = Database::Open(path, OpenMode::kReadWrite);
  REQUIRE(db.has_value());
  // The classic way to corrupt a database from SQL: edit the schema table directly.
  (void)(*db)->Exec("PRAGMA writable_schema = ON");
  auto edit = (*db)->Exec(
      "UPDATE sqlite_schema SET sql = 'CREATE TABLE articles(x)' WHERE name = 'articles'");
  REQUIRE_FALSE(edit.has_value());
  CHECK(edit.error().code == ErrorCode::kDatabase);
  db->reset();
  auto reopened = Store::Open(path, OpenMode::kReadWrite);
  REQUIRE(reopened.has_value());
  auto check = reopened->database().Prepare("PRAGMA integrity_check");
  REQUIRE(check.has_value());
  REQUIRE((*check)->Step().value_or(false));
  CHECK((*check)->ColumnText(0) == "ok");
}

}  // namespace
}  // namespace gleaner::store
