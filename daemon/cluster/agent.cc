#include "daemon/cluster/agent.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <iterator>
#include <utility>

#include "daemon/cluster/leases.h"
#include "daemon/cluster/pg_schema.h"
#include "daemon/cluster/sink.h"
#include "daemon/store/timestamps.h"

namespace gleaner::cluster {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// The most a hand-over waits for this box's backlog to be shipped.
constexpr milliseconds kHandOverShipping{5000};

std::set<std::string> Minus(const std::set<std::string>& a, const std::set<std::string>& b) {
  std::set<std::string> out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::inserter(out, out.end()));
  return out;
}

std::string Join(const std::set<std::string>& items) {
  std::string text;
  for (const std::string& item : items) text += (text.empty() ? "" : ", ") + item;
  return text;
}

}  // namespace

nlohmann::ordered_json AgentStatusJson(const AgentStatus& s) {
  nlohmann::ordered_json j;
  j["box"] = s.box;
  j["postgresql"] = s.target;
  j["state"] = s.connected ? "ok" : "failing";
  j["error"] = s.error ? nlohmann::ordered_json(*s.error) : nlohmann::ordered_json(nullptr);
  j["failing_since"] =
      s.failing_since_ms
          ? nlohmann::ordered_json(store::FormatTime(store::FromMillis(*s.failing_since_ms)))
          : nlohmann::ordered_json(nullptr);
  j["shipped"] = s.shipped;
  j["rejected"] = s.rejected;
  j["backlog"] = s.backlog;
  j["sites"] = s.sites;
  return j;
}

Result<std::unique_ptr<Agent>> Agent::Start(ClusterSettings settings, const std::string& database,
                                            std::vector<std::string> sites, AgentOptions options) {
  auto store = store::Store::Open(database, store::OpenMode::kReadWrite);
  if (!store) return tl::unexpected(store.error());
  std::unique_ptr<Agent> agent(
      new Agent(std::move(settings), std::move(*store), std::move(sites), options));
  if (agent->EnsureConnected() && agent->LeaseRound()) {
    (void)agent->ShipSome(milliseconds(0));  // only counts the backlog for the status
  } else {
    std::lock_guard lock(agent->mutex_);
    agent->crawl_ = {agent->configured_.begin(), agent->configured_.end()};
    agent->status_.sites = agent->configured_;
  }
  agent->thread_ = std::thread([a = agent.get()] { a->Loop(); });
  return agent;
}

Agent::Agent(ClusterSettings settings, store::Store store, std::vector<std::string> sites,
             AgentOptions options)
    : settings_(std::move(settings)),
      options_(options),
      store_(std::move(store)),
      configured_(std::move(sites)) {
  status_.box = settings_.box;
  status_.target = DescribeTarget(settings_.postgresql);
  // The first set is news to the daemon even when it is empty.
  crawl_version_ = 1;
}

Agent::~Agent() { Stop(milliseconds(0)); }

int64_t Agent::NowMs() const { return store::ToMillis(store::Now()); }

std::optional<std::set<std::string>> Agent::TakeSites() {
  std::lock_guard lock(mutex_);
  if (taken_version_ == crawl_version_) return std::nullopt;
  taken_version_ = crawl_version_;
  return crawl_;
}

void Agent::SitesApplied() {
  std::lock_guard lock(mutex_);
  applied_version_ = taken_version_;
  changed_.notify_all();
}

void Agent::SetSites(std::vector<std::string> sites) {
  std::lock_guard lock(mutex_);
  configured_ = std::move(sites);
  if (!status_.connected) {
    // Not reaching PostgreSQL: a site removed is no longer crawled; a lone box that never
    // reached it crawls every configured site.
    std::set<std::string> configured(configured_.begin(), configured_.end());
    std::set<std::string> next;
    for (const std::string& site : crawl_) {
      if (configured.count(site)) next.insert(site);
    }
    if (!ever_connected_) next = configured;
    if (next != crawl_) {
      crawl_ = std::move(next);
      ++crawl_version_;
      status_.sites.assign(crawl_.begin(), crawl_.end());
    }
  }
  sites_changed_ = true;  // the thread follows the new configuration at once
  changed_.notify_all();
}

