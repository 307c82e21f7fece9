#include "daemon/schedule/crawler.h"

#include <zlib.h>

#include <algorithm>

#include <spdlog/spdlog.h>

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
  if (r.error_kind == FetchErrorKind::kRobots || r.error_kind == FetchErrorKind::kScheme ||
      r.error_kind == FetchErrorKind::kContentType || r.error_kind == FetchErrorKind::kTooLarge) {
    return true;
  }
  return r.error_kind == FetchErrorKind::kHttpStatus && r.status >= 400 && r.status < 500 &&
         r.status != 408 && r.status != 429;
}

}  // namespace

store::FetchOutcome SucceededFetch(const std::string& url, UrlKind kind, const std::optional<std::string>& site,
                                   const fetch::FetchResult& result) {
  store::FetchOutcome outcome;
  outcome.url = url;
  outcome.kind = kind;
  outcome.site = site;
  outcome.ok = true;
  outcome.status = result.status;
  outcome.etag = result.etag;
  outcome.last_modified = result.last_modified;
  outcome.content_hash = store::ContentHash(result.body);
  return outcome;
}

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
  return now + interval + std::chrono::milliseconds(static_cast<int64_t>(interval.count() * extra(random_)));
}

SiteHealth& Crawler::HealthOf(const std::optional<std::string>& site) { return health_[site.value_or("")]; }

Result<void> Crawler::Seed() {
  Time now = clock_();
  for (const rules::SiteRules& site : sites_.sites()) {
    health_[site.id];  // every configured site shows in status, even before its first poll
    for (const rules::PollSource& source : site.sources) {
      UrlKind kind = source.kind == rules::SourceKind::kListing ? UrlKind::kListing
                     : source.kind == rules::SourceKind::kFeed  ? UrlKind::kFeed
                                                                : UrlKind::kSitemap;
      sources_[KeyOf(source.url)] = {source.every, source.every};
      if (auto ok = batch_.AddUrl({source.url, site.id, kind, now}); !ok) {
        spdlog::error("site {}: source {} refused: {}", site.id, source.url, ok.error().message);
      }
    }
  }
  return FlushBatch();
}

Result<void> Crawler::Reload(const Config& config, rules::SiteSet sites) {
  config_ = config;
  sites_ = std::move(sites);
  return Seed();
}

Crawler::SourceState& Crawler::Source(const FrontierEntry& entry) {
  auto it = sources_.find(entry.url_key);
  if (it != sources_.end()) return it->second;
  // A sitemap found in an index or robots.txt, or a source from an earlier configuration.
  std::chrono::milliseconds every = kDiscoveredSitemapEvery;
  return sources_[entry.url_key] = {every, every};
}

void Crawler::SubmitDue(Time now) {
  if (draining_ || in_flight_.size() >= options_.max_in_flight) return;
  int room = static_cast<int>(options_.max_in_flight - in_flight_.size());
  // Ask for more than there is room for: some due rows are already in flight.
  auto due = store_.DueUrls(now, room + static_cast<int>(in_flight_.size()));
  if (!due) {
    spdlog::error("cannot read the frontier: {}", due.error().message);
    return;
  }
  for (const FrontierEntry& entry : *due) {
    if (in_flight_.size() >= options_.max_in_flight) break;
    if (in_flight_.count(entry.url_key)) continue;
    if (entry.site && !sites_.Find(*entry.site)) continue;  // a site removed from sites/
    Submit(entry);
  }
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
  fetcher_.Submit(std::move(request), [this, entry](fetch::FetchResult&& result) {
    in_flight_.erase(entry.url_key);
    if (marker_ != nullptr) marker_->Begin(entry.url);
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
  });
}

