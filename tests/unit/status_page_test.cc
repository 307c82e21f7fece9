// The status page as a browser sees it: hostile text from the web stays text, the figures
// a user looks for are there, 500 sites stay small, and the page fits a phone's width.
// The browser tests need Debian's chromium (tests/support/chromium.h).
#include "daemon/web/status_page.h"

#include <catch2/catch.hpp>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/chromium.h"
#include "support/run_binary.h"

namespace gleaner::web {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

const Time kNow = *store::ParseTime("2026-12-06T21:30:00Z");

// An HTML start tag as the browser serialised it: its name and attributes (values with
// the serialiser's entities decoded).
struct Tag {
  std::string name;
  std::vector<std::pair<std::string, std::string>> attributes;
};

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string DecodeEntities(const std::string& s) {
  static const std::pair<std::string, std::string> kEntities[] = {
      {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}, {"&nbsp;", " "}};
  std::string out;
  for (size_t i = 0; i < s.size();) {
    bool replaced = false;
    if (s[i] == '&') {
      if (s.compare(i, 5, "&amp;") == 0) {
        out += '&', i += 5, replaced = true;
      }
      for (const auto& [entity, text] : kEntities) {
        if (!replaced && s.compare(i, entity.size(), entity) == 0) {
          out += text, i += entity.size(), replaced = true;
        }
      }
    }
    if (!replaced) out += s[i++];
  }
  return out;
}

// The start tags of a DOM serialised by Chromium, which quotes every attribute value and
// escapes '<' in text, so every '<' followed by a letter opens a tag.
std::vector<Tag> StartTags(const std::string& dom) {
  std::vector<Tag> tags;
  auto is_space = [](char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; };
  for (size_t i = 0; i + 1 < dom.size(); ++i) {
    if (dom[i] != '<' || !std::isalpha(static_cast<unsigned char>(dom[i + 1]))) continue;
    Tag tag;
    size_t j = i + 1;
    while (j < dom.size() && !is_space(dom[j]) && dom[j] != '>' && dom[j] != '/')
      tag.name += dom[j++];
    for (;;) {
      while (j < dom.size() && (is_space(dom[j]) || dom[j] == '/')) ++j;
      if (j >= dom.size() || dom[j] == '>') break;
      std::string name, value;
      while (j < dom.size() && !is_space(dom[j]) && dom[j] != '=' && dom[j] != '>')
        name += dom[j++];
      if (j < dom.size() && dom[j] == '=') {
        ++j;
        char quote = dom[j] == '"' || dom[j] == '\'' ? dom[j++] : ' ';
        while (j < dom.size() && dom[j] != quote && !(quote == ' ' && dom[j] == '>'))
          value += dom[j++];
        if (quote != ' ') ++j;
      }
      tag.attributes.emplace_back(Lower(name), DecodeEntities(value));
    }
    tag.name = Lower(tag.name);
    tags.push_back(std::move(tag));
    i = j;
  }
  return tags;
}

// The text a reader sees: the markup without its tags, entities decoded.
std::string TextOf(const std::string& html) {
  std::string text;
  bool in_tag = false;
  for (size_t i = 0; i < html.size(); ++i) {
    char c = html[i];
    if (!in_tag && c == '<' && i + 1 < html.size() &&
        (std::isalpha(static_cast<unsigned char>(html[i + 1])) || html[i + 1] == '/' ||
         html[i + 1] == '!')) {
      in_tag = true;
    } else if (in_tag && c == '>') {
      in_tag = false;
    } else if (!in_tag) {
      text += c;
    }
  }
  return DecodeEntities(text);
}

size_t Count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + needle.size()))
    ++n;
  return n;
}

SiteView Site(std::string id, SiteState state) {
  SiteView site;
  site.name = "Site " + id;
  site.id = std::move(id);
  site.state = state;
  return site;
}

// An hour-by-hour week with a daily rhythm, scaled by `per_hour`.
HourCounts Week(int64_t per_hour) {
  HourCounts counts{};
  for (int i = 0; i < kChartHours; ++i) counts[i] = per_hour * (1 + (i % 24 < 8 ? 0 : i % 5));
  return counts;
}

