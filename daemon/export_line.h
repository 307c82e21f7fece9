// The JSON line `gleaner export` (jsonl) prints for one stored article: its record's keys
// (ArticleToJson) followed by the store's "first_seen" and "updated" times. Shared by the
// commands that print stored records, so that every one prints the same line. Pure
// formatting: no I/O.
#pragma once

#include <string>

#include "daemon/store/store.h"

namespace gleaner::cli {

// The record of `stored` as one JSON object, then "\n". The times are ISO 8601, UTC
// (store::FormatTime). Never fails; thread-safe.
std::string ExportJsonLine(const store::StoredArticle& stored);

}  // namespace gleaner::cli
