// gleaner's SQLite store: the crawl frontier, the articles (one per normalised URL) and
// the consumer queue (queue.h), in one database file.
//
// Writes go through a WriteBatch applied in one transaction: all of it is stored or none
// (a killed process, a full disk or a read-only file leave no half-written batch). Storing
// an article again with the same title and body changes nothing; with a changed title or
// body it replaces the stored record and queues it again as an update.
//
// The daemon opens one Store (kCreate) and keeps it as its only writer connection; consumer
// processes and `export` open their own connections and work at the same time (WAL).
// This module does not decide when URLs are due or how often to retry: callers pass
// next-fetch times and states; it only records them.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "daemon/store/article_rows.h"
#include "daemon/store/db.h"
#include "daemon/store/queue.h"
#include "daemon/store/timestamps.h"
#include "extractors/core/article.h"
#include "extractors/core/result.h"

namespace gleaner::store {

// What a frontier URL points to; decides how the daemon reads the page.
enum class UrlKind { kListing, kFeed, kSitemap, kArticle };
// "listing", "feed", "sitemap", "article".
std::string_view UrlKindName(UrlKind kind);
std::optional<UrlKind> ParseUrlKind(std::string_view name);

enum class FrontierState {
  kScheduled,  // to be fetched at next_fetch
  kDone,       // nothing more to fetch (an article stored)
  kFailed,     // given up (the daemon decides when)
  kParked,     // its site (or, for a source, its configured root) is no longer configured
};
// "scheduled", "done", "failed", "parked".
std::string_view FrontierStateName(FrontierState state);

// The order in which a host's due URLs are fetched: lower first, then by next fetch time.
// Freshness first: polls, then articles a listing or feed just announced, then backlog
// (articles read from sitemaps).
enum class Priority { kSource = 0, kFresh = 1, kBacklog = 2 };

// The host a frontier URL is fetched from, as the fetcher's politeness knows it: the
// lower-case host of the normalised URL, without port or user info. "" when `url` is not
// absolute http(s).
std::string HostOf(std::string_view url);

// A URL found on a listing, feed or sitemap (or configured as a start page).
struct DiscoveredUrl {
  std::string url;  // absolute http(s); fetched as given, identified by NormalizeUrl(url)
  std::optional<std::string> site;
  UrlKind kind = UrlKind::kArticle;
  Time next_fetch;  // when it first becomes due
  // Articles: kFresh or kBacklog. Sources are always stored as kSource. An article already
  // scheduled with a later priority is moved up to this one (a backlog article that a feed
  // announces becomes fresh); nothing else about an existing row changes.
  Priority priority = Priority::kFresh;
  // Sources: how far below a configured source this one was found (0: configured), and
  // the URL of that configured source (nullopt: the source itself). Unused for articles.
  int depth = 0;
  std::optional<std::string> root;
};

// The result of one fetch of a frontier URL, and what to do next.
struct FetchOutcome {
  std::string url;  // any spelling with the frontier entry's normalised form
  // Used only if the URL is not in the frontier yet (then it is added).
  std::optional<std::string> site;
  UrlKind kind = UrlKind::kArticle;

  bool ok = false;                   // success resets `attempts`; a failure adds one
  std::optional<int> status;         // HTTP status; nullopt when no response came
  std::optional<std::string> error;  // what went wrong; nullopt on success
  // On success the validators and hash replace the stored ones (nullopt clears them; pass
  // the old ones back after a 304). On failure they are left as they were.
  std::optional<std::string> etag;
  std::optional<std::string> last_modified;
  std::optional<std::string> content_hash;   // ContentHash(body)
  std::optional<std::string> canonical_url;  // the page's rel=canonical; nullopt keeps the old
  // The row's new state; a parked row stays parked when this is kScheduled (its site was
  // removed while the fetch was in flight).
  FrontierState state = FrontierState::kScheduled;
  Time next_fetch;
  // A pause, not a try (the host asked us to wait, or its breaker is open: nothing was
  // sent): only next_fetch and last_error change; attempts, status, validators and the
  // state stay as they were.
  bool deferred = false;
};

struct FrontierEntry {
  int64_t id = 0;
  std::string url;      // as discovered
  std::string url_key;  // NormalizeUrl(url)
  std::optional<std::string> canonical_url;
  std::optional<std::string> site;
  UrlKind kind = UrlKind::kArticle;
  FrontierState state = FrontierState::kScheduled;
  Time next_fetch;
  int attempts = 0;  // failed fetches since the last success
  std::optional<int> last_status;
  std::optional<std::string> last_error;
  std::optional<std::string> etag;
  std::optional<std::string> last_modified;
  std::optional<std::string> content_hash;
  Time discovered;
  std::optional<Time> fetched;
  std::string host;  // HostOf(url_key)
  Priority priority = Priority::kFresh;
  int depth = 0;                    // sources: levels below the configured source
  std::optional<std::string> root;  // sources: url_key of that configured source
};

// One site's frontier, for `gleaner status`.
struct SiteFrontier {
  std::string site;
  int64_t backlog = 0;            // scheduled articles due now
  int64_t waiting = 0;            // scheduled articles due later (retries)
  int64_t parked = 0;             // rows parked (site or source no longer configured)
  std::optional<Time> next_poll;  // the earliest scheduled source poll
};

// Writes collected for one transaction, applied in the order they were added. Each Add
// checks its input and returns kInput (naming the URL) when it cannot be stored; a batch
// only ever holds valid writes. Not thread-safe; cheap to move.
class WriteBatch {
 public:
  // Adds the URL to the frontier unless its normalised form is already there or was retired
  // (RetireDone). An article already scheduled with a later priority is moved up to this
  // one; nothing else about an existing row changes. Sources are stored as kSource;
  // articles keep no depth or root. kInput when the URL, or the root, is not absolute
  // http(s).
  Result<void> AddUrl(DiscoveredUrl url);
  // Records a fetch (see FetchOutcome). kInput when the URL is not absolute http(s).
  Result<void> RecordFetch(FetchOutcome outcome);
  // Stores an article (see the file comment). kInput when the record has no absolute
  // http(s) `url`: the store needs one to identify the article.
  Result<void> PutArticle(Article article);

