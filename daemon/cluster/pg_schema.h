// The tables gleaner owns in a cluster's PostgreSQL, and their migrations, versioned like
// the SQLite schema: a database whose schema is newer than this binary is refused.
//
//   gleaner_schema    the version (one row)
//   gleaner_articles  one record per canonical URL: its latest version, the box that sent it
//   gleaner_queue     the consumer queue (pg_queue.h), one message per new or changed record
//   gleaner_boxes     each box's heartbeat and shipping backlog
//   gleaner_leases    which box holds each site, until when
//
// Times are milliseconds since the epoch (bigint), read from the server's clock (kNowMs),
// so that boxes and consumers with skewed clocks agree on leases.
#pragma once

#include "daemon/cluster/pg.h"
#include "extractors/core/result.h"

namespace gleaner::cluster {

inline constexpr int kPgSchemaVersion = 1;

// The server's clock, in milliseconds since the epoch, as SQL.
inline constexpr char kNowMs[] = "(extract(epoch from clock_timestamp()) * 1000)::bigint";

// Creates or migrates the tables to kPgSchemaVersion, under an advisory lock so that boxes
// starting together do not race. kDatabase naming the server when the schema is newer than
// this binary knows (nothing is changed then) or a statement fails.
Result<void> MigratePg(PgConnection& conn);

// The version of gleaner's tables there (0: none yet), without changing anything.
// kDatabase when it is newer than this binary knows or the query fails.
Result<int> PgSchemaVersion(PgConnection& conn);

// Connects and migrates: what every user of the cluster's database does first.
// `application_name` shows in pg_stat_activity ("gleaner box-a", "gleaner queue").
Result<PgConnection> OpenCluster(const std::string& conninfo, const std::string& application_name);

}  // namespace gleaner::cluster