Snapshot BaseSnapshot() {
  Snapshot s;
  s.version = "1.4.0";
  s.started = kNow - hours(50);
  s.taken = kNow - std::chrono::seconds(3);
  return s;
}

DbFigures BaseDb() {
  DbFigures db;
  db.read_at = kNow - std::chrono::seconds(2);
  db.chart_end = kNow;
  db.total = Week(3);
  return db;
}

// The hostile inputs: every string a site or a page could plant.
const std::string kScriptTitle = "<script>alert(1)</script>";
const std::string kScriptUrl = "javascript:alert(1)";
const std::string kImgMessage = "</td></tr><img src=x onerror=alert(1)>";
const std::string kQuotedName = "Le \"Monde\" d'Alex & Co";
const std::string kBadUtf8 = "caf\xC3 \xFF\xFE bytes";

void AddHostileSites(Snapshot& snapshot, DbFigures& db) {
  SiteView scripted = Site("scripted", SiteState::kOk);
  scripted.name = kQuotedName;
  snapshot.sites.push_back(scripted);
  db.last_new["scripted"] = {kNow - minutes(5), kScriptTitle, kScriptUrl};
  SiteView huge = Site("huge-title", SiteState::kRulesBroken);
  huge.name = kBadUtf8;
  huge.health.broken_rules["<b onmouseover=alert(1)>body</b>"] = 4;
  snapshot.sites.push_back(huge);
  db.last_new["huge-title"] = {kNow - hours(2), std::string(10 * 1024, 'W'),
                               "https://example.org/" + std::string(400, 'x') + "?a=1&b=\"2\""};
  db.per_site["huge-title"] = Week(1);
  snapshot.errors.push_back({kNow - minutes(1), "scripted\"><svg onload=alert(1)>",
                             "https://example.org/a?b=<c>", kImgMessage});
  snapshot.paused.push_back({"evil.example<script>", std::chrono::minutes(3), "circuit breaker"});
}

std::string WritePage(const testing::TempDir& dir, const std::string& name,
                      const std::string& html) {
  return "file://" + dir.Write(name, html);
}

TEST_CASE("hostile titles, URLs, names and messages reach the browser as text only", "[web]") {
  Snapshot snapshot = BaseSnapshot();
  DbFigures db = BaseDb();
  AddHostileSites(snapshot, db);
  std::string page = RenderStatusPage(snapshot, &db, kNow);
  CHECK(page.find('\xFF') == std::string::npos);  // invalid bytes never reach the page

  testing::TempDir dir;
  auto dom = testing::DumpDom(WritePage(dir, "page.html", page));
  REQUIRE(dom.has_value());
  for (const Tag& tag : StartTags(*dom)) {
    INFO("<" << tag.name << ">");
    CHECK(tag.name != "script");
    CHECK(tag.name != "img");
    CHECK(tag.name != "iframe");
    for (const auto& [name, value] : tag.attributes) {
      INFO(name << "=" << value);
      CHECK_FALSE(name.rfind("on", 0) == 0);
      if (name == "href") {
        CHECK((value.rfind("http://", 0) == 0 || value.rfind("https://", 0) == 0));
      }
    }
  }
  std::string text = TextOf(*dom);
  CHECK(text.find(kScriptTitle) != std::string::npos);
  CHECK(text.find(kScriptUrl) != std::string::npos);
  CHECK(text.find(kImgMessage) != std::string::npos);
  CHECK(text.find(kQuotedName) != std::string::npos);
  CHECK(text.find("<b onmouseover=alert(1)>body</b> (4)") != std::string::npos);
  CHECK(text.find("evil.example<script>") != std::string::npos);
  // The bad bytes show as replacement characters around the readable text.
  CHECK(text.find("caf\xEF\xBF\xBD \xEF\xBF\xBD\xEF\xBF\xBD bytes") != std::string::npos);
  // The 10 KB title is cut with an ellipsis, and the page stays small.
  CHECK(text.find(std::string(290, 'W') + "\xE2\x80\xA6") != std::string::npos);
  CHECK(text.find(std::string(400, 'W')) == std::string::npos);
  CHECK(page.size() < 40 * 1024);
  // The long https URL still links, its quote and ampersand intact.
  bool linked = false;
  for (const Tag& tag : StartTags(*dom)) {
    for (const auto& [name, value] : tag.attributes) {
      if (name == "href" && value.find("?a=1&b=\"2\"") != std::string::npos) linked = true;
    }
  }
  CHECK(linked);
}

