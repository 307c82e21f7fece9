#include "daemon/schedule/crawler.h"

#include <spdlog/spdlog.h>
#include <zlib.h>

#include <algorithm>

#include "daemon/schedule/fetch_outcome.h"
#include "extractors/core/url.h"
#include "extractors/feeds/feeds.h"
#include "extractors/html/charset.h"
#include "extractors/html/dom.h"
#include "extractors/pipeline.h"

namespace gleaner::schedule {
namespace {

using fetch::FetchErrorKind;
using store::FrontierEntry;
using store::UrlKind;

// Sitemaps found in a sitemap index or robots.txt are polled this often (they are large
// and change slowly); configured sources carry their own interval.
constexpr std::chrono::hours kDiscoveredSitemapEvery{1};
// A source that failed is tried again after its interval, but never sooner than this.
constexpr std::chrono::minutes kMinSourceRetry{1};
// Poll intervals get up to this share of themselves added at random, so that sources
// configured with one interval do not all fire in the same second.
constexpr double kIntervalJitter = 0.1;
// A host with nothing it may take now and no completion to wait for is looked at again
// after this; so is a host whose due rows could not be taken.
constexpr std::chrono::milliseconds kMinHostRecheck{200};
// A frontier read that failed is tried again after this.
constexpr std::chrono::seconds kDatabaseRecheck{5};
// A paused host that did not say for how long is tried again after this.
constexpr std::chrono::minutes kUnknownPause{1};
// A sitemap announcing more new articles than this at once is read as backlog: a sitemap's
// few new articles are fresh news, a flood is an archive.
constexpr size_t kMaxFreshFromSitemap = 50;
// Articles done long ago leave the frontier in batches of this many rows, at most this many
// batches this often, so that a large clean-up never holds the write lock for long.
constexpr std::chrono::minutes kRetireEvery{10};
constexpr int kRetireBatch = 2000;
constexpr int kRetireRounds = 10;
// A failing archive (a full disk) is logged at most this often; every failure is counted.
constexpr std::chrono::minutes kArchiveLogInterval{10};
// Archived pages past archive_days leave in batches of this many captures, at most
// kRetireRounds batches every kRetireEvery, for the same reason as the frontier's rows.
constexpr int kArchivePruneBatch = 2000;
// The frontier's last_error for a page in hand when the process died.
constexpr char kCrashError[] = "gleaner died while processing this page";
// A gzipped sitemap may not inflate beyond this (a gzip bomb stops here). The sitemap
// protocol caps a file at 50 MB uncompressed.
constexpr size_t kMaxInflatedBytes = 64u << 20;

// Inflates gzip data; nullopt when it is corrupt or inflates beyond the cap.
std::optional<std::string> Gunzip(std::string_view data) {
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return std::nullopt;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buffer[1 << 15];
  int rc = Z_OK;
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(buffer);
    zs.avail_out = sizeof buffer;
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buffer, sizeof buffer - zs.avail_out);
    if (out.size() > kMaxInflatedBytes) rc = Z_MEM_ERROR;
  }
  inflateEnd(&zs);
  if (rc != Z_STREAM_END) return std::nullopt;
  return out;
}

bool IsGzip(std::string_view body) {
  return body.size() > 2 && static_cast<unsigned char>(body[0]) == 0x1f &&
         static_cast<unsigned char>(body[1]) == 0x8b;
}

std::string KeyOf(const std::string& url) { return NormalizeUrl(url).value_or(url); }

bool Permanent(const fetch::FetchResult& r) {
  // robots.txt refusals, bad schemes and client errors other than 408/429 will not get
  // better by retrying.
  // Nor will an address the guard refuses, until the configuration changes.
  if (r.error_kind == FetchErrorKind::kRobots || r.error_kind == FetchErrorKind::kScheme ||
      r.error_kind == FetchErrorKind::kContentType || r.error_kind == FetchErrorKind::kTooLarge ||
      r.error_kind == FetchErrorKind::kBlockedAddress) {
    return true;
  }
  return r.error_kind == FetchErrorKind::kHttpStatus && r.status >= 400 && r.status < 500 &&
         r.status != 408 && r.status != 429;
}

}  // namespace

Crawler::Crawler(const Config& config, rules::SiteSet sites, store::Store& store,
                 fetch::Fetcher& fetcher, std::function<Time()> clock, CrawlerOptions options)
    : config_(config),
      sites_(std::move(sites)),
      store_(store),
      fetcher_(fetcher),
      clock_(std::move(clock)),
      options_(options),
      random_(options.seed) {}

