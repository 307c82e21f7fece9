// How a request travels (one Job per request; robots.txt fetches are Jobs too):
//   Submit -> host queue -> [robots gate] -> Start (easy handle from a pool, multi add)
//   -> write callback (status/content-type check, sniffing, size cap)
//   -> Harvest -> Classify: success | redirect (re-queued on the target's host)
//                           | retry (timer, then front of its host queue) | failure
//   -> finished list -> callbacks, run by Poll outside every internal loop.
//
// State kept for months of uptime is bounded: the robots.txt cache is an LRU capped in
// entries and bytes, host politeness state is forgotten once a host is idle (swept from
// Poll), and every per-host map is erased when its host has nothing left in it.
#include "daemon/fetch/curl_fetcher.h"

#include <curl/curl.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <ctime>
#include <deque>
#include <list>
#include <map>
#include <random>
#include <unordered_map>
#include <utility>

#include "daemon/fetch/address_guard.h"
#include "daemon/fetch/host_policy.h"
#include "daemon/fetch/http_util.h"
#include "daemon/fetch/robots.h"
#include "extractors/core/url.h"

namespace gleaner::fetch {
namespace {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using std::chrono::milliseconds;

// Below this many bytes per second for stall_timeout, a transfer counts as stalled: a page
// arriving slower than a 1990s modem is a broken server, not a slow one.
constexpr long kStallBytesPerSecond = 1000;
// Classifying CURLE_OPERATION_TIMEDOUT: a transfer ending within this of the total timeout
// hit that timeout; earlier, the low-speed (stall) limit fired.
constexpr milliseconds kTimeoutSlack{100};
const std::string kAcceptPages = "Accept: " + std::string(kAcceptPagesValue);
// How often idle host state is swept at most: the sweep scans every host, and an hour of
// idleness (the default) needs no finer resolution.
constexpr milliseconds kHostSweepInterval{60000};

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

struct MultiDeleter {
  void operator()(CURLM* multi) const { curl_multi_cleanup(multi); }
};
using MultiPtr = std::unique_ptr<CURLM, MultiDeleter>;

struct EasyDeleter {
  void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
};

// An easy handle configured once and reused: its options that never change stay set, and
// libcurl keeps connections in the multi handle's cache whichever easy handle used them.
struct Easy {
  std::unique_ptr<CURL, EasyDeleter> handle;
  char error[CURL_ERROR_SIZE] = {};
  int generation = 0;  // of the settings its options were set from
};

bool IsRedirect(long status) {
  return status == 300 || status == 301 || status == 302 || status == 303 || status == 307 ||
         status == 308;
}

bool IsRetryable(FetchErrorKind kind) {
  return kind == FetchErrorKind::kConnect || kind == FetchErrorKind::kConnectTimeout ||
         kind == FetchErrorKind::kTimeout || kind == FetchErrorKind::kStalled ||
         kind == FetchErrorKind::kReset;
}

std::string StripFragment(std::string url) {
  if (auto hash = url.find('#'); hash != std::string::npos) url.resize(hash);
  return url;
}

std::string FormatWallClock(TimePoint when) {
  auto wall = std::chrono::system_clock::now() +
              std::chrono::duration_cast<std::chrono::system_clock::duration>(when - Clock::now());
  std::time_t t = std::chrono::system_clock::to_time_t(wall);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::optional<std::string> ResponseHeader(CURL* easy, const char* name) {
  curl_header* header = nullptr;
  if (curl_easy_header(easy, name, 0, CURLH_HEADER, -1, &header) != CURLHE_OK) {
    return std::nullopt;
  }
  return std::string(header->value);
}

// A wait rounded up to whole milliseconds and at least 1 ms, so that "0" keeps its meaning
// of "when a request completes" in HostRoom.
milliseconds WaitUntil(TimePoint until, TimePoint now) {
  return std::max(milliseconds(1), std::chrono::ceil<milliseconds>(until - now));
}

HostPolicy::Limits LimitsOf(const FetchSettings& s) {
  return HostPolicy::Limits{std::max(1, s.per_host_connections), std::max(1, s.breaker_failures),
                            s.breaker_pause};
}

size_t GlobalCapOf(const FetchSettings& s) {
  return static_cast<size_t>(std::max(1, s.global_connections));
}

// Longest pause first, so `gleaner status` shows the hosts out longest at the top.
void SortPauses(std::vector<HostPause>& pauses) {
  std::sort(pauses.begin(), pauses.end(), [](const HostPause& a, const HostPause& b) {
    return a.remaining != b.remaining ? a.remaining > b.remaining : a.host < b.host;
  });
}

void InitCurlOnce() {
  // libcurl 7.88 is built thread-safe, so a function-local static is enough.
  static const CURLcode kInit = curl_global_init(CURL_GLOBAL_DEFAULT);
  (void)kInit;
}

}  // namespace

std::string UserAgentOf(const FetchSettings& s) {
  return s.contact.empty() ? s.user_agent : s.user_agent + " (+" + s.contact + ")";
}

// One request (or one robots.txt fetch) through all its hops and tries.
struct Job {
  FetchRequest request;
  Fetcher::Callback done;
  bool is_robots = false;
  std::string robots_origin;  // robots jobs: whose robots.txt this is
  std::string url;            // the current hop
  UrlTarget target;           // of `url`
  bool robots_cleared = false;
  bool counted = false;  // in the outstanding count of target.host (user requests only)
  int tries = 0;         // of the current hop
  int redirects = 0;
  std::vector<std::string> chain;  // normalised URLs visited, for loop detection
  TimePoint submitted{};
  milliseconds transfer_total{0};
  FetchResult result;
  // The transfer in flight.
  Easy* easy = nullptr;
  SlistPtr own_headers;
  uint64_t max_bytes = 0;
  uint64_t received = 0;
  bool response_checked = false;
  bool discard_body = false;
  bool sniffed = false;
  FetchErrorKind abort_kind = FetchErrorKind::kNone;
  std::string abort_message;
  std::optional<std::string> location;  // of a redirect response
  // The address guard asked by the connection callback, and its refusals in this try
  // (curl moves on to the host's next address, if any, after each).
  const AddressGuard* guard = nullptr;
  std::string blocked;
};

struct RobotsEntry {
  enum class State { kFetching, kReady, kFailed };
  State state = State::kFetching;
  RobotsRules rules;
  TimePoint expires = TimePoint::max();
  FetchErrorKind failure_kind = FetchErrorKind::kNone;
  std::string failure_message;
  std::vector<Job*> waiting;             // in submission order
  std::list<std::string>::iterator lru;  // its place in the cache's recency list
  size_t bytes = 0;                      // its estimated size, as counted in the cache
};

namespace {

std::string BlockedMessage(const std::string& url, const std::string& refusals) {
  return "blocked address: " + url + ": " + refusals + ", not in fetch.allow_networks";
}

// Why a page of an origin whose robots.txt failed fails: a refused address is the page's
// own refusal, named after it; other failures say that robots.txt could not be fetched.
std::string RobotsFailureFor(const Job& job, const RobotsEntry& entry) {
  if (entry.failure_kind != FetchErrorKind::kBlockedAddress) return entry.failure_message;
  return BlockedMessage(job.url, entry.failure_message);
}

}  // namespace

class CurlFetcher::Impl {
 public:
  Impl(const CurlFetcherOptions& options, MultiPtr multi);
  ~Impl();

