#include "daemon/config.h"

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
      auto n = yaml::GetByteSize(file, value, key);
      if (!n) return tl::unexpected(n.error());
      (key == "page_bytes" ? limits->max_page_bytes : limits->max_site_file_bytes) = *n;
    } else {
      auto n = yaml::GetInt(file, value, key, 1, int64_t{1} << 40);
      if (!n) return tl::unexpected(n.error());
      (key == "dom_nodes" ? limits->max_nodes : limits->max_depth) = static_cast<uint64_t>(*n);
    }
  }
  return {};
}

Result<void> ParseFetch(const std::string& file, const YAML::Node& node, FetchSettings* f) {
  if (auto ok = yaml::CheckMap(
          file, node, "fetch",
          {"user_agent", "contact", "connect_timeout", "timeout", "stall_timeout", "max_body",
           "max_redirects", "per_host_connections", "connections", "delay", "jitter",
           "robots_ttl", "retries", "breaker_failures", "breaker_pause", "robots_cache_entries",
           "robots_cache_bytes", "host_idle"});
      !ok) {
    return ok;
  }
  for (const auto& entry : node) {
    std::string key = entry.first.Scalar();
    const YAML::Node& v = entry.second;
    Result<void> ok;
    auto set_duration = [&](std::chrono::milliseconds* out) -> Result<void> {
      auto d = yaml::GetDuration(file, v, key);
      if (!d) return tl::unexpected(d.error());
      *out = *d;
      return {};
    };
    auto set_int = [&](int* out, int64_t min, int64_t max) -> Result<void> {
      auto n = yaml::GetInt(file, v, key, min, max);
      if (!n) return tl::unexpected(n.error());
      *out = static_cast<int>(*n);
      return {};
    };
    auto set_string = [&](std::string* out) -> Result<void> {
      auto s = yaml::GetString(file, v, key);
      if (!s) return tl::unexpected(s.error());
      *out = *s;
      return {};
    };
    if (key == "user_agent") ok = set_string(&f->user_agent);
    else if (key == "contact") ok = set_string(&f->contact);
    else if (key == "connect_timeout") ok = set_duration(&f->connect_timeout);
    else if (key == "timeout") ok = set_duration(&f->total_timeout);
    else if (key == "stall_timeout") ok = set_duration(&f->stall_timeout);
    else if (key == "delay") ok = set_duration(&f->delay);
    else if (key == "jitter") ok = set_duration(&f->jitter);
    else if (key == "robots_ttl") ok = set_duration(&f->robots_ttl);
    else if (key == "breaker_pause") ok = set_duration(&f->breaker_pause);
    else if (key == "max_redirects") ok = set_int(&f->max_redirects, 0, 20);
    else if (key == "per_host_connections") ok = set_int(&f->per_host_connections, 1, 64);
    else if (key == "connections") ok = set_int(&f->global_connections, 1, 1024);
    else if (key == "retries") ok = set_int(&f->max_retries, 0, 20);
    else if (key == "breaker_failures") ok = set_int(&f->breaker_failures, 1, 1000);
    else if (key == "robots_cache_entries") ok = set_int(&f->robots_cache_entries, 1, 10000000);
    else if (key == "host_idle") ok = set_duration(&f->host_idle);
    else if (key == "max_body" || key == "robots_cache_bytes") {
      auto n = yaml::GetByteSize(file, v, key);
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
                               {"in_flight", "sitemap_depth", "sitemap_children", "urls_per_document",
                                "new_urls_per_poll", "retention"});
      !ok) {
    return ok;
  }
  for (const auto& entry : node) {
    std::string key = entry.first.Scalar();
    const YAML::Node& v = entry.second;
    if (key == "retention") {
      auto d = yaml::GetDuration(file, v, key);
      if (!d) return tl::unexpected(d.error());
      c->retention = *d;
      continue;
    }
    int64_t max = key == "sitemap_depth" ? 8 : key == "in_flight" ? 100000 : 10000000;
    auto n = yaml::GetInt(file, v, key, key == "sitemap_depth" ? 0 : 1, max);
    if (!n) return tl::unexpected(n.error());
    int value = static_cast<int>(*n);
    if (key == "in_flight") c->max_in_flight = value;
    else if (key == "sitemap_depth") c->sitemap_depth = value;
    else if (key == "sitemap_children") c->sitemap_children = value;
    else if (key == "urls_per_document") c->urls_per_document = value;
    else c->new_urls_per_poll = value;
  }
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

Result<Config> ParseConfig(std::string_view yaml_text, const std::string& file_name,
                           bool in_source_tree) {
  Config config = Defaults(in_source_tree);
  config.file = file_name;
  auto doc = yaml::Load(yaml_text, file_name);
  if (!doc) return tl::unexpected(doc.error());
  const YAML::Node& root = doc->root;
  if (root.IsNull()) return config;  // an empty (all comments) file means all defaults
  if (auto ok = yaml::CheckMap(file_name, root, "config file",
                               {"sites", "database", "log_level", "limits", "fetch", "crawl"});
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
      (key == "sites" ? config.sites_dir : key == "database" ? config.database : config.log_level) = *s;
    } else if (value.IsNull()) {
      continue;  // a section whose keys are all commented out keeps its defaults
    } else if (key == "limits") {
      if (auto ok = ParseLimits(file_name, value, &config.limits); !ok) return tl::unexpected(ok.error());
    } else if (key == "fetch") {
      if (auto ok = ParseFetch(file_name, value, &config.fetch); !ok) return tl::unexpected(ok.error());
    } else if (key == "crawl") {
      if (auto ok = ParseCrawl(file_name, value, &config.crawl); !ok) return tl::unexpected(ok.error());
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

}  // namespace gleaner
