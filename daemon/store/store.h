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
};
std::string_view FrontierStateName(FrontierState state);  // "scheduled", "done", "failed"

// A URL found on a listing, feed or sitemap (or configured as a start page).
struct DiscoveredUrl {
  std::string url;  // absolute http(s); fetched as given, identified by NormalizeUrl(url)
  std::optional<std::string> site;
  UrlKind kind = UrlKind::kArticle;
  Time next_fetch;  // when it first becomes due
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
  FrontierState state = FrontierState::kScheduled;
  Time next_fetch;
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
};

// Writes collected for one transaction, applied in the order they were added. Each Add
// checks its input and returns kInput (naming the URL) when it cannot be stored; a batch
// only ever holds valid writes. Not thread-safe; cheap to move.
class WriteBatch {
 public:
  // Adds the URL to the frontier unless its normalised form is already there (then nothing
  // changes). kInput when the URL is not absolute http(s).
  Result<void> AddUrl(DiscoveredUrl url);
  // Records a fetch. kInput when the URL is not absolute http(s).
  Result<void> RecordFetch(FetchOutcome outcome);
  // Stores an article (see the file comment). kInput when the record has no absolute
  // http(s) `url`: the store needs one to identify the article.
  Result<void> PutArticle(Article article);

  size_t size() const { return ops_.size(); }
  bool empty() const { return ops_.empty(); }
  void Clear() { ops_.clear(); }

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
  struct ArticleOp {
    std::string key;
    Article article;
  };
  std::vector<std::variant<UrlOp, FetchOp, ArticleOp>> ops_;
};

enum class PutResult { kNew, kUpdated, kUnchanged };

struct WriteSummary {
  int urls_added = 0;  // AddUrl calls that added a URL
  int articles_new = 0;
  int articles_updated = 0;
  int articles_unchanged = 0;
  std::vector<PutResult> articles;  // one per PutArticle, in order
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

  // Calls `visit` for each article matching `filter`, oldest update first, from one
  // consistent snapshot; stops early when `visit` returns false. Articles are read one at a
  // time (memory does not grow with the database). kDatabase on failure.
  Result<void> ForEachArticle(const ArticleFilter& filter,
                              const std::function<bool(const StoredArticle&)>& visit);

  // Up to `limit` scheduled URLs whose next fetch is at or before `now` (of `site` only,
  // when given), earliest first. kDatabase on failure.
  Result<std::vector<FrontierEntry>> DueUrls(Time now, int limit,
                                             const std::optional<std::string>& site = {});

  // The frontier entry for the URL's normalised form; nullopt if none. kDatabase on failure.
  Result<std::optional<FrontierEntry>> FindUrl(std::string_view url);

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