  void Submit(FetchRequest request, Callback done);
  size_t Poll(milliseconds max_wait);
  size_t Pending() const { return pending_; }
  void Wakeup() { curl_multi_wakeup(multi_.get()); }
  std::vector<std::string> Sitemaps(std::string_view url) const;
  HostRoom RoomFor(std::string_view url) const;
  std::vector<HostPause> PausedHosts() const;
  void Reconfigure(const FetchSettings& settings);
  CurlFetcherStats Stats() const;

 private:
  // Scheduling.
  TimePoint Dispatch(TimePoint now);
  bool DispatchHost(const std::string& host, std::deque<Job*>& queue, TimePoint now,
                    TimePoint* next_event);
  void FailQueue(std::deque<Job*>& queue, FetchErrorKind kind, const std::string& message);
  void PromoteDueRetries(TimePoint now);
  TimePoint NextRetry() const;
  bool PassRobots(Job* job, TimePoint now);
  bool ApplyRobots(Job* job, const RobotsEntry& entry);
  Job* NewRobotsJob(const Job& trigger);
  void Enqueue(Job* job, bool front);
  void CountOutstanding(const std::string& host, int delta);
  int Outstanding(const std::string& host) const;
  std::optional<milliseconds> PauseRemaining(const std::string& host, TimePoint now) const;
  void SweepIdleHosts(TimePoint now);
  // The robots.txt cache.
  RobotsEntry& TouchRobots(const std::string& origin, TimePoint now, bool* fresh);
  void ResetRobots(RobotsEntry& entry);
  void RecountRobots(const std::string& origin, RobotsEntry& entry);
  void EvictRobots();
  void ForgetRobotsRules();
  void ForgetBlockedRobots();
  std::list<std::string>::iterator EraseRobots(std::list<std::string>::iterator lru);
  // Transfers.
  void Start(Job* job, TimePoint now);
  Easy* AcquireEasy();
  void ReleaseEasy(Easy* easy);
  curl_slist* HeadersFor(Job* job);
  static size_t OnBody(char* data, size_t size, size_t count, void* user);
  static size_t OnHeader(char* data, size_t size, size_t count, void* user);
  static curl_socket_t OnOpenSocket(void* user, curlsocktype purpose, curl_sockaddr* address);
  static bool CheckResponseStart(Job* job);
  static bool SniffBody(Job* job);
  // Outcomes.
  void Harvest();
  void OnTransferDone(Job* job, CURLcode code);
  void CaptureResponse(Job* job);
  FetchErrorKind ClassifyCurl(Job* job, CURLcode code) const;
  void HandleHttpStatus(Job* job, TimePoint now);
  void HandleRedirect(Job* job);
  void RetryOrFail(Job* job, FetchErrorKind kind, std::string message,
                   std::optional<milliseconds> retry_after, TimePoint now);
  void NoteFailure(const std::string& host, TimePoint now);
  void Finish(Job* job, FetchErrorKind kind, std::string message);
  void OnRobotsDone(Job* job);
  void SettleRobots(Job* job, RobotsEntry& entry, TimePoint now);
  size_t RunCallbacks();
  milliseconds Jitter();
  double Unit();

  // Reconfigure replaces the settings, the strings derived from them and the caps.
  CurlFetcherOptions options_;
  std::string user_agent_;
  std::string product_token_;
  int generation_ = 0;  // bumped by Reconfigure: older easy handles are not reused
  MultiPtr multi_;
  HostPolicy policy_;
  AddressGuard guard_;
  std::mt19937_64 rng_;

  std::unordered_map<Job*, std::unique_ptr<Job>> jobs_;       // owns every live job
  std::unordered_map<std::string, std::deque<Job*>> queues_;  // host -> jobs ready to start
  std::multimap<TimePoint, Job*> retries_;                    // jobs waiting to retry
  std::unordered_map<std::string, RobotsEntry> robots_;       // origin -> robots.txt
  std::list<std::string> robots_lru_;                         // origins, most recent first
  size_t robots_bytes_ = 0;                                   // sum of the entries' bytes
  std::unordered_map<std::string, int> outstanding_;          // host -> requests undelivered
  TimePoint next_host_sweep_{};
  std::vector<Job*> finished_;
  std::vector<std::unique_ptr<Easy>> idle_easies_;
  std::vector<std::unique_ptr<Easy>> busy_easies_;
  std::unordered_map<std::string, SlistPtr> shared_headers_;  // by Accept-Language
  size_t global_cap_;  // transfers in flight, all hosts together
  size_t in_flight_ = 0;
  size_t pending_ = 0;  // user requests not yet delivered
};

// ---------------------------------------------------------------------------------------
// Construction.

CurlFetcher::Impl::Impl(const CurlFetcherOptions& options, MultiPtr multi)
    : options_(options),
      user_agent_(UserAgentOf(options.settings)),
      product_token_(ProductToken(options.settings.user_agent)),
      multi_(std::move(multi)),
      policy_(LimitsOf(options.settings)),
      guard_(options.settings.allow_networks),
      rng_(options.seed ? *options.seed : std::random_device{}()),
      global_cap_(GlobalCapOf(options.settings)) {}

CurlFetcher::Impl::~Impl() {
  for (auto& easy : busy_easies_) curl_multi_remove_handle(multi_.get(), easy->handle.get());
}

Easy* CurlFetcher::Impl::AcquireEasy() {
  if (!idle_easies_.empty()) {
    busy_easies_.push_back(std::move(idle_easies_.back()));
    idle_easies_.pop_back();
    return busy_easies_.back().get();
  }
  auto easy = std::make_unique<Easy>();
  easy->handle.reset(curl_easy_init());
  if (!easy->handle) return nullptr;
  easy->generation = generation_;
  CURL* h = easy->handle.get();
  const FetchSettings& s = options_.settings;
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, easy->error);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &Impl::OnBody);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &Impl::OnHeader);
  // Every connection, of every hop and try, is checked after DNS and before connect(): a
  // name that resolves (or re-resolves) to an internal address gets no packet.
  curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, &Impl::OnOpenSocket);
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");  // every encoding libcurl decodes
  curl_easy_setopt(h, CURLOPT_USERAGENT, user_agent_.c_str());
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(s.connect_timeout.count()));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(s.total_timeout.count()));
  if (s.stall_timeout.count() > 0) {
    long seconds = static_cast<long>((s.stall_timeout.count() + 999) / 1000);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, kStallBytesPerSecond);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, seconds);
  }
  busy_easies_.push_back(std::move(easy));
  return busy_easies_.back().get();
}

