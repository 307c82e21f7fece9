// A box's part in a cluster, on a thread of its own so that a slow or unreachable
// PostgreSQL never stalls the crawl:
//   - ships every new or changed record from the box's SQLite (its durable buffer) to
//     PostgreSQL in change order (sink.h), keeping the cursor in SQLite;
//   - heartbeats, and takes, renews and gives up site leases (leases.h) so that the live
//     boxes split the sites by rendezvous hashing;
//   - before the box crawls a site it has taken over, marks what PostgreSQL already holds
//     of it as known in the box's frontier, so that nothing is fetched twice.
//
// The daemon's loop asks TakeSites() each turn and crawls only those sites; it calls
// SitesApplied() once the crawler has stopped submitting work for the sites it dropped, and
// only then are their leases given up.
//
// When PostgreSQL cannot be reached the box goes on crawling into SQLite: the sites it held
// when it lost the connection, or every configured site when it has not reached PostgreSQL
// since it started (a lone box). The outage is logged once; connections are retried with
// back-off; the backlog is shipped when the server returns. During such an outage two boxes
// may crawl one site (each thinks itself alone); the records still go into PostgreSQL once.
//
// Thread-safe: every public method may be called from the daemon's loop while the thread
// runs. It logs through spdlog (thread-safe sinks) and never logs the connection string.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "daemon/cluster/pg.h"
#include "daemon/settings/config.h"
#include "daemon/store/store.h"
#include "extractors/core/result.h"

namespace gleaner::cluster {

// What `gleaner status` shows of the sink and the leases (the status file's "cluster").
struct AgentStatus {
  std::string box;
  std::string target;  // DescribeTarget: no password
  bool connected = false;
  std::optional<std::string> error;  // why the last attempt failed, while it is failing
  std::optional<int64_t> failing_since_ms;
  int64_t shipped = 0;             // records sent since the start (new, updated or already there)
  int64_t rejected = 0;            // records PostgreSQL refused, skipped
  int64_t backlog = 0;             // changes in SQLite not shipped yet
  std::vector<std::string> sites;  // the sites this box crawls now
};

// The status as the status file keeps it: box, postgresql (no password), state ("ok" or
// "failing"), error, failing_since, shipped, rejected, backlog, sites.
nlohmann::ordered_json AgentStatusJson(const AgentStatus& status);

struct AgentOptions {
  int ship_batch = 500;  // records per PostgreSQL transaction
  // How often the thread wakes to ship; the lease round runs every lease/3.
  std::chrono::milliseconds tick{500};
  // Back-off between connection attempts: doubling from the first, capped at lease/3 so
  // that a returning server sees every live box's heartbeat within one lease.
  std::chrono::milliseconds first_retry{500};
};

class Agent {
 public:
  // Opens the box's database `database` (already created by the daemon) on a connection
  // of its own, tries PostgreSQL once (at most its connect timeout) and, when it answers,
  // takes this box's first leases before returning, so that the first crawl turn already
  // crawls only this box's share; then starts the thread. kDatabase when the SQLite file
  // cannot be opened; an unreachable PostgreSQL is not an error (it is logged and retried).
  static Result<std::unique_ptr<Agent>> Start(ClusterSettings settings, const std::string& database,
                                              std::vector<std::string> sites,
                                              AgentOptions options = {});
  // Stops the thread; see Stop.
  ~Agent();
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  // The sites to crawl, when they changed since the last call; nullopt otherwise.
  std::optional<std::set<std::string>> TakeSites();
  // The crawler no longer submits work for sites outside the last set taken.
  void SitesApplied();
  // The configured sites changed (a reload); the next lease round follows them.
  void SetSites(std::vector<std::string> sites);
  AgentStatus Status() const;

  // At shutdown, after the crawl stopped: ships what it can within `grace`, gives up this
  // box's leases (so that the other boxes take its sites at once, not after the lease),
  // and stops the thread. Idempotent.
  void Stop(std::chrono::milliseconds grace);

 private:
  Agent(ClusterSettings settings, store::Store store, std::vector<std::string> sites,
        AgentOptions options);
  void Loop();
  bool EnsureConnected();
  void Disconnected(const Error& error);
  bool ShipSome(std::chrono::milliseconds budget);
  bool LeaseRound();
  // Makes `sites` the set the daemon crawls; with `wait`, returns once it has applied it
  // (or after a lease, when it does not).
  void Publish(std::set<std::string> sites, bool wait);
  int64_t NowMs() const;

  const ClusterSettings settings_;
  const AgentOptions options_;
  store::Store store_;  // the thread's own connection
  std::optional<PgConnection> conn_;
  int64_t connected_ms_ = 0;
  std::chrono::steady_clock::time_point next_attempt_{};
  std::chrono::milliseconds retry_{0};
  std::chrono::steady_clock::time_point next_lease_round_{};
  std::set<std::string> held_;  // leases this box holds (thread only)

  mutable std::mutex mutex_;  // guards what follows
  std::condition_variable changed_;
  std::vector<std::string> configured_;
  std::set<std::string> crawl_;
  uint64_t crawl_version_ = 0;
  uint64_t taken_version_ = 0;
  uint64_t applied_version_ = 0;
  AgentStatus status_;
  bool ever_connected_ = false;
  bool sites_changed_ = false;  // SetSites ran: the next round is due at once
  bool stop_ = false;

  std::thread thread_;
};

}  // namespace gleaner::cluster