Time Crawler::Jittered(Time now, std::chrono::milliseconds interval) {
  std::uniform_real_distribution<double> extra(0.0, kIntervalJitter);
  return now + interval +
         std::chrono::milliseconds(static_cast<int64_t>(interval.count() * extra(random_)));
}

SiteHealth& Crawler::HealthOf(const std::optional<std::string>& site) {
  return health_[site.value_or("")];
}

Result<void> Crawler::Seed() {
  Time now = clock_();
  for (const rules::SiteRules& site : sites_.sites()) {
    health_[site.id];  // every configured site shows in status, even before its first poll
    for (const rules::PollSource& source : site.sources) {
      UrlKind kind = source.kind == rules::SourceKind::kListing ? UrlKind::kListing
                     : source.kind == rules::SourceKind::kFeed  ? UrlKind::kFeed
                                                                : UrlKind::kSitemap;
      std::string key = KeyOf(source.url);
      SourceState& state = sources_[key];
      if (state.every != source.every) state = {source.every, source.every, site.id};
      if (auto ok = batch_.AddUrl({source.url, site.id, kind, now, store::Priority::kSource});
          !ok) {
        spdlog::error("site {}: source {} refused: {}", site.id, source.url, ok.error().message);
      }
    }
  }
  if (auto ok = FlushBatch(); !ok) return ok;
  return SyncFrontier();
}

Result<void> Crawler::SyncFrontier() {
  auto known = store_.FrontierSites();
  if (!known) return tl::unexpected(known.error());
  for (const std::string& site : *known) {
    if (sites_.Find(site)) continue;
    auto parked = store_.SetSiteParked(site, true);
    if (!parked) return tl::unexpected(parked.error());
    if (*parked > 0)
      spdlog::info("site {}: no longer configured: {} frontier rows parked", site, *parked);
  }
  for (const rules::SiteRules& site : sites_.sites()) {
    auto resumed = store_.SetSiteParked(site.id, false);
    if (!resumed) return tl::unexpected(resumed.error());
    std::vector<std::string> configured;
    for (const rules::PollSource& source : site.sources) configured.push_back(source.url);
    auto synced = store_.SyncSources(site.id, configured);
    if (!synced) return tl::unexpected(synced.error());
    if (*resumed > 0)
      spdlog::info("site {}: configured again: {} frontier rows resumed", site.id, *resumed);
    if (*synced > 0)
      spdlog::info("site {}: {} source rows parked or resumed to match its file", site.id, *synced);
  }
  auto hosts = store_.HostsWithWork();
  if (!hosts) return tl::unexpected(hosts.error());
  hosts_.Clear();
  for (const auto& [host, due] : *hosts) hosts_.Wake(host, due);
  return {};
}

Result<void> Crawler::Reload(const Config& config, rules::SiteSet sites) {
  config_ = config;
  sites_ = std::move(sites);
  handing_over_.clear();
  for (auto it = sources_.begin(); it != sources_.end();) {
    it = sites_.Find(it->second.site) ? std::next(it) : sources_.erase(it);
  }
  for (auto it = health_.begin(); it != health_.end();) {
    it = it->first.empty() || sites_.Find(it->first) ? std::next(it) : health_.erase(it);
  }
  auto seeded = Seed();
  // A store that refuses the writes now (locked, full) gets them again at every step.
  reseed_ = !seeded;
  return seeded;
}

Crawler::SourceState& Crawler::Source(const FrontierEntry& entry) {
  auto it = sources_.find(entry.url_key);
  if (it != sources_.end()) return it->second;
  // A sitemap found in an index or robots.txt, or a source from an earlier configuration.
  std::chrono::milliseconds every = kDiscoveredSitemapEvery;
  return sources_[entry.url_key] = {every, every, entry.site.value_or("")};
}

void Crawler::SubmitDue(Time now) {
  if (draining_) return;
  // Each host is served at most a few times per call (a served host that may take more
  // comes round again behind the others); the bound only guards against a fetcher that
  // keeps offering room it then refuses.
  size_t turns = 4 * hosts_.size() + 16;
  while (in_flight_.size() < static_cast<size_t>(config_.crawl.max_in_flight) && turns-- > 0) {
    std::optional<std::string> host = hosts_.PopDue(now);
    if (!host) break;
    ServeHost(*host, now);
  }
}

