// The daemon's web server, when `metrics:` is set: Prometheus metrics at /metrics and the
// status page at /, over libmicrohttpd on a thread of its own.
//
// The crawler's loop never waits on it: the loop hands over a finished Snapshot (a copy)
// every few seconds and goes on; the server renders from the latest one and reads the rest
// from the database on its own read-only connection. A client that reads slowly or sends
// garbage costs one of a few connection slots until its timeout, never the crawl. Only GET
// and HEAD of those two paths are served; request headers are capped by a small per-
// connection memory limit.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "daemon/settings/config.h"
#include "daemon/web/db_figures.h"
#include "daemon/web/snapshot.h"
#include "extractors/core/result.h"

struct MHD_Daemon;
struct MHD_Connection;

namespace gleaner::web {

// Connections served at once (all clients) and from one address; more wait in the
// kernel's backlog or are refused, never queued in memory.
inline constexpr unsigned kMaxConnections = 32;
inline constexpr unsigned kMaxConnectionsPerAddress = 8;
// An idle or stalled connection (a client that stops reading or sending) is closed after.
inline constexpr unsigned kConnectionTimeoutSeconds = 10;
// Memory for one connection's request (line and headers) and write buffer.
inline constexpr size_t kConnectionMemory = 64 * 1024;
// The database figures are read at most this often, however often the pages are asked for.
inline constexpr std::chrono::seconds kDbFiguresEvery{10};

class WebServer {
 public:
  // Listens on `address` (SO_REUSEADDR) and starts the server thread; `database` is read
  // for the queue, backlog and chart. kNetwork naming the address and the reason ("Address
  // already in use") when it cannot listen; nothing is left running then.
  static Result<std::unique_ptr<WebServer>> Start(const MetricsAddress& address,
                                                  std::string database);

  // Stops the server thread and closes every connection.
  ~WebServer();
  WebServer(const WebServer&) = delete;
  WebServer& operator=(const WebServer&) = delete;

  // Makes `snapshot` the one pages are rendered from. Thread-safe; does not wait for a
  // request being served (it swaps a pointer under a mutex no render holds).
  void Publish(std::shared_ptr<const Snapshot> snapshot);

  const MetricsAddress& address() const { return address_; }
  // The port listened on (the configured one, or the kernel's pick for port 0 in tests).
  int port() const { return port_; }

 private:
  WebServer(MetricsAddress address, std::string database)
      : address_(std::move(address)), reader_(std::move(database)) {}

  struct Reply {
    unsigned status = 200;
    std::string content_type;
    std::string body;
  };
  // Runs on the server thread only.
  Reply Serve(std::string_view path, Time now);
  const DbFigures* Figures(Time now);
  friend struct Access;  // libmicrohttpd's callback (server.cc)

  MetricsAddress address_;
  int port_ = 0;
  std::mutex mu_;
  std::shared_ptr<const Snapshot> snapshot_;  // guarded by mu_
  // The server thread's own.
  DbReader reader_;
  std::optional<DbFigures> figures_;
  std::optional<Time> figures_tried_;
  std::optional<std::string> db_error_;
  MHD_Daemon* mhd_ = nullptr;
};

}  // namespace gleaner::web