// Back to the pool (its connection stays in the multi's cache), unless Reconfigure made its
// options stale since it was set up.
void CurlFetcher::Impl::ReleaseEasy(Easy* easy) {
  curl_multi_remove_handle(multi_.get(), easy->handle.get());
  auto it = std::find_if(busy_easies_.begin(), busy_easies_.end(),
                         [&](const auto& e) { return e.get() == easy; });
  if ((*it)->generation == generation_) idle_easies_.push_back(std::move(*it));
  busy_easies_.erase(it);
}

// ---------------------------------------------------------------------------------------
// Submission and scheduling.

void CurlFetcher::Impl::Submit(FetchRequest request, Callback done) {
  auto owned = std::make_unique<Job>();
  Job* job = owned.get();
  jobs_.emplace(job, std::move(owned));
  ++pending_;
  job->submitted = Clock::now();
  job->url = StripFragment(request.url);
  job->request = std::move(request);
  job->done = std::move(done);
  std::optional<UrlTarget> target = TargetOf(job->url);
  if (!target) {
    std::string scheme = SchemeOf(job->url);
    Finish(job, FetchErrorKind::kScheme,
           scheme.empty() ? "not an absolute URL: " + job->url
                          : "scheme '" + scheme + "' refused (only http and https): " + job->url);
    return;
  }
  job->target = std::move(*target);
  job->counted = true;
  CountOutstanding(job->target.host, +1);
  job->chain.push_back(NormalizeUrl(job->url).value_or(job->url));
  Enqueue(job, /*front=*/false);
}

void CurlFetcher::Impl::CountOutstanding(const std::string& host, int delta) {
  auto it = outstanding_.try_emplace(host, 0).first;
  it->second += delta;
  if (it->second <= 0) outstanding_.erase(it);
}

int CurlFetcher::Impl::Outstanding(const std::string& host) const {
  auto it = outstanding_.find(host);
  return it == outstanding_.end() ? 0 : it->second;
}

// How long the host's breaker or Retry-After pause still holds; nullopt when neither does.
std::optional<milliseconds> CurlFetcher::Impl::PauseRemaining(const std::string& host,
                                                              TimePoint now) const {
  HostPolicy::Decision d = policy_.Check(host, now);
  if (d.gate != HostPolicy::Gate::kBroken && d.gate != HostPolicy::Gate::kPaused) {
    return std::nullopt;
  }
  return WaitUntil(d.until, now);
}

HostRoom CurlFetcher::Impl::RoomFor(std::string_view url) const {
  std::optional<UrlTarget> target = TargetOf(url);
  if (!target) return HostRoom{1, milliseconds(0), false};
  const TimePoint now = Clock::now();
  const std::string& host = target->host;
  if (std::optional<milliseconds> pause = PauseRemaining(host, now)) {
    return HostRoom{0, *pause, true};
  }
  const int cap = std::max(1, options_.settings.per_host_connections);
  const int outstanding = Outstanding(host);
  HostPolicy::Decision d = policy_.Check(host, now);
  if (outstanding >= cap || d.gate == HostPolicy::Gate::kBusy) return {};
  if (d.gate == HostPolicy::Gate::kWait) return HostRoom{0, WaitUntil(d.until, now), false};
  return HostRoom{cap - outstanding, milliseconds(0), false};
}

std::vector<HostPause> CurlFetcher::Impl::PausedHosts() const {
  const TimePoint now = Clock::now();
  std::vector<HostPause> pauses;
  for (HostPolicy::Pause& p : policy_.Paused(now)) {
    pauses.push_back(HostPause{std::move(p.host), WaitUntil(p.until, now),
                               p.breaker ? "circuit breaker" : "Retry-After"});
  }
  SortPauses(pauses);
  return pauses;
}

void CurlFetcher::Impl::SweepIdleHosts(TimePoint now) {
  if (now < next_host_sweep_) return;
  const milliseconds idle = options_.settings.host_idle;
  policy_.DropIdle(now, idle);
  next_host_sweep_ = now + std::clamp(idle, milliseconds(1), kHostSweepInterval);
}

void CurlFetcher::Impl::Enqueue(Job* job, bool front) {
  std::deque<Job*>& queue = queues_[job->target.host];
  if (front) {
    queue.push_front(job);
  } else {
    queue.push_back(job);
  }
}

void CurlFetcher::Impl::PromoteDueRetries(TimePoint now) {
  while (!retries_.empty() && retries_.begin()->first <= now) {
    Job* job = retries_.begin()->second;
    retries_.erase(retries_.begin());
    Enqueue(job, /*front=*/true);
  }
}

TimePoint CurlFetcher::Impl::NextRetry() const {
  return retries_.empty() ? TimePoint::max() : retries_.begin()->first;
}

// Starts every transfer politeness allows; returns when the next waiting one may start.
TimePoint CurlFetcher::Impl::Dispatch(TimePoint now) {
  TimePoint next_event = TimePoint::max();
  for (auto it = queues_.begin(); it != queues_.end();) {
    if (in_flight_ >= global_cap_) break;
    bool drained = DispatchHost(it->first, it->second, now, &next_event);
    it = drained ? queues_.erase(it) : std::next(it);
  }
  return next_event;
}

