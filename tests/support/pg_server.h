// A real PostgreSQL server for tests and benchmarks: initdb into a fresh directory under
// /tmp, then postgres listening on 127.0.0.1 only, on a free port, with its socket in that
// directory. PostgreSQL refuses to run as root, so under root (CI) initdb, pg_ctl and the
// server run as the unprivileged user `nobody`, which owns the directory.
//
// Local connections are trusted; TCP connections need the password (scram-sha-256), so a
// wrong password is refused as on a real box. Stopped and removed when the object dies.
// Needs Debian's postgresql (initdb and pg_ctl under /usr/lib/postgresql/<version>/bin).
#pragma once

#include <cstdint>
#include <string>

namespace gleaner::testing {

class PgServer {
 public:
  static constexpr char kUser[] = "gleaner";
  static constexpr char kPassword[] = "test-secret-8d1f";

  // Creates the cluster and starts the server; throws std::runtime_error, with the
  // server's log, when it cannot.
  PgServer();
  ~PgServer();
  PgServer(const PgServer&) = delete;
  PgServer& operator=(const PgServer&) = delete;

  // "host=127.0.0.1 port=P dbname=DB user=gleaner", without the password (tests pass it
  // through PGPASSWORD or add it themselves).
  std::string ConnInfo(const std::string& dbname = "gleaner") const;
  // ConnInfo with "password=..." appended.
  std::string ConnInfoWithPassword(const std::string& dbname = "gleaner") const;
  // Creates database `name` (owned by kUser). Throws on failure.
  void CreateDatabase(const std::string& name) const;
  // Runs `sql` through psql on the local socket and returns its unaligned, tuples-only
  // output. Throws on failure.
  std::string Query(const std::string& sql, const std::string& dbname = "gleaner") const;

  void Stop();   // fast shutdown: connections are closed
  void Start();  // again, on the same port
  uint16_t port() const { return port_; }
  const std::string& dir() const { return dir_; }

 private:
  std::string Run(const std::string& command) const;  // as the server's user; throws
  std::string bin_;                                   // /usr/lib/postgresql/<version>/bin
  std::string dir_;                                   // holds data/, the socket and the log
  uint16_t port_ = 0;
  bool running_ = false;
};

}  // namespace gleaner::testing
