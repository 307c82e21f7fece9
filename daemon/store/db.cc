#include "daemon/store/db.h"

#include <filesystem>
#include <system_error>

namespace gleaner::store {
namespace {

int OpenFlags(OpenMode mode) {
  switch (mode) {
    case OpenMode::kReadOnly:
      return SQLITE_OPEN_READONLY;
    case OpenMode::kReadWrite:
      return SQLITE_OPEN_READWRITE;
    case OpenMode::kCreate:
      return SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  }
  return SQLITE_OPEN_READONLY;
}

// A missing file for a command that only reads or consumes is the user's typo, not an empty
// database to create silently.
Result<void> CheckPathForMode(const std::string& path, OpenMode mode) {
  std::error_code ec;
  if (mode != OpenMode::kCreate) {
    if (!std::filesystem::exists(path, ec)) {
      return Fail(ErrorCode::kInput, "database " + path + " does not exist");
    }
    return {};
  }
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty() && !std::filesystem::exists(parent, ec)) {
    std::filesystem::create_directories(parent, ec);
    if (ec) {
      return Fail(ErrorCode::kDatabase,
                  "database " + path + ": cannot create its directory: " + ec.message());
    }
  }
  return {};
}

}  // namespace

// ---- Statement ----

Statement& Statement::Bind(int index, int64_t value) {
  int rc = sqlite3_bind_int64(stmt_.get(), index, value);
  if (bind_error_ == SQLITE_OK) bind_error_ = rc;
  return *this;
}

Statement& Statement::Bind(int index, std::string_view value) {
  int rc = sqlite3_bind_text64(stmt_.get(), index, value.data(), value.size(), SQLITE_TRANSIENT,
                               SQLITE_UTF8);
  if (bind_error_ == SQLITE_OK) bind_error_ = rc;
  return *this;
}

Statement& Statement::Bind(int index, const std::optional<std::string>& value) {
  return value ? Bind(index, std::string_view(*value)) : BindNull(index);
}

Statement& Statement::BindNull(int index) {
  int rc = sqlite3_bind_null(stmt_.get(), index);
  if (bind_error_ == SQLITE_OK) bind_error_ = rc;
  return *this;
}

Result<bool> Statement::Step() {
  if (bind_error_ != SQLITE_OK) return tl::unexpected(db_->MakeError(bind_error_, "bind"));
  int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return tl::unexpected(db_->MakeError(rc, ""));
}

Result<void> Statement::Run() {
  while (true) {
    Result<bool> row = Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) return {};
  }
}

int64_t Statement::ColumnInt(int column) const { return sqlite3_column_int64(stmt_.get(), column); }

bool Statement::ColumnIsNull(int column) const {
  return sqlite3_column_type(stmt_.get(), column) == SQLITE_NULL;
}

std::string Statement::ColumnText(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_.get(), column));
  if (text == nullptr) return std::string();
  return std::string(text, static_cast<size_t>(sqlite3_column_bytes(stmt_.get(), column)));
}

Statement& Statement::BindBlob(int index, std::string_view bytes) {
  int rc = sqlite3_bind_blob64(stmt_.get(), index, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
  if (bind_error_ == SQLITE_OK) bind_error_ = rc;
  return *this;
}

std::string Statement::ColumnBlob(int column) const {
  const void* bytes = sqlite3_column_blob(stmt_.get(), column);
  if (bytes == nullptr) return std::string();
  return std::string(static_cast<const char*>(bytes),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_.get(), column)));
}

std::optional<std::string> Statement::ColumnOptionalText(int column) const {
  if (ColumnIsNull(column)) return std::nullopt;
  return ColumnText(column);
}

void Statement::Reset() {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
  bind_error_ = SQLITE_OK;
}

// ---- Database ----

Result<std::unique_ptr<Database>> Database::Open(const std::string& path, OpenMode mode) {
  if (auto ok = CheckPathForMode(path, mode); !ok) return tl::unexpected(ok.error());
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, OpenFlags(mode), nullptr);
  std::unique_ptr<Database> db(new Database(path, mode, raw));
  if (rc != SQLITE_OK) {
    if (raw == nullptr) return Fail(ErrorCode::kDatabase, "database " + path + ": out of memory");
    return tl::unexpected(db->MakeError(rc, "cannot open"));
  }
  if (auto ok = db->Configure(); !ok) return tl::unexpected(ok.error());
  return db;
}