// Returns whether the host's queue is empty afterwards.
bool CurlFetcher::Impl::DispatchHost(const std::string& host, std::deque<Job*>& queue,
                                     TimePoint now, TimePoint* next_event) {
  while (!queue.empty() && in_flight_ < global_cap_) {
    HostPolicy::Decision d = policy_.Check(host, now);
    if (d.gate == HostPolicy::Gate::kBroken) {
      FailQueue(
          queue, FetchErrorKind::kHostPaused,
          "host " + host + " paused by the circuit breaker until " + FormatWallClock(d.until));
      break;
    }
    if (d.gate == HostPolicy::Gate::kPaused && d.until - now > options_.max_retry_wait) {
      FailQueue(
          queue, FetchErrorKind::kHostPaused,
          "host " + host + " asked us (Retry-After) to wait until " + FormatWallClock(d.until));
      break;
    }
    if (d.gate == HostPolicy::Gate::kBusy) break;  // a finishing transfer wakes us
    if (d.gate != HostPolicy::Gate::kOpen) {
      *next_event = std::min(*next_event, d.until);
      break;
    }
    Job* job = queue.front();
    queue.pop_front();
    // May park the job behind a robots.txt fetch (queued at the front), or finish it.
    if (!job->is_robots && !job->robots_cleared && !PassRobots(job, now)) continue;
    Start(job, now);
  }
  return queue.empty();
}

void CurlFetcher::Impl::FailQueue(std::deque<Job*>& queue, FetchErrorKind kind,
                                  const std::string& message) {
  std::deque<Job*> failing;
  failing.swap(queue);
  for (Job* job : failing) Finish(job, kind, message + " (" + job->url + ")");
}

bool CurlFetcher::Impl::PassRobots(Job* job, TimePoint now) {
  bool fresh = false;
  RobotsEntry& entry = TouchRobots(job->target.origin, now, &fresh);
  if (fresh) {
    entry.waiting.push_back(job);
    Enqueue(NewRobotsJob(*job), /*front=*/true);
    EvictRobots();  // one more entry
    return false;
  }
  switch (entry.state) {
    case RobotsEntry::State::kFetching:
      entry.waiting.push_back(job);
      return false;
    case RobotsEntry::State::kFailed:
      Finish(job, entry.failure_kind, RobotsFailureFor(*job, entry));
      return false;
    case RobotsEntry::State::kReady:
      break;
  }
  return ApplyRobots(job, entry);
}

// Decides `job` by the ready rules of its origin: finishes it when they disallow it, else
// clears it and (re)applies their Crawl-delay, which the host's state may have forgotten.
bool CurlFetcher::Impl::ApplyRobots(Job* job, const RobotsEntry& entry) {
  if (!entry.rules.IsAllowed(job->target.path_and_query)) {
    Finish(job, FetchErrorKind::kRobots,
           "robots.txt of " + job->target.origin + " disallows " + job->url);
    return false;
  }
  policy_.SetCrawlDelay(job->target.host, entry.rules.crawl_delay());
  job->robots_cleared = true;
  return true;
}

// The cache entry of `origin`, made the most recently used. `fresh` tells that it is new
// (or was expired and starts over): the caller must fetch robots.txt for it.
RobotsEntry& CurlFetcher::Impl::TouchRobots(const std::string& origin, TimePoint now, bool* fresh) {
  auto [it, inserted] = robots_.try_emplace(origin);
  RobotsEntry& entry = it->second;
  *fresh = inserted;
  if (inserted) {
    robots_lru_.push_front(origin);
    entry.lru = robots_lru_.begin();
    RecountRobots(origin, entry);
    return entry;
  }
  robots_lru_.splice(robots_lru_.begin(), robots_lru_, entry.lru);
  if (now >= entry.expires) {  // never true while fetching
    ResetRobots(entry);
    RecountRobots(origin, entry);
    *fresh = true;
  }
  return entry;
}

void CurlFetcher::Impl::ResetRobots(RobotsEntry& entry) {
  auto lru = entry.lru;
  size_t bytes = entry.bytes;
  entry = RobotsEntry{};
  entry.lru = lru;
  entry.bytes = bytes;  // RecountRobots settles the total
}

void CurlFetcher::Impl::RecountRobots(const std::string& origin, RobotsEntry& entry) {
  robots_bytes_ -= entry.bytes;
  entry.bytes = origin.size() + entry.rules.bytes() + entry.failure_message.size();
  robots_bytes_ += entry.bytes;
}

// Drops least recently used entries while the cache is over either cap. An entry being
// fetched stays (jobs wait on it); an evicted origin's robots.txt is fetched again when
// next needed.
void CurlFetcher::Impl::EvictRobots() {
  const size_t max_entries =
      static_cast<size_t>(std::max(1, options_.settings.robots_cache_entries));
  const uint64_t max_bytes = options_.settings.robots_cache_bytes;
  auto over = [&] { return robots_.size() > max_entries || robots_bytes_ > max_bytes; };
  for (auto it = robots_lru_.end(); over() && it != robots_lru_.begin();) {
    --it;
    if (robots_.at(*it).state != RobotsEntry::State::kFetching) it = EraseRobots(it);
  }
}

// Rules chosen for another product token no longer apply: every settled entry goes.
void CurlFetcher::Impl::ForgetRobotsRules() {
  for (auto it = robots_lru_.begin(); it != robots_lru_.end();) {
    bool fetching = robots_.at(*it).state == RobotsEntry::State::kFetching;
    it = fetching ? std::next(it) : EraseRobots(it);
  }
}

void CurlFetcher::Impl::ForgetBlockedRobots() {
  for (auto it = robots_lru_.begin(); it != robots_lru_.end();) {
    const RobotsEntry& entry = robots_.at(*it);
    bool blocked = entry.state == RobotsEntry::State::kFailed &&
                   entry.failure_kind == FetchErrorKind::kBlockedAddress;
    it = blocked ? EraseRobots(it) : std::next(it);
  }
}

// Removes the entry at `lru` from the cache; returns the next place in the recency list.
std::list<std::string>::iterator CurlFetcher::Impl::EraseRobots(
    std::list<std::string>::iterator lru) {
  auto entry = robots_.find(*lru);
  robots_bytes_ -= entry->second.bytes;
  robots_.erase(entry);
  return robots_lru_.erase(lru);
}

