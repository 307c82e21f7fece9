// Per-site extraction rules, compiled from sites/*.yaml (the schema is documented in
// sites/README.md and enforced by ParseSiteRules), and the set of all sites.
// Pure: the caller reads the files and hands their text in. Immutable after loading, so a
// SiteSet may be shared by threads.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "extractors/core/result.h"
#include "extractors/html/selector.h"
#include "extractors/text/regex.h"

namespace gleaner::rules {

// How to get one field: selectors tried in order (the first that yields a value wins; for
// the body every node of the first selector that matches is joined), then an optional
// regex whose group `value` (or group 1, or the whole match) is the value.
struct FieldRule {
  std::vector<html::Selector> selectors;
  std::optional<text::Regex> pattern;
};

// One page design of a site. Sites redesign; layouts are tried in order.
struct Layout {
  std::string name;
  std::optional<FieldRule> title, body, author, byline, published, source, source_url;
  std::vector<html::Selector> remove;  // removed before the body is read (besides the site's)
  std::vector<std::string> require;    // fields that must match for the layout to apply
};

enum class SourceKind { kListing, kFeed, kSitemap };

// Where the daemon discovers article URLs.
struct PollSource {
  SourceKind kind;
  std::string url;
  std::chrono::milliseconds every;
};

struct SiteRules {
  std::string id;
  std::string name;
  std::string language;                 // ISO 639-1
  std::string file;                     // the site file, for messages
  std::vector<text::Regex> urls;        // the URLs this site owns
  std::optional<text::Regex> articles;  // which of them are article pages
  std::vector<PollSource> sources;
  std::optional<std::chrono::milliseconds> delay;  // politeness delay for this site
  bool sitemaps_from_robots = false;               // also poll the Sitemap: lines of robots.txt
  // Hosts besides those of `sources` whose sitemaps may be read when a sitemap index or
  // robots.txt names them (lower-case). Others are refused: a site could otherwise make
  // us poll any host, internal ones included, hourly and for good.
  std::vector<std::string> sitemap_hosts;
  std::vector<std::string> examples;   // article URLs, for `gleaner check` overlap tests
  std::vector<html::Selector> remove;  // removed in every layout
  std::vector<html::Selector> ticker;  // headline links captured into `ticker`
  std::vector<text::Regex> related;    // "read also" paragraphs -> `related`
  std::vector<Layout> layouts;

  // True when one of `urls` matches `url`.
  bool Owns(std::string_view url) const;
  // The first of `urls` that matches `url` (the one that makes the site own it), or null.
  const text::Regex* OwningPattern(std::string_view url) const;
  // True when `url` is owned and matches `articles` (every owned URL when none is set).
  bool IsArticleUrl(std::string_view url) const;
  // True when a sitemap at `url` may be read for this site: its host is the host of one
  // of `sources` or is in `sitemap_hosts` (compared case-insensitively, ports ignored).
  // False for an unparsable URL.
  bool MayReadSitemapAt(std::string_view url) const;
};

// Compiles one site file. `file_name` is used in messages ("sites/x.yaml:12:5: ...").
// Returns kConfig for broken YAML, unknown or duplicate keys, a missing required key, a bad
// regex or selector, a bad duration; never throws.
Result<SiteRules> ParseSiteRules(std::string_view yaml_text, const std::string& file_name);

// All configured sites.
class SiteSet {
 public:
  SiteSet() = default;
  // Takes the sites; returns kConfig when two files declare the same id.
  static Result<SiteSet> Create(std::vector<SiteRules> sites);

  const std::vector<SiteRules>& sites() const { return sites_; }
  const SiteRules* Find(std::string_view id) const;
  // The site that owns `url`, or nullptr. When several do (a configuration error that
  // `gleaner check` reports), returns kConfig naming them.
  Result<const SiteRules*> Match(std::string_view url) const;
  // One message per URL (a poll source or an example of one site) that another site owns
  // too: "file: URL of site A is also owned by site B (file)". Empty when none.
  std::vector<std::string> Overlaps() const;

 private:
  std::vector<SiteRules> sites_;
};

}  // namespace gleaner::rules
