// `gleaner run [--config FILE] [--sites DIR] [--db PATH] [--log-level LEVEL]`: the daemon.
// One loop owns everything: the crawler's steps, reloads (SIGHUP), the status file and
// systemd notifications; signal handlers only set flags.
#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <optional>

#include "daemon/cmd_common.h"
#include "daemon/commands.h"
#include "daemon/fetch/curl_fetcher.h"
#include "daemon/log.h"
#include "daemon/schedule/crawler.h"
#include "daemon/schedule/run_lock.h"
#include "daemon/schedule/signals.h"
#include "daemon/schedule/status_file.h"
#include "daemon/schedule/work_marker.h"
#include "daemon/settings/site_files.h"
#include "daemon/store/store.h"

namespace gleaner::cli {
namespace {

using schedule::Crawler;
using store::Time;

constexpr const char* kHelp =
    "usage: gleaner run [--config FILE] [--sites DIR] [--db PATH] [--log-level LEVEL]\n"
    "\n"
    "Runs the daemon: polls every site's sources, fetches new articles politely, extracts\n"
    "and stores them, and queues them for consumers. SIGHUP reloads the configuration and\n"
    "the site files (an invalid one is reported and the running one kept); SIGTERM or SIGINT\n"
    "stop it after the transfers in flight (at most a few seconds). Under systemd it\n"
    "notifies READY, RELOADING, STOPPING, a STATUS line and the watchdog.\n";

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

struct Loaded {
  Config config;
  rules::SiteSet sites;
};

Result<Loaded> LoadAll(const Args& args) {
  auto config = ConfigFromArgs(args);
  if (!config) return tl::unexpected(config.error());
  auto sites = LoadSites(config->sites_dir, config->limits.max_site_file_bytes);
  if (!sites) return tl::unexpected(sites.error());
  return Loaded{std::move(*config), std::move(*sites)};
}

class Daemon {
 public:
  Daemon(const Args& args, Loaded loaded, schedule::RunLock lock, store::Store store,
         std::unique_ptr<fetch::CurlFetcher> fetcher)
      : args_(args),
        lock_(std::move(lock)),
        config_(loaded.config),
        store_(std::move(store)),
        fetcher_(std::move(fetcher)),
        crawler_(loaded.config, std::move(loaded.sites), store_, *fetcher_, store::Now),
        started_(store::Now()) {}

  int Run() {
    RecoverFromCrash();
    if (auto ok = crawler_.Seed(); !ok) {
      spdlog::error("cannot seed the frontier: {}", ok.error().message);
      return ok.error().ExitCode();
    }
    schedule::InstallSignalHandlers();
    uint64_t watchdog_usec = 0;
    watchdog_ = sd_watchdog_enabled(0, &watchdog_usec) > 0;
    spdlog::info("gleaner running: {} sites, database {}", crawler_.sites().sites().size(),
                 config_.database);
    Publish(true);
    sd_notify(0, "READY=1");
    while (!schedule::StopRequested()) {
      if (schedule::TakeReloadRequest()) Reload();
      Turn();
    }
    Stop();
    return 0;
  }

 private:
  // Opens the work marker; the page a previous run died on is retried later or given up.
  // Without a marker (an unwritable directory) the daemon runs unprotected, with a warning.
  // The marker replaces a symlink planted at its path, never writing through it.
  void RecoverFromCrash() {
    auto marker = schedule::WorkMarker::Open(schedule::WorkMarkerPath(config_.database));
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

  void Turn() {
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

  void Reload() {
    sd_notify(0, "RELOADING=1");
    spdlog::info("SIGHUP: reloading the configuration and site files");
    auto loaded = LoadAll(args_);
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
    if (auto ok = SetupLogging(next.log_level); !ok)
      spdlog::error("reload: {}", ok.error().message);
    fetcher_->Reconfigure(next.fetch);
    if (auto ok = crawler_.Reload(next, std::move(loaded->sites)); !ok) {
      spdlog::error("reload: {}", ok.error().message);
    } else {
      spdlog::info("reloaded: {} sites", crawler_.sites().sites().size());
    }
    config_ = next;
    sd_notify(0, "READY=1");
  }

  void Stop() {
    sd_notify(0, "STOPPING=1");
    spdlog::info("stopping: {} transfers in flight", crawler_.InFlight());
    crawler_.Drain();
    Time deadline = store::Now() + kStopGrace;
    while (crawler_.InFlight() > 0 && store::Now() < deadline) (void)crawler_.Step(kStepWait);
    if (auto ok = crawler_.Step(std::chrono::milliseconds(0)); !ok) {
      spdlog::error("database {}: last write failed: {}", config_.database, ok.error().message);
    }
    Publish(false);
    spdlog::info("stopped");
  }

  // Refreshes the status file and systemd's STATUS line; feeds the watchdog when healthy.
  void Publish(bool healthy) {
    Time now = store::Now();
    last_publish_ = now;
    auto written = schedule::WriteStatusFile(
        schedule::StatusFilePath(config_.database),
        schedule::StatusJson(getpid(), started_, now, crawler_.health(), fetcher_->PausedHosts()));
    if (!written) spdlog::warn("status file: {}", written.error().message);
    auto stats = store_.queue().Stats(now);
    std::string status = std::to_string(crawler_.sites().sites().size()) + " sites, " +
                         (stats ? std::to_string(stats->ready) : std::string("?")) + " queued, " +
                         std::to_string(crawler_.ErrorsLastHour()) + " errors in the last hour";
    sd_notify(0, ("STATUS=" + status).c_str());
    if (healthy && watchdog_) sd_notify(0, "WATCHDOG=1");
  }

  const Args& args_;
  schedule::RunLock lock_;  // held as long as the daemon runs
  Config config_;
  store::Store store_;
  std::unique_ptr<fetch::CurlFetcher> fetcher_;
  std::optional<schedule::WorkMarker> marker_;  // before crawler_, which borrows it
  Crawler crawler_;
  Time started_;
  Time last_publish_{};
  Time last_good_write_ = store::Now();
  bool write_error_logged_ = false;
  bool watchdog_ = false;
};

}  // namespace

int CmdRun(const CommandArgs& argv) {
  auto args = ParseArgs(argv, {{"config", "sites", "db", "log-level"}, {"help"}, {}});
  if (!args) return ReportError("run", args.error());
  if (args->Has("help")) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (!args->positional.empty())
    return ReportError("run", {ErrorCode::kUsage, "run takes no arguments"});
  auto loaded = LoadAll(*args);
  if (!loaded) return ReportError("run", loaded.error());
  if (auto ok = SetupLogging(loaded->config.log_level); !ok) return ReportError("run", ok.error());
  // Taken before the database is opened: a second daemon must not even migrate it. Its
  // directory is made first, as opening the database would.
  std::error_code ignored;
  std::filesystem::create_directories(std::filesystem::path(loaded->config.database).parent_path(),
                                      ignored);
  auto lock = schedule::RunLock::Acquire(schedule::RunLockPath(loaded->config.database));
  if (!lock) return ReportError("run", lock.error());
  auto store = store::Store::Open(loaded->config.database, store::OpenMode::kCreate);
  if (!store) return ReportError("run", store.error());
  fetch::CurlFetcherOptions options;
  options.settings = loaded->config.fetch;
  auto fetcher = fetch::CurlFetcher::Create(options);
  if (!fetcher) return ReportError("run", fetcher.error());
  Daemon daemon(*args, std::move(*loaded), std::move(*lock), std::move(*store),
                std::move(*fetcher));
  return daemon.Run();
}

}  // namespace gleaner::cli