AgentStatus Agent::Status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

void Agent::Publish(std::set<std::string> sites, bool wait) {
  std::unique_lock lock(mutex_);
  if (sites != crawl_) {
    crawl_ = std::move(sites);
    ++crawl_version_;
    status_.sites.assign(crawl_.begin(), crawl_.end());
  }
  if (!wait) return;
  uint64_t version = crawl_version_;
  changed_.wait_for(lock, settings_.lease, [&] { return applied_version_ >= version || stop_; });
}

void Agent::Loop() {
  std::unique_lock lock(mutex_);
  while (!stop_) {
    bool reround = std::exchange(sites_changed_, false);
    lock.unlock();
    if (reround) next_lease_round_ = {};
    bool more = false;
    if (EnsureConnected()) {
      more = ShipSome(milliseconds(250));
      if (conn_ && Clock::now() >= next_lease_round_) (void)LeaseRound();
    }
    lock.lock();
    if (!more) changed_.wait_for(lock, options_.tick, [this] { return stop_; });
  }
}

bool Agent::EnsureConnected() {
  if (conn_ && conn_->Alive()) return true;
  if (conn_)
    Disconnected(Error{ErrorCode::kDatabase,
                       "PostgreSQL " + status_.target + ": the connection was closed"});
  if (Clock::now() < next_attempt_) return false;
  auto conn = OpenCluster(settings_.postgresql, "gleaner " + settings_.box);
  if (!conn) {
    Disconnected(conn.error());
    return false;
  }
  conn_ = std::move(*conn);
  connected_ms_ = NowMs();
  retry_ = milliseconds(0);
  next_lease_round_ = {};
  std::lock_guard lock(mutex_);
  if (status_.failing_since_ms) {
    spdlog::info("cluster: PostgreSQL {} reachable again after {} s; shipping the backlog",
                 status_.target, (connected_ms_ - *status_.failing_since_ms) / 1000);
  } else {
    spdlog::info("cluster: box {}, PostgreSQL {}, lease {} ms", settings_.box, status_.target,
                 settings_.lease.count());
  }
  status_.connected = true;
  ever_connected_ = true;
  status_.error.reset();
  status_.failing_since_ms.reset();
  return true;
}

// Logs the first failure of an outage only; later ones just push the next attempt back.
void Agent::Disconnected(const Error& error) {
  conn_.reset();
  retry_ = retry_.count() == 0 ? options_.first_retry
                               : std::min(retry_ * 2, milliseconds(settings_.lease / 3));
  next_attempt_ = Clock::now() + retry_;
  std::lock_guard lock(mutex_);
  if (!status_.failing_since_ms) {
    spdlog::error("cluster: {}; crawling into the local database, retrying", error.message);
    status_.failing_since_ms = NowMs();
  }
  status_.connected = false;
  status_.error = error.message;
}

// Sends batches until the backlog is empty or `budget` is spent. Returns whether more is
// waiting.
bool Agent::ShipSome(milliseconds budget) {
  auto deadline = Clock::now() + budget;
  bool more = false;
  do {
    auto cursor = store_.SinkCursor(kSinkName);
    auto changes = cursor
                       ? store_.ChangesAfter(*cursor, options_.ship_batch)
                       : Result<std::vector<store::ArticleChange>>(tl::unexpected(cursor.error()));
    if (!changes) {
      spdlog::warn("cluster: cannot read the records to ship: {}", changes.error().message);
      return false;
    }
    if (changes->empty()) break;
    if (!conn_) return false;
    auto shipped = ShipChanges(
        *conn_, settings_.box, *changes,
        [this](const store::ArticleChange& change, const Error& why) {
          spdlog::error("cluster: {} refused by PostgreSQL, skipped: {}",
                        change.stored.article.url.value_or(change.stored.url_key), why.message);
        });
    if (!shipped) {
      Disconnected(shipped.error());
      return false;
    }
    if (auto ok = store_.SetSinkCursor(kSinkName, changes->back().seq); !ok) {
      // Sent again next time, which changes nothing in PostgreSQL.
      spdlog::warn("cluster: cannot record what was shipped: {}", ok.error().message);
    }
    std::lock_guard lock(mutex_);
    status_.shipped += static_cast<int64_t>(changes->size());
    status_.rejected += shipped->rejected;
    more = static_cast<int>(changes->size()) == options_.ship_batch;
  } while (more && Clock::now() < deadline);
  auto backlog = store_.SinkBacklog(kSinkName);
  std::lock_guard lock(mutex_);
  if (backlog) status_.backlog = *backlog;
  return more;
}

