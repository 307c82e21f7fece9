// The crawl: each site's sources (listing pages, feeds, sitemaps) are polled on their
// intervals; the article URLs they announce go to the frontier; due articles are fetched
// politely, extracted (site rules, then the generic fallback), stored and queued.
//
// The frontier in the store is the schedule: sources and articles are rows with a next
// fetch time, so a restart resumes where the last run stopped and nothing is fetched twice.
//
// Work is taken per host, round-robin (host_schedule.h), and only as much as the fetcher
// says the host may be sent now (Fetcher::RoomFor: its spacing, Crawl-delay, connections,
// Retry-After pause and breaker): one host's backlog costs the others nothing. Within a
// host, polls come first, then articles a listing or feed just announced, then the
// sitemap backlog (store::Priority). A paused host's work waits for the end of the pause
// and no try is counted. Sites removed from the configuration have their rows parked,
// not deleted; a site file added back resumes them.
//
// One Crawler owns no thread: its owner calls Step() in a loop (schedule/daemon.h).
// It does no signal handling and no logging setup; it logs events with spdlog, naming the
// site and URL. Not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "daemon/fetch/fetcher.h"
#include "daemon/schedule/health.h"
#include "daemon/schedule/host_schedule.h"
#include "daemon/schedule/work_marker.h"
#include "daemon/settings/config.h"
#include "daemon/store/archive.h"
#include "daemon/store/store.h"
#include "extractors/rules/site_rules.h"

namespace gleaner::schedule {

using store::Time;

struct CrawlerOptions {
  // A source whose site found nothing new for quiet_intervals of its intervals is polled
  // less often, each empty poll doubling the wait up to max_source_backoff times its
  // configured interval (and back to it as soon as something new appears).
  int quiet_intervals = 4;
  int max_source_backoff = 8;
  // Retries of a failing article page: after retry_base, then doubling, at most
  // max_article_attempts fetches in all before it is given up.
  std::chrono::milliseconds retry_base{std::chrono::minutes(5)};
  int max_article_attempts = 5;
  // A site whose rules broke is logged at most this often, not once per page.
  std::chrono::milliseconds breakage_log_interval{std::chrono::hours(1)};
  // A write batch holding this many operations is written at once, not at the step's end.
  size_t max_batch_ops = 500;
  uint64_t seed = std::random_device{}();
};

class Crawler {
 public:
  // Borrows `store` and `fetcher` (they must outlive the Crawler); `clock` gives "now".
  Crawler(const Config& config, rules::SiteSet sites, store::Store& store, fetch::Fetcher& fetcher,
          std::function<Time()> clock, CrawlerOptions options = {});

  // Puts every site's sources into the frontier (a no-op for those already there).
  // kDatabase when the store refuses the write.
  Result<void> Seed();

  // One turn: gives every host whose turn it is the work it may take now (unless draining),
  // polls the fetcher for up to `max_wait` (less when a host is due sooner), and writes
  // what completed in one transaction. A failed write is kept
  // and retried next turn (nothing fetched is lost to a locked or full database) and
  // returned as the error. Never throws.
  Result<void> Step(std::chrono::milliseconds max_wait);

  // Names each fetched page in `marker` while it is parsed (work_marker.h); null (the
  // default) turns that off. Borrowed: it must outlive the Crawler or be unset.
  void SetWorkMarker(WorkMarker* marker) { marker_ = marker; }

  // Keeps the raw response of every article fetched in `archive`, written after the batch
  // holding its record (a failed archive write is logged and counted, never holds up or
  // loses a record), and prunes it to the configuration's archive_days; null (the default)
  // turns that off. Borrowed: it must outlive the Crawler or be unset.
  void SetArchive(store::Archive* archive) {
    archive_ = archive;
    archive_batch_.clear();
  }
  // Archive writes that failed since the start (a full disk, a locked file).
  int64_t archive_failures() const { return archive_failures_; }

  // The previous run died while parsing `page` (WorkMarker::left_over): the page is retried
  // at once, or given up when it was the page in hand at the crash before too (a source is
  // then polled at its next interval, never given up). Logged with the site. A page not due
  // in the frontier, or whose row now holds another URL, is ignored. kDatabase when the
  // store refuses the write.
  Result<void> RecordCrash(const PageInHand& page);
  // The same for the frontier entry of `url`.
  Result<void> RecordCrash(const std::string& url);

  // Stops submitting new work; Step() keeps completing what is in flight.
  void Drain() { draining_ = true; }
  size_t InFlight() const { return in_flight_.size(); }

  // Takes a new configuration and site set (SIGHUP). Sources of new sites are seeded; rows
  // of removed sites and sources are parked (none is submitted again), those of sites and
  // sources configured again resume. Requests in flight for a removed site complete, and
  // their results are dropped (the rows stay parked). kDatabase when the store refuses.
  Result<void> Reload(const Config& config, rules::SiteSet sites);

  // Stops submitting work for `sites` (still configured) while the requests already out
  // for them complete and are stored as usual: a site handed to another box (a cluster)
  // leaves nothing fetched and unstored behind. The next Reload ends it; an empty set too.
  void HandOver(std::set<std::string> sites) { handing_over_ = std::move(sites); }
  // Whether requests for the sites being handed over are still out.
  bool HandOverInFlight() const;