void Crawler::ServeHost(const std::string& host, Time now) {
  fetch::HostRoom room = fetcher_.RoomFor("http://" + host + "/");
  int in_flight = 0;
  if (auto it = host_in_flight_.find(host); it != host_in_flight_.end()) in_flight = it->second;
  if (room.paused) {
    // The work waits for the end of the pause, where it is; nothing is tried meanwhile.
    spdlog::debug("host {}: paused for {} ms; its work waits", host, room.wait.count());
    hosts_.Set(host, now + std::max(room.wait, kMinHostRecheck));
    return;
  }
  if (room.requests <= 0) {
    if (room.wait.count() > 0) {
      hosts_.Set(host, now + room.wait);
    } else {
      // All its slots are taken: a completion gives it its next turn (or, when none of
      // them is ours, a short recheck does).
      hosts_.Set(host, in_flight > 0 ? std::nullopt : std::optional<Time>(now + kMinHostRecheck));
    }
    return;
  }
  int window = config_.crawl.max_in_flight - static_cast<int>(in_flight_.size());
  int take = std::min(room.requests, window);
  auto due = store_.DueForHost(host, now, take + in_flight);
  if (!due) {
    spdlog::error("cannot read the frontier of host {}: {}", host, due.error().message);
    hosts_.Set(host, now + kDatabaseRecheck);
    return;
  }
  int submitted = 0;
  for (const FrontierEntry& entry : *due) {
    if (submitted == take) break;
    if (in_flight_.count(entry.url_key)) continue;
    if (entry.site && (!sites_.Find(*entry.site) || handing_over_.count(*entry.site)))
      continue;  // removed (parked once the store takes it) or being handed over
    Submit(entry);
    ++submitted;
  }
  if (submitted == take) {
    hosts_.Set(host, now);  // it may have more: its next turn comes after the others'
  } else if (in_flight + submitted > 0) {
    hosts_.Set(host, std::nullopt);  // the completion looks again
  } else {
    ScheduleIdleHost(host, now);
  }
}

void Crawler::ScheduleIdleHost(const std::string& host, Time now) {
  auto next = store_.NextDueForHost(host);
  if (!next) {
    spdlog::error("cannot read the frontier of host {}: {}", host, next.error().message);
    hosts_.Set(host, now + kDatabaseRecheck);
    return;
  }
  if (!*next) {
    hosts_.Set(host, std::nullopt);  // nothing scheduled: new work wakes it
    return;
  }
  // Due rows none of which could be taken (their site is gone mid-reload): not before a
  // recheck, so that the loop does not spin on them.
  hosts_.Set(host, std::max(**next, now + kMinHostRecheck));
}

bool Crawler::HandOverInFlight() const {
  for (const std::string& site : handing_over_) {
    if (site_in_flight_.count(site)) return true;
  }
  return false;
}

void Crawler::Submit(const FrontierEntry& entry) {
  const rules::SiteRules* site = entry.site ? sites_.Find(*entry.site) : nullptr;
  fetch::FetchRequest request;
  request.url = entry.url;
  request.site = entry.site.value_or("");
  request.accept_language = site ? site->language : "";
  if (site && site->delay) request.delay = site->delay;
  if (entry.kind != UrlKind::kArticle) {
    // Conditional requests for sources: a 304 costs the site almost nothing.
    request.etag = entry.etag;
    request.last_modified = entry.last_modified;
  }
  // Sitemaps may be served gzipped as application/x-gzip; their type is checked here.
  if (entry.kind == UrlKind::kSitemap) request.accept = fetch::AcceptContent::kAny;
  in_flight_.insert(entry.url_key);
  ++host_in_flight_[entry.host];
  ++site_in_flight_[entry.site.value_or("")];
  fetcher_.Submit(std::move(request), [this, entry](fetch::FetchResult&& result) {
    in_flight_.erase(entry.url_key);
    if (--host_in_flight_[entry.host] <= 0) host_in_flight_.erase(entry.host);
    if (--site_in_flight_[entry.site.value_or("")] <= 0) {
      site_in_flight_.erase(entry.site.value_or(""));
    }
    NoteWake(entry.host, clock_());
    OnFetched(entry, std::move(result));
  });
}

void Crawler::OnFetched(const FrontierEntry& entry, fetch::FetchResult&& result) {
  if (entry.site && !sites_.Find(*entry.site)) {
    // Its site was removed while the request was out: the row stays parked as it was.
    spdlog::debug("site {}: {}: result dropped, the site is no longer configured", *entry.site,
                  entry.url);
    return;
  }
  if (result.error_kind == FetchErrorKind::kHostPaused) {
    Defer(entry, result);
    return;
  }
  if (marker_ != nullptr) marker_->Begin(entry.id, entry.url);
  struct EndWork {
    WorkMarker* marker;
    ~EndWork() {
      if (marker != nullptr) marker->End();
    }
  } end_work{marker_};
  if (entry.kind == UrlKind::kArticle) {
    OnArticleFetched(entry, std::move(result));
  } else {
    OnSourceFetched(entry, std::move(result));
  }
}

