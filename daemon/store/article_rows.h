// How an Article maps to a row of the `articles` table, shared by the store (writes, export)
// and the queue (claims join articles). Internal to daemon/store, apart from StoredArticle.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "daemon/store/db.h"
#include "daemon/store/json_lists.h"
#include "daemon/store/timestamps.h"
#include "extractors/core/article.h"
#include "extractors/core/result.h"

namespace gleaner::store {

// An article as stored: the record plus what the store knows about it.
struct StoredArticle {
  int64_t id = 0;
  std::string url_key;  // NormalizeUrl(article.url): one article per key
  Article article;
  std::string content_hash;  // ArticleContentHash(article)
  Time first_seen;           // first stored
  Time updated;              // last stored with a changed title or body (first_seen if never)
};

// 16 lower-case hex digits of MurmurHash64A over `bytes`. For change detection between
// versions of one page or article, where 64 bits make a false "unchanged" practically
// impossible; not a cryptographic hash. Stable across runs and builds (stored in the
// database); assumes a little-endian host, as every box gleaner targets is. Thread-safe.
std::string ContentHash(std::string_view bytes);

// The hash whose change makes a stored article "updated" and queued again: its title and
// body. Tickers, related links and warnings change on every fetch of a news page
// and must not re-deliver the article.
std::string ArticleContentHash(const Article& article);

// The column list ReadArticleRow expects, in order, for `SELECT <kArticleColumns> FROM
// articles a`: qualified with the alias `a`.
inline constexpr std::string_view kArticleColumns =
    "a.id, a.url_key, a.url, a.site, a.extractor, a.title, a.author, a.published, a.source, "
    "a.source_url, a.language, a.body, a.related, a.ticker, a.warnings, a.content_hash, "
    "a.first_seen_ms, a.updated_ms";
inline constexpr int kArticleColumnCount = 18;

// Reads the kArticleColumns starting at column `first`. kDatabase when a JSON list column
// does not parse (the file was edited by hand).
Result<StoredArticle> ReadArticleRow(const Statement& row, int first, const std::string& db_path);

}  // namespace gleaner::store
