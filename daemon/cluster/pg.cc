#include "daemon/cluster/pg.h"

#include <charconv>
#include <cstring>

namespace gleaner::cluster {
namespace {

// libpq's messages end with a newline and may span lines; logs want one line.
std::string OneLine(const char* message) {
  std::string text = message ? message : "";
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text.empty() ? "unknown error" : text;
}

struct FreeOptions {
  void operator()(PQconninfoOption* o) const { PQconninfoFree(o); }
};

}  // namespace

std::string DescribeTarget(const std::string& conninfo) {
  char* error = nullptr;
  std::unique_ptr<PQconninfoOption, FreeOptions> options(PQconninfoParse(conninfo.c_str(), &error));
  if (error) PQfreemem(error);
  if (!options) return "an unparsable connection string";
  std::string host = "localhost", port = "5432", dbname, user;
  for (PQconninfoOption* o = options.get(); o->keyword; ++o) {
    if (!o->val || !*o->val) continue;
    std::string key = o->keyword;
    if (key == "host" || key == "hostaddr") host = o->val;
    if (key == "port") port = o->val;
    if (key == "dbname") dbname = o->val;
    if (key == "user") user = o->val;
  }
  std::string target = user.empty() ? "" : user + "@";
  target += host + ":" + port;
  if (!dbname.empty()) target += "/" + dbname;
  return target;
}

int PgResult::rows() const { return PQntuples(result_.get()); }

bool PgResult::IsNull(int row, int column) const {
  return PQgetisnull(result_.get(), row, column) != 0;
}

std::string PgResult::Text(int row, int column) const {
  return std::string(PQgetvalue(result_.get(), row, column),
                     static_cast<size_t>(PQgetlength(result_.get(), row, column)));
}

int64_t PgResult::Int(int row, int column) const {
  const char* value = PQgetvalue(result_.get(), row, column);
  int64_t n = 0;
  std::from_chars(value, value + std::strlen(value), n);
  return n;
}

std::optional<std::string> PgResult::OptionalText(int row, int column) const {
  if (IsNull(row, column)) return std::nullopt;
  return Text(row, column);
}

Result<PgConnection> PgConnection::Connect(const std::string& conninfo,
                                           std::chrono::seconds connect_timeout,
                                           const std::string& application_name) {
  std::string target = DescribeTarget(conninfo);
  std::string timeout = std::to_string(connect_timeout.count());
  // Later keywords win: the user's string (expanded from "dbname") overrides the defaults.
  const char* keys[] = {"connect_timeout", "application_name", "dbname", nullptr};
  const char* values[] = {timeout.c_str(), application_name.c_str(), conninfo.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (!conn) return Fail(ErrorCode::kDatabase, "PostgreSQL " + target + ": out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string why = OneLine(PQerrorMessage(conn));
    PQfinish(conn);
    return Fail(ErrorCode::kDatabase, "PostgreSQL " + target + ": " + why);
  }
  // Our own notices (CREATE TABLE IF NOT EXISTS ...) are not worth stderr.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  return PgConnection(conn, std::move(target));
}

Result<PgResult> PgConnection::Exec(const std::string& sql, const std::vector<PgParam>& params) {
  std::vector<const char*> values(params.size());
  for (size_t i = 0; i < params.size(); ++i) {
    // Text parameters end at their first NUL: sent as they are, such a value would be
    // stored cut short without a word.
    if (params[i] && params[i]->find('\0') != std::string::npos) {
      last_failure_ = PgFailure::kData;
      return Fail(ErrorCode::kDatabase,
                  "PostgreSQL " + target_ + ": parameter $" + std::to_string(i + 1) +
                      " holds a NUL byte, which PostgreSQL text cannot store");
    }
    values[i] = params[i] ? params[i]->c_str() : nullptr;
  }
  // Without parameters, the simple protocol: it takes several statements at once (a
  // migration). With them, parameters and results in libpq's text format.
  PgResult result(params.empty()
                      ? PQexec(conn_.get(), sql.c_str())
                      : PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(params.size()),
                                     nullptr, values.data(), nullptr, nullptr, 0));
  ExecStatusType status = PQresultStatus(result.result_.get());
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
    last_failure_ = PgFailure::kNone;
    return result;
  }
  const char* state =
      result.result_ ? PQresultErrorField(result.result_.get(), PG_DIAG_SQLSTATE) : nullptr;
  // SQLSTATE classes 22 (data exception) and 23 (integrity constraint) are about the values.
  if (state && (std::strncmp(state, "22", 2) == 0 || std::strncmp(state, "23", 2) == 0)) {
    last_failure_ = PgFailure::kData;
  } else if (!Alive() || (state && std::strncmp(state, "08", 2) == 0) ||
             (state && std::strncmp(state, "57P", 3) == 0)) {
    last_failure_ = PgFailure::kConnection;  // 08: connection; 57P: server shutting down
  } else {
    last_failure_ = PgFailure::kOther;
  }
  std::string why = result.result_ ? OneLine(PQresultErrorMessage(result.result_.get()))
                                   : OneLine(PQerrorMessage(conn_.get()));
  return Fail(ErrorCode::kDatabase, "PostgreSQL " + target_ + ": " + why);
}

Result<void> PgConnection::Run(const std::string& sql, const std::vector<PgParam>& params) {
  auto result = Exec(sql, params);
  if (!result) return tl::unexpected(result.error());
  return {};
}

bool PgConnection::Alive() const { return conn_ && PQstatus(conn_.get()) == CONNECTION_OK; }

Result<PgTransaction> PgTransaction::Begin(PgConnection& conn) {
  if (auto ok = conn.Run("BEGIN"); !ok) return tl::unexpected(ok.error());
  return PgTransaction(&conn);
}

PgTransaction::~PgTransaction() {
  if (conn_ && conn_->Alive()) (void)conn_->Run("ROLLBACK");
}

Result<void> PgTransaction::Commit() {
  PgConnection* conn = conn_;
  conn_ = nullptr;
  return conn->Run("COMMIT");
}

}  // namespace gleaner::cluster