  const std::map<std::string, SiteHealth>& health() const { return health_; }
  // The newest errors, oldest first, at most kMaxRecentErrors.
  const std::deque<RecentError>& recent_errors() const { return recent_errors_; }
  const rules::SiteSet& sites() const { return sites_; }
  // Errors (all sites) within the last hour, for the systemd status line.
  int64_t ErrorsLastHour();

 private:
  struct SourceState {
    std::chrono::milliseconds every;    // configured interval
    std::chrono::milliseconds current;  // after back-off
    std::string site;
    std::optional<Time> first_polled;  // by this run
  };

  // Parks and resumes rows to match the configured sites, then rebuilds the host timer.
  Result<void> SyncFrontier();
  void SubmitDue(Time now);
  // Takes the host's share of due work now and gives it its next turn.
  void ServeHost(const std::string& host, Time now);
  // The host's next turn when it has nothing more due now.
  void ScheduleIdleHost(const std::string& host, Time now);
  void Submit(const store::FrontierEntry& entry);
  void OnFetched(const store::FrontierEntry& entry, fetch::FetchResult&& result);
  // The host was paused when the request came to it: nothing was sent, no try counts.
  void Defer(const store::FrontierEntry& entry, const fetch::FetchResult& result);
  // Adds the article URLs a source announced (capped), fresh or backlog.
  int AddDiscovered(const store::FrontierEntry& entry, const std::vector<std::string>& links,
                    const rules::SiteRules& site);
  // A URL already in the frontier: a backlog article a listing or feed announces moves up
  // to fresh. Returns whether the URL was in the frontier.
  bool Promote(const std::string& url);
  void AddChildSitemap(const store::FrontierEntry& parent, const std::string& url,
                       const rules::SiteRules& site);
  void RetireOldRows(Time now);
  void ArchiveResponse(const store::FrontierEntry& entry, const fetch::FetchResult& result);
  void FlushArchive(Time now);
  void PruneArchive(Time now);
  // Notes that `host` has work from `when` on, once the batch is written.
  void NoteWake(const std::string& host, Time when);
  // Puts the hosts whose rows the written batch changed back on the timer.
  void WakeHosts();
  void OnSourceFetched(const store::FrontierEntry& entry, fetch::FetchResult&& result);
  void OnArticleFetched(const store::FrontierEntry& entry, fetch::FetchResult&& result);
  // Records a failed fetch or parse: retried with back-off (at `retry_at` when given), or
  // given up (articles only) when `give_up_now` or after max_article_attempts.
  void RecordFailure(const store::FrontierEntry& entry, const fetch::FetchResult& result,
                     bool give_up_now, std::optional<Time> retry_at = std::nullopt);
  std::vector<std::string> DiscoverLinks(const store::FrontierEntry& entry,
                                         const fetch::FetchResult& result,
                                         const rules::SiteRules& site, SiteHealth& health);
  // Counts an error against the site and keeps it among the recent errors.
  void NoteError(SiteHealth& health, const store::FrontierEntry& entry, std::string_view message,
                 Time now);
  // Counts a fetch's bytes and, when its request was sent, its transfer time.
  static void NoteTransfer(SiteHealth& health, const fetch::FetchResult& result);
  Result<void> RecordCrashOf(const store::FrontierEntry& entry);
  void NoteBreakage(const std::string& site, const Article& article, Time now);
  SourceState& Source(const store::FrontierEntry& entry);
  Time Jittered(Time now, std::chrono::milliseconds interval);
  Result<void> FlushBatch();
  SiteHealth& HealthOf(const std::optional<std::string>& site);

  Config config_;
  rules::SiteSet sites_;
  store::Store& store_;
  fetch::Fetcher& fetcher_;
  std::function<Time()> clock_;
  CrawlerOptions options_;
  std::mt19937_64 random_;
  bool draining_ = false;
  WorkMarker* marker_ = nullptr;
  store::Archive* archive_ = nullptr;
  std::vector<store::NewCapture> archive_batch_;  // written after batch_
  int64_t archive_failures_ = 0;
  std::optional<Time> archive_failure_logged_;
  std::unordered_set<std::string> in_flight_;            // url keys submitted and not completed
  std::unordered_map<std::string, int> host_in_flight_;  // host -> its requests in flight
  std::unordered_map<std::string, int> site_in_flight_;  // site -> its requests in flight
  std::set<std::string> handing_over_;                   // see HandOver
  HostSchedule hosts_;
  // Hosts to put back on the timer (at the time given) once the batch that changed their
  // rows is written; one entry per host, however many of its URLs the batch holds.
  std::unordered_map<std::string, Time> pending_wakes_;
  std::unordered_map<std::string, SourceState> sources_;  // url key -> poll interval state
  std::optional<Time> last_retire_;
  bool reseed_ = false;  // a reload's frontier changes are still to be written
  store::WriteBatch batch_;
  // Per-batch bookkeeping to attribute new articles to sites once the batch is written.
  std::vector<std::string> batch_article_sites_;
  std::map<std::string, SiteHealth> health_;
  std::deque<RecentError> recent_errors_;
};

}  // namespace gleaner::schedule
