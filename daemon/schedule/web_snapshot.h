// The crawler's figures as the web server shows them (web/snapshot.h): a copy taken on the
// crawler's thread, handed whole to the server's.
#pragma once

#include <memory>

#include "daemon/fetch/fetcher.h"
#include "daemon/schedule/crawler.h"
#include "daemon/web/snapshot.h"

namespace gleaner::schedule {

// Copies the health, recent errors and paused hosts of `crawler` and `fetcher` as of
// `now`, with each site's state (web::StateOf). `started`: when the daemon started.
// REQUIRES: called on the thread that drives `crawler` and `fetcher`.
std::shared_ptr<const web::Snapshot> SnapshotOf(const Crawler& crawler,
                                                const fetch::Fetcher& fetcher, Time started,
                                                Time now);

}  // namespace gleaner::schedule