void Crawler::Defer(const FrontierEntry& entry, const fetch::FetchResult& result) {
  Time until = clock_() + result.retry_in.value_or(kUnknownPause);
  store::FetchOutcome outcome;
  outcome.url = entry.url;
  outcome.kind = entry.kind;
  outcome.site = entry.site;
  outcome.deferred = true;
  outcome.error = result.error;
  outcome.next_fetch = until;
  spdlog::debug("site {}: {}: deferred until {}: {}", entry.site.value_or("-"), entry.url,
                store::FormatTime(until), result.error);
  if (auto ok = batch_.RecordFetch(std::move(outcome)); !ok) {
    spdlog::error("site {}: {}: cannot defer: {}", entry.site.value_or("-"), entry.url,
                  ok.error().message);
  }
}

Result<void> Crawler::RecordCrash(const PageInHand& page) {
  auto found = store_.FindFrontierId(page.frontier_id);
  if (!found) return tl::unexpected(found.error());
  if (!*found || UrlHash((*found)->url) != page.url_hash) return {};
  return RecordCrashOf(**found);
}

Result<void> Crawler::RecordCrash(const std::string& url) {
  auto found = store_.FindUrl(url);
  if (!found) return tl::unexpected(found.error());
  if (!*found) return {};
  return RecordCrashOf(**found);
}

Result<void> Crawler::RecordCrashOf(const FrontierEntry& entry) {
  // Only a due page is ever in hand; anything else was dealt with since.
  if (entry.state != store::FrontierState::kScheduled) return {};
  // Twice in a row: the page, not bad luck (a SIGKILL, the OOM killer) is the likelier cause.
  bool again = entry.last_error == std::optional<std::string>(kCrashError);
  bool article = entry.kind == UrlKind::kArticle;
  spdlog::error("site {}: {}: the last run died while processing this page; {}",
                entry.site.value_or("-"), entry.url,
                !again    ? "it is tried again at once"
                : article ? "the run before died on it too: given up"
                          : "the run before died on it too: polled again at its next interval");
  Time now = clock_();
  SiteHealth& health = HealthOf(entry.site);
  ++(article ? health.extract_errors : health.poll_errors);
  NoteError(health, entry, "the last run died while processing this page", now);
  fetch::FetchResult failed;
  failed.error = kCrashError;
  if (again) {
    RecordFailure(entry, failed, /*give_up_now=*/article);
  } else {
    RecordFailure(entry, failed, /*give_up_now=*/false, /*retry_at=*/now);
  }
  return FlushBatch();
}

int64_t Crawler::ErrorsLastHour() {
  Time now = clock_();
  int64_t n = 0;
  for (auto& [site, h] : health_) n += h.recent_errors.CountSince(now);
  return n;
}

void Crawler::RecordFailure(const FrontierEntry& entry, const fetch::FetchResult& result,
                            bool give_up_now, std::optional<Time> retry_at) {
  Time now = clock_();
  store::FetchOutcome outcome;
  outcome.url = entry.url;
  outcome.kind = entry.kind;
  outcome.site = entry.site;
  outcome.ok = false;
  if (result.status) outcome.status = result.status;
  outcome.error = result.error.empty() ? std::string("failed") : result.error;
  int attempts = entry.attempts + 1;
  if (entry.kind == UrlKind::kArticle) {
    bool give_up = give_up_now || attempts >= options_.max_article_attempts;
    outcome.state = give_up ? store::FrontierState::kFailed : store::FrontierState::kScheduled;
    outcome.next_fetch = now + options_.retry_base * (1 << std::min(attempts - 1, 10));
  } else {
    // Sources are never given up: a site that is down today is polled again later.
    SourceState& s = Source(entry);
    outcome.state = store::FrontierState::kScheduled;
    outcome.next_fetch =
        Jittered(now, std::max<std::chrono::milliseconds>(s.every, kMinSourceRetry));
  }
  // The host asked for a pause (or its breaker opened): no try before it ends.
  if (result.retry_in) outcome.next_fetch = std::max(outcome.next_fetch, now + *result.retry_in);
  if (retry_at) outcome.next_fetch = *retry_at;
  if (auto ok = batch_.RecordFetch(std::move(outcome)); !ok) {
    spdlog::error("site {}: {}: cannot record the failure: {}", entry.site.value_or("-"), entry.url,
                  ok.error().message);
  }
}

