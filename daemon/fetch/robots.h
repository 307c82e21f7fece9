// robots.txt (RFC 9309): parsing a file into the rules that apply to our User-Agent token,
// and deciding whether a path may be fetched. Pure: no network, no clock (the fetcher
// fetches, caches and expires the file; see curl_fetcher.cc). Thread-safe once built.
//
// Matching follows RFC 9309 and Google's documented behaviour: the group whose User-agent
// names our product token (case-insensitive) wins, else the `*` group; groups naming the same
// agent are merged; the longest matching Allow/Disallow pattern decides, Allow winning ties;
// `*` matches any run of characters and a final `$` anchors the end. `Sitemap:` lines are
// collected wherever they appear. It must not follow Sitemap URLs or know about hosts.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gleaner::fetch {

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

  // An estimate of the memory these rules hold (the object, its rules and sitemaps with
  // their strings), for caches that cap their size in bytes.
  size_t bytes() const;

 private:
  struct Rule {
    std::string pattern;  // percent-encoding normalised, '$' kept at the end
    bool allow = false;
  };
  std::vector<Rule> rules_;
  std::optional<std::chrono::milliseconds> crawl_delay_;
  std::vector<std::string> sitemaps_;
};

// The product token robots.txt groups are matched against: the User-Agent up to the first
// '/' or space ("gleaner/0.1 (+https://x)" -> "gleaner").
std::string ProductToken(std::string_view user_agent);

// Whether `path` matches the robots pattern (`*` wildcard, trailing `$` anchor), both
// already percent-normalised. Exposed for tests.
bool RobotsPatternMatches(std::string_view pattern, std::string_view path);

}  // namespace gleaner::fetch
