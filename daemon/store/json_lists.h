// The JSON text of the list columns of `articles` (related, ticker: [{"title", "url"}];
// warnings: [strings]). Hand-written both ways because these lists are written and read for
// every article stored or claimed, and building a JSON DOM for them cost as much as the
// SQLite insert itself (bench/bench_store.cc). Pure, thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "extractors/core/article.h"
#include "extractors/core/result.h"

namespace gleaner::store {

// Appends `text` as a JSON string literal: quotes, backslashes and control characters
// escaped, UTF-8 kept as is, each invalid UTF-8 byte replaced by U+FFFD.
void AppendJsonString(std::string& out, std::string_view text);

// Compact JSON: [{"title":"...","url":"..."},...] and ["...",...].
std::string LinksToColumn(const std::vector<Link>& links);
std::string StringsToColumn(const std::vector<std::string>& strings);

// Parses what the functions above write (any valid JSON of that shape). kDatabase naming
// what is wrong otherwise.
Result<std::vector<Link>> LinksFromColumn(std::string_view text);
Result<std::vector<std::string>> StringsFromColumn(std::string_view text);

}  // namespace gleaner::store
