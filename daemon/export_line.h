// The JSON line `gleaner export` (jsonl) prints for one stored article: its record's keys
// (ArticleToJson) followed by the store's "first_seen" and "updated" times. Shared by the
// commands that print stored records, so that every one prints the same line, whether the
// record comes from this box's SQLite or the cluster's PostgreSQL. Pure formatting: no I/O.
#pragma once

#include <string>
#include <string_view>

#include "daemon/store/store.h"
#include "extractors/core/result.h"

namespace gleaner::cli {

// The record of `stored` as one JSON object, then "\n". The times are ISO 8601, UTC
// (store::FormatTime). Never fails; thread-safe.
std::string ExportJsonLine(const store::StoredArticle& stored);

// The same line from a record already printed by ArticleToJson (as the cluster's
// PostgreSQL keeps it) and the record's times. kDatabase (a corrupt row) when `record_json`
// does not end as a JSON object does. Thread-safe.
Result<std::string> ExportJsonLine(std::string_view record_json, store::Time first_seen,
                                   store::Time updated);

}  // namespace gleaner::cli
