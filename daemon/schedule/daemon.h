// The daemon behind `gleaner run`: one loop owns everything (the crawler's steps, reloads on
// SIGHUP, the status file, systemd notifications); signal handlers only set flags
// (signals.h). It reports through spdlog, never on stdout, and does not read the command
// line: the settings it reloads come from the overrides it was started with.
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>

#include "daemon/cluster/agent.h"
#include "daemon/fetch/curl_fetcher.h"
#include "daemon/schedule/crawler.h"
#include "daemon/schedule/run_lock.h"
#include "daemon/schedule/work_marker.h"
#include "daemon/settings/config.h"
#include "daemon/store/archive.h"
#include "daemon/store/store.h"
#include "daemon/web/server.h"
#include "extractors/core/result.h"
#include "extractors/rules/site_rules.h"

namespace gleaner::schedule {

class Daemon {
 public:
  // Takes the run lock beside `config.database` (its directory is made first; the lock is
  // taken before the database is opened, so that a second daemon does not even migrate it),
  // then opens the store (created if missing) and the fetcher, and with `cluster:` starts
  // the cluster agent (cluster/agent.h; an unreachable PostgreSQL is logged, not fatal).
  // Returns the error of the first that fails (kInput, kDatabase, kNetwork ...), nothing
  // held. `overrides` are what
  // `config` was loaded with; each reload loads the settings again through them.
  // REQUIRES: logging is set up (log.h).
  static Result<std::unique_ptr<Daemon>> Start(ConfigOverrides overrides, Config config,
                                               rules::SiteSet sites);

  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Runs until SIGTERM or SIGINT (signal handlers are installed here), then lets the
  // transfers in flight finish for a few seconds and returns. An error (the frontier could
  // not be seeded) is returned after it has been logged. Call once.
  Result<void> Run();

 private:
  Daemon(ConfigOverrides overrides, Config config, rules::SiteSet sites, RunLock lock,
         store::Store store, std::unique_ptr<fetch::CurlFetcher> fetcher,
         std::unique_ptr<cluster::Agent> agent);

  void RecoverFromCrash();
  void SetArchive(bool on);
  void Turn();
  void Reload();
  void Stop();
  void Publish(bool healthy);
  // With `metrics:`, starts the web server; a port that cannot be had is logged, and the
  // daemon runs without it.
  void StartWeb();
  // In a cluster: crawls only the sites this box holds now, when they changed.
  void FollowLeases();

  const ConfigOverrides overrides_;
  RunLock lock_;  // held as long as the daemon runs
  Config config_;
  store::Store store_;
  std::unique_ptr<fetch::CurlFetcher> fetcher_;
  // Every configured site; the crawler has them all, or in a cluster this box's share.
  rules::SiteSet all_sites_;
  std::unique_ptr<cluster::Agent> agent_;  // in a cluster only
  std::set<std::string> held_sites_;       // in a cluster: the share being crawled
  // In a cluster: the next share, once the requests out for the sites it drops are done.
  std::optional<std::set<std::string>> next_sites_;
  std::optional<WorkMarker> marker_;       // before crawler_, which borrows it
  std::optional<store::Archive> archive_;  // before crawler_, which borrows it
  Crawler crawler_;
  std::unique_ptr<web::WebServer> web_;  // with `metrics:` only
  Time started_;
  Time last_publish_{};
  Time last_good_write_;
  bool write_error_logged_ = false;
  bool watchdog_ = false;
};

}  // namespace gleaner::schedule
