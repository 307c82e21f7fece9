// The figures the web server reads from the database itself (snapshot.h's DbFigures): the
// queue by state, each site's backlog and its new articles per hour over the last week.
// Runs on the server's thread, on a read-only connection of its own: the daemon's writer
// is never waited on (WAL readers do not block the writer, nor it them).
#pragma once

#include <memory>
#include <string>

#include "daemon/store/db.h"
#include "daemon/web/snapshot.h"
#include "extractors/core/result.h"

namespace gleaner::web {

// A read-only view of the daemon's database. Not thread-safe: one thread uses it.
class DbReader {
 public:
  explicit DbReader(std::string database) : path_(std::move(database)) {}

  // Reads the figures as of `now` (the hour `now` falls in is the chart's last slot). Opens
  // the database on first use, and again after a failure. kInput when the file does not
  // exist yet, kDatabase naming it when it cannot be read; the caller shows the error and
  // asks again later.
  Result<DbFigures> Read(Time now);

 private:
  std::string path_;
  std::unique_ptr<store::Database> db_;
};

}  // namespace gleaner::web
