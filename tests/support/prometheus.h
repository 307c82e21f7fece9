// Prometheus' side of the metrics tests: Debian's `promtool` (package prometheus) checking
// an exposition, and the samples of one read back as numbers.
#pragma once

#include <map>
#include <string>
#include <utility>

namespace gleaner::testing {

// Runs `promtool check metrics` on `text`: its exit status (-1 when it could not run,
// 127 when promtool is not installed) and what it printed.
std::pair<int, std::string> PromtoolCheckMetrics(const std::string& text);

// The samples of a text exposition: "name{labels}" (as written) -> value. Comment lines
// are skipped.
std::map<std::string, double> PrometheusSamples(const std::string& text);

}  // namespace gleaner::testing