Job* CurlFetcher::Impl::NewRobotsJob(const Job& trigger) {
  auto owned = std::make_unique<Job>();
  Job* job = owned.get();
  jobs_.emplace(job, std::move(owned));
  job->is_robots = true;
  job->robots_origin = trigger.target.origin;
  job->submitted = Clock::now();
  job->url = trigger.target.origin + "/robots.txt";
  job->request.url = job->url;
  job->request.site = trigger.request.site;
  job->request.delay = trigger.request.delay;  // the site's spacing applies to it too
  job->request.accept = AcceptContent::kAny;
  job->target = *TargetOf(job->url);
  job->chain.push_back(job->url);
  return job;
}

// ---------------------------------------------------------------------------------------
// Transfers.

curl_slist* CurlFetcher::Impl::HeadersFor(Job* job) {
  const FetchRequest& r = job->request;
  bool accept_pages = r.accept == AcceptContent::kPages;
  if (!r.etag && !r.last_modified) {
    // The common case shares one list per language: no allocation per request.
    std::string key = (accept_pages ? "p:" : "a:") + r.accept_language;
    SlistPtr& shared = shared_headers_[key];
    if (!shared) {
      curl_slist* list = nullptr;
      if (accept_pages) list = curl_slist_append(list, kAcceptPages.c_str());
      if (!r.accept_language.empty()) {
        list = curl_slist_append(list, ("Accept-Language: " + r.accept_language).c_str());
      }
      shared.reset(list);
    }
    return shared.get();
  }
  curl_slist* list = nullptr;
  if (accept_pages) list = curl_slist_append(list, kAcceptPages.c_str());
  if (!r.accept_language.empty()) {
    list = curl_slist_append(list, ("Accept-Language: " + r.accept_language).c_str());
  }
  if (r.etag) list = curl_slist_append(list, ("If-None-Match: " + *r.etag).c_str());
  if (r.last_modified) {
    list = curl_slist_append(list, ("If-Modified-Since: " + *r.last_modified).c_str());
  }
  job->own_headers.reset(list);
  return list;
}

void CurlFetcher::Impl::Start(Job* job, TimePoint now) {
  Easy* easy = AcquireEasy();
  if (easy == nullptr) {
    Finish(job, FetchErrorKind::kConnect, "libcurl could not create a handle for " + job->url);
    return;
  }
  job->easy = easy;
  job->max_bytes = job->is_robots ? options_.max_robots_bytes : options_.settings.max_body_bytes;
  job->received = 0;
  job->response_checked = job->discard_body = job->sniffed = false;
  job->abort_kind = FetchErrorKind::kNone;
  job->abort_message.clear();
  job->result.body.clear();
  job->result.head.clear();
  ++job->tries;
  easy->error[0] = '\0';
  CURL* h = easy->handle.get();
  curl_easy_setopt(h, CURLOPT_URL, job->url.c_str());
  curl_easy_setopt(h, CURLOPT_PRIVATE, job);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, job);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, job);
  curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, job);
  job->guard = &guard_;
  job->blocked.clear();
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, HeadersFor(job));
  // Refuses a declared Content-Length over the cap before any byte; the write callback
  // covers bodies without one and decompressed sizes. robots.txt is truncated instead.
  curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
                   static_cast<curl_off_t>(job->is_robots ? 0 : job->max_bytes));
  curl_multi_add_handle(multi_.get(), h);
  ++in_flight_;
  milliseconds delay = job->request.delay.value_or(options_.settings.delay);
  policy_.OnStart(job->target.host, now, policy_.Spacing(job->target.host, delay) + Jitter());
}

// Opens the socket of a connection libcurl is about to make, unless the guard refuses its
// address: CURL_SOCKET_BAD makes libcurl try the host's next address or fail the transfer
// with CURLE_COULDNT_CONNECT, which OnTransferDone reports as kBlockedAddress.
curl_socket_t CurlFetcher::Impl::OnOpenSocket(void* user, curlsocktype purpose,
                                              curl_sockaddr* address) {
  Job* job = static_cast<Job*>(user);
  std::optional<Address> ip = AddressOf(&address->addr, address->addrlen);
  std::optional<std::string> refusal =
      ip ? job->guard->Refusal(*ip) : std::optional<std::string>("not an IP address");
  if (purpose != CURLSOCKTYPE_IPCXN || refusal) {
    if (!job->blocked.empty()) job->blocked += ", ";
    job->blocked += refusal.value_or("not an outgoing connection");
    return CURL_SOCKET_BAD;
  }
  return socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

// Runs on the first body byte: by then the status and headers are known.
bool CurlFetcher::Impl::CheckResponseStart(Job* job) {
  job->response_checked = true;
  CURL* h = job->easy->handle.get();
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  if (IsRedirect(status)) {
    job->discard_body = true;  // only the Location matters
    return true;
  }
  if (status < 200 || status >= 300 || job->request.accept != AcceptContent::kPages) return true;
  const char* type = nullptr;
  curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &type);
  if (type != nullptr && !IsPageContentType(type)) {
    job->abort_kind = FetchErrorKind::kContentType;
    job->abort_message =
        std::string("Content-Type '") + type + "' is not a page (HTML, XML or a feed): " + job->url;
    return false;
  }
  return true;
}

bool CurlFetcher::Impl::SniffBody(Job* job) {
  job->sniffed = true;
  std::optional<std::string_view> binary = SniffBinary(job->result.body);
  if (!binary) return true;
  job->abort_kind = FetchErrorKind::kContentType;
  job->abort_message =
      "body of " + job->url + " is " + std::string(*binary) + " whatever its Content-Type says";
  return false;
}

// Keeps the last response's status line and header lines as received: a new status line
// (a redirect's target, a 1xx before the final answer) starts the head again. The blank
// line that ends a head is left out; lines past kMaxHeadBytes are dropped, so a server
// sending endless headers costs a bounded amount of memory.
size_t CurlFetcher::Impl::OnHeader(char* data, size_t size, size_t count, void* user) {
  Job* job = static_cast<Job*>(user);
  std::string_view line(data, size * count);
  std::string& head = job->result.head;
  if (line.starts_with("HTTP/")) head.clear();
  if (line == "\r\n" || line == "\n") return line.size();
  if (head.size() + line.size() <= kMaxHeadBytes) head.append(line);
  return line.size();
}

