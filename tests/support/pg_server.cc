#include "tests/support/pg_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "tests/support/run_binary.h"

namespace gleaner::testing {
namespace fs = std::filesystem;
namespace {

std::string FindPostgresBin() {
  std::error_code ec;
  std::string best;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    fs::path bin = entry.path() / "bin";
    if (fs::exists(bin / "initdb", ec) && bin.string() > best) best = bin.string();
  }
  if (best.empty()) {
    throw std::runtime_error(
        "PostgreSQL not found under /usr/lib/postgresql (Debian's postgresql package)");
  }
  return best;
}

// A port the kernel had free a moment ago on 127.0.0.1.
uint16_t FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    if (fd >= 0) close(fd);
    throw std::runtime_error("no free port on 127.0.0.1");
  }
  close(fd);
  return ntohs(address.sin_port);
}

std::string Quote(const std::string& s) {
  std::string quoted = "'";
  for (char c : s) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

}  // namespace

PgServer::PgServer() : bin_(FindPostgresBin()) {
  char pattern[] = "/tmp/gleaner-pg-XXXXXX";
  if (!mkdtemp(pattern)) throw std::runtime_error("mkdtemp failed");
  dir_ = pattern;
  port_ = FreePort();
  std::ofstream(dir_ + "/pwfile") << kPassword << "\n";
  if (geteuid() == 0) {
    if (std::system(("chown -R nobody: " + Quote(dir_)).c_str()) != 0) {
      throw std::runtime_error("cannot hand " + dir_ + " to nobody");
    }
  }
  Run(Quote(bin_ + "/initdb") + " -D " + Quote(dir_ + "/data") + " -U " + kUser +
      " --auth-local=trust --auth-host=scram-sha-256 --pwfile=" + Quote(dir_ + "/pwfile") +
      " -E UTF8 --locale=C --no-sync >" + Quote(dir_ + "/initdb.log") + " 2>&1");
  Start();
  CreateDatabase("gleaner");
}

PgServer::~PgServer() {
  if (running_) {
    // Best effort: a server that will not stop is killed with the test process anyway.
    // (A cast to void does not silence glibc's warn_unused_result under FORTIFY.)
    int stopped = std::system((std::string(geteuid() == 0 ? "runuser -u nobody -- " : "") +
                               Quote(bin_ + "/pg_ctl") + " -D " + Quote(dir_ + "/data") +
                               " -m immediate -w stop >/dev/null 2>&1")
                                  .c_str());
    static_cast<void>(stopped);
  }
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

std::string PgServer::Run(const std::string& command) const {
  std::string full = geteuid() == 0 ? "runuser -u nobody -- sh -c " + Quote(command) : command;
  ShellResult run = RunShell(full + " 2>&1");
  const std::string& output = run.out;
  if (run.exit_code != 0) {
    std::ifstream log(dir_ + "/server.log");
    std::stringstream text;
    text << log.rdbuf();
    throw std::runtime_error("failed: " + command + "\n" + output + "\nserver log:\n" + text.str());
  }
  return output;
}

void PgServer::Start() {
  // Loopback only, the socket in our directory (not /var/run/postgresql), no fsync: a
  // test's data need not survive a power cut.
  std::string options = "-h 127.0.0.1 -p " + std::to_string(port_) + " -k " + dir_ +
                        " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
  Run(Quote(bin_ + "/pg_ctl") + " -D " + Quote(dir_ + "/data") + " -o " + Quote(options) + " -l " +
      Quote(dir_ + "/server.log") + " -w -t 60 start >/dev/null");
  running_ = true;
}

void PgServer::Stop() {
  Run(Quote(bin_ + "/pg_ctl") + " -D " + Quote(dir_ + "/data") + " -m fast -w stop >/dev/null");
  running_ = false;
}

std::string PgServer::ConnInfo(const std::string& dbname) const {
  return "host=127.0.0.1 port=" + std::to_string(port_) + " dbname=" + dbname + " user=" + kUser;
}

std::string PgServer::ConnInfoWithPassword(const std::string& dbname) const {
  return ConnInfo(dbname) + " password=" + kPassword;
}

std::string PgServer::Query(const std::string& sql, const std::string& dbname) const {
  return Run(Quote(bin_ + "/psql") + " -X -q -A -t -v ON_ERROR_STOP=1 -h " + Quote(dir_) + " -p " +
             std::to_string(port_) + " -U " + kUser + " -d " + Quote(dbname) + " -c " + Quote(sql));
}

void PgServer::CreateDatabase(const std::string& name) const {
  Query("CREATE DATABASE " + name, "postgres");
}

}  // namespace gleaner::testing
