// RAII wrappers over the SQLite C API: one connection (Database), its cached prepared
// statements (Statement, handed out as a ScopedStatement that resets itself), and write
// transactions (Transaction, always BEGIN IMMEDIATE).
//
// Every SQLite failure becomes an Error with ErrorCode::kDatabase whose message names the
// database path. This module knows nothing of gleaner's schema; it must not "repair",
// recreate or overwrite a file it cannot read.
#pragma once

#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "extractors/core/result.h"

namespace gleaner::store {

// How a database file is opened.
enum class OpenMode {
  kReadOnly,   // never writes; the file must exist (`export`, `queue stats`)
  kReadWrite,  // the file must exist (`queue claim|ack|nack`)
  kCreate,     // created (with its parent directory) when missing (`store`, the daemon)
};

// How long a statement waits for another connection's write lock before failing with
// "database is locked". Writers hold the lock for one batch (milliseconds), so 5 s only runs
// out when something is badly stuck, and then the user is better told than left hanging.
inline constexpr std::chrono::milliseconds kBusyTimeout{5000};

struct StatementDeleter {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
struct ConnectionDeleter {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};

class Database;

// One prepared statement, owned by its Database's cache. Bind* calls record the first
// failure, which Step() then reports. Not thread-safe (neither is its Database).
class Statement {
 public:
  Statement(Database* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}

  // Parameters are 1-based, as in SQLite. A nullopt binds NULL. Text is copied.
  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, std::string_view value);
  Statement& Bind(int index, const char* value) { return Bind(index, std::string_view(value)); }
  Statement& Bind(int index, const std::string& value) {
    return Bind(index, std::string_view(value));
  }
  Statement& Bind(int index, const std::optional<std::string>& value);
  Statement& BindNull(int index);
  // Binds bytes as a BLOB: never read as text, so any byte (NUL, invalid UTF-8) survives.
  Statement& BindBlob(int index, std::string_view bytes);

  // Advances one row: true when a row is available, false when done; kDatabase on failure
  // (including a failed Bind).
  Result<bool> Step();
  // Steps until done (statements that return no rows, or whose rows are ignored).
  Result<void> Run();

  int64_t ColumnInt(int column) const;  // 0-based, as in SQLite; NULL reads as 0
  bool ColumnIsNull(int column) const;
  std::string ColumnText(int column) const;  // NULL reads as ""
  std::optional<std::string> ColumnOptionalText(int column) const;
  std::string ColumnBlob(int column) const;  // the bytes of a BLOB (or TEXT); NULL reads as ""

  // Ends the current execution and clears the bindings so the statement can be reused.
  void Reset();

 private:
  Database* db_;
  std::unique_ptr<sqlite3_stmt, StatementDeleter> stmt_;
  int bind_error_ = SQLITE_OK;
};

// A borrowed cached statement; resetting it on destruction ends its read snapshot, so a
// forgotten half-read SELECT cannot pin the WAL or block a later write.
class ScopedStatement {
 public:
  explicit ScopedStatement(Statement* stmt) : stmt_(stmt) {}
  ScopedStatement(ScopedStatement&& other) noexcept : stmt_(other.stmt_) { other.stmt_ = nullptr; }
  ScopedStatement& operator=(ScopedStatement&&) = delete;
  ~ScopedStatement() {
    if (stmt_ != nullptr) stmt_->Reset();
  }
  Statement* operator->() const { return stmt_; }
  Statement& operator*() const { return *stmt_; }

 private:
  Statement* stmt_;
};

// One SQLite connection. Neither copyable nor movable (its statements point back to it).
// Not thread-safe: one thread uses it at a time (the daemon's writer connection lives on
// its poll loop's thread).
class Database {
 public:
  // Opens `path` with WAL, foreign keys and kBusyTimeout (read-only connections skip the
  // journal-mode change, which is a write). Only opens the file: the caller checks or
  // migrates the schema. Returns kInput when a kReadOnly/kReadWrite file does not exist,
  // kDatabase naming the path for every SQLite failure, including a file that is not a
  // database.
  static Result<std::unique_ptr<Database>> Open(const std::string& path, OpenMode mode);

  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database() = default;

  // Runs one or more statements that return no rows. kDatabase on failure.
  Result<void> Exec(std::string_view sql);

  // Returns the cached prepared statement for `sql` (prepared on first use), reset and with
  // cleared bindings. The statement stays owned by this Database. REQUIRES: the same SQL
  // is not already in use by a live ScopedStatement.
  Result<ScopedStatement> Prepare(std::string_view sql);

  // Reads a single integer (e.g. `PRAGMA user_version`). kDatabase on failure or no row.
  Result<int64_t> QueryInt(std::string_view sql);

  // The error for SQLite result code `rc` on this connection, message
  // "database PATH: CONTEXT: sqlite message".
  Error MakeError(int rc, std::string_view context) const;

  const std::string& path() const { return path_; }
  bool read_only() const { return mode_ == OpenMode::kReadOnly; }
  sqlite3* handle() const { return db_.get(); }

 private:
  Database(std::string path, OpenMode mode, sqlite3* db)
      : path_(std::move(path)), mode_(mode), db_(db) {}
  Result<void> Configure();

  std::string path_;
  OpenMode mode_;
  std::unique_ptr<sqlite3, ConnectionDeleter> db_;
  // Declared after db_ so the statements are finalized before the connection closes.
  std::map<std::string, std::unique_ptr<Statement>, std::less<>> statements_;
};

// A write transaction started with BEGIN IMMEDIATE: it takes the write lock at once
// (waiting up to kBusyTimeout), so two writers never both read then collide, and two
// consumers never claim the same message. Rolled back on destruction unless committed.
// REQUIRES: the Database outlives it; no other transaction open on the connection.
class Transaction {
 public:
  static Result<Transaction> Begin(Database& db);
  // A read transaction (BEGIN DEFERRED): one consistent snapshot for several reads.
  static Result<Transaction> BeginRead(Database& db);

  Transaction(Transaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();

  // Commits; kDatabase on failure (disk full, I/O error), in which case the transaction has
  // been rolled back. Only the first call does anything.
  Result<void> Commit();

 private:
  explicit Transaction(Database* db) : db_(db) {}
  Database* db_;
};

}  // namespace gleaner::store
