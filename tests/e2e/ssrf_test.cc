// The address guard as a user meets it: `gleaner fetch` and the daemon against servers on
// loopback addresses the config does not allow (127.0.0.2, 127.0.0.3 stand for an
// internal host or a cloud metadata service). Only 127.0.0.0/8 is ever contacted.
#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "daemon/store/store.h"
#include "support/http_server.h"
#include "support/run_binary.h"

namespace gleaner {
namespace {

using nlohmann::json;
using testing::HttpReply;
using testing::HttpServer;
using testing::RunGleaner;
using testing::RunResult;
using testing::TempDir;

HttpServer::Options On(const std::string& address) {
  HttpServer::Options o;
  o.address = address;
  return o;
}

std::string Page(const std::string& title) {
  std::string body;
  for (int i = 0; i < 30; ++i)
    body += "<p>Paragraphe " + std::to_string(i) + " de la page interne, assez long.</p>";
  return "<html lang=fr><head><title>" + title + "</title></head><body><h1>" + title +
         "</h1><article>" + body + "</article></body></html>";
}

// Only 127.0.0.1 is allowed, as a user's single intranet host would be.
struct Box {
  TempDir dir;
  std::string config = dir.Write(
      "gleaner.yaml",
      "fetch:\n  delay: 0s\n  jitter: 0s\n  retries: 2\n  allow_networks: [127.0.0.1/32]\n");
  std::string db = dir.path() + "/g.db";
  std::string sites = (dir.Write("sites/.keep", ""), dir.path() + "/sites");
};

TEST_CASE("ssrf: a redirect to a refused address is blocked_address, and nothing is stored",
          "[e2e][guard]") {
  HttpServer internal(On("127.0.0.2"));
  internal.Route("/latest/meta-data", HttpReply::Html(Page("Secret interne")));
  HttpServer site;
  site.Route("/robots.txt", HttpReply::Text(""));
  site.Route("/a/1", HttpReply::Redirect(302, internal.Url("/latest/meta-data")));
  Box box;

  RunResult raw =
      RunGleaner({"fetch", "--raw", "--config", box.config, site.Url("/a/1")}, "", box.dir.path());
  CHECK(raw.exit_code == 5);
  json j = json::parse(testing::Lines(raw.out).at(0));
  CHECK(j["error_kind"] == "blocked_address");
  CHECK_THAT(j["error"].get<std::string>(),
             Catch::Contains(internal.Url("/latest/meta-data")) &&
                 Catch::Contains("127.0.0.2 is loopback 127.0.0.0/8"));
  CHECK_THAT(raw.err, Catch::Contains("blocked address") && Catch::Contains("127.0.0.2"));

  RunResult stored = RunGleaner({"fetch", "--store", "--db", box.db, "--sites", box.sites,
                                 "--config", box.config, site.Url("/a/1")},
                                "", box.dir.path());
  CHECK(stored.exit_code == 5);
  CHECK_THAT(stored.err, Catch::Contains("blocked_address"));
  RunResult exported = RunGleaner({"export", "--db", box.db}, "", box.dir.path());
  CHECK(exported.out.find("Secret interne") == std::string::npos);
  CHECK(internal.connections() == 0);  // not retried either: no packet reached it
}

TEST_CASE("ssrf: the name localhost is refused unless allowed", "[e2e][guard]") {
  HttpServer server;
  server.Route("/p", HttpReply::Html(Page("Local")));
  TempDir dir;
  std::string none = dir.Write("none.yaml", "fetch:\n  delay: 0s\n  jitter: 0s\n  retries: 0\n");
  const std::string url = "http://localhost:" + std::to_string(server.port()) + "/p";
  RunResult refused = RunGleaner({"fetch", "--raw", "--config", none, url}, "", dir.path());
  CHECK(refused.exit_code == 5);
  CHECK(json::parse(testing::Lines(refused.out).at(0))["error_kind"] == "blocked_address");
  CHECK(server.connections() == 0);
  std::string some = dir.Write("some.yaml",
                               "fetch:\n  delay: 0s\n  jitter: 0s\n  retries: 0\n"
                               "  allow_networks: [127.0.0.1, '::1']\n");
  CHECK(RunGleaner({"fetch", "--raw", "--config", some, url}, "", dir.path()).exit_code == 0);
}

TEST_CASE("ssrf: a bad allow_networks entry is a config error naming file:line", "[e2e][guard]") {
  TempDir dir;
  std::string config =
      dir.Write("bad.yaml", "fetch:\n  allow_networks:\n    - 10.0.0.0/8\n    - 10.0.0.300/8\n");
  RunResult r =
      RunGleaner({"fetch", "--raw", "--config", config, "http://127.0.0.1:9/x"}, "", dir.path());
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains(config + ":4:7") && Catch::Contains("10.0.0.300/8"));
}

TEST_CASE("ssrf: fetching a URL over 4096 bytes is an input error", "[e2e][guard]") {
  TempDir dir;
  std::string url = "http://127.0.0.1:9/" + std::string(5000, 'a');
  RunResult r = RunGleaner({"fetch", "--raw", url}, "", dir.path());
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.err, Catch::Contains("5019 bytes") && Catch::Contains("4096"));
  CHECK(r.out.empty());
}