TEST_CASE("hostile text is cut on a character boundary and escaped", "[web]") {
  CHECK(EscapeHostile("a<b>&\"c'") == "a&lt;b&gt;&amp;&quot;c&#39;");
  CHECK(EscapeHostile("tab\there\x01\x7F") == "tab here\xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK(EscapeHostile("\xE2\x80\xAE"
                      "evil") ==
        "\xEF\xBF\xBD"
        "evil");                                                   // right-to-left override
  CHECK(EscapeHostile("\xC0\xAF") == "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong '/'
  // 2-byte characters cut at 11 bytes: 4 whole characters, then the ellipsis.
  CHECK(EscapeHostile("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9", 11) ==
        "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xE2\x80\xA6");
  CHECK(EscapeHostile("short", 11) == "short");
}

// True when `s` is well-formed UTF-8 (no overlong forms, surrogates or bytes past U+10FFFF).
bool IsValidUtf8(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80                 ? 1
               : c >= 0xC2 && c <= 0xDF ? 2
               : c >= 0xE0 && c <= 0xEF ? 3
               : c >= 0xF0 && c <= 0xF4 ? 4
                                        : 0;
    if (n == 0 || i + n > s.size()) return false;
    uint32_t cp = n == 1 ? c : c & (0x7F >> n);
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    }
    const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n;
  }
  return true;
}

TEST_CASE("random bytes come out as valid UTF-8 with no markup character and a bounded length",
          "[web]") {
  uint32_t state = 12345;  // a fixed seed: the same strings on every run
  auto next = [&] { return state = state * 1664525u + 1013904223u; };
  for (int round = 0; round < 5000; ++round) {
    std::string bytes(next() % 700, '\0');
    // Mostly ASCII markup characters and UTF-8 lead and continuation bytes.
    const char alphabet[] = "<>&\"'a =\xC3\xA9\xE2\x80\xAE\xF0\x9F\x98\x80\xFF\xC0\xED\xA0\x01\x7F";
    for (char& b : bytes) b = next() % 4 ? alphabet[next() % (sizeof alphabet - 1)] : char(next());
    std::string shown = EscapeHostile(bytes, 100);
    INFO("round " << round);
    REQUIRE(IsValidUtf8(shown));
    REQUIRE(shown.find_first_of("<>\"'") == std::string::npos);
    std::string unescaped = DecodeEntities(shown);
    REQUIRE(unescaped.size() <= 100);
    REQUIRE(unescaped.find_first_of(std::string("\x01\x7F", 2)) == std::string::npos);
  }
}