size_t CurlFetcher::Impl::OnBody(char* data, size_t size, size_t count, void* user) {
  Job* job = static_cast<Job*>(user);
  size_t length = size * count;
  if (!job->response_checked && !CheckResponseStart(job)) return CURL_WRITEFUNC_ERROR;
  job->received += length;
  std::string& body = job->result.body;
  if (job->received > job->max_bytes) {  // redirect bodies too: no endless "discarded" body
    job->abort_kind = FetchErrorKind::kTooLarge;
    job->abort_message =
        "body of " + job->url + " exceeds the cap of " + std::to_string(job->max_bytes) + " bytes";
    if (job->is_robots && !job->discard_body) {
      body.append(data, job->max_bytes - body.size());  // parse the start
    }
    return CURL_WRITEFUNC_ERROR;
  }
  if (job->discard_body) return length;
  body.append(data, length);
  bool sniff =
      job->request.accept == AcceptContent::kPages && !job->sniffed && body.size() >= kSniffBytes;
  if (sniff && !SniffBody(job)) return CURL_WRITEFUNC_ERROR;
  return length;
}

// ---------------------------------------------------------------------------------------
// Outcomes.

void CurlFetcher::Impl::Harvest() {
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi_.get(), &left)) {
    if (msg->msg != CURLMSG_DONE) continue;
    Job* job = nullptr;
    curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &job);
    OnTransferDone(job, msg->data.result);
  }
}

void CurlFetcher::Impl::CaptureResponse(Job* job) {
  CURL* h = job->easy->handle.get();
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  curl_off_t total_us = 0;
  curl_easy_getinfo(h, CURLINFO_TOTAL_TIME_T, &total_us);
  job->transfer_total +=
      std::chrono::duration_cast<milliseconds>(std::chrono::microseconds(total_us));
  FetchResult& r = job->result;
  r.status = static_cast<int>(status);
  r.final_url = job->url;
  if (status == 0) return;
  r.content_type = ResponseHeader(h, "Content-Type");
  r.etag = ResponseHeader(h, "ETag");
  r.last_modified = ResponseHeader(h, "Last-Modified");
  r.retry_after = ResponseHeader(h, "Retry-After");
  job->location = IsRedirect(status) ? ResponseHeader(h, "Location") : std::nullopt;
}

FetchErrorKind CurlFetcher::Impl::ClassifyCurl(Job* job, CURLcode code) const {
  CURL* h = job->easy->handle.get();
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT: {
      // Nothing sent means no connection (a reused one reports a connect time of 0).
      long request_bytes = 0;
      curl_off_t total_us = 0;
      curl_easy_getinfo(h, CURLINFO_REQUEST_SIZE, &request_bytes);
      curl_easy_getinfo(h, CURLINFO_TOTAL_TIME_T, &total_us);
      if (request_bytes == 0) return FetchErrorKind::kConnectTimeout;
      auto total = std::chrono::duration_cast<milliseconds>(std::chrono::microseconds(total_us));
      if (options_.settings.total_timeout.count() > 0 &&
          total + kTimeoutSlack >= options_.settings.total_timeout) {
        return FetchErrorKind::kTimeout;
      }
      return FetchErrorKind::kStalled;
    }
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_BAD_CONTENT_ENCODING:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_WRITE_ERROR:  // without our own abort reason: treat as a broken transfer
      return FetchErrorKind::kReset;
    case CURLE_FILESIZE_EXCEEDED:
      return FetchErrorKind::kTooLarge;
    case CURLE_UNSUPPORTED_PROTOCOL:
      return FetchErrorKind::kScheme;
    default:
      return FetchErrorKind::kConnect;  // DNS, refused, TLS, and the rest
  }
}

std::string DescribeKind(FetchErrorKind kind) {
  switch (kind) {
    case FetchErrorKind::kConnectTimeout:
      return "connect timeout";
    case FetchErrorKind::kTimeout:
      return "total time limit reached";
    case FetchErrorKind::kStalled:
      return "transfer stalled";
    case FetchErrorKind::kReset:
      return "connection broken";
    case FetchErrorKind::kTooLarge:
      return "body too large";
    case FetchErrorKind::kScheme:
      return "scheme refused";
    default:
      return "cannot connect";
  }
}

void CurlFetcher::Impl::OnTransferDone(Job* job, CURLcode code) {
  TimePoint now = Clock::now();
  CaptureResponse(job);
  int status = job->result.status;
  if (code == CURLE_OK && job->abort_kind == FetchErrorKind::kNone && status >= 200 &&
      status < 300 && job->request.accept == AcceptContent::kPages) {
    // An empty or short body never reached the checks the write callback makes.
    if (!job->response_checked) CheckResponseStart(job);
    if (job->abort_kind == FetchErrorKind::kNone && !job->sniffed) SniffBody(job);
  }
  FetchErrorKind curl_kind = code == CURLE_OK ? FetchErrorKind::kNone : ClassifyCurl(job, code);
  std::string curl_message = job->easy->error[0] ? job->easy->error : curl_easy_strerror(code);
  ReleaseEasy(job->easy);
  job->easy = nullptr;
  job->own_headers.reset();
  --in_flight_;
  policy_.OnFinish(job->target.host);

  if (job->abort_kind != FetchErrorKind::kNone) {  // our own cap or check: no retry
    policy_.OnSuccess(job->target.host);           // the host answered
    Finish(job, job->abort_kind, job->abort_message);
  } else if (code != CURLE_OK && !job->blocked.empty()) {  // permanent: no retry, no breaker
    std::string message = BlockedMessage(job->url, job->blocked);
    spdlog::warn("fetch: {}", message);
    Finish(job, FetchErrorKind::kBlockedAddress, std::move(message));
  } else if (code != CURLE_OK) {
    std::string message = DescribeKind(curl_kind) + ": " + job->url + ": " + curl_message;
    if (IsRetryable(curl_kind)) {
      NoteFailure(job->target.host, now);
      RetryOrFail(job, curl_kind, std::move(message), std::nullopt, now);
    } else {
      Finish(job, curl_kind, std::move(message));
    }
  } else {
    HandleHttpStatus(job, now);
  }
}

void CurlFetcher::Impl::HandleHttpStatus(Job* job, TimePoint now) {
  const int status = job->result.status;
  const std::string& host = job->target.host;
  if (status == 429 || status >= 500) {
    NoteFailure(host, now);
    std::optional<milliseconds> retry_after;
    if ((status == 429 || status == 503) && job->result.retry_after) {
      retry_after = ParseRetryAfter(*job->result.retry_after, std::chrono::system_clock::now());
      if (retry_after) {
        policy_.PauseUntil(host, now + std::min(*retry_after, options_.max_host_pause));
        spdlog::info("fetch: {} answered {} with Retry-After {}: pausing host {} for {} ms",
                     job->url, status, *job->result.retry_after, host, retry_after->count());
      }
    }
    RetryOrFail(job, FetchErrorKind::kHttpStatus,
                "HTTP " + std::to_string(status) + " from " + job->url, retry_after, now);
    return;
  }
  policy_.OnSuccess(host);
  if (IsRedirect(status)) {
    HandleRedirect(job);
  } else if (status >= 300 && status != 304) {
    Finish(job, FetchErrorKind::kHttpStatus,
           "HTTP " + std::to_string(status) + " from " + job->url);
  } else {
    Finish(job, FetchErrorKind::kNone, "");
  }
}