std::vector<std::string> Crawler::DiscoverLinks(const FrontierEntry& entry,
                                                const fetch::FetchResult& result,
                                                const rules::SiteRules& site, SiteHealth& health) {
  std::string base = result.final_url.empty() ? entry.url : result.final_url;
  std::vector<std::string> links;
  if (entry.kind == UrlKind::kListing) {
    html::DecodedPage page = html::DecodeToUtf8(result.body, result.content_type.value_or(""));
    auto doc = html::ParseHtml(page.utf8, DomLimitsFrom(config_.limits));
    if (!doc) {
      spdlog::warn("site {}: listing {}: {}", site.id, entry.url, doc.error().message);
      ++health.poll_errors;
      NoteError(health, entry, doc.error().message, clock_());
      return {};
    }
    links = feeds::ListingLinks(*doc, base);
  } else {
    std::string inflated;
    std::string_view xml = result.body;
    if (IsGzip(xml)) {
      auto out = Gunzip(xml);
      if (!out) {
        spdlog::warn("site {}: {}: corrupt or oversized gzip", site.id, entry.url);
        ++health.poll_errors;
        NoteError(health, entry, "corrupt or oversized gzip", clock_());
        return {};
      }
      inflated = std::move(*out);
      xml = inflated;
    }
    auto feed = feeds::ParseFeed(xml, base);
    if (!feed) {
      spdlog::warn("site {}: {}: {}", site.id, entry.url, feed.error().message);
      ++health.poll_errors;
      NoteError(health, entry, feed.error().message, clock_());
      return {};
    }
    for (const std::string& w : feed->warnings)
      spdlog::warn("site {}: {}: {}", site.id, entry.url, w);
    int children = 0;
    for (const feeds::FeedEntry& e : feed->entries) {
      if (feed->kind != feeds::FeedKind::kSitemapIndex) {
        links.push_back(e.url);
      } else if (children++ < config_.crawl.sitemap_children) {
        AddChildSitemap(entry, e.url, site);  // child sitemaps become sources of their own
      }
    }
    if (children > config_.crawl.sitemap_children) {
      spdlog::warn(
          "site {}: {}: {} child sitemaps, only the first {} are read (crawl.sitemap_children)",
          site.id, entry.url, children, config_.crawl.sitemap_children);
    }
  }
  size_t cap = static_cast<size_t>(config_.crawl.urls_per_document);
  if (links.size() > cap) {
    spdlog::warn("site {}: {}: {} links, only the first {} are read (crawl.urls_per_document)",
                 site.id, entry.url, links.size(), cap);
    links.resize(cap);
  }
  return links;
}

void Crawler::AddChildSitemap(const FrontierEntry& parent, const std::string& url,
                              const rules::SiteRules& site) {
  // A sitemap becomes a source polled for good: one named by a sitemap index or robots.txt
  // must be the site's own, or any site could make us poll any host, internal ones too.
  if (url.size() > kMaxUrlBytes) {
    ++HealthOf(parent.site).long_urls;
    spdlog::warn("site {}: {}: a sitemap URL of {} bytes (over {}) is dropped", site.id, parent.url,
                 url.size(), kMaxUrlBytes);
    return;
  }
  if (!site.MayReadSitemapAt(url)) {
    ++HealthOf(parent.site).offsite_sitemaps;
    spdlog::warn(
        "site {}: {}: sitemap {} is not on a host of the site's sources nor in its sitemap_hosts: "
        "not read",
        site.id, parent.url, url);
    return;
  }
  if (parent.depth + 1 > config_.crawl.sitemap_depth) {
    spdlog::debug("site {}: {}: sitemap {} is deeper than crawl.sitemap_depth ({}): not read",
                  site.id, parent.url, url, config_.crawl.sitemap_depth);
    return;
  }
  if (store_.Known(url).value_or(true)) return;  // known, or unreadable: the next poll tries again
  store::DiscoveredUrl child{url, site.id, UrlKind::kSitemap, clock_(), store::Priority::kSource};
  child.depth = parent.depth + 1;
  child.root = parent.root.value_or(parent.url_key);
  if (batch_.AddUrl(std::move(child))) NoteWake(store::HostOf(url), clock_());
}