TEST_CASE("ssrf: the daemon reads no sitemap off the site's hosts, from an index or robots.txt",
          "[e2e][guard]") {
  using namespace std::chrono_literals;
  HttpServer child_host(On("127.0.0.2"));
  child_host.Route("/internal.xml", HttpReply::Text("<urlset/>", "application/xml"));
  HttpServer robots_host(On("127.0.0.3"));
  robots_host.Route("/meta.xml", HttpReply::Text("<urlset/>", "application/xml"));
  HttpServer site;
  const std::string o = site.Origin();
  const std::string internal_child = child_host.Url("/internal.xml");
  const std::string robots_sitemap = robots_host.Url("/meta.xml");
  site.Route("/robots.txt",
             HttpReply::Text("User-agent: *\nAllow: /\nSitemap: " + robots_sitemap + "\n"));
  site.Route(
      "/sitemap.xml",
      HttpReply::Text(
          "<?xml version='1.0'?><sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
          "<sitemap><loc>" +
              o + "/own.xml</loc></sitemap><sitemap><loc>" + internal_child +
              "</loc></sitemap></sitemapindex>",
          "application/xml"));
  site.Route(
      "/own.xml",
      HttpReply::Text(
          "<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'/>",
          "application/xml"));
  TempDir dir;
  dir.Write("sites/local.yaml",
            "id: local\nname: Local\nlanguage: fr\nurls: '^http://127\\.'\n"
            "sitemaps_from_robots: true\nsources:\n  - sitemap: " +
                o + "/sitemap.xml\n    every: 1s\nlayouts:\n  - body: article\n");
  // Every loopback address is allowed: what keeps the other hosts out here is the scope.
  dir.Write("gleaner.yaml", std::string("fetch:\n  delay: 10ms\n  jitter: 0ms\n  retries: 0\n") +
                                testing::kAllowLoopback);
  const std::string db = dir.path() + "/var/gleaner.db";
  testing::Daemon daemon({"run", "--config", dir.path() + "/gleaner.yaml", "--sites",
                          dir.path() + "/sites", "--db", db},
                         dir.path());
  REQUIRE(site.WaitForCount("/own.xml", 1, 30s));
  json health;
  for (int i = 0; i < 100; ++i) {
    RunResult status = RunGleaner({"status", "--json", "--db", db});
    REQUIRE(status.exit_code == 0);
    json st = json::parse(status.out);
    if (!st["daemon"].is_null() && st["daemon"]["sites"].contains("local")) {
      health = st["daemon"]["sites"]["local"];
      if (health.value("offsite_sitemaps", 0) >= 2) break;
    }
    std::this_thread::sleep_for(200ms);
  }
  CHECK(health.value("offsite_sitemaps", 0) >= 2);
  daemon.Signal(SIGTERM);
  REQUIRE(daemon.WaitFor(20s) == std::optional<int>(0));
  CHECK_THAT(daemon.Stderr(), Catch::Contains(internal_child) && Catch::Contains(robots_sitemap) &&
                                  Catch::Contains("sitemap_hosts"));
  CHECK(child_host.connections() == 0);
  CHECK(robots_host.connections() == 0);
  auto store = store::Store::Open(db, store::OpenMode::kReadOnly);
  REQUIRE(store.has_value());
  CHECK(store->Known(internal_child).value_or(true) == false);
  CHECK(store->Known(robots_sitemap).value_or(true) == false);
  CHECK(store->Known(o + "/own.xml").value_or(false));
}

}  // namespace
}  // namespace gleaner
