// robots.txt (RFC 9309): parsing a file into the rules that apply to our User-Agent token,
// and deciding whether a path may be fetched. Pure: no network, no clock (the fetcher
// fetches, caches and expires the file; see curl_fetcher.cc). Thread-safe once built.
//
// Matching follows RFC 9309 and Google's documented behaviour: the group whose User-agent
// names our product token (case-insensitive) wins, else the `*` group; groups naming the same
// agent are merged; the longest matching Allow/Disallow pattern decides, Allow winning ties;
// `*` matches any run of characters and a final `$` anchors the end. `Sitemap:` lines are
// collected wherever they appear. It must not follow Sitemap URLs or know about hosts.
//
// Matching one rule costs time linear in its pattern plus the path, whatever the bytes: a
// robots.txt and the links we follow are both written by others. Patterns are kept up to
// kMaxRobotsPatternBytes; a longer Disallow is cut to that length, which makes it forbid
// more (every path it matched still matches) and keeps the weight of its full length, and
// a longer Allow is ignored, which makes it allow less. Either way gleaner errs on the polite
// side; both are counted.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gleaner::fetch {

// Longest Allow/Disallow pattern kept whole, in bytes (after percent-normalisation). No
// pattern needs to be longer than the URLs it is meant for: 16 KiB is 8 times the 2,083
// characters old browsers allowed in a URL, about what Google's parser keeps of a line.
constexpr size_t kMaxRobotsPatternBytes = 16 * 1024;

class RobotsRules {
 public:
  // Everything allowed, no delay, no sitemaps: a missing robots.txt (4xx).
  RobotsRules() = default;

  // Parses `text` (any size; callers cap it) for the agent `product_token` ("gleaner").
  // Unknown lines and malformed lines are ignored, as the RFC requires. Never fails.
  static RobotsRules Parse(std::string_view text, std::string_view product_token);

  // Whether `path_and_query` ("/a/b?x=1"; "" means "/") may be fetched. /robots.txt itself
  // is always allowed.
  bool IsAllowed(std::string_view path_and_query) const;

  // The group's Crawl-delay, when it gave a valid one (non-negative seconds, decimals ok).
  std::optional<std::chrono::milliseconds> crawl_delay() const { return crawl_delay_; }

  // Sitemap URLs, in file order, as written.
  const std::vector<std::string>& sitemaps() const { return sitemaps_; }

  // Number of Allow/Disallow rules in the chosen group (for logs and tests).
  size_t rule_count() const { return rules_.size(); }

  // Disallow rules of the chosen group cut to kMaxRobotsPatternBytes, and Allow rules
  // ignored for being longer (for logs and tests).
  size_t truncated_overlong_disallows() const { return truncated_disallows_; }
  size_t ignored_overlong_allows() const { return ignored_allows_; }

  // An estimate of the memory these rules hold (the object, its rules and sitemaps with
  // their strings), for caches that cap their size in bytes.
  size_t bytes() const;

 private:
  struct Rule {
    std::string pattern;  // percent-encoding normalised, '$' kept at the end
    size_t weight = 0;    // the pattern's length before any cut: longest match wins
    bool allow = false;
  };
  std::vector<Rule> rules_;
  std::optional<std::chrono::milliseconds> crawl_delay_;
  std::vector<std::string> sitemaps_;
  size_t truncated_disallows_ = 0;
  size_t ignored_allows_ = 0;
};

// The product token robots.txt groups are matched against: the User-Agent up to the first
// '/' or space ("gleaner/0.1 (+https://x)" -> "gleaner").
std::string ProductToken(std::string_view user_agent);

// Whether `path` matches the robots pattern (`*` wildcard, trailing `$` anchor), both
// already percent-normalised. Time linear in pattern.size() + path.size(). Exposed for tests.
bool RobotsPatternMatches(std::string_view pattern, std::string_view path);

}  // namespace gleaner::fetch
