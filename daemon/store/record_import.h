// Importing article records, as `gleaner extract` prints them, from a text stream into the
// store (and so into the consumer queue), in batches: `gleaner store`. Reads the stream it
// is given and writes through the Store; prints nothing.
#pragma once

#include <cstddef>
#include <functional>
#include <istream>

#include "daemon/store/store.h"
#include "extractors/core/result.h"

namespace gleaner::store {

// Records per transaction: one fsync per batch keeps a long pipe fast, and a batch holds the
// write lock only for milliseconds, so the daemon and consumers are not kept waiting.
inline constexpr size_t kRecordsPerBatch = 500;

// What one stream held, record by record.
struct ImportCounts {
  int records = 0;    // records read (bad and skipped ones included)
  int added = 0;      // stored for the first time
  int updated = 0;    // stored again with a changed title or body (queued again)
  int unchanged = 0;  // already stored as they are
  int skipped = 0;    // `gleaner extract`'s failure lines ({"file", "error", "exit"})
  int bad = 0;        // not an article record: not JSON, wrong types, no URL
};

// Told of each bad record: the line it starts on and why it is bad.
using BadRecordFn = std::function<void(int line, const Error& error)>;

// Reads every record of `in`: JSON Lines, or records printed with --pretty (a record starts
// at a line "{" and ends at a line "}"). Each good record is stored, kRecordsPerBatch to a
// transaction; each bad one is counted and passed to `on_bad`, and the rest still stored.
// Returns the counts, or the kDatabase error of a write that failed: the batches written
// before it stay stored, the failing one is not, and reading stops.
Result<ImportCounts> ImportRecords(Store& store, std::istream& in, const BadRecordFn& on_bad);

}  // namespace gleaner::store