  size_t size() const { return ops_.size(); }
  bool empty() const { return ops_.empty(); }
  // Empties the batch. A batch that grew large (a big sitemap's URLs) gives its memory
  // back rather than keeping it for the daemon's lifetime.
  void Clear();

 private:
  friend class Store;
  struct UrlOp {
    std::string key;
    DiscoveredUrl url;
  };
  struct FetchOp {
    std::string key;
    FetchOutcome outcome;
  };
  // The article lives on the heap: a variant is as large as its largest alternative, and
  // a big sitemap's poll fills a batch with thousands of UrlOps that would each carry an
  // Article's worth of unused bytes.
  struct ArticleOp {
    std::string key;
    std::unique_ptr<const Article> article;
  };
  std::vector<std::variant<UrlOp, FetchOp, ArticleOp>> ops_;
};

enum class PutResult { kNew, kUpdated, kUnchanged };

struct WriteSummary {
  int urls_added = 0;  // AddUrl calls that added a row (not those that moved one up)
  int articles_new = 0;
  int articles_updated = 0;
  int articles_unchanged = 0;
  std::vector<PutResult> articles;  // one per PutArticle, in order
};

// ForEachArticle's pages: small enough that each read transaction is short and a page of
// big articles stays a few MB in memory, large enough that the per-page query costs little.
inline constexpr int64_t kExportPageRows = 256;
inline constexpr size_t kExportPageBytes = 4u << 20;

// One article as a sink receives it: its change number and the stored record.
struct ArticleChange {
  int64_t seq = 0;
  StoredArticle stored;
};

// Which articles `export` prints.
struct ArticleFilter {
  std::optional<Time> since;  // stored or updated at or after this time
  std::optional<std::string> site;
};

class Store {
 public:
  // Opens the database at `path`. kCreate and kReadWrite migrate it to kSchemaVersion;
  // kReadOnly requires it to be at kSchemaVersion already. Returns kInput when a
  // kReadOnly/kReadWrite file does not exist, kDatabase naming the path when the file is not
  // a (gleaner) database, is newer than this binary, or cannot be opened; the file is never
  // modified in those cases.
  static Result<Store> Open(const std::string& path, OpenMode mode);

  Store(Store&&) noexcept = default;
  Store& operator=(Store&&) noexcept = default;

  // Applies the batch in one BEGIN IMMEDIATE transaction (waiting up to kBusyTimeout for
  // the write lock). On kDatabase failure (disk full, read-only, locked) nothing of the batch
  // was written. An empty batch does nothing and opens no transaction.
  Result<WriteSummary> Write(const WriteBatch& batch, Time now);

  // The article stored for the URL's normalised form; nullopt if none (or the URL is not
  // absolute http(s)). kDatabase on failure.
  Result<std::optional<StoredArticle>> FindArticle(std::string_view url);

  // Calls `visit` for each article matching `filter`, oldest update first; stops early when
  // `visit` returns false. Reads pages of at most kExportPageRows articles (or about
  // kExportPageBytes of bodies), each in its own read transaction that ends before `visit`
  // sees its rows, so a slow visitor never holds a snapshot: memory does not grow with the
  // database, and writers can checkpoint the WAL meanwhile. Not one snapshot: an article
  // stored or updated while the walk runs is visited when the walk reaches its update time
  // (an updated one may be visited twice, its newer version later); nothing that exists
  // when the walk starts and is not deleted is missed. kDatabase on failure.
  Result<void> ForEachArticle(const ArticleFilter& filter,
                              const std::function<bool(const StoredArticle&)>& visit);

