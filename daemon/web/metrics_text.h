// The daemon's figures in the Prometheus text exposition format (version 0.0.4), the
// format every Prometheus server and `promtool check metrics` read. Series are labelled by
// `site` where they are a site's; counters count since the daemon started (Prometheus'
// rate() and increase() handle the restart). Pure: no I/O, no clock.
#pragma once

#include <string>

#include "daemon/web/snapshot.h"

namespace gleaner::web {

// The Content-Type of RenderMetrics' output.
inline constexpr char kMetricsContentType[] = "text/plain; version=0.0.4; charset=utf-8";

// Renders `snapshot`, and `db` when the database could be read (null: the database series
// are left out and gleaner_database_readable is 0). Label values are escaped as the format
// requires, and bytes that are not UTF-8 are replaced, so hostile text (a rule key taken
// from a page) cannot break the exposition.
std::string RenderMetrics(const Snapshot& snapshot, const DbFigures* db);

// `text` as a label value: backslash, double quote and newline escaped, invalid UTF-8 and
// other control characters replaced by '?'.
std::string EscapeLabelValue(std::string_view text);

}  // namespace gleaner::web
