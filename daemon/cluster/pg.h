// A PostgreSQL connection through libpq, the one place gleaner calls it: RAII handles,
// parameterised statements, errors as values. Nothing here knows gleaner's tables.
//
// The connection string may hold a password: it is never logged, returned or put in an
// error. DescribeTarget gives the parts that may be shown (host, port, database, user).
#pragma once

#include <libpq-fe.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "extractors/core/result.h"

namespace gleaner::cluster {

// "user@host:port/dbname" from a libpq connection string, without its password; fields the
// string leaves out are libpq's defaults, shown as libpq would use them. A string libpq
// cannot parse gives "an unparsable connection string". Thread-safe.
std::string DescribeTarget(const std::string& conninfo);

// One statement's rows, as text (libpq's text format). Cheap to move.
class PgResult {
 public:
  int rows() const;
  bool IsNull(int row, int column) const;
  std::string Text(int row, int column) const;  // "" for NULL
  int64_t Int(int row, int column) const;       // 0 for NULL or not a number
  std::optional<std::string> OptionalText(int row, int column) const;

 private:
  friend class PgConnection;
  struct Free {
    void operator()(PGresult* r) const { PQclear(r); }
  };
  explicit PgResult(PGresult* r) : result_(r) {}
  std::unique_ptr<PGresult, Free> result_;
};

// A parameter: a text value, or NULL. A value holding a NUL byte is refused (kData): libpq's
// text parameters end at the first NUL, and PostgreSQL's text cannot hold one.
using PgParam = std::optional<std::string>;

// How a failed statement failed: the server refused the data (a bad byte sequence, a
// constraint), the connection is gone, or anything else.
enum class PgFailure { kNone, kData, kConnection, kOther };

class PgConnection {
 public:
  // Connects with `conninfo` (libpq's keyword=value or URI form). Waits at most
  // `connect_timeout` unless the string sets its own connect_timeout. The password comes
  // from the string, libpq's passfile or PGPASSWORD. Returns kDatabase naming
  // DescribeTarget(conninfo) and libpq's reason when the server is unreachable or refuses.
  static Result<PgConnection> Connect(const std::string& conninfo,
                                      std::chrono::seconds connect_timeout,
                                      const std::string& application_name);

  PgConnection(PgConnection&&) noexcept = default;
  PgConnection& operator=(PgConnection&&) noexcept = default;

  // Runs `sql` with $1.. bound to `params`. kDatabase with the server's message on failure;
  // last_failure() then says what kind. Not thread-safe: one connection per thread.
  Result<PgResult> Exec(const std::string& sql, const std::vector<PgParam>& params = {});
  // Exec for statements whose rows do not matter.
  Result<void> Run(const std::string& sql, const std::vector<PgParam>& params = {});

  PgFailure last_failure() const { return last_failure_; }
  // False once the server closed the connection or it broke.
  bool Alive() const;
  const std::string& target() const { return target_; }

 private:
  struct Finish {
    void operator()(PGconn* c) const { PQfinish(c); }
  };
  PgConnection(PGconn* conn, std::string target) : conn_(conn), target_(std::move(target)) {}

  std::unique_ptr<PGconn, Finish> conn_;
  std::string target_;
  PgFailure last_failure_ = PgFailure::kNone;
};

// BEGIN .. COMMIT on a connection; rolled back when it dies uncommitted.
class PgTransaction {
 public:
  static Result<PgTransaction> Begin(PgConnection& conn);
  PgTransaction(PgTransaction&& other) noexcept : conn_(other.conn_) { other.conn_ = nullptr; }
  PgTransaction& operator=(PgTransaction&&) = delete;
  ~PgTransaction();
  Result<void> Commit();

 private:
  explicit PgTransaction(PgConnection* conn) : conn_(conn) {}
  PgConnection* conn_;
};

}  // namespace gleaner::cluster
