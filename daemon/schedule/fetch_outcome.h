// What a successful fetch writes into the frontier, shared by the crawler and
// `gleaner fetch --store` so that both record a page the same way. No I/O of its own
// except StoreFetchedArticle and ArchiveFetched, which write through the store and the
// archive.
#pragma once

#include <optional>
#include <string>

#include "daemon/fetch/fetcher.h"
#include "daemon/store/archive.h"
#include "daemon/store/store.h"
#include "extractors/core/article.h"
#include "extractors/core/result.h"

namespace gleaner::schedule {

// The frontier record of a successful fetch of `url`: its status, validators and content
// hash from `result`. The caller sets state and next_fetch (and, after a 304, passes the
// stored validators and hash back).
store::FetchOutcome SucceededFetch(const std::string& url, store::UrlKind kind,
                                   const std::optional<std::string>& site,
                                   const fetch::FetchResult& result);

// Stores `article`, fetched from `url` as `result`, in the database at `database` (created
// if missing) in one transaction, as the crawler would: the record is stored (and queued
// when new or changed) and the frontier entry of `url` marked done with the new
// validators. kInput or kDatabase from opening or writing the store. Safe while the
// daemon runs (the store serialises writers).
Result<void> StoreFetchedArticle(const std::string& database, const std::string& url,
                                 const fetch::FetchResult& result, const Article& article);

// The archive's capture of the response `result` of `url` (fetched for `site`, if known) at
// `fetched`: its final URL (`url` without a redirect), status, head and body.
store::NewCapture CaptureOf(const std::string& url, const std::optional<std::string>& site,
                            const fetch::FetchResult& result, store::Time fetched);

// Archives the response `result` of `url` (fetched for `site`, if known) in the archive
// that goes with the database at `database` (store::ArchivePathFor; created if missing), as
// the crawler does at `now`. A page unchanged since its last capture is not stored again.
// kInput or kDatabase from opening or writing the archive. Safe while the daemon runs.
Result<void> ArchiveFetched(const std::string& database, const std::string& url,
                            const std::optional<std::string>& site,
                            const fetch::FetchResult& result, store::Time now);

}  // namespace gleaner::schedule