TEST_CASE("the page shows each site's state in words and the figures a user looks for", "[web]") {
  Snapshot snapshot = BaseSnapshot();
  DbFigures db = BaseDb();
  snapshot.sites.push_back(Site("aaa-fine", SiteState::kOk));
  SiteView broken = Site("zzz-broken", SiteState::kRulesBroken);
  broken.health.broken_rules["body selector matched nothing"] = 12;
  snapshot.sites.push_back(broken);
  SiteView failing = Site("mmm-failing", SiteState::kFailing);
  for (int i = 0; i < 7; ++i) failing.health.recent_errors.Add(kNow - minutes(10 - i));
  snapshot.sites.push_back(failing);
  db.per_site["aaa-fine"] = Week(2);
  db.backlog["zzz-broken"] = 321;
  db.last_new["aaa-fine"] = {kNow - minutes(42), "Budget vote tonight",
                             "https://news.example/budget"};
  db.queue = {11, 22, 33, 44, 55, 66, 77, kNow - hours(3)};
  snapshot.paused.push_back({"slow.example", std::chrono::minutes(90), "Retry-After"});
  snapshot.errors.push_back(
      {kNow - minutes(20), "mmm-failing", "https://m.example/1", "older failure"});
  snapshot.errors.push_back(
      {kNow - minutes(2), "mmm-failing", "https://m.example/2", "newer failure"});

  std::string text = TextOf(RenderStatusPage(snapshot, &db, kNow));
  CHECK(text.find("rules broken") != std::string::npos);
  CHECK(text.find("body selector matched nothing (12)") != std::string::npos);
  // Worst first: failing before rules broken before ok, whatever their ids.
  CHECK(text.find("mmm-failing") < text.find("zzz-broken"));
  CHECK(text.find("zzz-broken") < text.find("aaa-fine"));
  CHECK(text.find("Budget vote tonight42 min ago") != std::string::npos);
  CHECK(text.find("321") != std::string::npos);  // the backlog
  for (const char* figure : {"ready11", "delayed22", "claimed33", "expired44", "acked55", "dead66",
                             "oldest pending3 h ago"}) {
    CHECK(text.find(figure) != std::string::npos);
  }
  CHECK(text.find("slow.exampleRetry-After1 h 30 min") != std::string::npos);
  REQUIRE(text.find("newer failure") != std::string::npos);
  CHECK(text.find("newer failure") < text.find("older failure"));
  CHECK(text.find("1 failing") != std::string::npos);  // the summary counts states in words
  CHECK(text.find("1.4.0") != std::string::npos);
  CHECK(text.find("up 2 d 2 h") != std::string::npos);
  int64_t week = 0;
  for (int64_t n : db.total) week += n;
  CHECK(text.find(std::to_string(week) + " new articles in the last 7 days") != std::string::npos);
}

TEST_CASE("a page without the database says so and still shows the crawler's figures", "[web]") {
  Snapshot snapshot = BaseSnapshot();
  SiteView failing = Site("lonely", SiteState::kFailing);
  failing.health.recent_errors.Add(kNow - minutes(3));
  snapshot.sites.push_back(failing);
  std::string text = TextOf(RenderStatusPage(snapshot, nullptr, kNow));
  CHECK(text.find("Database unavailable") != std::string::npos);
  CHECK(text.find("lonely") != std::string::npos);
  CHECK(text.find("failing") != std::string::npos);
}

Snapshot ManySites(int n, DbFigures& db) {
  Snapshot snapshot = BaseSnapshot();
  const SiteState states[] = {SiteState::kOk,          SiteState::kOk,      SiteState::kOk,
                              SiteState::kRulesBroken, SiteState::kFailing, SiteState::kPaused};
  for (int i = 0; i < n; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "site-%03d", i);
    SiteView site = Site(id, states[i % 6]);
    site.name = std::string("Quotidien régional numéro ") + std::to_string(i);
    if (site.state == SiteState::kRulesBroken) site.health.broken_rules["date selector"] = 3;
    snapshot.sites.push_back(site);
    db.per_site[id] = Week(i % 7);
    db.backlog[id] = i * 3;
    db.last_new[id] = {
        kNow - minutes(i),
        "Le conseil municipal adopte le budget primitif de l'année " + std::to_string(i),
        "https://www.quotidien-" + std::to_string(i) +
            ".example/actualites/politique/2026/12/06/le-conseil-municipal-adopte-"
            "le-budget"};
  }
  for (int i = 0; i < 50; ++i) {
    snapshot.errors.push_back({kNow - minutes(60 - i), "site-001",
                               "https://www.quotidien-1.example/page-" + std::to_string(i),
                               "HTTP 503 after 3 tries"});
  }
  return snapshot;
}

TEST_CASE("500 sites make a page under a megabyte with every site and the 168-hour chart",
          "[web]") {
  DbFigures db = BaseDb();
  Snapshot snapshot = ManySites(500, db);
  std::string page = RenderStatusPage(snapshot, &db, kNow);
  CHECK(page.size() < 1024 * 1024);
  for (const SiteView& site : snapshot.sites) {
    INFO(site.id);
    CHECK(page.find("<code>" + site.id + "</code>") != std::string::npos);
  }
  CHECK(Count(page, "<rect class=\"bar\"") == 168);
  CHECK(Count(page, "<polyline") == 500 - 500 / 7 - 1);  // sites with a quiet week have none
}

