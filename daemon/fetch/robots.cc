#include "daemon/fetch/robots.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <vector>

#include "extractors/core/ascii.h"

namespace gleaner::fetch {
namespace {

// Crawl-delay values beyond this are typos or hostility; a day between requests would
// starve a site we were asked to follow, so larger values are clamped.
constexpr double kMaxCrawlDelaySeconds = 86400.0;

// Literal runs between wildcards up to this long are searched with std::string_view::find,
// whose cost is at most this many comparisons per path byte; longer ones with KMP.
constexpr size_t kShortNeedleBytes = 32;

// The leftmost occurrence of `needle` in `haystack` at or after `from`, or npos. Linear in
// the bytes scanned plus the needle (Knuth-Morris-Pratt) for long needles, whatever the
// bytes; short needles use find(), whose worst case is bounded by their length.
size_t FindFrom(std::string_view haystack, std::string_view needle, size_t from) {
  if (needle.size() <= kShortNeedleBytes) return haystack.find(needle, from);
  std::vector<size_t> border(needle.size(), 0);  // longest proper border of needle[0..i]
  for (size_t i = 1, k = 0; i < needle.size(); ++i) {
    while (k > 0 && needle[i] != needle[k]) k = border[k - 1];
    if (needle[i] == needle[k]) ++k;
    border[i] = k;
  }
  for (size_t i = from, k = 0; i < haystack.size(); ++i) {
    while (k > 0 && haystack[i] != needle[k]) k = border[k - 1];
    if (haystack[i] == needle[k]) ++k;
    if (k == needle.size()) return i + 1 - k;
  }
  return std::string_view::npos;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsUnreserved(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

// RFC 9309 2.2.2: non-ASCII octets are compared percent-encoded, escapes of unreserved
// characters decoded, so "/caf%C3%A9", "/café" and "/caf%c3%a9" all compare equal.
std::string NormalizePercent(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      unsigned char decoded =
          static_cast<unsigned char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2]));
      if (IsUnreserved(decoded)) {
        out.push_back(static_cast<char>(decoded));
      } else {
        out.push_back('%');
        out.push_back(kHex[decoded >> 4]);
        out.push_back(kHex[decoded & 15]);
      }
      i += 2;
    } else if (c >= 0x80 || c <= 0x20) {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

struct Group {
  std::vector<std::string> agents;  // lower-case product tokens
  std::vector<std::pair<std::string, bool>> rules;
  std::optional<std::chrono::milliseconds> crawl_delay;
};

std::optional<std::chrono::milliseconds> ParseCrawlDelay(std::string_view value) {
  std::string text(value);
  char* end = nullptr;
  double seconds = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0' || !std::isfinite(seconds) || seconds < 0) {
    return std::nullopt;
  }
  seconds = std::min(seconds, kMaxCrawlDelaySeconds);
  return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000.0));
}

// Splits "key: value # comment" into a lower-case key and a trimmed value. False when the
// line has no key.
bool SplitLine(std::string_view line, std::string* key, std::string_view* value) {
  if (auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return false;
  *key = AsciiLower(TrimHttpSpace(line.substr(0, colon)));
  *value = TrimHttpSpace(line.substr(colon + 1));
  return !key->empty();
}

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\n' && text[i] != '\r') continue;
    lines.push_back(text.substr(start, i - start));
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
    start = i + 1;
  }
  if (start < text.size()) lines.push_back(text.substr(start));
  return lines;
}

std::vector<Group> ParseGroups(std::string_view text, std::vector<std::string>* sitemaps) {
  static constexpr std::string_view kBom = "\xEF\xBB\xBF";
  if (text.substr(0, kBom.size()) == kBom) text.remove_prefix(kBom.size());
  std::vector<Group> groups;
  bool last_was_agent = false;
  for (std::string_view line : SplitLines(text)) {
    std::string key;
    std::string_view value;
    if (!SplitLine(line, &key, &value)) continue;
    if (key == "user-agent" || key == "useragent" || key == "user agent") {
      if (groups.empty() || !last_was_agent) groups.emplace_back();
      groups.back().agents.push_back(AsciiLower(ProductToken(value)));
      last_was_agent = true;
    } else if (key == "sitemap" || key == "site-map") {
      if (!value.empty()) sitemaps->emplace_back(value);
    } else if (key == "allow" || key == "disallow" || key == "crawl-delay") {
      last_was_agent = false;
      if (groups.empty()) continue;  // rules before any User-agent belong to nobody
      if (key == "crawl-delay") {
        if (!groups.back().crawl_delay) groups.back().crawl_delay = ParseCrawlDelay(value);
      } else if (!value.empty()) {  // an empty Disallow allows everything: no rule
        groups.back().rules.emplace_back(std::string(value), key == "allow");
      }
    }
  }
  return groups;
}

}  // namespace

