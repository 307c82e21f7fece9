// gleaner's database schema and its numbered migrations. The version lives in
// `PRAGMA user_version`; `PRAGMA application_id` marks the file as gleaner's so another
// program's SQLite file is refused instead of having tables added to it.
//
// Migrations only ever append: a released migration is never edited. A database newer than
// this binary is refused (kDatabase), never downgraded.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "daemon/store/db.h"
#include "extractors/core/result.h"

namespace gleaner::store {

// The schema this binary writes. 1: articles and the consumer queue; 2: the crawl frontier;
// 3: the frontier by host and priority, parked rows, retired articles; 4: change numbers
// and sink cursors.
inline constexpr int kSchemaVersion = 4;

// "glnr" in ASCII: the `application_id` of every gleaner database.
inline constexpr int32_t kApplicationId = 0x676c6e72;

// A schema the migration runner keeps: gleaner's database (MainSchema) or its archive
// (archive.cc). Migration N (migrations[N-1]) takes it from version N-1 to N.
struct SchemaSpec {
  std::string_view what;  // "database", "archive": how messages name the file
  int32_t application_id;
  std::span<const char* const> migrations;  // the current version is their count
  // Registers SQL functions the migrations call on the migrating connection; may be null.
  Result<void> (*prepare)(Database& db) = nullptr;
  // What upgrades an older file, for the read-only refusal ("a writing command ...").
  std::string_view upgraded_by;
};

// gleaner's database: articles, queue, frontier.
const SchemaSpec& MainSchema();

// Brings the file to `target` (its latest version by default), as Migrate below does.
// REQUIRES: a read-write connection; 0 <= target <= spec.migrations.size().
Result<int> MigrateSchema(Database& db, const SchemaSpec& spec, int target = -1);

// As CheckSchema below, for `spec`.
Result<void> CheckSchemaOf(Database& db, const SchemaSpec& spec);

// Brings the database to `target` (default: kSchemaVersion), all pending migrations in one
// BEGIN IMMEDIATE transaction, so a crash mid-way leaves the old version intact. Returns the
// version found before migrating. kDatabase naming the path when the file belongs to
// another application, is newer than this binary, or a statement fails.
// REQUIRES: a read-write connection; 0 <= target <= kSchemaVersion.
Result<int> Migrate(Database& db, int target = kSchemaVersion);

// For read-only connections, which cannot migrate: succeeds when the database is gleaner's at
// exactly kSchemaVersion. kDatabase otherwise (an older one says which command upgrades it).
Result<void> CheckSchema(Database& db);

// The database's `user_version` (0 for an empty file). kDatabase on failure.
Result<int> SchemaVersion(Database& db);

}  // namespace gleaner::store