void CurlFetcher::Impl::HandleRedirect(Job* job) {
  const std::string from = job->url;
  const std::optional<std::string>& location = job->location;
  if (!location || location->empty()) {
    Finish(job, FetchErrorKind::kHttpStatus,
           "HTTP " + std::to_string(job->result.status) + " without a Location from " + from);
    return;
  }
  std::string to = StripFragment(ResolveUrl(from, *location));
  std::optional<UrlTarget> target = TargetOf(to);
  if (!target) {
    Finish(job, FetchErrorKind::kScheme,
           "redirect from " + from + " to " + to + " refused: only http and https are fetched");
    return;
  }
  if (job->redirects >= options_.settings.max_redirects) {
    Finish(job, FetchErrorKind::kTooManyRedirects,
           "more than " + std::to_string(options_.settings.max_redirects) +
               " redirects, the last from " + from + " to " + to);
    return;
  }
  std::string key = NormalizeUrl(to).value_or(to);
  if (std::find(job->chain.begin(), job->chain.end(), key) != job->chain.end()) {
    std::string loop;
    for (const std::string& hop : job->chain) loop += hop + " -> ";
    Finish(job, FetchErrorKind::kTooManyRedirects, "redirect loop: " + loop + key);
    return;
  }
  job->chain.push_back(std::move(key));
  ++job->redirects;
  job->url = std::move(to);
  // The job now waits on, and counts for, the target's host.
  if (job->counted) CountOutstanding(job->target.host, -1);
  job->target = std::move(*target);
  if (job->counted) CountOutstanding(job->target.host, +1);
  job->tries = 0;
  job->robots_cleared = false;
  // Validators belong to the URL they were stored for, not to the redirect target.
  job->request.etag.reset();
  job->request.last_modified.reset();
  Enqueue(job, /*front=*/true);
}

void CurlFetcher::Impl::RetryOrFail(Job* job, FetchErrorKind kind, std::string message,
                                    std::optional<milliseconds> retry_after, TimePoint now) {
  int retries_done = job->tries - 1;
  if (retries_done >= options_.settings.max_retries) {
    Finish(job, kind, message + " (" + std::to_string(job->tries) + " tries)");
    return;
  }
  if (retry_after && *retry_after > options_.max_retry_wait) {
    Finish(job, kind,
           message + " (Retry-After " + std::to_string(retry_after->count() / 1000) +
               " s is longer than we wait)");
    return;
  }
  milliseconds wait =
      retry_after ? *retry_after
                  : BackoffDelay(job->tries, options_.retry_base, options_.retry_max, Unit());
  spdlog::debug("fetch: {}; retry {} in {} ms", message, job->tries, wait.count());
  retries_.emplace(now + wait, job);
}

void CurlFetcher::Impl::NoteFailure(const std::string& host, TimePoint now) {
  if (std::optional<TimePoint> until = policy_.OnFailure(host, now)) {
    spdlog::warn("fetch: host {} paused until {} after {} consecutive failures", host,
                 FormatWallClock(*until), options_.settings.breaker_failures);
  }
}

void CurlFetcher::Impl::Finish(Job* job, FetchErrorKind kind, std::string message) {
  FetchResult& r = job->result;
  r.url = job->request.url;
  r.final_url = job->url;
  r.error_kind = kind;
  r.error = std::move(message);
  r.attempts = job->tries;
  r.redirects = job->redirects;
  r.transfer = job->transfer_total;
  const TimePoint now = Clock::now();
  r.elapsed = std::chrono::duration_cast<milliseconds>(now - job->submitted);
  if (kind == FetchErrorKind::kHostPaused) {
    r.retry_in = PauseRemaining(job->target.host, now).value_or(milliseconds(0));
  } else if (kind != FetchErrorKind::kNone) {
    // A failure that paused the host (its Retry-After, or the breaker it opened): the
    // caller's next try waits for the pause's end.
    r.retry_in = PauseRemaining(job->target.host, now);
  }
  if (job->counted) {
    CountOutstanding(job->target.host, -1);
    job->counted = false;
  }
  if (job->is_robots) {
    OnRobotsDone(job);
    jobs_.erase(job);
    return;
  }
  finished_.push_back(job);
}

void CurlFetcher::Impl::OnRobotsDone(Job* job) {
  auto found = robots_.find(job->robots_origin);
  if (found == robots_.end()) return;  // entries being fetched are never evicted
  RobotsEntry& entry = found->second;
  SettleRobots(job, entry, Clock::now());
  RecountRobots(job->robots_origin, entry);
  std::vector<Job*> waiting;
  waiting.swap(entry.waiting);
  if (entry.state == RobotsEntry::State::kFailed) {
    for (Job* w : waiting) Finish(w, entry.failure_kind, RobotsFailureFor(*w, entry));
  } else {
    // Decided here, so that evicting the entry cannot send them back to wait for it.
    std::vector<Job*> cleared;
    for (Job* w : waiting) {
      if (ApplyRobots(w, entry)) cleared.push_back(w);
    }
    // Back to the front of their queues in their original order.
    for (auto it = cleared.rbegin(); it != cleared.rend(); ++it) Enqueue(*it, /*front=*/true);
  }
  EvictRobots();  // the entry has its final size now
}