Result<void> Database::Configure() {
  sqlite3_extended_result_codes(handle(), 1);
  sqlite3_busy_timeout(handle(), static_cast<int>(kBusyTimeout.count()));
  // The file is writable by every member of the `gleaner` group, so its schema is not
  // trusted. Defensive mode refuses what could corrupt it from SQL (writable_schema, page
  // writes through dbstat/sqlite_dbpage); trusted_schema=OFF keeps SQL functions with side
  // effects and virtual tables out of views and triggers a member may have planted, so they
  // never run with the daemon's rights.
  if (int rc = sqlite3_db_config(handle(), SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
      rc != SQLITE_OK) {
    return tl::unexpected(MakeError(rc, "defensive mode"));
  }
  if (int rc = sqlite3_db_config(handle(), SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
      rc != SQLITE_OK) {
    return tl::unexpected(MakeError(rc, "trusted_schema"));
  }
  // Reading the schema first makes a file that is not a database (or is corrupt in its
  // header) fail here, before any pragma below could write to it.
  if (auto ok = QueryInt("SELECT count(*) FROM sqlite_schema"); !ok) {
    return tl::unexpected(ok.error());
  }
  if (auto ok = Exec("PRAGMA foreign_keys = ON"); !ok) return ok;
  if (read_only()) return {};
  // WAL lets consumers and `export` read while the daemon writes, and a crash mid-commit
  // leaves the last committed state.
  auto mode = Prepare("PRAGMA journal_mode = WAL");
  if (!mode) return tl::unexpected(mode.error());
  auto row = (*mode)->Step();
  if (!row) return tl::unexpected(row.error());
  if (!*row || (*mode)->ColumnText(0) != "wal") {
    return Fail(ErrorCode::kDatabase, "database " + path_ + ": cannot switch to WAL mode");
  }
  // synchronous = NORMAL. In WAL mode a commit then writes the WAL without waiting for the
  // disk, and the WAL is synced at each checkpoint. A killed process (SIGKILL, a crash, an
  // OOM kill) loses nothing committed: the WAL pages are in the OS cache and recovery replays
  // them, so every acknowledged write is there after a SIGKILL (tested in
  // store_crash_test.cc). A power cut can roll back the last commits since
  // the last sync, never corrupt the file, and at-least-once delivery absorbs that: a lost ack
  // or claim means a redelivery, and a lost stored article rolls back with its frontier entry,
  // so the daemon fetches it again. FULL would sync on every commit: one fsync per claim and
  // per ack (about 6 ms each on this box's disk) would cap claim+ack near 9,000 articles/s,
  // below the 20,000/s a consumer of a busy box needs (bench/bench_store.cc).
  return Exec("PRAGMA synchronous = NORMAL");
}

Result<void> Database::Exec(std::string_view sql) {
  std::string text(sql);
  char* message = nullptr;
  int rc = sqlite3_exec(handle(), text.c_str(), nullptr, nullptr, &message);
  sqlite3_free(message);
  if (rc != SQLITE_OK) return tl::unexpected(MakeError(rc, ""));
  return {};
}

Result<ScopedStatement> Database::Prepare(std::string_view sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) {
    it->second->Reset();
    return ScopedStatement(it->second.get());
  }
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v3(handle(), sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(raw);
    return tl::unexpected(MakeError(rc, "prepare"));
  }
  auto stmt = std::make_unique<Statement>(this, raw);
  Statement* result = stmt.get();
  statements_.emplace(std::string(sql), std::move(stmt));
  return ScopedStatement(result);
}

Result<int64_t> Database::QueryInt(std::string_view sql) {
  auto stmt = Prepare(sql);
  if (!stmt) return tl::unexpected(stmt.error());
  auto row = (*stmt)->Step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return Fail(ErrorCode::kDatabase, "database " + path_ + ": query returned no row");
  return (*stmt)->ColumnInt(0);
}

Error Database::MakeError(int rc, std::string_view context) const {
  std::string message = "database " + path_ + ": ";
  if (!context.empty()) message += std::string(context) + ": ";
  const char* detail = handle() != nullptr && sqlite3_errcode(handle()) == rc
                           ? sqlite3_errmsg(handle())
                           : sqlite3_errstr(rc);
  message += detail;
  if ((rc & 0xff) == SQLITE_BUSY) {
    message += " (another process held it longer than " +
               std::to_string(kBusyTimeout.count() / 1000) + "s)";
  }
  return Error{ErrorCode::kDatabase, std::move(message)};
}

// ---- Transaction ----

Result<Transaction> Transaction::Begin(Database& db) {
  if (auto ok = db.Exec("BEGIN IMMEDIATE"); !ok) return tl::unexpected(ok.error());
  return Transaction(&db);
}

Result<Transaction> Transaction::BeginRead(Database& db) {
  if (auto ok = db.Exec("BEGIN DEFERRED"); !ok) return tl::unexpected(ok.error());
  return Transaction(&db);
}

Transaction::~Transaction() {
  // Some failures (a full disk, an I/O error) already rolled the transaction back.
  if (db_ != nullptr && sqlite3_get_autocommit(db_->handle()) == 0) {
    (void)db_->Exec("ROLLBACK");
  }
}

Result<void> Transaction::Commit() {
  if (db_ == nullptr) return {};
  Database* db = db_;
  auto ok = db->Exec("COMMIT");
  if (!ok) return ok;  // the destructor rolls back what is left
  db_ = nullptr;
  return {};
}

}  // namespace gleaner::store