  // Up to `limit` scheduled URLs of `host` due at or before `now`, by priority, then next
  // fetch time, then id (discovery order); empty when limit <= 0. An index range: its cost
  // does not grow with the rows of other hosts nor with the host's rows not due. kDatabase
  // on failure.
  Result<std::vector<FrontierEntry>> DueForHost(const std::string& host, Time now, int limit);

  // The earliest next fetch among the host's scheduled URLs; nullopt when it has none.
  // A few index look-ups. kDatabase on failure.
  Result<std::optional<Time>> NextDueForHost(const std::string& host);

  // Every host with scheduled URLs and its earliest next fetch, sorted by host. Costs a few
  // index look-ups per host (a skip over the index), not a scan of the rows. kDatabase on
  // failure.
  Result<std::vector<std::pair<std::string, Time>>> HostsWithWork();

  // The frontier entry for the URL's normalised form; nullopt if none. kDatabase on failure.
  Result<std::optional<FrontierEntry>> FindUrl(std::string_view url);

  // The frontier entry with row id `id`; nullopt if none. kDatabase on failure.
  Result<std::optional<FrontierEntry>> FindFrontierId(int64_t id);

  // Whether the URL was ever seen: in the frontier, or retired from it (RetireDone). Such a
  // URL is never added again. False for a URL that is not absolute http(s). kDatabase on
  // failure.
  Result<bool> Known(std::string_view url);

  // The sites that have frontier rows (any state), sorted, for a reload to find the removed
  // ones. A skip over the site index. kDatabase on failure.
  Result<std::vector<std::string>> FrontierSites();

  // Parks (`parked`) every scheduled row of `site`, or schedules its parked rows again
  // (next fetch: as it was). Returns the rows changed. kDatabase on failure.
  Result<int64_t> SetSiteParked(const std::string& site, bool parked);

  // A site's sources follow its file: its scheduled source rows whose configured root (the
  // row itself at depth 0) is not among `configured` (URLs, any spelling; those that are not
  // http(s) are ignored) are parked, and parked ones whose root is among them are scheduled
  // again. Articles are left alone. In one transaction. Returns the rows changed.
  // REQUIRES: the site is configured (a removed site is parked whole with SetSiteParked,
  // which this would partly undo). kDatabase on failure.
  Result<int64_t> SyncSources(const std::string& site, const std::vector<std::string>& configured);

  // Moves up to `limit` article rows done (fetched) before `before`, oldest first, out of the
  // frontier, in one transaction; their normalised URLs stay in a compact table of retired
  // identities, so Known() still knows them and AddUrl never brings them back (FindUrl no
  // longer finds them). Returns how many left (0 when limit <= 0). kDatabase on failure.
  Result<int64_t> RetireDone(Time before, int limit);

  // Per site: backlog, retries waiting, parked rows and the next poll (`gleaner status`).
  // Reads every scheduled row once; meant for the status command, not the crawl loop.
  Result<std::vector<SiteFrontier>> SiteFrontiers(Time now);

  // --- Changes for a sink (store_sink.cc) ---
  // Every new or changed article takes the next change number in its write transaction.

  // Up to `limit` articles whose change number is above `after`, in change order, from one
  // read transaction. kDatabase on failure.
  Result<std::vector<ArticleChange>> ChangesAfter(int64_t after, int limit);
  // The last change number sink `name` holds (0 when it holds none yet). kDatabase on failure.
  Result<int64_t> SinkCursor(const std::string& name);
  // Records that sink `name` holds every change up to `seq`. kDatabase on failure.
  Result<void> SetSinkCursor(const std::string& name, int64_t seq);
  // Changes sink `name` does not hold yet. An index range count. kDatabase on failure.
  Result<int64_t> SinkBacklog(const std::string& name);
  // Records that the articles with these normalised URLs were fetched elsewhere (another box
  // of the cluster): Known() is true for them, no discovery adds them, and those waiting in
  // the frontier (scheduled or parked) are done. Returns how many were not known yet. In one
  // transaction. kDatabase on failure.
  Result<int64_t> AddKnown(const std::vector<std::string>& url_keys);

  Queue& queue() { return *queue_; }
  // The connection itself: for the store's own modules and for tests that need a pragma.
  Database& database() { return *db_; }

 private:
  explicit Store(std::unique_ptr<Database> db);
  Result<void> Apply(const WriteBatch::UrlOp& op, Time now, WriteSummary& summary);
  Result<void> Apply(const WriteBatch::FetchOp& op, Time now, WriteSummary& summary);
  Result<void> Apply(const WriteBatch::ArticleOp& op, Time now, WriteSummary& summary);
  Result<PutResult> PutArticle(const std::string& key, const Article& article, Time now);

  std::unique_ptr<Database> db_;
  std::unique_ptr<Queue> queue_;  // borrows *db_, whose address survives a move of Store
};

}  // namespace gleaner::store