// Heartbeat, then the split: gives up the sites the live boxes' split moved away (once the
// crawler dropped them), takes or renews this box's share, and marks what PostgreSQL
// holds of newly taken sites as known. Returns false when PostgreSQL failed.
bool Agent::LeaseRound() {
  next_lease_round_ = Clock::now() + settings_.lease / 3;
  int64_t backlog;
  std::vector<std::string> configured;
  {
    std::lock_guard lock(mutex_);
    backlog = status_.backlog;
    configured = configured_;
  }
  auto fail = [this](const Error& error) {
    Disconnected(error);
    return false;
  };
  if (auto beat = Heartbeat(*conn_, settings_.box, connected_ms_, backlog); !beat)
    return fail(beat.error());
  auto live = LiveBoxes(*conn_, settings_.lease);
  if (!live) return fail(live.error());
  if (std::find(live->begin(), live->end(), settings_.box) == live->end())
    live->push_back(settings_.box);
  std::set<std::string> wanted = SitesOwnedBy(settings_.box, configured, *live);
  std::set<std::string> drop = Minus(held_, wanted);
  if (!drop.empty()) {
    Publish(Minus(held_, drop), /*wait=*/true);
    // What this box stored of them goes out first: their new box reads PostgreSQL to know
    // what not to fetch again.
    (void)ShipSome(kHandOverShipping);
    if (!conn_) return false;
    if (auto ok = ReleaseLeases(*conn_, settings_.box, drop); !ok) return fail(ok.error());
    spdlog::info("cluster: gave up {} sites to other boxes: {}", drop.size(), Join(drop));
    held_ = Minus(held_, drop);
  }
  // An expired lease is taken only once this box has been connected for a whole lease:
  // after an outage, every live box has heartbeated again by then, so none mistakes a
  // live one for dead.
  bool take_expired = NowMs() - connected_ms_ >= settings_.lease.count();
  auto got = AcquireLeases(*conn_, settings_.box, wanted, settings_.lease, take_expired);
  if (!got) return fail(got.error());
  std::set<std::string> lost = Minus(held_, *got);
  if (!lost.empty()) spdlog::warn("cluster: another box holds {} now", Join(lost));
  std::set<std::string> gained = Minus(*got, held_);
  if (!gained.empty()) {
    auto known = KnownUrls(*conn_, gained);
    if (!known) return fail(known.error());
    auto added = store_.AddKnown(*known);
    if (!added) {
      // Crawling them now would fetch again what another box stored: wait for the next round.
      spdlog::warn("cluster: cannot take over {}: {}", Join(gained), added.error().message);
      (void)ReleaseLeases(*conn_, settings_.box, gained);
      got = Minus(*got, gained);
    } else {
      spdlog::info("cluster: now crawling {} ({} of their articles already in PostgreSQL)",
                   Join(gained), known->size());
    }
  }
  held_ = *got;
  Publish(held_, /*wait=*/false);
  return true;
}

void Agent::Stop(milliseconds grace) {
  {
    std::lock_guard lock(mutex_);
    if (stop_) return;
    stop_ = true;
    changed_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
  if (!conn_ || grace.count() == 0) return;
  (void)ShipSome(grace);
  if (conn_) (void)ReleaseLeases(*conn_, settings_.box, held_);
  if (conn_) {
    (void)conn_->Run("UPDATE gleaner_boxes SET heartbeat_ms = 0 WHERE box = $1", {settings_.box});
  }
}

}  // namespace gleaner::cluster