size_t RobotsRules::bytes() const {
  size_t total = sizeof(RobotsRules);
  for (const Rule& rule : rules_) total += sizeof(Rule) + rule.pattern.size();
  for (const std::string& sitemap : sitemaps_) total += sizeof(std::string) + sitemap.size();
  return total;
}

std::string ProductToken(std::string_view user_agent) {
  user_agent = TrimHttpSpace(user_agent);
  size_t end = user_agent.find_first_of("/ \t");
  return std::string(user_agent.substr(0, end));
}

// The pattern is literal runs separated by '*': the first must start the path, each next one
// is taken at its leftmost place after the previous one (a later place could only leave
// less room for the rest), and with '$' the last must end the path. Each path byte is
// scanned once, so the cost is linear where backtracking to the last '*' was quadratic.
bool RobotsPatternMatches(std::string_view pattern, std::string_view path) {
  bool anchored = !pattern.empty() && pattern.back() == '$';
  if (anchored) pattern.remove_suffix(1);
  size_t star = pattern.find('*');
  std::string_view first = pattern.substr(0, star);
  if (path.substr(0, first.size()) != first) return false;
  if (star == std::string_view::npos) return !anchored || path.size() == first.size();
  size_t at = first.size();  // where the rest of the path starts
  size_t last_star = pattern.rfind('*');
  for (size_t from = star + 1; from <= last_star;) {
    size_t next = pattern.find('*', from);
    std::string_view run = pattern.substr(from, next - from);
    from = next + 1;
    if (run.empty()) continue;
    size_t found = FindFrom(path, run, at);
    if (found == std::string_view::npos) return false;
    at = found + run.size();
  }
  std::string_view last = pattern.substr(last_star + 1);
  if (!anchored) return last.empty() || FindFrom(path, last, at) != std::string_view::npos;
  return path.size() - at >= last.size() && path.substr(path.size() - last.size()) == last;
}

RobotsRules RobotsRules::Parse(std::string_view text, std::string_view product_token) {
  RobotsRules out;
  std::vector<Group> groups = ParseGroups(text, &out.sitemaps_);
  std::string token = AsciiLower(product_token);
  auto names = [](const Group& g, const std::string& agent) {
    return std::find(g.agents.begin(), g.agents.end(), agent) != g.agents.end();
  };
  bool specific = !token.empty() && std::any_of(groups.begin(), groups.end(),
                                                [&](const Group& g) { return names(g, token); });
  const std::string chosen = specific ? token : "*";
  for (const Group& g : groups) {
    if (!names(g, chosen)) continue;
    if (!out.crawl_delay_) out.crawl_delay_ = g.crawl_delay;
    for (const auto& [pattern, allow] : g.rules) {
      std::string normalized = NormalizePercent(pattern);
      // Patterns must start with '/' or '*'; "Disallow: private" means "/private".
      if (normalized.front() != '/' && normalized.front() != '*') normalized.insert(0, "/");
      size_t weight = normalized.size();
      if (weight > kMaxRobotsPatternBytes) {
        // See the header: polite either way.
        if (allow) {
          ++out.ignored_allows_;
          continue;
        }
        normalized.resize(kMaxRobotsPatternBytes);  // its '$', if any, goes too
        ++out.truncated_disallows_;
      }
      out.rules_.push_back(Rule{std::move(normalized), weight, allow});
    }
  }
  return out;
}

bool RobotsRules::IsAllowed(std::string_view path_and_query) const {
  if (path_and_query.empty()) path_and_query = "/";
  if (path_and_query == "/robots.txt") return true;
  if (rules_.empty()) return true;
  std::string path = NormalizePercent(path_and_query);
  size_t best_length = 0;
  bool best_allow = true;
  bool matched = false;
  for (const Rule& rule : rules_) {
    if (!RobotsPatternMatches(rule.pattern, path)) continue;
    size_t length = rule.weight;
    if (!matched || length > best_length) {
      best_length = length;
      best_allow = rule.allow;
      matched = true;
    } else if (length == best_length && rule.allow) {
      best_allow = true;  // RFC 9309: on equal length, the least restrictive rule wins
    }
  }
  return !matched || best_allow;
}

}  // namespace gleaner::fetch