// The page's scroll width in a viewport `width` px wide. Headless Chromium will not make a
// window narrower than 500 px, so the page goes into an iframe of that width (srcdoc, so
// that the wrapper may read it); a script in the wrapper (the page itself has none) writes
// the page's scroll width into the wrapper's DOM, which Chromium dumps.
int64_t ScrollWidthAt(const testing::TempDir& dir, const std::string& page, int width) {
  std::string srcdoc;
  for (char c : page) {
    if (c == '&')
      srcdoc += "&amp;";
    else if (c == '"')
      srcdoc += "&quot;";
    else
      srcdoc += c;
  }
  std::string wrapper =
      "<!DOCTYPE html><html><body style=\"margin:0\"><iframe id=\"f\" style=\"border:0\" "
      "width=\"" +
      std::to_string(width) + "\" height=\"844\" srcdoc=\"" + srcdoc +
      "\"></iframe><script>window.onload = function() { document.body.setAttribute("
      "'data-scroll-width', document.getElementById('f').contentDocument.documentElement"
      ".scrollWidth) }</script></body></html>";
  auto dom = testing::DumpDom(WritePage(dir, "probe.html", wrapper));
  REQUIRE(dom.has_value());
  size_t at = dom->find("data-scroll-width=\"");
  REQUIRE(at != std::string::npos);
  return std::stoll(dom->substr(at + 19));
}

// The first 24 bytes of a PNG: the signature, then IHDR with the width and height.
std::pair<uint32_t, uint32_t> PngSize(const std::string& png) {
  REQUIRE(png.size() > 24);
  REQUIRE(png.compare(0, 8, "\x89PNG\r\n\x1A\n") == 0);
  auto be32 = [&](size_t at) {
    return (uint32_t(uint8_t(png[at])) << 24) | (uint32_t(uint8_t(png[at + 1])) << 16) |
           (uint32_t(uint8_t(png[at + 2])) << 8) | uint32_t(uint8_t(png[at + 3]));
  };
  return {be32(16), be32(20)};
}

TEST_CASE("the page fits a phone's width and screenshots at phone and desktop width", "[web]") {
  DbFigures db = BaseDb();
  Snapshot snapshot = ManySites(12, db);
  AddHostileSites(snapshot, db);  // long titles and URLs must wrap, not widen the page
  snapshot.paused.push_back({"slow.example", std::chrono::minutes(90), "Retry-After"});
  db.queue = {120, 4, 8, 0, 98765, 2, 4321, kNow - minutes(7)};
  std::string page = RenderStatusPage(snapshot, &db, kNow);

  testing::TempDir dir;
  std::string url = WritePage(dir, "status.html", page);
  // No horizontal scrolling: the page is exactly as wide as the phone or the desktop window.
  CHECK(ScrollWidthAt(dir, page, 390) == 390);
  CHECK(ScrollWidthAt(dir, page, 1280) == 1280);
  std::string artifacts = std::string(GLEANER_SOURCE_DIR) + "/build/artifacts";
  std::filesystem::create_directories(artifacts);
  std::ofstream(artifacts + "/status-page.html") << page;  // for people to look at
  struct Shot {
    int width, height;
    const char* name;
  };
  for (Shot shot :
       {Shot{390, 844, "status-page-phone.png"}, Shot{1280, 900, "status-page-desktop.png"}}) {
    std::string png = artifacts + "/" + shot.name;
    auto ok = testing::Screenshot(url, png, shot.width, shot.height);
    INFO(shot.name << ": " << (ok ? "" : ok.error().message));
    REQUIRE(ok.has_value());
    auto [w, h] = PngSize(testing::ReadFile(png));
    CHECK(w == uint32_t(shot.width));
    CHECK(h == uint32_t(shot.height));
  }
}

}  // namespace
}  // namespace gleaner::web