Result<void> Crawler::RecordCrash(const std::string& url) {
  auto found = store_.FindUrl(url);
  if (!found) return tl::unexpected(found.error());
  // Only a due page is ever in hand; anything else was dealt with since.
  if (!*found || (*found)->state != store::FrontierState::kScheduled) return {};
  const FrontierEntry& entry = **found;
  // Twice in a row: the page, not bad luck (a SIGKILL, the OOM killer) is the likelier cause.
  bool again = entry.last_error == std::optional<std::string>(kCrashError);
  bool article = entry.kind == UrlKind::kArticle;
  spdlog::error("site {}: {}: the last run died while processing this page; {}", entry.site.value_or("-"),
                entry.url,
                !again ? "it is tried again at once"
                : article ? "the run before died on it too: given up"
                          : "the run before died on it too: polled again at its next interval");
  Time now = clock_();
  SiteHealth& health = HealthOf(entry.site);
  ++(article ? health.extract_errors : health.poll_errors);
  NoteError(health, now);
  fetch::FetchResult failed;
  failed.error = kCrashError;
  if (again) {
    RecordFailure(entry, failed, /*give_up_now=*/article);
  } else {
    RecordFailure(entry, failed, /*give_up_now=*/false, /*retry_at=*/now);
  }
  return FlushBatch();
}

void Crawler::NoteError(SiteHealth& health, Time now) {
  health.recent_errors.push_back(now);
  auto cutoff = now - std::chrono::hours(1);
  auto& v = health.recent_errors;
  v.erase(v.begin(), std::find_if(v.begin(), v.end(), [&](Time t) { return t >= cutoff; }));
}

int64_t Crawler::ErrorsLastHour() {
  Time cutoff = clock_() - std::chrono::hours(1);
  int64_t n = 0;
  for (auto& [site, h] : health_) {
    n += std::count_if(h.recent_errors.begin(), h.recent_errors.end(), [&](Time t) { return t >= cutoff; });
  }
  return n;
}

void Crawler::RecordFailure(const FrontierEntry& entry, const fetch::FetchResult& result, bool give_up_now,
                            std::optional<Time> retry_at) {
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
    outcome.next_fetch = Jittered(now, std::max<std::chrono::milliseconds>(s.every, kMinSourceRetry));
  }
  if (retry_at) outcome.next_fetch = *retry_at;
  if (auto ok = batch_.RecordFetch(std::move(outcome)); !ok) {
    spdlog::error("site {}: {}: cannot record the failure: {}", entry.site.value_or("-"), entry.url, ok.error().message);
  }
}

std::vector<std::string> Crawler::DiscoverLinks(const FrontierEntry& entry, const fetch::FetchResult& result,
                                                const rules::SiteRules& site, SiteHealth& health) {
  std::string base = result.final_url.empty() ? entry.url : result.final_url;
  if (entry.kind == UrlKind::kListing) {
    html::DecodedPage page = html::DecodeToUtf8(result.body, result.content_type.value_or(""));
    auto doc = html::ParseHtml(page.utf8, DomLimitsFrom(config_.limits));
    if (!doc) {
      spdlog::warn("site {}: listing {}: {}", site.id, entry.url, doc.error().message);
      ++health.poll_errors;
      return {};
    }
    return feeds::ListingLinks(*doc, base);
  }
  std::string inflated;
  std::string_view xml = result.body;
  if (IsGzip(xml)) {
    auto out = Gunzip(xml);
    if (!out) {
      spdlog::warn("site {}: {}: corrupt or oversized gzip", site.id, entry.url);
      ++health.poll_errors;
      return {};
    }
    inflated = std::move(*out);
    xml = inflated;
  }
  auto feed = feeds::ParseFeed(xml, base);
  if (!feed) {
    spdlog::warn("site {}: {}: {}", site.id, entry.url, feed.error().message);
    ++health.poll_errors;
    return {};
  }
  for (const std::string& w : feed->warnings) spdlog::warn("site {}: {}: {}", site.id, entry.url, w);
  std::vector<std::string> links;
  for (const feeds::FeedEntry& e : feed->entries) {
    if (feed->kind == feeds::FeedKind::kSitemapIndex) {
      // Child sitemaps become sources of their own.
      if (!store_.FindUrl(e.url).value_or(std::nullopt)) {
        (void)batch_.AddUrl({e.url, site.id, UrlKind::kSitemap, clock_()});
      }
      continue;
    }
    links.push_back(e.url);
  }
  return links;
}