int Crawler::AddDiscovered(const FrontierEntry& entry, const std::vector<std::string>& links,
                           const rules::SiteRules& site) {
  std::vector<std::string> fresh;
  std::unordered_set<std::string> seen;
  size_t cap = static_cast<size_t>(config_.crawl.new_urls_per_poll);
  bool capped = false;
  bool from_sitemap = entry.kind == UrlKind::kSitemap;
  int64_t too_long = 0;
  for (const std::string& url : links) {
    if (url.size() > kMaxUrlBytes) {
      ++too_long;
      continue;
    }
    if (!site.IsArticleUrl(url) || !seen.insert(KeyOf(url)).second) continue;
    if (!from_sitemap && Promote(url)) continue;
    if (store_.Known(url).value_or(true))
      continue;  // known, or unreadable: the next poll tries again
    if (fresh.size() == cap) {
      capped = true;
      break;
    }
    fresh.push_back(url);
  }
  if (too_long > 0) {
    HealthOf(entry.site).long_urls += too_long;
    spdlog::warn("site {}: {}: {} URLs longer than {} bytes dropped", site.id, entry.url, too_long,
                 kMaxUrlBytes);
  }
  if (capped) {
    spdlog::warn(
        "site {}: {}: more than {} new article URLs; the rest are read at the next polls "
        "(crawl.new_urls_per_poll)",
        site.id, entry.url, cap);
  }
  // A sitemap read for the first time, or one announcing many at once, is backlog: the
  // articles a listing or feed announces (and a sitemap's few new ones) come first.
  bool backlog = from_sitemap && (!entry.fetched || fresh.size() > kMaxFreshFromSitemap);
  Time now = clock_();
  int added = 0;
  for (const std::string& url : fresh) {
    store::DiscoveredUrl article{url, site.id, UrlKind::kArticle, now,
                                 backlog ? store::Priority::kBacklog : store::Priority::kFresh};
    if (!batch_.AddUrl(std::move(article))) continue;
    NoteWake(store::HostOf(url), now);
    ++added;
  }
  return added;
}

bool Crawler::Promote(const std::string& url) {
  auto row = store_.FindUrl(url);
  if (!row || !*row) return false;
  const FrontierEntry& known = **row;
  if (known.state == store::FrontierState::kScheduled &&
      known.priority == store::Priority::kBacklog) {
    store::DiscoveredUrl fresh{url, known.site, UrlKind::kArticle, clock_(),
                               store::Priority::kFresh};
    if (batch_.AddUrl(std::move(fresh))) NoteWake(known.host, clock_());
  }
  return true;
}

void Crawler::NoteError(SiteHealth& health, const FrontierEntry& entry, std::string_view message,
                        Time now) {
  health.recent_errors.Add(now);
  health.last_failure = now;
  if (recent_errors_.size() >= kMaxRecentErrors) recent_errors_.pop_front();
  std::string text(message.substr(0, kMaxErrorMessageBytes));
  recent_errors_.push_back(RecentError{now, entry.site.value_or(""), entry.url, std::move(text)});
}

void Crawler::NoteTransfer(SiteHealth& health, const fetch::FetchResult& result) {
  health.bytes += static_cast<int64_t>(result.body.size() + result.head.size());
  if (result.attempts > 0) health.latency.Add(result.transfer);
}

void Crawler::OnSourceFetched(const FrontierEntry& entry, fetch::FetchResult&& result) {
  SiteHealth& health = HealthOf(entry.site);
  const rules::SiteRules* site = entry.site ? sites_.Find(*entry.site) : nullptr;
  Time now = clock_();
  ++health.polls;
  NoteTransfer(health, result);
  if (!result.ok() || !site) {
    ++health.poll_errors;
    ++health.errors_by_kind[std::string(fetch::ErrorKindName(result.error_kind))];
    NoteError(health, entry, result.error, now);
    spdlog::warn("site {}: poll {} failed: {}", entry.site.value_or("-"), entry.url, result.error);
    RecordFailure(entry, result, false);
    return;
  }
  health.last_success = now;
  int added = 0;
  if (!result.not_modified()) {
    added = AddDiscovered(entry, DiscoverLinks(entry, result, *site, health), *site);
    if (site->sitemaps_from_robots) {
      for (const std::string& sitemap : fetcher_.Sitemaps(entry.url))
        AddChildSitemap(entry, sitemap, *site);
    }
  }
  health.discovered += added;
  if (added > 0) health.last_discovery = now;
  // Bounded back-off, for sources that are really quiet: while the site found something
  // new (on any of its sources) within the last quiet_intervals intervals, the source is
  // polled at its interval, so a site publishing a little slower than it is polled is not
  // polled late; after that, each empty poll doubles the interval, up to max_source_backoff
  // times the configured one. Anything new brings it back.
  SourceState& s = Source(entry);
  if (!s.first_polled) s.first_polled = now;
  Time last_news = std::max(health.last_discovery.value_or(*s.first_polled), *s.first_polled);
  bool quiet = now - last_news >= s.every * options_.quiet_intervals;
  s.current = !quiet ? s.every : std::min(s.current * 2, s.every * options_.max_source_backoff);
  spdlog::debug("site {}: polled {} ({}), {} new, next in {}s", site->id, entry.url,
                result.not_modified() ? "not modified" : std::to_string(result.status), added,
                s.current.count() / 1000);
  store::FetchOutcome outcome = SucceededFetch(entry.url, entry.kind, entry.site, result);
  if (result.not_modified()) {
    outcome.etag = entry.etag;
    outcome.last_modified = entry.last_modified;
    outcome.content_hash = entry.content_hash;
  }
  outcome.state = store::FrontierState::kScheduled;
  outcome.next_fetch = Jittered(now, s.current);
  (void)batch_.RecordFetch(std::move(outcome));
}

