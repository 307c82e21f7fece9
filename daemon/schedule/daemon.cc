#include "daemon/schedule/daemon.h"

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include "daemon/log.h"
#include "daemon/schedule/signals.h"
#include "daemon/schedule/status_file.h"
#include "daemon/schedule/web_snapshot.h"
#include "daemon/settings/site_files.h"

namespace gleaner::schedule {
namespace {

// One turn of the loop waits at most this long for the network, so that signals and
// timers are served promptly.
constexpr std::chrono::milliseconds kStepWait{200};
// How often the status file and systemd's STATUS line are refreshed.
constexpr std::chrono::seconds kStatusEvery{5};
// Transfers in flight at SIGTERM get this long to finish; the rest are fetched next run.
constexpr std::chrono::seconds kStopGrace{5};
// Writes failing for this long (a database locked or a disk full that does not clear)
// make the loop unhealthy: the watchdog stops being fed and systemd restarts the service.
constexpr std::chrono::minutes kUnhealthyAfter{5};

struct Settings {
  Config config;
  rules::SiteSet sites;
};

// The configuration and the site files as `gleaner run` loads them (every site file must
// compile), for a reload.
Result<Settings> LoadSettings(const ConfigOverrides& overrides) {
  auto config = LoadConfigWithOverrides(overrides);
  if (!config) return tl::unexpected(config.error());
  auto sites = LoadSites(config->sites_dir, config->limits.max_site_file_bytes);
  if (!sites) return tl::unexpected(sites.error());
  return Settings{std::move(*config), std::move(*sites)};
}

// The sites of `all` whose ids are in `ids`.
rules::SiteSet Subset(const rules::SiteSet& all, const std::set<std::string>& ids) {
  std::vector<rules::SiteRules> kept;
  for (const rules::SiteRules& site : all.sites()) {
    if (ids.count(site.id)) kept.push_back(site);
  }
  // Ids are unique in `all`, so they are in any part of it.
  return std::move(*rules::SiteSet::Create(std::move(kept)));
}

std::vector<std::string> SiteIds(const rules::SiteSet& sites) {
  std::vector<std::string> ids;
  for (const rules::SiteRules& site : sites.sites()) ids.push_back(site.id);
  return ids;
}

}  // namespace

Result<std::unique_ptr<Daemon>> Daemon::Start(ConfigOverrides overrides, Config config,
                                              rules::SiteSet sites) {
  std::error_code ignored;
  std::filesystem::create_directories(std::filesystem::path(config.database).parent_path(),
                                      ignored);
  auto lock = RunLock::Acquire(RunLockPath(config.database));
  if (!lock) return tl::unexpected(lock.error());
  auto store = store::Store::Open(config.database, store::OpenMode::kCreate);
  if (!store) return tl::unexpected(store.error());
  fetch::CurlFetcherOptions options;
  options.settings = config.fetch;
  auto fetcher = fetch::CurlFetcher::Create(options);
  if (!fetcher) return tl::unexpected(fetcher.error());
  std::unique_ptr<cluster::Agent> agent;
  if (config.cluster) {
    auto started = cluster::Agent::Start(*config.cluster, config.database, SiteIds(sites));
    if (!started) return tl::unexpected(started.error());
    agent = std::move(*started);
  }
  return std::unique_ptr<Daemon>(new Daemon(std::move(overrides), std::move(config),
                                            std::move(sites), std::move(*lock), std::move(*store),
                                            std::move(*fetcher), std::move(agent)));
}

Daemon::Daemon(ConfigOverrides overrides, Config config, rules::SiteSet sites, RunLock lock,
               store::Store store, std::unique_ptr<fetch::CurlFetcher> fetcher,
               std::unique_ptr<cluster::Agent> agent)
    : overrides_(std::move(overrides)),
      lock_(std::move(lock)),
      config_(std::move(config)),
      store_(std::move(store)),
      fetcher_(std::move(fetcher)),
      all_sites_(std::move(sites)),
      agent_(std::move(agent)),
      held_sites_(agent_ ? agent_->TakeSites().value_or(std::set<std::string>())
                         : std::set<std::string>()),
      crawler_(config_, agent_ ? Subset(all_sites_, held_sites_) : all_sites_, store_, *fetcher_,
               store::Now),
      started_(store::Now()),
      last_good_write_(started_) {
  if (agent_) agent_->SitesApplied();
}

Result<void> Daemon::Run() {
  RecoverFromCrash();
  SetArchive(config_.archive);
  if (auto ok = crawler_.Seed(); !ok) {
    spdlog::error("cannot seed the frontier: {}", ok.error().message);
    return ok;
  }
  InstallSignalHandlers();
  uint64_t watchdog_usec = 0;
  watchdog_ = sd_watchdog_enabled(0, &watchdog_usec) > 0;
  spdlog::info("gleaner running: {} sites, database {}", crawler_.sites().sites().size(),
               config_.database);
  StartWeb();
  Publish(true);
  sd_notify(0, "READY=1");
  while (!StopRequested()) {
    if (TakeReloadRequest()) Reload();
    Turn();
  }
  Stop();
  return {};
}

// Opens the work marker; the page a previous run died on is retried later or given up.
// Without a marker (an unwritable directory) the daemon runs unprotected, with a warning.
// The marker replaces a symlink planted at its path, never writing through it.
void Daemon::RecoverFromCrash() {
  auto marker = WorkMarker::Open(WorkMarkerPath(config_.database));
  if (!marker) {
    spdlog::warn("crash-loop protection off: {}", marker.error().message);
    return;
  }
  marker_ = std::move(*marker);
  if (marker_->left_over()) {
    if (auto ok = crawler_.RecordCrash(*marker_->left_over()); !ok) {
      spdlog::error("database {}: {}", config_.database, ok.error().message);
    }
  }
  crawler_.SetWorkMarker(&*marker_);
}

// Opens or closes the page archive. One that cannot be opened (not a gleaner archive, an
// unwritable directory) leaves the daemon crawling without it, with an error logged: the
// records matter more than their raw pages.
void Daemon::SetArchive(bool on) {
  if (on == archive_.has_value()) return;
  crawler_.SetArchive(nullptr);
  archive_.reset();
  if (!on) {
    spdlog::info("archive: off");
    return;
  }
  auto archive =
      store::Archive::Open(store::ArchivePathFor(config_.database), store::OpenMode::kCreate);
  if (!archive) {
    spdlog::error("archive off, pages are not kept: {}", archive.error().message);
    return;
  }
  archive_ = std::move(*archive);
  crawler_.SetArchive(&*archive_);
  spdlog::info("archive: {}", archive_->path());
}

void Daemon::FollowLeases() {
  if (!agent_) return;
  if (auto sites = agent_->TakeSites()) {
    std::set<std::string> dropped;
    for (const std::string& site : held_sites_) {
      if (!sites->count(site)) dropped.insert(site);
    }
    crawler_.HandOver(std::move(dropped));
    next_sites_ = std::move(*sites);
  }
  // The sites handed over go once what was fetched for them is stored (and so shipped
  // before their leases are given up): their new box must not fetch it again.
  if (!next_sites_ || crawler_.HandOverInFlight()) return;
  held_sites_ = std::move(*next_sites_);
  next_sites_.reset();
  if (auto ok = crawler_.Reload(config_, Subset(all_sites_, held_sites_)); !ok) {
    spdlog::error("cluster: {}", ok.error().message);
  }
  spdlog::info("cluster: crawling {} of {} sites", held_sites_.size(), all_sites_.sites().size());
  agent_->SitesApplied();
}

void Daemon::Turn() {
  FollowLeases();
  Time now = store::Now();
  auto ok = crawler_.Step(kStepWait);
  if (ok) {
    last_good_write_ = now;
    write_error_logged_ = false;
  } else if (!write_error_logged_) {
    spdlog::error("database {}: {} (kept in memory, retrying)", config_.database,
                  ok.error().message);
    write_error_logged_ = true;
  }
  if (now - last_publish_ >= kStatusEvery) Publish(now - last_good_write_ < kUnhealthyAfter);
}

void Daemon::Reload() {
  sd_notify(0, "RELOADING=1");
  spdlog::info("SIGHUP: reloading the configuration and site files");
  auto loaded = LoadSettings(overrides_);
  if (!loaded) {
    spdlog::error("reload refused, the running configuration stays: {}", loaded.error().message);
    sd_notify(0, "READY=1");
    return;
  }
  Config& next = loaded->config;
  if (next.database != config_.database) {
    // The store, its lock and its status file are the process's: a restart moves them.
    spdlog::warn(
        "reload: 'database' changed to {}; it takes effect at the next start, {} stays in use "
        "until then",
        next.database, config_.database);
    next.database = config_.database;
  }
  if (next.cluster.has_value() != config_.cluster.has_value() ||
      (next.cluster && (next.cluster->postgresql != config_.cluster->postgresql ||
                        next.cluster->box != config_.cluster->box ||
                        next.cluster->lease != config_.cluster->lease))) {
    spdlog::warn("reload: 'cluster' changed; it takes effect at the next start");
    next.cluster = config_.cluster;
  }
  if (next.metrics.has_value() != config_.metrics.has_value() ||
      (next.metrics && next.metrics->ToString() != config_.metrics->ToString())) {
    spdlog::warn("reload: 'metrics' changed; it takes effect at the next start");
    next.metrics = config_.metrics;
  }
  if (auto ok = SetupLogging(next.log_level); !ok) spdlog::error("reload: {}", ok.error().message);
  fetcher_->Reconfigure(next.fetch);
  all_sites_ = std::move(loaded->sites);
  if (agent_) agent_->SetSites(SiteIds(all_sites_));
  if (auto ok = crawler_.Reload(next, agent_ ? Subset(all_sites_, held_sites_) : all_sites_); !ok) {
    spdlog::error("reload: {}", ok.error().message);
  } else {
    spdlog::info("reloaded: {} sites", crawler_.sites().sites().size());
  }
  config_ = next;
  SetArchive(config_.archive);
  sd_notify(0, "READY=1");
}

void Daemon::Stop() {
  sd_notify(0, "STOPPING=1");
  spdlog::info("stopping: {} transfers in flight", crawler_.InFlight());
  crawler_.Drain();
  Time deadline = store::Now() + kStopGrace;
  while (crawler_.InFlight() > 0 && store::Now() < deadline) (void)crawler_.Step(kStepWait);
  if (auto ok = crawler_.Step(std::chrono::milliseconds(0)); !ok) {
    spdlog::error("database {}: last write failed: {}", config_.database, ok.error().message);
  }
  // Ships what the last turns stored and hands this box's sites to the others at once.
  if (agent_) agent_->Stop(kStopGrace);
  Publish(false);
  spdlog::info("stopped");
}

void Daemon::StartWeb() {
  if (!config_.metrics) return;
  auto started = web::WebServer::Start(*config_.metrics, config_.database);
  if (!started) {
    spdlog::error("{}; running without metrics and the status page", started.error().message);
    return;
  }
  web_ = std::move(*started);
  spdlog::info("metrics at http://{}/metrics, status page at http://{}/",
               config_.metrics->ToString(), config_.metrics->ToString());
  if (!config_.metrics->Loopback()) {
    spdlog::warn(
        "metrics: {} is not a loopback address: anyone who can reach it sees the "
        "status page and metrics",
        config_.metrics->host);
  }
}

// Refreshes the status file, the web server's figures and systemd's STATUS line; feeds the
// watchdog when healthy.
void Daemon::Publish(bool healthy) {
  Time now = store::Now();
  last_publish_ = now;
  if (web_) web_->Publish(SnapshotOf(crawler_, *fetcher_, started_, now));
  auto written = WriteStatusFile(
      StatusFilePath(config_.database),
      StatusJson(getpid(), started_, now, crawler_.health(), fetcher_->PausedHosts(),
                 agent_ ? cluster::AgentStatusJson(agent_->Status()) : nullptr));
  if (!written) spdlog::warn("status file: {}", written.error().message);
  auto stats = store_.queue().Stats(now);
  std::string status = std::to_string(crawler_.sites().sites().size()) + " sites, " +
                       (stats ? std::to_string(stats->ready) : std::string("?")) + " queued, " +
                       std::to_string(crawler_.ErrorsLastHour()) + " errors in the last hour";
  sd_notify(0, ("STATUS=" + status).c_str());
  if (healthy && watchdog_) sd_notify(0, "WATCHDOG=1");
}

}  // namespace gleaner::schedule
