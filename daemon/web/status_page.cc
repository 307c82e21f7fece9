#include "daemon/web/status_page.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "extractors/core/utf8.h"

namespace gleaner::web {
namespace {

using std::chrono::duration_cast;
using std::chrono::hours;
using std::chrono::milliseconds;

constexpr std::string_view kEllipsis = "\xE2\x80\xA6";  // U+2026

// The total chart's geometry, in SVG user units: one bar per hour, a band above the bars
// for the scale and one below for the day labels. The SVG scales to the page's width.
constexpr int kBarWidth = 5;
constexpr int kPlotHeight = 160;
constexpr int kPlotTop = 34;        // room for the scale's label at the phone's larger font
constexpr int kLabelBand = 36;      // room for the day labels, likewise
constexpr int kDayLabelWidth = 80;  // "Sun 12-06" at the chart's font size
constexpr int kChartWidth = kChartHours * kBarWidth;
constexpr int kChartHeight = kPlotTop + kPlotHeight + kLabelBand;
// A sparkline: kSparkPoints points 2 units apart, 20 units high.
constexpr int kSparkStep = 2;
constexpr int kSparkHeight = 20;
constexpr int kHoursPerSparkPoint = kChartHours / kSparkPoints;
static_assert(kChartHours % kSparkPoints == 0, "a spark point sums whole hours");

// The page's style. Tables collapse into one block per row below 700 px, each figure
// labelled by its column (the labels come from the CSS, so 500 rows do not repeat them).
constexpr std::string_view kStyle = R"css(
:root{color-scheme:light dark;--fg:#1b1f24;--bg:#fff;--mute:#5c6670;--line:#d5d9de;--bar:#2f6fb3}
@media (prefers-color-scheme:dark){:root{--fg:#e6e8eb;--bg:#15181c;--mute:#9aa4ae;--line:#39414a;--bar:#6ea8e6}}
*{box-sizing:border-box}
body{margin:0 auto;padding:12px;max-width:1280px;font:15px/1.4 system-ui,sans-serif;color:var(--fg);background:var(--bg);overflow-wrap:break-word}
h1{font-size:1.4em;margin:.2em 0}h2{font-size:1.15em;margin:1.4em 0 .4em;border-bottom:1px solid var(--line)}
a{color:var(--bar)}
.meta,.note,small{color:var(--mute)}
table{width:100%;border-collapse:collapse}
th,td{text-align:left;vertical-align:top;padding:4px 6px;border-bottom:1px solid var(--line)}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
th,td.n,td.t{white-space:nowrap}td.w{overflow-wrap:anywhere}
.sites td:nth-child(2){width:14em;overflow-wrap:anywhere}
code{font-size:.9em}
.b{padding:1px 7px;border-radius:9px;font-size:.85em;font-weight:600;white-space:nowrap;border:1px solid}
.ok{background:#dcf3e2;color:#14532d;border-color:#2f9e55}
.rules_broken{background:#fff1c9;color:#6b4500;border-color:#d49a00}
.failing{background:#fde0e0;color:#7f1212;border-color:#d63a3a}
.paused{background:#e3e7ec;color:#2d3640;border-color:#7a8794}
.down{background:#fde0e0;color:#7f1212;border:1px solid #d63a3a;padding:6px 10px;border-radius:6px}
svg{max-width:100%;height:auto;display:block}
svg.spark{width:84px;max-width:none;height:20px;display:inline-block;vertical-align:middle}
.spark polyline{fill:none;stroke:var(--bar);stroke-width:1.5}
.chart .bar{fill:var(--bar)}.chart .grid{stroke:var(--line)}.chart text{fill:var(--mute);font-size:15px}
dl.figs{display:flex;flex-wrap:wrap;gap:6px;margin:0}
dl.figs div{border:1px solid var(--line);border-radius:6px;padding:4px 10px;min-width:6.5em}
dl.figs dt{font-size:.85em;color:var(--mute)}dl.figs dd{margin:0;font-size:1.2em;font-variant-numeric:tabular-nums}
@media (max-width:700px){
 thead{position:absolute;left:-9999px}
 table,tbody,tr,td{display:block;width:100%}
 tr{border-bottom:1px solid var(--line);padding:6px 0}
 td{border:0;padding:1px 0;white-space:normal}
 td.n{text-align:left}
 .sites td:nth-child(2){width:100%}
 .sites td:nth-child(n+4){display:inline-block;width:auto;margin-right:14px}
 .sites td:nth-child(4)::before{content:"new 24 h: "}
 .sites td:nth-child(5)::before{content:"errors 1 h: "}
 .sites td:nth-child(6)::before{content:"backlog: "}
 .paused-hosts td:nth-child(2)::before{content:"reason: "}
 .paused-hosts td:nth-child(3)::before{content:"resumes in: "}
 .errors td:nth-child(1){font-size:.85em}
 .chart text{font-size:30px}.chart .date{display:none}
}
)css";

// ---- Hostile text ----------------------------------------------------------------------

// Characters that must not reach the page as they are: controls (which HTML forbids or
// which hide text) and the bidirectional overrides and isolates (which could make a hostile
// title display as something else).
bool IsUnsafeCodePoint(char32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

// `text` as valid UTF-8 without unsafe characters (whitespace controls become spaces), at
// most `max_bytes` long with an ellipsis when cut. Stops reading once the cap is passed,
// so a huge input costs no more than a short one.
std::string SanitizeUtf8(std::string_view text, size_t max_bytes) {
  std::string out;
  out.reserve(std::min(text.size(), max_bytes) + 8);
  while (!text.empty() && out.size() <= max_bytes) {
    DecodedCodePoint d = DecodeUtf8(text, 0);
    char32_t cp = d.code_point;
    size_t length = d.length;
    if (!d.valid) {
      out += kReplacementUtf8;
    } else if (cp == '\t' || cp == '\n' || cp == '\r') {
      out += ' ';
    } else if (IsUnsafeCodePoint(cp)) {
      out += kReplacementUtf8;
    } else {
      out.append(text.substr(0, length));
    }
    text.remove_prefix(length);
  }
  if (out.size() > max_bytes || !text.empty()) {
    size_t cut = max_bytes > kEllipsis.size() ? max_bytes - kEllipsis.size() : 0;
    cut = std::min(cut, out.size());
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out.resize(cut);
    out += kEllipsis;
  }
  return out;
}

void AppendEscaped(std::string& out, std::string_view safe_text) {
  for (char c : safe_text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
}

// Only these become links: anything else (javascript:, data:, a relative path) is text.
bool IsWebUrl(std::string_view url) {
  auto starts_with_nocase = [&](std::string_view prefix) {
    if (url.size() <= prefix.size()) return false;
    for (size_t i = 0; i < prefix.size(); ++i) {
      char c = url[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != prefix[i]) return false;
    }
    return true;
  };
  return starts_with_nocase("http://") || starts_with_nocase("https://");
}

// ---- Small formatters --------------------------------------------------------------------

// "2026-12-06 21:14:05 UTC": FormatTime without the milliseconds, for people.
std::string ShowTime(Time t) {
  std::string iso = store::FormatTime(t);  // 2026-12-06T21:14:05.123Z
  if (iso.size() < 19) return iso;
  iso.resize(19);
  iso[10] = ' ';
  return iso + " UTC";
}

// A duration for people: "42 s", "17 min", "5 h 3 min", "3 d 4 h".
std::string ShowDuration(milliseconds d) {
  int64_t s = std::max<int64_t>(0, d.count() / 1000);
  if (s < 60) return std::to_string(s) + " s";
  int64_t m = s / 60;
  if (m < 60) return std::to_string(m) + " min";
  int64_t h = m / 60;
  if (h < 48)
    return std::to_string(h) + " h" + (m % 60 ? " " + std::to_string(m % 60) + " min" : "");
  return std::to_string(h / 24) + " d" + (h % 24 ? " " + std::to_string(h % 24) + " h" : "");
}

std::string Ago(Time then, Time now) {
  if (then > now) return "just now";
  return ShowDuration(duration_cast<milliseconds>(now - then)) + " ago";
}

// "rules_broken" -> "rules broken": the state as words.
std::string StateWords(SiteState state) {
  std::string words = SiteStateName(state);
  std::replace(words.begin(), words.end(), '_', ' ');
  return words;
}

class Page {
 public:
  // `expected_bytes`: reserved at once, so that a big page is not copied as it grows.
  explicit Page(size_t expected_bytes) { out_.reserve(expected_bytes); }
  Page& operator<<(std::string_view markup) {
    out_ += markup;
    return *this;
  }
  Page& operator<<(int64_t n) {
    out_ += std::to_string(n);
    return *this;
  }
  // Hostile text, made safe and escaped.
  Page& Text(std::string_view text, size_t max_bytes = kMaxShownBytes) {
    AppendEscaped(out_, SanitizeUtf8(text, max_bytes));
    return *this;
  }
  // A link to `url` showing `label` (the URL itself when the label is empty) when the URL
  // is http(s) and not over kMaxLinkBytes; otherwise the label and the URL as text.
  Page& Link(std::string_view url, std::string_view label) {
    if (!IsWebUrl(url) || url.size() > kMaxLinkBytes) {
      if (label.empty()) return Text(url);
      Text(label);
      out_ += " <small>";
      Text(url);
      out_ += "</small>";
      return *this;
    }
    if (label.empty()) label = url;
    out_ += "<a rel=\"noreferrer nofollow\" href=\"";
    Text(url, kMaxLinkBytes);
    out_ += "\">";
    Text(label);
    out_ += "</a>";
    return *this;
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

// ---- Figures derived from the snapshot ---------------------------------------------------

int64_t SumLast(const HourCounts& counts, int last_hours) {
  int64_t sum = 0;
  for (int i = kChartHours - last_hours; i < kChartHours; ++i) sum += counts[i];
  return sum;
}

// Worst first (paused, failing, rules broken, ok), then by id.
std::vector<const SiteView*> SitesWorstFirst(const Snapshot& snapshot) {
  std::vector<const SiteView*> sites;
  sites.reserve(snapshot.sites.size());
  for (const SiteView& site : snapshot.sites) sites.push_back(&site);
  std::stable_sort(sites.begin(), sites.end(), [](const SiteView* a, const SiteView* b) {
    if (a->state != b->state) return static_cast<int>(a->state) > static_cast<int>(b->state);
    return a->id < b->id;
  });
  return sites;
}

// When slot `i` of a chart ending at `end` begins.
Time SlotStart(Time end, int i) { return end - hours(kChartHours - i); }

// "Sun 12-06": the UTC day a time falls in.
std::string DayLabel(Time t) {
  static constexpr const char* kWeekdays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  auto day = std::chrono::floor<std::chrono::days>(t);
  std::chrono::year_month_day ymd{day};
  unsigned weekday = std::chrono::weekday{day}.c_encoding();
  char text[16];
  std::snprintf(text, sizeof text, "%s %02u-%02u", kWeekdays[weekday],
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return text;
}

// ---- Sections ------------------------------------------------------------------------------

void Header(Page& page, const Snapshot& snapshot, const DbFigures* db, Time now) {
  page << "<header><h1>gleaner status</h1><p class=\"meta\">gleaner ";
  page.Text(snapshot.version);
  page << " &middot; up " << ShowDuration(duration_cast<milliseconds>(now - snapshot.started))
       << " &middot; snapshot taken " << ShowTime(snapshot.taken) << " ("
       << Ago(snapshot.taken, now) << ")";
  if (db) page << " &middot; database read " << ShowTime(db->read_at);
  page << "</p>";
  if (!db) {
    page << "<p class=\"down\" role=\"alert\"><strong>Database unavailable:</strong> the "
            "database could not be read, so the new-article counts, the chart, the backlog "
            "and the queue are missing. The crawler's own figures below are current.</p>";
  }
  page << "</header>";
}

void StateSummary(Page& page, const Snapshot& snapshot) {
  int64_t counts[4] = {};
  for (const SiteView& site : snapshot.sites) ++counts[static_cast<int>(site.state)];
  page << "<p>" << static_cast<int64_t>(snapshot.sites.size()) << " sites: ";
  const SiteState order[] = {SiteState::kPaused, SiteState::kFailing, SiteState::kRulesBroken,
                             SiteState::kOk};
  for (size_t i = 0; i < 4; ++i) {
    SiteState state = order[i];
    page << (i ? ", " : "") << "<span class=\"b " << SiteStateName(state) << "\">"
         << counts[static_cast<int>(state)] << " " << StateWords(state) << "</span>";
  }
  page << ".</p>";
}

// The total chart: 168 bars, a gridline and a label at each UTC midnight, the scale on top.
void TotalChartSvg(Page& page, const DbFigures& db) {
  int64_t max = *std::max_element(db.total.begin(), db.total.end());
  page << "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 " << kChartWidth << " " << kChartHeight
       << "\" width=\"" << kChartWidth << "\" height=\"" << kChartHeight
       << "\" aria-labelledby=\"chart-title\"><title id=\"chart-title\">New articles per hour, "
          "last 7 days (highest hour: "
       << max << ")</title>";
  page << "<text x=\"0\" y=\"26\">max " << max << "/h</text>";
  int64_t base = kPlotTop + kPlotHeight;
  page << "<line class=\"grid\" x1=\"0\" x2=\"" << kChartWidth << "\" y1=\"" << base << "\" y2=\""
       << base << "\"/>";
  for (int i = 0; i < kChartHours; ++i) {
    Time start = SlotStart(db.chart_end, i);
    auto midnight = std::chrono::ceil<std::chrono::days>(start);
    if (midnight >= start + hours(1)) continue;
    int64_t x = i * kBarWidth;
    page << "<line class=\"grid\" x1=\"" << x << "\" x2=\"" << x << "\" y1=\"" << kPlotTop
         << "\" y2=\"" << base + 6 << "\"/>";
    if (x + kDayLabelWidth <= kChartWidth) {
      // "Mon 11-30"; a phone shows the weekday alone, larger (the text summary has dates).
      std::string label = DayLabel(Time(midnight));
      page << "<text x=\"" << x + 3 << "\" y=\"" << base + 30 << "\">" << label.substr(0, 3)
           << "<tspan class=\"date\">" << label.substr(3) << "</tspan></text>";
    }
  }
  for (int i = 0; i < kChartHours; ++i) {
    int64_t h = max > 0 ? (db.total[i] * kPlotHeight + max - 1) / max : 0;
    page << "<rect class=\"bar\" x=\"" << i * kBarWidth << "\" y=\"" << base - h << "\" width=\""
         << kBarWidth - 1 << "\" height=\"" << h << "\"/>";
  }
  page << "</svg>";
}

// What the chart shows, in words, for text browsers and screen readers: the week's total,
// the busiest hour and the totals per UTC day.
void TotalChartSummary(Page& page, const DbFigures& db) {
  int64_t week = SumLast(db.total, kChartHours);
  int busiest =
      static_cast<int>(std::max_element(db.total.begin(), db.total.end()) - db.total.begin());
  page << "<p>" << week << " new articles in the last 7 days, " << SumLast(db.total, 24)
       << " in the last 24 h.";
  if (week > 0) {
    page << " Busiest hour: " << db.total[busiest] << " from "
         << ShowTime(SlotStart(db.chart_end, busiest)) << ".";
  }
  page << "</p><p class=\"note\">Per UTC day: ";
  std::vector<std::pair<std::string, int64_t>> days;
  for (int i = 0; i < kChartHours; ++i) {
    std::string day = DayLabel(SlotStart(db.chart_end, i));
    if (days.empty() || days.back().first != day) days.emplace_back(day, 0);
    days.back().second += db.total[i];
  }
  for (size_t i = 0; i < days.size(); ++i) {
    page << (i ? ", " : "") << days[i].first << ": " << days[i].second;
  }
  page << ".</p>";
}

void ChartSection(Page& page, const DbFigures* db) {
  page << "<section><h2 id=\"chart\">New articles per hour, last 7 days</h2>";
  if (!db) {
    page << "<p>Unavailable: the database could not be read.</p></section>";
    return;
  }
  TotalChartSvg(page, *db);
  TotalChartSummary(page, *db);
  page << "</section>";
}

// A site's week as one polyline of kSparkPoints points, each the sum of 4 hours, on the
// site's own scale; its total in text beside it.
void Sparkline(Page& page, const HourCounts* counts) {
  int64_t points[kSparkPoints] = {};
  int64_t week = 0;
  if (counts) {
    for (int i = 0; i < kChartHours; ++i) points[i / kHoursPerSparkPoint] += (*counts)[i];
    week = SumLast(*counts, kChartHours);
  }
  if (week > 0) {
    int64_t max = *std::max_element(std::begin(points), std::end(points));
    page << "<svg class=\"spark\" viewBox=\"0 0 " << (kSparkPoints - 1) * kSparkStep << " "
         << kSparkHeight << "\" aria-hidden=\"true\"><polyline points=\"";
    for (int i = 0; i < kSparkPoints; ++i) {
      int64_t y = kSparkHeight - 1 - points[i] * (kSparkHeight - 2) / max;
      page << (i ? " " : "") << i * kSparkStep << "," << y;
    }
    page << "\"/></svg> ";
  }
  page << week << " <small>in 7 d</small>";
}

// The rules a site's records broke, the most often broken first.
void BrokenRules(Page& page, const schedule::SiteHealth& health) {
  std::vector<std::pair<int64_t, const std::string*>> rules;
  for (const auto& [rule, count] : health.broken_rules) rules.emplace_back(count, &rule);
  std::sort(rules.begin(), rules.end(),
            [](const auto& a, const auto& b) { return a.first > b.first; });
  page << "<br><small>broken: ";
  for (size_t i = 0; i < rules.size() && i < kMaxRulesShown; ++i) {
    page << (i ? "; " : "");
    page.Text(*rules[i].second);
    page << " (" << rules[i].first << ")";
  }
  if (rules.size() > kMaxRulesShown) {
    page << "; " << static_cast<int64_t>(rules.size() - kMaxRulesShown) << " more";
  }
  page << "</small>";
}

void LastArticleCell(Page& page, const SiteView& site, const DbFigures* db, Time now) {
  page << "<td class=\"w\">";
  const LastArticle* last = nullptr;
  if (db) {
    auto it = db->last_new.find(site.id);
    if (it != db->last_new.end()) last = &it->second;
  }
  if (last) {
    page.Link(last->url, last->title);
    page << "<br><small>" << Ago(last->first_seen, now) << "</small>";
  } else if (site.health.last_new_article) {
    page << "<small>" << Ago(*site.health.last_new_article, now) << "</small>";
  } else {
    page << "<small>none yet</small>";
  }
  page << "</td>";
}

void SiteRow(Page& page, const SiteView& site, const DbFigures* db, Time now) {
  const char* state = SiteStateName(site.state);
  page << "<tr><td><span class=\"b " << state << "\">" << StateWords(site.state)
       << "</span></td><td>";
  if (!site.name.empty()) {
    page << "<strong>";
    page.Text(site.name) << "</strong><br>";
  }
  page << "<code>";
  page.Text(site.id) << "</code>";
  if (site.state == SiteState::kRulesBroken && !site.health.broken_rules.empty()) {
    BrokenRules(page, site.health);
  }
  page << "</td>";
  LastArticleCell(page, site, db, now);
  const HourCounts* counts = nullptr;
  if (db) {
    auto it = db->per_site.find(site.id);
    if (it != db->per_site.end()) counts = &it->second;
  }
  page << "<td class=\"n\">";
  if (db)
    page << (counts ? SumLast(*counts, 24) : 0);
  else
    page << "n/a";
  page << "</td><td class=\"n\">" << site.health.recent_errors.CountSince(now)
       << "</td><td class=\"n\">";
  if (db) {
    auto it = db->backlog.find(site.id);
    page << (it != db->backlog.end() ? it->second : 0);
  } else {
    page << "n/a";
  }
  page << "</td><td class=\"t\">";
  if (db)
    Sparkline(page, counts);
  else
    page << "n/a";
  page << "</td></tr>";
}

void SitesSection(Page& page, const Snapshot& snapshot, const DbFigures* db, Time now) {
  page << "<section><h2 id=\"sites\">Sites</h2>";
  StateSummary(page, snapshot);
  if (snapshot.sites.empty()) {
    page << "<p>No site is configured.</p></section>";
    return;
  }
  page << "<table class=\"sites\"><thead><tr><th>State</th><th>Site</th><th>Last new "
          "article</th><th class=\"n\">New 24 h</th><th class=\"n\">Errors 1 h</th><th "
          "class=\"n\">Backlog</th><th>Last 7 days</th></tr></thead><tbody>";
  for (const SiteView* site : SitesWorstFirst(snapshot)) SiteRow(page, *site, db, now);
  page << "</tbody></table></section>";
}

void QueueSection(Page& page, const DbFigures* db, Time now) {
  page << "<section><h2 id=\"queue\">Queue</h2>";
  if (!db) {
    page << "<p>Unavailable: the database could not be read.</p></section>";
    return;
  }
  const store::QueueStats& q = db->queue;
  const std::pair<const char*, int64_t> figures[] = {{"ready", q.ready},     {"delayed", q.delayed},
                                                     {"claimed", q.claimed}, {"expired", q.expired},
                                                     {"acked", q.acked},     {"dead", q.dead}};
  page << "<dl class=\"figs\">";
  for (const auto& [name, value] : figures) {
    page << "<div><dt>" << name << "</dt><dd>" << value << "</dd></div>";
  }
  page << "<div><dt>oldest pending</dt><dd>";
  if (q.oldest_pending) {
    page << Ago(*q.oldest_pending, now) << "<br><small>" << ShowTime(*q.oldest_pending)
         << "</small>";
  } else {
    page << "none";
  }
  page << "</dd></div></dl></section>";
}

void PausedSection(Page& page, const Snapshot& snapshot) {
  page << "<section><h2 id=\"paused\">Paused hosts</h2>";
  if (snapshot.paused.empty()) {
    page << "<p>No host is paused.</p></section>";
    return;
  }
  page << "<table class=\"paused-hosts\"><thead><tr><th>Host</th><th>Reason</th><th>Resumes "
          "in</th></tr></thead><tbody>";
  for (const fetch::HostPause& pause : snapshot.paused) {
    page << "<tr><td class=\"w\"><code>";
    page.Text(pause.host) << "</code></td><td>";
    page.Text(pause.reason);
    page << "</td><td class=\"t\">" << ShowDuration(pause.remaining) << "</td></tr>";
  }
  page << "</tbody></table></section>";
}

void ErrorsSection(Page& page, const Snapshot& snapshot, Time now) {
  page << "<section><h2 id=\"errors\">Last errors</h2>";
  if (snapshot.errors.empty()) {
    page << "<p>No error since the daemon started.</p></section>";
    return;
  }
  page << "<p class=\"note\">Newest first, at most " << static_cast<int64_t>(kMaxRecentErrors)
       << ".</p><table class=\"errors\"><thead><tr><th>Time</th><th>Site</th><th>URL</th>"
          "<th>Message</th></tr></thead><tbody>";
  for (auto it = snapshot.errors.rbegin(); it != snapshot.errors.rend(); ++it) {
    page << "<tr><td>" << ShowTime(it->at) << " <small>(" << Ago(it->at, now)
         << ")</small></td><td class=\"w\"><code>";
    page.Text(it->site);
    page << "</code></td><td class=\"w\">";
    page.Link(it->url, "");
    page << "</td><td class=\"w\">";
    page.Text(it->message);
    page << "</td></tr>";
  }
  page << "</tbody></table></section>";
}

}  // namespace

std::string EscapeHostile(std::string_view text, size_t max_bytes) {
  std::string out;
  AppendEscaped(out, SanitizeUtf8(text, max_bytes));
  return out;
}

std::string RenderStatusPage(const Snapshot& snapshot, const DbFigures* db, Time now) {
  // About 1 KB per site row and 400 bytes per error row, beside 16 KB of style and chart.
  Page page((16 << 10) + snapshot.sites.size() * 1100 + snapshot.errors.size() * 400);
  page << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
          "<meta name=\"robots\" content=\"noindex\"><title>gleaner status</title><style>"
       << kStyle << "</style></head><body>";
  Header(page, snapshot, db, now);
  page << "<main>";
  SitesSection(page, snapshot, db, now);
  ChartSection(page, db);
  QueueSection(page, db, now);
  PausedSection(page, snapshot);
  ErrorsSection(page, snapshot, now);
  page << "</main></body></html>\n";
  return page.Take();
}

}  // namespace gleaner::web