void Crawler::OnSourceFetched(const FrontierEntry& entry, fetch::FetchResult&& result) {
  SiteHealth& health = HealthOf(entry.site);
  const rules::SiteRules* site = entry.site ? sites_.Find(*entry.site) : nullptr;
  Time now = clock_();
  ++health.polls;
  if (!result.ok() || !site) {
    ++health.poll_errors;
    ++health.errors_by_kind[std::string(fetch::ErrorKindName(result.error_kind))];
    NoteError(health, now);
    spdlog::warn("site {}: poll {} failed: {}", entry.site.value_or("-"), entry.url, result.error);
    RecordFailure(entry, result, false);
    return;
  }
  int added = 0;
  if (!result.not_modified()) {
    for (const std::string& url : DiscoverLinks(entry, result, *site, health)) {
      if (!site->IsArticleUrl(url)) continue;
      auto known = store_.FindUrl(url);
      if (!known || *known) continue;  // already in the frontier (or unreadable: next poll)
      if (batch_.AddUrl({url, site->id, UrlKind::kArticle, now})) ++added;
    }
    for (const std::string& sitemap : site->sitemaps_from_robots ? fetcher_.Sitemaps(entry.url)
                                                                  : std::vector<std::string>{}) {
      if (!store_.FindUrl(sitemap).value_or(std::nullopt)) {
        (void)batch_.AddUrl({sitemap, site->id, UrlKind::kSitemap, now});
      }
    }
  }
  health.discovered += added;
  // Bounded back-off: nothing new doubles the interval (up to max_source_backoff times the
  // configured one); anything new brings it back.
  SourceState& s = Source(entry);
  s.current = added > 0 ? s.every : std::min(s.current * 2, s.every * options_.max_source_backoff);
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
  std::string why = article.warnings.empty() ? "rules under-delivered" : article.warnings.back();
  for (const std::string& w : article.warnings) {
    if (w.find("matched nothing") != std::string::npos || w.find("far shorter") != std::string::npos) why = w;
  }
  ++health.broken_rules[why];
  if (!health.last_breakage_logged || now - *health.last_breakage_logged >= options_.breakage_log_interval) {
    health.last_breakage_logged = now;
    spdlog::warn("site {}: rules broke, generic extraction stepped in ({} times so far); e.g. {}: {}", site,
                 health.rule_breakage, article.url.value_or("-"), why);
  }
}

void Crawler::OnArticleFetched(const FrontierEntry& entry, fetch::FetchResult&& result) {
  SiteHealth& health = HealthOf(entry.site);
  Time now = clock_();
  if (!result.ok() || result.not_modified()) {
    ++health.fetch_errors;
    ++health.errors_by_kind[std::string(fetch::ErrorKindName(result.error_kind))];
    NoteError(health, now);
    spdlog::warn("site {}: fetch {} failed: {}", entry.site.value_or("-"), entry.url, result.error);
    RecordFailure(entry, result, Permanent(result));
    return;
  }
  PageInput page{result.body, entry.url, result.content_type};
  ExtractOptions options;
  options.limits = DomLimitsFrom(config_.limits);
  if (entry.site && sites_.Find(*entry.site)) options.site_id = entry.site;
  auto article = ExtractPage(page, &sites_, options);
  ++health.fetched;
  if (!article) {
    ++health.extract_errors;
    NoteError(health, now);
    spdlog::warn("site {}: {}: nothing extracted: {}", entry.site.value_or("-"), entry.url, article.error().message);
    fetch::FetchResult failed = std::move(result);
    failed.error = article.error().message;
    RecordFailure(entry, failed, /*give_up_now=*/true);
    return;
  }
  if (article->extractor.find("+generic") != std::string::npos && article->site) {
    NoteBreakage(*article->site, *article, now);
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
  if (batch_.empty()) return {};
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
  return {};
}

Result<void> Crawler::Step(std::chrono::milliseconds max_wait) {
  // While writes fail (a consumer holds the lock, the disk is full) no new work is taken:
  // the unwritten batch must not grow without bound.
  if (batch_.size() < options_.max_batch_ops) SubmitDue(clock_());
  fetcher_.Poll(max_wait);
  return FlushBatch();
}

}  // namespace gleaner::schedule
