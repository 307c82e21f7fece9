#include "daemon/settings/config.h"

#include <arpa/inet.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "extractors/core/yaml_strict.h"

namespace gleaner {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSourceTreeConfig = "config/gleaner.yaml";
constexpr const char* kInstalledConfig = "/etc/gleaner/gleaner.yaml";
// A config file is a few kilobytes; anything much larger is a mistake (wrong file given).
constexpr uintmax_t kMaxConfigBytes = 1 << 20;

// The range each setting accepts, both ends included, as config/gleaner.yaml documents them.
// Zero is allowed only where it means "none" (no delay, no retries), never where libcurl or
// a timer would read it as "forever" or "never"; every top stays far from what clock
// arithmetic (int64 nanoseconds), ICU's int32 lengths and memory can hold.
struct DurationRange {
  std::chrono::milliseconds min, max;
};
struct SizeRange {
  uint64_t min, max;
};
struct CountRange {
  int64_t min, max;
};
using std::chrono::days;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

// Pages and bodies: below 64 KiB ordinary article pages (50-500 KB) are refused; pages are
// decoded by ICU, whose lengths are int32 with up to 3 bytes out per byte in, and 256 MiB
// keeps that far off while being ten times the largest page we have met.
constexpr SizeRange kPageBytes{64u << 10, 256u << 20};
// Below 1,000 nodes even a short article is cut; libxml2 spends about 150 bytes a node, so
// 10 million is already 1.5 GB.
constexpr CountRange kDomNodes{1000, 10000000};
// Article bodies sit 10-30 levels deep; past 4096, libxml2's recursive walks (XPath,
// serialisation) come near the end of a thread's stack.
constexpr CountRange kDomDepth{16, 4096};
// A site file is 1-2 KB; 1 MiB is the size whose parsing cost was measured (under 64 MB).
constexpr SizeRange kSiteFileBytes{1u << 10, 1u << 20};
// User-Agent and contact share one header line; 256 characters each holds any product
// token and URL, and keeps the line far from servers' header limits (8 KB).
constexpr size_t kMaxHeaderTextLength = 256;
// A connection not made in 5 minutes is dead; under 100 ms even a loopback TLS handshake fails.
constexpr DurationRange kConnectTimeout{milliseconds(100), minutes(5)};
// A whole transfer: an hour moves the largest body (256 MiB) at 75 KB/s.
constexpr DurationRange kTotalTimeout{seconds(1), hours(1)};
// libcurl counts the stall time in whole seconds, and 0 turns the check off.
constexpr DurationRange kStallTimeout{seconds(1), hours(1)};
// 0 is no pause between requests (one's own servers); robots.txt Crawl-delays beyond a
// minute are rare, and a day between two requests to a host polls nothing.
constexpr DurationRange kDelay{milliseconds(0), hours(24)};
constexpr DurationRange kJitter{milliseconds(0), hours(1)};
// 0 would fetch robots.txt before every page; RFC 9309 asks for no more than 24 h of
// caching, a month is the most any box needs when a site's robots.txt keeps failing.
constexpr DurationRange kRobotsTtl{minutes(1), days(30)};
// 0 would never pause a failing host; a day is long enough for any outage we wait out.
constexpr DurationRange kBreakerPause{seconds(1), hours(24)};
// A host's politeness state must outlive a few delays; a month bounds what idle hosts hold.
constexpr DurationRange kHostIdle{minutes(1), days(30)};
// One robots.txt is at most 512 KiB; the top keeps the cache a small part of the box's memory.
constexpr SizeRange kRobotsCacheBytes{64u << 10, 1u << 30};
constexpr CountRange kMaxRedirects{0, 20};        // browsers stop at 20
constexpr CountRange kPerHostConnections{1, 64};  // more is no longer polite
constexpr CountRange kConnections{1, 1024};       // file descriptors
constexpr CountRange kRetries{0, 20};             // back-off doubles: 20 tries span days
constexpr CountRange kBreakerFailures{1, 1000};
constexpr CountRange kRobotsCacheEntries{1, 10000000};
// How long archived pages are kept, in days; 0 keeps them forever. A hundred years is
// forever in all but name; the cap keeps the cut-off time far from overflowing.
constexpr CountRange kArchiveDays{0, 36500};
// The crawl's window and discovery caps; each is an int and a memory bound.
constexpr CountRange kInFlight{1, 100000};
constexpr CountRange kSitemapDepth{0, 8};  // real sites nest 1 or 2 levels
constexpr CountRange kDiscoveryCount{
    1, 10000000};  // sitemap_children, urls_per_document, new_urls_per_poll
// Done rows must stay long enough to ride out a re-listed article; ten years is forever.
constexpr DurationRange kRetention{days(1), days(3650)};
// A lease is renewed three times within its length: shorter than a few seconds, a busy
// database would make a live box lose its sites; longer than an hour, a dead box's sites
// would wait for most of a day's news.
constexpr DurationRange kLease{seconds(3), hours(1)};
// libpq connection strings are short; this bounds what a group member's file can make us hold.
constexpr size_t kMaxConnectionString = 4096;
constexpr size_t kMaxBoxName = 64;

bool InSourceTree() {
  std::error_code ec;
  return fs::is_directory("sites", ec);
}

Config Defaults(bool in_source_tree) {
  Config c;
  c.sites_dir = in_source_tree ? "sites" : "/etc/gleaner/sites";
  c.database = in_source_tree ? "var/gleaner.db" : "/var/lib/gleaner/gleaner.db";
  return c;
}

Result<void> ParseLimits(const std::string& file, const YAML::Node& node, ExtractLimits* limits) {
  if (auto ok = yaml::CheckMap(file, node, "limits",
                               {"page_bytes", "dom_nodes", "dom_depth", "site_file_bytes"});
      !ok) {
    return ok;
  }
  for (const auto& entry : node) {
    std::string key = entry.first.Scalar();
    const YAML::Node& value = entry.second;
    if (key == "page_bytes" || key == "site_file_bytes") {
      SizeRange range = key == "page_bytes" ? kPageBytes : kSiteFileBytes;
      auto n = yaml::GetByteSize(file, value, key, range.min, range.max);
      if (!n) return tl::unexpected(n.error());
      (key == "page_bytes" ? limits->max_page_bytes : limits->max_site_file_bytes) = *n;
    } else {
      CountRange range = key == "dom_nodes" ? kDomNodes : kDomDepth;
      auto n = yaml::GetInt(file, value, key, range.min, range.max);
      if (!n) return tl::unexpected(n.error());
      (key == "dom_nodes" ? limits->max_nodes : limits->max_depth) = static_cast<uint64_t>(*n);
    }
  }
  return {};
}

// `fetch.allow_networks`: a list of CIDR blocks or bare addresses; each bad one is reported
// at its own line.
Result<void> ParseAllowNetworks(const std::string& file, const YAML::Node& node,
                                std::vector<fetch::Network>* out) {
  if (!node.IsSequence()) {
    return yaml::ErrorAt(file, node,
                         "'allow_networks' must be a list of networks such as [10.1.0.0/16]");
  }
  out->clear();
  for (const YAML::Node& item : node) {
    auto text = yaml::GetString(file, item, "allow_networks");
    if (!text) return tl::unexpected(text.error());
    auto network = fetch::ParseNetwork(*text);
    if (!network) return yaml::ErrorAt(file, item, "'allow_networks': " + network.error().message);
    out->push_back(*network);
  }
  return {};
}

Result<void> ParseFetch(const std::string& file, const YAML::Node& node, FetchSettings* f) {
  if (auto ok = yaml::CheckMap(
          file, node, "fetch",
          {"user_agent", "contact", "connect_timeout", "timeout", "stall_timeout", "max_body",
           "max_redirects", "per_host_connections", "connections", "delay", "jitter", "robots_ttl",
           "retries", "breaker_failures", "breaker_pause", "robots_cache_entries",
           "robots_cache_bytes", "host_idle", "allow_networks"});
      !ok) {
    return ok;
  }
  for (const auto& entry : node) {
    std::string key = entry.first.Scalar();
    const YAML::Node& v = entry.second;
    Result<void> ok;
    auto set_duration = [&](std::chrono::milliseconds* out, DurationRange range) -> Result<void> {
      auto d = yaml::GetDuration(file, v, key, range.min, range.max);
      if (!d) return tl::unexpected(d.error());
      *out = *d;
      return {};
    };
    auto set_int = [&](int* out, CountRange range) -> Result<void> {
      auto n = yaml::GetInt(file, v, key, range.min, range.max);
      if (!n) return tl::unexpected(n.error());
      *out = static_cast<int>(*n);
      return {};
    };
    auto set_header_text = [&](std::string* out) -> Result<void> {
      auto s = yaml::GetPrintableAscii(file, v, key, kMaxHeaderTextLength);
      if (!s) return tl::unexpected(s.error());
      *out = *s;
      return {};
    };
    if (key == "user_agent")
      ok = set_header_text(&f->user_agent);
    else if (key == "contact")
      ok = set_header_text(&f->contact);
    else if (key == "connect_timeout")
      ok = set_duration(&f->connect_timeout, kConnectTimeout);
    else if (key == "timeout")
      ok = set_duration(&f->total_timeout, kTotalTimeout);
    else if (key == "stall_timeout")
      ok = set_duration(&f->stall_timeout, kStallTimeout);
    else if (key == "delay")
      ok = set_duration(&f->delay, kDelay);
    else if (key == "jitter")
      ok = set_duration(&f->jitter, kJitter);
    else if (key == "robots_ttl")
      ok = set_duration(&f->robots_ttl, kRobotsTtl);
    else if (key == "breaker_pause")
      ok = set_duration(&f->breaker_pause, kBreakerPause);
    else if (key == "max_redirects")
      ok = set_int(&f->max_redirects, kMaxRedirects);
    else if (key == "per_host_connections")
      ok = set_int(&f->per_host_connections, kPerHostConnections);
    else if (key == "connections")
      ok = set_int(&f->global_connections, kConnections);
    else if (key == "retries")
      ok = set_int(&f->max_retries, kRetries);
    else if (key == "breaker_failures")
      ok = set_int(&f->breaker_failures, kBreakerFailures);
    else if (key == "robots_cache_entries")
      ok = set_int(&f->robots_cache_entries, kRobotsCacheEntries);
    else if (key == "host_idle")
      ok = set_duration(&f->host_idle, kHostIdle);
    else if (key == "allow_networks")
      ok = ParseAllowNetworks(file, v, &f->allow_networks);
    else if (key == "max_body" || key == "robots_cache_bytes") {
      SizeRange range = key == "max_body" ? kPageBytes : kRobotsCacheBytes;
      auto n = yaml::GetByteSize(file, v, key, range.min, range.max);
      if (!n) return tl::unexpected(n.error());
      (key == "max_body" ? f->max_body_bytes : f->robots_cache_bytes) = *n;
    }
    if (!ok) return ok;
  }
  if (f->user_agent.empty()) return yaml::ErrorAt(file, node, "'user_agent' must not be empty");
  return {};
}

Result<void> ParseCrawl(const std::string& file, const YAML::Node& node, CrawlSettings* c) {
  if (auto ok = yaml::CheckMap(file, node, "crawl",
                               {"in_flight", "sitemap_depth", "sitemap_children",
                                "urls_per_document", "new_urls_per_poll", "retention"});
      !ok) {
    return ok;
  }
  for (const auto& entry : node) {
    std::string key = entry.first.Scalar();
    const YAML::Node& v = entry.second;
    if (key == "retention") {
      auto d = yaml::GetDuration(file, v, key, kRetention.min, kRetention.max);
      if (!d) return tl::unexpected(d.error());
      c->retention = *d;
      continue;
    }
    CountRange range = key == "sitemap_depth" ? kSitemapDepth
                       : key == "in_flight"   ? kInFlight
                                              : kDiscoveryCount;
    auto n = yaml::GetInt(file, v, key, range.min, range.max);
    if (!n) return tl::unexpected(n.error());
    int value = static_cast<int>(*n);
    if (key == "in_flight")
      c->max_in_flight = value;
    else if (key == "sitemap_depth")
      c->sitemap_depth = value;
    else if (key == "sitemap_children")
      c->sitemap_children = value;
    else if (key == "urls_per_document")
      c->urls_per_document = value;
    else
      c->new_urls_per_poll = value;
  }
  return {};
}

// A box name appears in records, leases and status: letters, digits, '.', '_' and '-'.
bool IsBoxName(const std::string& name) {
  if (name.empty() || name.size() > kMaxBoxName) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Result<void> ParseCluster(const std::string& file, const YAML::Node& node, ClusterSettings* c) {
  if (auto ok = yaml::CheckMap(file, node, "cluster", {"postgresql", "box", "lease"}); !ok) {
    return ok;
  }
  for (const auto& entry : node) {
    std::string key = entry.first.Scalar();
    const YAML::Node& v = entry.second;
    if (key == "lease") {
      auto d = yaml::GetDuration(file, v, key, kLease.min, kLease.max);
      if (!d) return tl::unexpected(d.error());
      c->lease = *d;
      continue;
    }
    auto s = yaml::GetString(file, v, key);
    if (!s) return tl::unexpected(s.error());
    if (key == "box") {
      if (!IsBoxName(*s)) {
        return yaml::ErrorAt(file, v,
                             "'box' must be 1 to 64 letters, digits, '.', '_' or '-', unique "
                             "among the boxes");
      }
      c->box = *s;
    } else {
      if (s->empty() || s->size() > kMaxConnectionString || s->find('\0') != std::string::npos) {
        return yaml::ErrorAt(file, v,
                             "'postgresql' must be a libpq connection string such as \"host=db "
                             "dbname=gleaner user=gleaner\" (at most 4096 bytes)");
      }
      c->postgresql = *s;
    }
  }
  if (c->postgresql.empty()) return yaml::ErrorAt(file, node, "'cluster' needs 'postgresql'");
  if (c->box.empty()) return yaml::ErrorAt(file, node, "'cluster' needs 'box', this box's name");
  return {};
}

Result<std::string> ReadConfigFile(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    return Fail(ErrorCode::kInput, path + ": config file not found");
  }
  if (fs::file_size(path, ec) > kMaxConfigBytes) {
    return Fail(ErrorCode::kConfig, path + ": config file is larger than 1 MiB");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(ErrorCode::kInput, path + ": cannot read config file");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

html::DomLimits DomLimitsFrom(const ExtractLimits& limits) {
  html::DomLimits dom;
  dom.max_bytes = limits.max_page_bytes;
  dom.max_nodes = limits.max_nodes;
  dom.max_depth = limits.max_depth;
  return dom;
}

std::string MetricsAddress::ToString() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return h + ":" + std::to_string(port);
}

bool MetricsAddress::Loopback() const {
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  return inet_pton(AF_INET6, host.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

Result<std::optional<MetricsAddress>> ParseMetricsAddress(std::string_view text) {
  auto bad = [&](const std::string& why) -> Result<std::optional<MetricsAddress>> {
    return tl::unexpected(Error{ErrorCode::kConfig, why});
  };
  if (text.empty() || text == "off") return std::nullopt;
  MetricsAddress address{"127.0.0.1", 0};
  std::string_view port_text = text;
  if (text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return bad("write an IPv6 address as [ADDRESS]:PORT, e.g. [::1]:9464");
    address.host = std::string(text.substr(1, close - 1));
    port_text = text.substr(close + 2);
  } else if (size_t colon = text.rfind(':'); colon != std::string_view::npos) {
    address.host = std::string(text.substr(0, colon));
    port_text = text.substr(colon + 1);
    if (address.host.find(':') != std::string::npos)
      return bad("write an IPv6 address as [ADDRESS]:PORT, e.g. [::1]:9464");
  }
  if (address.host == "localhost") address.host = "127.0.0.1";
  in_addr v4{};
  in6_addr v6{};
  bool v6_host = text.front() == '[';
  if (v6_host ? inet_pton(AF_INET6, address.host.c_str(), &v6) != 1
              : inet_pton(AF_INET, address.host.c_str(), &v4) != 1) {
    return bad("'" + address.host + "' is not an IP address (e.g. 127.0.0.1:9464, [::1]:9464)");
  }
  int port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port < 1 || port > 65535) {
    return bad("the port must be a number from 1 to 65535, e.g. 127.0.0.1:9464");
  }
  address.port = port;
  return address;
}

Result<Config> ParseConfig(std::string_view yaml_text, const std::string& file_name,
                           bool in_source_tree) {
  Config config = Defaults(in_source_tree);
  config.file = file_name;
  auto doc = yaml::Load(yaml_text, file_name);
  if (!doc) return tl::unexpected(doc.error());
  const YAML::Node& root = doc->root;
  if (root.IsNull()) return config;  // an empty (all comments) file means all defaults
  if (auto ok = yaml::CheckMap(file_name, root, "config file",
                               {"sites", "database", "log_level", "archive", "archive_days",
                                "limits", "fetch", "crawl", "cluster", "metrics"});
      !ok) {
    return tl::unexpected(ok.error());
  }
  for (const auto& entry : root) {
    std::string key = entry.first.Scalar();
    const YAML::Node& value = entry.second;
    if (key == "sites" || key == "database" || key == "log_level") {
      auto s = yaml::GetString(file_name, value, key);
      if (!s) return tl::unexpected(s.error());
      if (key == "log_level" && *s != "trace" && *s != "debug" && *s != "info" && *s != "warn" &&
          *s != "error") {
        return yaml::ErrorAt(file_name, value,
                             "'log_level' must be one of trace, debug, info, warn, error");
      }
      (key == "sites"      ? config.sites_dir
       : key == "database" ? config.database
                           : config.log_level) = *s;
    } else if (key == "archive") {
      auto on = yaml::GetBool(file_name, value, key);
      if (!on) return tl::unexpected(on.error());
      config.archive = *on;
    } else if (key == "archive_days") {
      auto days = yaml::GetInt(file_name, value, key, kArchiveDays.min, kArchiveDays.max);
      if (!days) return tl::unexpected(days.error());
      config.archive_days = static_cast<int>(*days);
    } else if (key == "metrics") {
      std::string text;
      if (!value.IsNull()) {
        auto s = yaml::GetString(file_name, value, key);
        if (!s) return tl::unexpected(s.error());
        text = *s;
      }
      auto address = ParseMetricsAddress(text);
      if (!address) return yaml::ErrorAt(file_name, value, "'metrics': " + address.error().message);
      config.metrics = *address;
    } else if (value.IsNull()) {
      continue;  // a section whose keys are all commented out keeps its defaults
    } else if (key == "limits") {
      if (auto ok = ParseLimits(file_name, value, &config.limits); !ok)
        return tl::unexpected(ok.error());
    } else if (key == "fetch") {
      if (auto ok = ParseFetch(file_name, value, &config.fetch); !ok)
        return tl::unexpected(ok.error());
    } else if (key == "crawl") {
      if (auto ok = ParseCrawl(file_name, value, &config.crawl); !ok)
        return tl::unexpected(ok.error());
    } else if (key == "cluster") {
      ClusterSettings cluster;
      if (auto ok = ParseCluster(file_name, value, &cluster); !ok)
        return tl::unexpected(ok.error());
      config.cluster = std::move(cluster);
    }
  }
  return config;
}

Result<Config> LoadConfig(const std::optional<std::string>& explicit_path) {
  bool in_tree = InSourceTree();
  std::optional<std::string> path = explicit_path;
  if (!path) {
    std::error_code ec;
    const char* candidate = in_tree ? kSourceTreeConfig : kInstalledConfig;
    if (fs::is_regular_file(candidate, ec)) path = candidate;
  }
  if (!path) return Defaults(in_tree);
  auto text = ReadConfigFile(*path);
  if (!text) return tl::unexpected(text.error());
  return ParseConfig(*text, *path, in_tree);
}

Result<Config> LoadConfigWithOverrides(const ConfigOverrides& overrides) {
  auto config = LoadConfig(overrides.config_file);
  if (!config) return config;
  if (overrides.sites_dir) config->sites_dir = *overrides.sites_dir;
  if (overrides.database) config->database = *overrides.database;
  if (overrides.log_level) config->log_level = *overrides.log_level;
  return config;
}

}  // namespace gleaner
