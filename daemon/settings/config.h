// gleaner's settings (config/gleaner.yaml): where they come from and their defaults.
//
// Each setting comes from, in order (docs/CONTRACT.md "Paths and defaults"): its command-line
// flag (the caller applies flags after loading); the config file; when run from the source
// tree (./sites exists) ./config/gleaner.yaml, ./sites/, ./var/gleaner.db; otherwise
// /etc/gleaner/gleaner.yaml, /etc/gleaner/sites/, /var/lib/gleaner/gleaner.db.
// The file is validated strictly: unknown or duplicate keys and bad values are errors
// naming file:line:col.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "daemon/fetch/address_guard.h"
#include "extractors/core/result.h"
#include "extractors/html/dom.h"

namespace gleaner {

// Caps for one page's extraction (also read by the fetcher: max_page_bytes).
struct ExtractLimits {
  uint64_t max_page_bytes = 16u << 20;      // `limits.page_bytes`: bigger inputs are refused
  uint64_t max_nodes = 500000;              // `limits.dom_nodes`
  uint64_t max_depth = 512;                 // `limits.dom_depth`: deeper subtrees are cut off
  uint64_t max_site_file_bytes = 1u << 20;  // `limits.site_file_bytes`
};

// The fetcher's settings (`fetch:` section).
struct FetchSettings {
  std::string user_agent = "gleaner/0.1";            // `user_agent`; the product token
                                                     // robots.txt groups are matched with
  std::string contact = "";                          // `contact`: URL or mail appended to UA
  std::chrono::milliseconds connect_timeout{10000};  // `connect_timeout`
  std::chrono::milliseconds total_timeout{60000};    // `timeout`: whole transfer
  std::chrono::milliseconds stall_timeout{20000};    // `stall_timeout`: below 1 KB/s this long
  uint64_t max_body_bytes = 10u * 1000 * 1000;       // `max_body`: after decompression
  int max_redirects = 5;                             // `max_redirects`
  int per_host_connections = 2;                      // `per_host_connections`
  int global_connections = 8;                        // `connections`
  std::chrono::milliseconds delay{1000};             // `delay`: between requests to a host
  std::chrono::milliseconds jitter{500};             // `jitter`: random extra delay, up to
  std::chrono::milliseconds robots_ttl{86400000};    // `robots_ttl`
  int max_retries = 3;                               // `retries`: after the first try
  int breaker_failures = 5;                          // `breaker_failures`: host pauses after
  std::chrono::milliseconds breaker_pause{600000};   // `breaker_pause`
  // State kept per origin and per host, bounded for months of uptime:
  int robots_cache_entries = 4096;               // `robots_cache_entries`: LRU beyond
  uint64_t robots_cache_bytes = 16u << 20;       // `robots_cache_bytes`: LRU beyond
  std::chrono::milliseconds host_idle{3600000};  // `host_idle`: idle host state dropped
  // `allow_networks`: CIDR blocks the address guard lets through although they are
  // loopback, private or otherwise special (an intranet site). Empty: none is.
  std::vector<fetch::Network> allow_networks;
};

// The crawl's own settings (`crawl:` section): its window and the caps on what discovery
// and the frontier may grow to.
struct CrawlSettings {
  int max_in_flight = 256;        // `in_flight`: requests handed to the fetcher at once
  int sitemap_depth = 2;          // `sitemap_depth`: levels of sitemaps below a source
  int sitemap_children = 1000;    // `sitemap_children`: child sitemaps read per index
  int urls_per_document = 50000;  // `urls_per_document`: links read per page or sitemap
  int new_urls_per_poll = 10000;  // `new_urls_per_poll`: new articles per poll per site
  std::chrono::milliseconds retention{30LL * 86400000};  // `retention`: done rows kept
};

// Several boxes around one PostgreSQL (`cluster:` section; absent: one box, SQLite only).
// Each box ships its records there and holds a share of the sites by leases
// (daemon/cluster/).
struct ClusterSettings {
  // `postgresql`: a libpq connection string. It may hold a password, so it is never logged
  // or shown; cluster::DescribeTarget gives what may be.
  std::string postgresql;
  std::string box;                         // `box`: this box's name, unique in the cluster
  std::chrono::milliseconds lease{30000};  // `lease`: how long a dead box holds its sites
};

// Where the daemon serves Prometheus metrics (/metrics) and its status page (/): an IP
// literal and a port (`metrics:`; absent: not served).
struct MetricsAddress {
  std::string host;  // "127.0.0.1", "::1", ... (an IP literal; "localhost" is 127.0.0.1)
  int port = 0;      // 1..65535
  // "127.0.0.1:9464", "[::1]:9464".
  std::string ToString() const;
  // Whether `host` is a loopback address (127.0.0.0/8, ::1): only this box can connect.
  bool Loopback() const;
};

// Parses a `metrics:` value: "HOST:PORT", "[IPV6]:PORT" or a bare port (on 127.0.0.1).
// "" and "off" mean off (nullopt). A bad value is kConfig with a message that names no
// file: ParseConfig adds the file:line:col of the value.
Result<std::optional<MetricsAddress>> ParseMetricsAddress(std::string_view text);

struct Config {
  std::optional<std::string> file;  // the config file read, if any
  std::string sites_dir;            // `sites`
  std::string database;             // `database`
  std::string log_level = "info";   // `log_level`: trace, debug, info, warn, error
  // `archive`: keep the raw response of every article fetched (store/archive.h), in
  // store::ArchivePathFor(database).
  bool archive = true;
  int archive_days = 0;  // `archive_days`: archived pages kept this long; 0: forever
  ExtractLimits limits;  // `limits:`
  FetchSettings fetch;   // `fetch:`
  CrawlSettings crawl;   // `crawl:`
  std::optional<ClusterSettings> cluster;  // `cluster:`
  std::optional<MetricsAddress> metrics;   // `metrics:`
};

// The DOM caps of one page's extraction, from the `limits:` settings.
html::DomLimits DomLimitsFrom(const ExtractLimits& limits);

// Loads the configuration. With `explicit_path`, that file must exist (kInput otherwise);
// without it, the contract's default file is read when present, else defaults apply.
// Returns kConfig "file:line:col: message" for a bad file. Not thread-safe (reads cwd).
Result<Config> LoadConfig(const std::optional<std::string>& explicit_path);

// The command-line flags that override settings (docs/CONTRACT.md "Paths and defaults"):
// each one given wins over the config file and the defaults.
struct ConfigOverrides {
  std::optional<std::string> config_file;  // --config FILE
  std::optional<std::string> sites_dir;    // --sites DIR
  std::optional<std::string> database;     // --db PATH
  std::optional<std::string> log_level;    // --log-level LEVEL
};

// LoadConfig(overrides.config_file), then the other overrides applied over what it read.
// Errors as LoadConfig's. Not thread-safe (reads cwd).
Result<Config> LoadConfigWithOverrides(const ConfigOverrides& overrides);

// Parses config text (the part of LoadConfig after reading the file). `file_name` is used in
// messages. Defaults for paths follow `in_source_tree`.
Result<Config> ParseConfig(std::string_view yaml_text, const std::string& file_name,
                           bool in_source_tree);

}  // namespace gleaner
