// The daemon's settings: defaults that work, and every mistake named by file:line:col.
#include "daemon/settings/config.h"

#include <catch2/catch.hpp>
#include <tuple>

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
  auto c = ParseConfig(
      "database: /srv/g.db\nlimits:\n  page_bytes: 2MiB\nfetch:\n  delay: 2s\n"
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
  auto c = ParseConfig(
      "crawl:\n  in_flight: 32\n  sitemap_depth: 1\n  sitemap_children: 50\n"
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
      {"crawl:\n  sitemap_depth: 9\n",
       "g.yaml:2:18: 'sitemap_depth' must be a whole number from 0 to 8"},
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

TEST_CASE("every duration, size and count has a floor and a ceiling, named in the error",
          "[config]") {
  // Zero where it would mean "no timeout" or "never", values past what clock arithmetic and
  // ICU's int32 lengths hold, and headers broken by line breaks are all refused.
  const std::vector<std::pair<std::string, std::string>> rows = {
      {"fetch:\n  timeout: 0s\n",
       "g.yaml:2:12: 'timeout' must be a duration from 1s to 1h (got '0s')"},
      {"fetch:\n  timeout: 2h\n",
       "g.yaml:2:12: 'timeout' must be a duration from 1s to 1h (got '2h')"},
      {"fetch:\n  connect_timeout: 0ms\n",
       "g.yaml:2:20: 'connect_timeout' must be a duration from 100ms to 5m"},
      {"fetch:\n  stall_timeout: 0s\n",
       "g.yaml:2:18: 'stall_timeout' must be a duration from 1s to 1h"},
      {"fetch:\n  robots_ttl: 0s\n", "g.yaml:2:15: 'robots_ttl' must be a duration from 1m to 30d"},
      {"fetch:\n  breaker_pause: 0s\n",
       "g.yaml:2:18: 'breaker_pause' must be a duration from 1s to 1d"},
      {"fetch:\n  host_idle: 0s\n", "g.yaml:2:14: 'host_idle' must be a duration from 1m to 30d"},
      {"fetch:\n  delay: 10000000d\n",
       "g.yaml:2:10: 'delay' must be a duration from 0ms to 1d (got '10000000d')"},
      {"fetch:\n  delay: 99999999999999999999d\n",
       "g.yaml:2:10: 'delay' must be a duration from 0ms to 1d"},
      {"fetch:\n  jitter: 2h\n", "g.yaml:2:11: 'jitter' must be a duration from 0ms to 1h"},
      {"crawl:\n  retention: 0s\n", "g.yaml:2:14: 'retention' must be a duration from 1d to 3650d"},
      {"limits:\n  page_bytes: 1GiB\n",
       "g.yaml:2:15: 'page_bytes' must be a size from 64KiB to 256MiB (got '1GiB')"},
      {"limits:\n  page_bytes: 3GiB\n",
       "g.yaml:2:15: 'page_bytes' must be a size from 64KiB to 256MiB"},
      {"limits:\n  page_bytes: 0\n",
       "g.yaml:2:15: 'page_bytes' must be a size from 64KiB to 256MiB"},
      {"limits:\n  site_file_bytes: 2MiB\n",
       "g.yaml:2:20: 'site_file_bytes' must be a size from 1KiB to 1MiB"},
      {"limits:\n  dom_nodes: 0\n",
       "g.yaml:2:14: 'dom_nodes' must be a whole number from 1000 to 10000000"},
      {"limits:\n  dom_depth: 100000\n",
       "g.yaml:2:14: 'dom_depth' must be a whole number from 16 to 4096"},
      {"fetch:\n  max_body: 4GiB\n", "g.yaml:2:13: 'max_body' must be a size from 64KiB to 256MiB"},
      {"fetch:\n  robots_cache_bytes: 0\n",
       "g.yaml:2:23: 'robots_cache_bytes' must be a size from 64KiB to 1GiB"},
      {"fetch:\n  user_agent: \"box/1\\r\\nX-Evil: 1\"\n",
       "g.yaml:2:15: 'user_agent' must be printable ASCII without line breaks or control "
       "characters"},
      {"fetch:\n  user_agent: \"box/1\\tx\"\n",
       "g.yaml:2:15: 'user_agent' must be printable ASCII"},
      {"fetch:\n  user_agent: bôx/1\n", "g.yaml:2:15: 'user_agent' must be printable ASCII"},
      {"fetch:\n  user_agent: " + std::string(300, 'a') + "\n",
       "g.yaml:2:15: 'user_agent' must be at most 256 characters"},
      {"fetch:\n  contact: \"https://x.org/\\nX-Evil: 1\"\n",
       "g.yaml:2:12: 'contact' must be printable ASCII"},
  };
  for (const auto& [yaml, want] : rows) {
    INFO(yaml);
    auto c = ParseConfig(yaml, "g.yaml", true);
    REQUIRE_FALSE(c.has_value());
    CHECK(c.error().code == ErrorCode::kConfig);
    CHECK_THAT(c.error().message, Catch::Contains(want));
  }
}

TEST_CASE("values at the edges of their ranges are accepted", "[config]") {
  auto c = ParseConfig(
      "limits:\n  page_bytes: 256MiB\n  site_file_bytes: 1KiB\n  dom_depth: 4096\n"
      "fetch:\n  timeout: 1h\n  delay: 0s\n  jitter: 0ms\n  max_body: 64KiB\n"
      "  user_agent: \"box/1.0 (compatible; gleaner)\"\n  contact: mailto:ops@example.org\n"
      "crawl:\n  retention: 3650d\n",
      "g.yaml", true);
  REQUIRE(c.has_value());
  CHECK(c->limits.max_page_bytes == 256u << 20);
  CHECK(c->limits.max_site_file_bytes == 1024u);
  CHECK(c->fetch.total_timeout == std::chrono::hours(1));
  CHECK(c->fetch.delay == std::chrono::milliseconds(0));
  CHECK(c->fetch.user_agent == "box/1.0 (compatible; gleaner)");
  CHECK(c->crawl.retention == std::chrono::hours(3650 * 24));
}

TEST_CASE("config files refuse YAML anchors and aliases", "[config]") {
  auto c = ParseConfig("fetch:\n  delay: &d 2s\n  jitter: *d\n", "g.yaml", true);
  REQUIRE_FALSE(c.has_value());
  CHECK(c.error().code == ErrorCode::kConfig);
  CHECK_THAT(c.error().message,
             Catch::Contains("g.yaml:2:10: YAML aliases and anchors are not supported"));
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

TEST_CASE("the archive is on by default, keeps pages forever, and both can be set", "[config]") {
  auto defaults = ParseConfig("", "gleaner.yaml", /*in_source_tree=*/true);
  REQUIRE(defaults.has_value());
  CHECK(defaults->archive);
  CHECK(defaults->archive_days == 0);
  auto set = ParseConfig("archive: false\narchive_days: 90\n", "gleaner.yaml", true);
  REQUIRE(set.has_value());
  CHECK_FALSE(set->archive);
  CHECK(set->archive_days == 90);
  auto bad = ParseConfig("archive: sometimes\n", "gleaner.yaml", true);
  REQUIRE_FALSE(bad.has_value());
  CHECK_THAT(bad.error().message, Catch::StartsWith("gleaner.yaml:1:"));
  auto negative = ParseConfig("archive_days: -1\n", "gleaner.yaml", true);
  REQUIRE_FALSE(negative.has_value());
  CHECK_THAT(negative.error().message, Catch::Contains("archive_days"));
}

}  // namespace
}  // namespace gleaner

namespace gleaner {
namespace {

// Each config text is refused with kConfig and a message that starts as given.
template <size_t N>
void ExpectRefused(const std::pair<const char*, const char*> (&cases)[N]) {
  for (const auto& [text, message] : cases) {
    auto refused = ParseConfig(text, "g.yaml", true);
    INFO(text);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == ErrorCode::kConfig);
    CHECK_THAT(refused.error().message, Catch::StartsWith(message));
  }
}

TEST_CASE("cluster: is off by default, its keys are checked and named at file:line",
          "[config][cluster]") {
  auto none = ParseConfig("database: g.db\n", "g.yaml", true);
  REQUIRE(none);
  CHECK_FALSE(none->cluster.has_value());
  auto c = ParseConfig(
      "cluster:\n  postgresql: \"host=127.0.0.1 dbname=gleaner\"\n  box: box-a\n  lease: 45s\n",
      "g.yaml", true);
  REQUIRE(c);
  REQUIRE(c->cluster);
  CHECK(c->cluster->postgresql == "host=127.0.0.1 dbname=gleaner");
  CHECK(c->cluster->box == "box-a");
  CHECK(c->cluster->lease == std::chrono::seconds(45));
  const std::pair<const char*, const char*> bad[] = {
      {"cluster:\n  box: box-a\n", "g.yaml:2:3: 'cluster' needs 'postgresql'"},
      {"cluster:\n  postgresql: host=db\n", "g.yaml:2:3: 'cluster' needs 'box'"},
      {"cluster:\n  postgresql: host=db\n  box: \"box a; rm\"\n", "g.yaml:3:8: 'box' must be"},
      {"cluster:\n  postgresql: host=db\n  box: b\n  lease: 1s\n", "g.yaml:4:10:"},
      {"cluster:\n  postgresql: host=db\n  box: b\n  leases: 30s\n", "g.yaml:4:3:"},
  };
  ExpectRefused(bad);
}

TEST_CASE("metrics: is off by default, loopback when only a port is given, checked at file:line",
          "[config][web]") {
  auto none = ParseConfig("database: g.db\n", "g.yaml", true);
  REQUIRE(none);
  CHECK_FALSE(none->metrics.has_value());
  const std::tuple<const char*, const char*, int, bool> good[] = {
      {"metrics: 127.0.0.1:9464\n", "127.0.0.1", 9464, true},
      {"metrics: 9464\n", "127.0.0.1", 9464, true},
      {"metrics: localhost:9100\n", "127.0.0.1", 9100, true},
      {"metrics: \"[::1]:9464\"\n", "::1", 9464, true},
      {"metrics: 0.0.0.0:9464\n", "0.0.0.0", 9464, false},
      {"metrics: 127.0.0.53:80\n", "127.0.0.53", 80, true},
  };
  for (const auto& [text, host, port, loopback] : good) {
    INFO(text);
    auto c = ParseConfig(text, "g.yaml", true);
    REQUIRE(c);
    REQUIRE(c->metrics);
    CHECK(c->metrics->host == host);
    CHECK(c->metrics->port == port);
    CHECK(c->metrics->Loopback() == loopback);
  }
  auto v6 = ParseConfig("metrics: \"[::1]:9464\"\n", "g.yaml", true);
  REQUIRE(v6);
  CHECK(v6->metrics->ToString() == "[::1]:9464");
  for (const char* off : {"metrics:\n", "metrics: off\n", "metrics: \"\"\n"}) {
    auto c = ParseConfig(off, "g.yaml", true);
    REQUIRE(c);
    CHECK_FALSE(c->metrics.has_value());
  }
  const std::pair<const char*, const char*> bad[] = {
      {"metrics: 127.0.0.1:99999\n", "g.yaml:1:10: 'metrics': the port must be"},
      {"metrics: \"127.0.0.1:\"\n", "g.yaml:1:10: 'metrics': the port must be"},
      {"metrics: example.org:9464\n", "g.yaml:1:10: 'metrics': 'example.org' is not an IP"},
      {"metrics: ::1:9464\n", "g.yaml:1:10: 'metrics': write an IPv6 address as [ADDRESS]:PORT"},
      {"metrics: [127.0.0.1, 9464]\n", "g.yaml:1:10:"},
      {"metrics: 0\n", "g.yaml:1:10: 'metrics': the port must be"},
  };
  ExpectRefused(bad);
}

}  // namespace
}  // namespace gleaner
