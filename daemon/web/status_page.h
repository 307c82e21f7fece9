// gleaner's status page: one read-only HTML5 document built from a Snapshot and the
// database figures, served at `/` by the web server. The page holds no JavaScript and
// loads nothing (inline <style>, inline SVG charts), so it works under the server's
// Content-Security-Policy `default-src 'none'; style-src 'unsafe-inline'; img-src data:`,
// on a phone (390 px wide, no horizontal scrolling) and in a text browser (headings,
// tables, and a text summary of every chart and every coloured state).
//
// Every string that came from the web or a file (titles, URLs, site ids and names, hosts,
// error messages, rule keys) is treated as hostile: invalid UTF-8 and control characters
// are replaced, the text is cut to a bounded length and escaped for HTML text and
// attributes, and only http:// and https:// URLs become links. Nothing in the inputs can
// add markup to the page. Pure: no I/O, no clock ("now" is a parameter).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "daemon/web/snapshot.h"

namespace gleaner::web {

// The longest piece of hostile text the page shows, in bytes of UTF-8 before escaping;
// longer text is cut on a character boundary and ends with "…". Long enough for any real
// title or error message, short enough that 500 sites stay well under a megabyte.
inline constexpr size_t kMaxShownBytes = 300;
// The longest URL the page makes a link of; a longer one is shown as (cut) text only, so
// that a hostile URL cannot grow the page by its length.
inline constexpr size_t kMaxLinkBytes = 2000;
// The most broken rules shown per site (the worst first); the site's health has them all.
inline constexpr size_t kMaxRulesShown = 3;
// The points of a site's sparkline: the 168 hours summed 4 by 4, so that 500 sites' lines
// stay small.
inline constexpr int kSparkPoints = 42;

// The whole page. `db` is null when the database could not be read; the page says so and
// shows what the snapshot alone holds. `now` dates the "ago" figures and the error window.
// Thread-safe (reads its arguments only). Never fails.
std::string RenderStatusPage(const Snapshot& snapshot, const DbFigures* db, Time now);

// `text` made safe to show: invalid UTF-8, control characters (C0 but tab and newline,
// DEL, C1) and bidirectional overrides replaced by U+FFFD, cut to at most `max_bytes` on a
// character boundary (with "…" appended when cut), then escaped for HTML text and quoted
// attributes (& < > " '). Exposed for the tests.
std::string EscapeHostile(std::string_view text, size_t max_bytes = kMaxShownBytes);

}  // namespace gleaner::web
