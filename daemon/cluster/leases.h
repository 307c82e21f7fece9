// Which box crawls which site: rendezvous hashing splits the sites among the live boxes,
// and a lease row in PostgreSQL makes the split hold, one box per site at a time.
//
// Rendezvous (highest random weight) hashing: each site goes to the live box with the
// highest Score(site, box). Every box computes the same split from the same list of live
// boxes; when a box joins or leaves, only the sites it wins or held move (about 1/n of them).
//
// A lease says "box B holds site S until T" (the server's clock). The holder renews it well
// within its length; another box may take it only once it has expired, so a host is
// fetched by one box at a time and politeness holds across boxes. A box gives up (deletes)
// the leases of sites the split moves away, after it has stopped crawling them.
#pragma once

#include <chrono>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "daemon/cluster/pg.h"
#include "extractors/core/result.h"

namespace gleaner::cluster {

// A 64-bit score, the same on every box and build (FNV-1a over site, a NUL and box, then a
// 64-bit finaliser so that similar names spread). Thread-safe.
uint64_t RendezvousScore(const std::string& site, const std::string& box);

// The box among `boxes` with the highest score for `site` (ties: the smaller name); "" when
// `boxes` is empty.
std::string OwnerOf(const std::string& site, const std::vector<std::string>& boxes);

// The sites among `sites` that `box` owns when `boxes` (which should include it) are live.
std::set<std::string> SitesOwnedBy(const std::string& box, const std::vector<std::string>& sites,
                                   const std::vector<std::string>& boxes);

// One box as the cluster's database knows it.
struct BoxRow {
  std::string box;
  int64_t heartbeat_ms = 0;
  int64_t backlog = 0;             // records waiting in its SQLite
  bool live = false;               // heartbeat within the lease
  std::vector<std::string> sites;  // leases it holds, unexpired
};

// Records `box`'s heartbeat (now, on the server's clock) with its shipping backlog;
// `connected_ms` is when its current connection began. Returns the server's time, ms.
Result<int64_t> Heartbeat(PgConnection& conn, const std::string& box, int64_t connected_ms,
                          int64_t backlog);

// The boxes whose last heartbeat is within `lease` of now, sorted.
Result<std::vector<std::string>> LiveBoxes(PgConnection& conn, std::chrono::milliseconds lease);

// Takes or renews the leases of `sites` for `box` until now + `lease`: a site is taken when
// no box holds it, renewed when `box` holds it, and taken from another box only when
// `take_expired` and that box's lease has ended. Returns the sites `box` holds afterwards
// among `sites`.
Result<std::set<std::string>> AcquireLeases(PgConnection& conn, const std::string& box,
                                            const std::set<std::string>& sites,
                                            std::chrono::milliseconds lease, bool take_expired);

// Deletes `box`'s leases of `sites`, so that their new owner may take them at once.
Result<void> ReleaseLeases(PgConnection& conn, const std::string& box,
                           const std::set<std::string>& sites);

// The normalised URLs PostgreSQL holds for the articles of `sites`: what a box taking them
// over must not fetch again.
Result<std::vector<std::string>> KnownUrls(PgConnection& conn, const std::set<std::string>& sites);

// Every box with its heartbeat, backlog and unexpired leases, for `gleaner status`.
Result<std::vector<BoxRow>> Boxes(PgConnection& conn, std::chrono::milliseconds lease);

}  // namespace gleaner::cluster
