// The daemon's settings: defaults that work, and every mistake named by file:line:col.
#include <catch2/catch.hpp>

#include "daemon/config.h"
#include "extractors/core/units.h"

namespace gleaner {
namespace {

TEST_CASE("an empty config file means the defaults of where gleaner runs", "[config]") {
  auto tree = ParseConfig("# nothing\n", "gleaner.yaml", /*in_source_tree=*/true);
  REQUIRE(tree.has_value());
  CHECK(tree->sites_dir == "sites");
  CHECK(tree->database == "var/gleaner.db");
  auto installed = ParseConfig("", "gleaner.yaml", /*in_source_tree=*/false);
  REQUIRE(installed.has_value());
  CHECK(installed->sites_dir == "/etc/gleaner/sites");
  CHECK(installed->database == "/var/lib/gleaner/gleaner.db");
  CHECK(installed->fetch.max_redirects == 5);
}

TEST_CASE("config values are read with their units", "[config]") {
  auto c = ParseConfig("database: /srv/g.db\nlimits:\n  page_bytes: 2MiB\nfetch:\n  delay: 2s\n"
                       "  max_body: 5MB\n  connections: 4\n  user_agent: box/1\n",
                       "g.yaml", true);
  REQUIRE(c.has_value());
  CHECK(c->database == "/srv/g.db");
  CHECK(c->limits.max_page_bytes == 2u << 20);
  CHECK(c->fetch.delay == std::chrono::seconds(2));
  CHECK(c->fetch.max_body_bytes == 5000000u);
  CHECK(c->fetch.global_connections == 4);
  CHECK(c->fetch.user_agent == "box/1");
}

TEST_CASE("the crawl's caps and the fetcher's cache bounds are settings", "[config]") {
  auto c = ParseConfig("crawl:\n  in_flight: 32\n  sitemap_depth: 1\n  sitemap_children: 50\n"
                       "  urls_per_document: 5000\n  new_urls_per_poll: 200\n  retention: 7d\n"
                       "fetch:\n  robots_cache_entries: 100\n  robots_cache_bytes: 1MiB\n  host_idle: 10m\n",
                       "g.yaml", true);
  REQUIRE(c.has_value());
  CHECK(c->crawl.max_in_flight == 32);
  CHECK(c->crawl.sitemap_depth == 1);
  CHECK(c->crawl.sitemap_children == 50);
  CHECK(c->crawl.urls_per_document == 5000);
  CHECK(c->crawl.new_urls_per_poll == 200);
  CHECK(c->crawl.retention == std::chrono::hours(7 * 24));
  CHECK(c->fetch.robots_cache_entries == 100);
  CHECK(c->fetch.robots_cache_bytes == 1u << 20);
  CHECK(c->fetch.host_idle == std::chrono::minutes(10));
}

TEST_CASE("config mistakes name file, line and column", "[config]") {
  const std::vector<std::pair<std::string, std::string>> rows = {
      {"databse: x\n", "g.yaml:1:1: unknown key 'databse' in config file"},
      {"fetch:\n  delay: soon\n", "g.yaml:2:10: 'delay' must be a duration"},
      {"fetch:\n  connections: 0\n", "g.yaml:2:16: 'connections' must be a whole number from 1"},
      {"log_level: loud\n", "g.yaml:1:12: 'log_level' must be one of"},
      {"sites: a\nsites: b\n", "g.yaml:2:1: duplicate key 'sites'"},
      {"fetch: [1, 2\n", "g.yaml:"},
      {"crawl:\n  in_flight: 0\n", "g.yaml:2:14: 'in_flight' must be a whole number from 1"},
      {"crawl:\n  sitemap_depth: 9\n", "g.yaml:2:18: 'sitemap_depth' must be a whole number from 0 to 8"},
      {"crawl:\n  retention: forever\n", "g.yaml:2:14: 'retention' must be a duration"},
      {"crawl:\n  depth: 1\n", "g.yaml:2:3: unknown key 'depth' in crawl"},
  };
  for (const auto& [yaml, want] : rows) {
    INFO(yaml);
    auto c = ParseConfig(yaml, "g.yaml", true);
    REQUIRE_FALSE(c.has_value());
    CHECK(c.error().code == ErrorCode::kConfig);
    CHECK_THAT(c.error().message, Catch::Contains(want));
  }
}

TEST_CASE("durations and sizes are written with explicit units", "[config]") {
  CHECK(ParseDuration("30s") == std::chrono::seconds(30));
  CHECK(ParseDuration("5m") == std::chrono::minutes(5));
  CHECK(ParseDuration("2h") == std::chrono::hours(2));
  CHECK(ParseDuration("250ms") == std::chrono::milliseconds(250));
  CHECK(ParseDuration("1.5s") == std::chrono::milliseconds(1500));
  CHECK_FALSE(ParseDuration("30").has_value());
  CHECK_FALSE(ParseDuration("-5s").has_value());
  CHECK_FALSE(ParseDuration("5 parsecs").has_value());
  CHECK(FormatDuration(std::chrono::minutes(5)) == "5m");
  CHECK(FormatDuration(std::chrono::seconds(90)) == "90s");
  CHECK(ParseByteSize("10MB") == 10000000u);
  CHECK(ParseByteSize("512KiB") == 524288u);
  CHECK(ParseByteSize("1048576") == 1048576u);
  CHECK_FALSE(ParseByteSize("1.5MB").has_value());
  CHECK_FALSE(ParseByteSize("ten").has_value());
}

}  // namespace
}  // namespace gleaner
