// Opening databases: migrations, and the files the store must refuse without touching them.
#include <catch2/catch.hpp>
#include <filesystem>

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
              "('articles', 'queue', 'frontier')") == 3);
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
