// Shipping records to the cluster's PostgreSQL: the box's SQLite stays the durable buffer,
// and every new or changed article (store::Store::ChangesAfter) is sent in change order,
// in batches, as idempotent upserts keyed by canonical URL and content version.
//
// Idempotent: a record whose version (content hash) PostgreSQL already holds changes
// nothing and queues nothing, so a batch sent again after a crash (between PostgreSQL's
// commit and the box's cursor write) writes nothing twice. An older version never replaces
// a newer one (a box that was cut off and ships late). A new record, or a new version,
// queues one message for consumers (pg_queue.h), in the batch's order.
//
// This module neither decides when to ship nor keeps the cursor: the agent (agent.h) does.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "daemon/cluster/pg.h"
#include "daemon/store/store.h"
#include "extractors/core/result.h"

namespace gleaner::cluster {

// The cursor name of the cluster's sink in the box's SQLite (store::Store::SinkCursor).
inline constexpr char kSinkName[] = "postgresql";

struct ShipSummary {
  int new_records = 0;
  int updated = 0;
  int unchanged = 0;  // PostgreSQL had this version already
  int rejected = 0;   // refused by PostgreSQL; reported through on_reject and skipped
};

// Upserts `changes` (in their order) in one transaction, as sent by `box`. When PostgreSQL
// refuses the batch because of a value (bad bytes, a NUL), each record is sent again alone
// under a savepoint: the refused ones are passed to `on_reject` with the reason and
// skipped, the others go in. kDatabase when the connection or the server fails; then
// nothing of the batch is stored and the caller sends it again later.
Result<ShipSummary> ShipChanges(
    PgConnection& conn, const std::string& box, const std::vector<store::ArticleChange>& changes,
    const std::function<void(const store::ArticleChange&, const Error&)>& on_reject);

}  // namespace gleaner::cluster