// Turns the robots.txt fetch's result into the entry's rules or its failure.
void CurlFetcher::Impl::SettleRobots(Job* job, RobotsEntry& entry, TimePoint now) {
  const FetchResult& r = job->result;
  bool missing = (r.error_kind == FetchErrorKind::kHttpStatus && r.status >= 400 &&
                  r.status < 500 && r.status != 429) ||
                 r.error_kind == FetchErrorKind::kTooManyRedirects ||
                 r.error_kind == FetchErrorKind::kScheme;
  if (r.ok() || r.error_kind == FetchErrorKind::kTooLarge || missing) {
    // RFC 9309: an unavailable robots.txt (4xx, too many redirects) allows everything.
    entry.rules = missing ? RobotsRules() : RobotsRules::Parse(r.body, product_token_);
    entry.state = RobotsEntry::State::kReady;
    entry.expires = now + options_.settings.robots_ttl;
    policy_.SetCrawlDelay(job->target.host, entry.rules.crawl_delay());
  } else if (r.error_kind == FetchErrorKind::kBlockedAddress) {
    // The pages are refused for the same reason; their messages name them (RobotsFailureFor).
    entry.state = RobotsEntry::State::kFailed;
    entry.failure_kind = r.error_kind;
    entry.failure_message = job->blocked;
    entry.expires = now + options_.robots_failure_ttl;
  } else {
    entry.state = RobotsEntry::State::kFailed;
    entry.failure_kind = r.error_kind;
    entry.failure_message = "robots.txt of " + job->robots_origin +
                            " could not be fetched, so its pages are not either: " + r.error;
    // A breaker-paused host is retried when the pause ends, not after the failure TTL.
    entry.expires =
        r.error_kind == FetchErrorKind::kHostPaused ? now : now + options_.robots_failure_ttl;
  }
}

size_t CurlFetcher::Impl::RunCallbacks() {
  if (finished_.empty()) return 0;
  std::vector<Job*> batch;
  batch.swap(finished_);
  for (Job* job : batch) {
    auto node = jobs_.extract(job);
    --pending_;
    if (job->done) job->done(std::move(job->result));
  }
  return batch.size();
}

milliseconds CurlFetcher::Impl::Jitter() {
  int64_t max = options_.settings.jitter.count();
  if (max <= 0) return milliseconds(0);
  return milliseconds(static_cast<int64_t>(Unit() * static_cast<double>(max)));
}

double CurlFetcher::Impl::Unit() { return std::uniform_real_distribution<double>(0, 1)(rng_); }

// ---------------------------------------------------------------------------------------
// The loop.

size_t CurlFetcher::Impl::Poll(milliseconds max_wait) {
  const TimePoint deadline = Clock::now() + max_wait;
  SweepIdleHosts(Clock::now());
  size_t completed = 0;
  while (true) {
    TimePoint now = Clock::now();
    PromoteDueRetries(now);
    TimePoint next_event = std::min(Dispatch(now), NextRetry());
    int running = 0;
    curl_multi_perform(multi_.get(), &running);
    Harvest();
    completed += RunCallbacks();
    now = Clock::now();
    if (completed > 0 || now >= deadline) return completed;
    // Jobs re-queued by Harvest (redirects, robots done) start without waiting.
    bool ready = std::any_of(queues_.begin(), queues_.end(), [&](const auto& q) {
      return !q.second.empty() && policy_.Check(q.first, now).gate == HostPolicy::Gate::kOpen;
    });
    if (ready && in_flight_ < global_cap_) continue;
    // Harvest may have scheduled retries since Dispatch looked.
    TimePoint wake = std::min({deadline, next_event, NextRetry()});
    auto wait = std::chrono::ceil<milliseconds>(wake - now);
    int wait_ms = static_cast<int>(std::clamp<int64_t>(wait.count(), 0, max_wait.count()));
    curl_multi_poll(multi_.get(), nullptr, 0, wait_ms, nullptr);
  }
}

std::vector<std::string> CurlFetcher::Impl::Sitemaps(std::string_view url) const {
  std::optional<UrlTarget> target = TargetOf(url);
  if (!target) return {};
  auto it = robots_.find(target->origin);
  if (it == robots_.end() || it->second.state != RobotsEntry::State::kReady) return {};
  return it->second.rules.sitemaps();
}

void CurlFetcher::Impl::Reconfigure(const FetchSettings& settings) {
  const std::string old_token = product_token_;
  options_.settings = settings;
  user_agent_ = UserAgentOf(settings);
  product_token_ = ProductToken(settings.user_agent);
  policy_.SetLimits(LimitsOf(settings));
  // New connections obey the new list; idle ones in libcurl's cache were checked under the
  // old one and live at most its idle age (CURLOPT_MAXAGE_CONN, 118 s by default).
  guard_ = AddressGuard(settings.allow_networks);
  ForgetBlockedRobots();  // refused under the old list: asked again under the new one
  global_cap_ = GlobalCapOf(settings);
  // Handles carry the old options: idle ones go now, busy ones when their transfer ends.
  ++generation_;
  idle_easies_.clear();
  if (product_token_ != old_token) ForgetRobotsRules();
  EvictRobots();                   // the caps may be smaller
  next_host_sweep_ = TimePoint{};  // host_idle may be shorter
}

CurlFetcherStats CurlFetcher::Impl::Stats() const {
  return CurlFetcherStats{policy_.hosts(), robots_.size(), robots_bytes_, outstanding_.size()};
}

// ---------------------------------------------------------------------------------------
// The public face.

Result<std::unique_ptr<CurlFetcher>> CurlFetcher::Create(const CurlFetcherOptions& options) {
  InitCurlOnce();
  MultiPtr multi(curl_multi_init());
  if (!multi) return Fail(ErrorCode::kNetwork, "libcurl: cannot create a multi handle");
  auto impl = std::make_unique<Impl>(options, std::move(multi));
  return std::unique_ptr<CurlFetcher>(new CurlFetcher(std::move(impl)));
}

CurlFetcher::CurlFetcher(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CurlFetcher::~CurlFetcher() = default;

void CurlFetcher::Submit(FetchRequest request, Callback done) {
  impl_->Submit(std::move(request), std::move(done));
}
size_t CurlFetcher::Poll(std::chrono::milliseconds max_wait) { return impl_->Poll(max_wait); }
size_t CurlFetcher::Pending() const { return impl_->Pending(); }
void CurlFetcher::Wakeup() { impl_->Wakeup(); }
std::vector<std::string> CurlFetcher::Sitemaps(std::string_view url) const {
  return impl_->Sitemaps(url);
}
HostRoom CurlFetcher::RoomFor(std::string_view url) const { return impl_->RoomFor(url); }
std::vector<HostPause> CurlFetcher::PausedHosts() const { return impl_->PausedHosts(); }
void CurlFetcher::Reconfigure(const FetchSettings& settings) { impl_->Reconfigure(settings); }
CurlFetcherStats CurlFetcher::Stats() const { return impl_->Stats(); }

}  // namespace gleaner::fetch