void Crawler::NoteBreakage(const std::string& site, const Article& article, Time now) {
  SiteHealth& health = health_[site];
  ++health.rule_breakage;
  health.last_breakage = now;
  // Keyed by the rule that broke, its figures (page lengths) written '#': one broken rule
  // counts under one key however many pages it broke on.
  std::string key = FallbackKey(article.provenance);
  if (health.broken_rules.size() >= kMaxBrokenRules && !health.broken_rules.count(key))
    key = kOtherBrokenRules;
  ++health.broken_rules[key];
  if (!health.last_breakage_logged ||
      now - *health.last_breakage_logged >= options_.breakage_log_interval) {
    health.last_breakage_logged = now;
    spdlog::warn(
        "site {}: rules broke, generic extraction stepped in ({} times so far); e.g. {}: {}", site,
        health.rule_breakage, article.url.value_or("-"), RenderFallbackWarning(article.provenance));
  }
}

void Crawler::OnArticleFetched(const FrontierEntry& entry, fetch::FetchResult&& result) {
  SiteHealth& health = HealthOf(entry.site);
  Time now = clock_();
  NoteTransfer(health, result);
  if (!result.ok() || result.not_modified()) {
    ++health.fetch_errors;
    ++health.errors_by_kind[std::string(fetch::ErrorKindName(result.error_kind))];
    NoteError(health, entry, result.error, now);
    spdlog::warn("site {}: fetch {} failed: {}", entry.site.value_or("-"), entry.url, result.error);
    RecordFailure(entry, result, Permanent(result));
    return;
  }
  PageInput page{result.body, entry.url, result.content_type};
  ExtractOptions options;
  options.limits = DomLimitsFrom(config_.limits);
  if (entry.site && sites_.Find(*entry.site)) options.site_id = entry.site;
  options.today = store::LatestPageDay(now);
  auto article = ExtractPage(page, &sites_, options);
  ++health.fetched;
  health.last_success = now;
  // Kept whether or not extraction worked: a page no rule reads today is what a rule
  // fixed tomorrow re-extracts (`gleaner reextract`).
  ArchiveResponse(entry, result);
  if (!article) {
    ++health.extract_errors;
    NoteError(health, entry, "nothing extracted: " + article.error().message, now);
    spdlog::warn("site {}: {}: nothing extracted: {}", entry.site.value_or("-"), entry.url,
                 article.error().message);
    fetch::FetchResult failed = std::move(result);
    failed.error = article.error().message;
    RecordFailure(entry, failed, /*give_up_now=*/true);
    return;
  }
  if (article->provenance.fallback.reason != FallbackReason::kNone && article->site) {
    NoteBreakage(*article->site, *article, now);
  } else if (article->site) {
    health_[*article->site].last_rules_ok = now;
  }
  std::string site_id = article->site.value_or(entry.site.value_or(""));
  if (auto ok = batch_.PutArticle(std::move(*article)); !ok) {
    spdlog::error("site {}: {}: cannot store: {}", site_id, entry.url, ok.error().message);
    return;
  }
  batch_article_sites_.push_back(site_id);
  store::FetchOutcome outcome = SucceededFetch(entry.url, entry.kind, entry.site, result);
  outcome.state = store::FrontierState::kDone;
  outcome.next_fetch = now;
  (void)batch_.RecordFetch(std::move(outcome));
}

Result<void> Crawler::FlushBatch() {
  if (batch_.empty()) {
    WakeHosts();
    return {};
  }
  Time now = clock_();
  auto summary = store_.Write(batch_, now);
  if (!summary) return tl::unexpected(summary.error());  // kept for the next turn
  for (size_t i = 0; i < summary->articles.size() && i < batch_article_sites_.size(); ++i) {
    SiteHealth& h = health_[batch_article_sites_[i]];
    if (summary->articles[i] == store::PutResult::kNew) {
      ++h.new_articles;
      h.last_new_article = now;
    } else if (summary->articles[i] == store::PutResult::kUpdated) {
      ++h.updated_articles;
    }
  }
  batch_.Clear();
  batch_article_sites_.clear();
  FlushArchive(now);
  WakeHosts();
  return {};
}

void Crawler::ArchiveResponse(const FrontierEntry& entry, const fetch::FetchResult& result) {
  if (archive_ == nullptr) return;
  if (result.body.size() > store::kMaxArchivedBody) {  // fetch.max_body allows more
    ++archive_failures_;
    spdlog::warn("archive: {} not archived: {} bytes is over the archive's cap", entry.url,
                 result.body.size());
    return;
  }
  // Dated when its batch is written (FlushArchive).
  archive_batch_.push_back(CaptureOf(entry.url, entry.site, result, Time{}));
}

// Written once the records are: the archive is a separate file, and a record must never
// wait for (or be lost with) its page. A failed write drops the batch's pages, which are
// only ever a copy of what was fetched. Each page is dated `now`, the time its record and
// frontier row were written.
void Crawler::FlushArchive(Time now) {
  if (archive_ == nullptr || archive_batch_.empty()) return;
  for (store::NewCapture& capture : archive_batch_) capture.fetched = now;
  auto added = archive_->Add(archive_batch_);
  if (!added) {
    ++archive_failures_;
    if (!archive_failure_logged_ || now - *archive_failure_logged_ >= kArchiveLogInterval) {
      archive_failure_logged_ = now;
      spdlog::warn("archive {}: {} pages not archived ({} failed writes so far): {}",
                   archive_->path(), archive_batch_.size(), archive_failures_,
                   added.error().message);
    }
  }
  archive_batch_.clear();
}

void Crawler::PruneArchive(Time now) {
  if (archive_ == nullptr || config_.archive_days <= 0) return;
  Time before = now - std::chrono::days(config_.archive_days);
  int64_t pruned = 0;
  for (int round = 0; round < kRetireRounds; ++round) {
    auto n = archive_->Prune(before, kArchivePruneBatch);
    if (!n) {
      spdlog::warn("archive {}: cannot prune old pages: {}", archive_->path(), n.error().message);
      return;
    }
    pruned += *n;
    if (*n < kArchivePruneBatch) break;
  }
  if (pruned > 0) {
    spdlog::info("archive: {} pages older than {} days removed", pruned, config_.archive_days);
  }
}

void Crawler::NoteWake(const std::string& host, Time when) {
  auto [it, added] = pending_wakes_.try_emplace(host, when);
  if (!added) it->second = std::min(it->second, when);
}

void Crawler::WakeHosts() {
  for (const auto& [host, when] : pending_wakes_) {
    if (!host.empty()) hosts_.Wake(host, when);
  }
  pending_wakes_.clear();
}

void Crawler::RetireOldRows(Time now) {
  if (last_retire_ && now - *last_retire_ < kRetireEvery) return;
  last_retire_ = now;
  PruneArchive(now);
  int64_t retired = 0;
  for (int round = 0; round < kRetireRounds; ++round) {
    auto n = store_.RetireDone(now - config_.crawl.retention, kRetireBatch);
    if (!n) {
      spdlog::warn("database: cannot retire old frontier rows: {}", n.error().message);
      return;
    }
    retired += *n;
    if (*n < kRetireBatch) break;
  }
  if (retired > 0)
    spdlog::info("frontier: {} articles done long ago retired (their URLs stay known)", retired);
}

Result<void> Crawler::Step(std::chrono::milliseconds max_wait) {
  if (reseed_ && !draining_) reseed_ = !Seed();
  Time now = clock_();
  // While writes fail (a consumer holds the lock, the disk is full) no new work is taken:
  // the unwritten batch must not grow without bound.
  if (batch_.size() < options_.max_batch_ops) {
    SubmitDue(now);
    if (!draining_) RetireOldRows(now);
  }
  // Wait no longer than until the next host's turn: a completion ends the wait earlier.
  // With the window full, only a completion can let a host take work.
  std::chrono::milliseconds wait = max_wait;
  bool window_full = in_flight_.size() >= static_cast<size_t>(config_.crawl.max_in_flight);
  if (std::optional<Time> next = hosts_.NextDue(); next && !draining_ && !window_full) {
    wait = std::clamp(std::chrono::duration_cast<std::chrono::milliseconds>(*next - clock_()),
                      std::chrono::milliseconds(0), max_wait);
  }
  fetcher_.Poll(wait);
  return FlushBatch();
}

}  // namespace gleaner::schedule
