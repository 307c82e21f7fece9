// The daemon's web server for real: `gleaner run` with `metrics:` set, crawling a news web
// of many hosts on 127.x addresses, scraped over HTTP like Prometheus would, its output
// read by Prometheus' own `promtool`, and its status page rendered by headless Chromium.
// Also the faults: a port already taken, and clients that stall or send garbage.
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "support/chromium.h"
#include "support/http_client.h"
#include "support/http_server.h"
#include "support/news_web.h"
#include "support/prometheus.h"
#include "support/run_binary.h"

namespace gleaner {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using testing::HttpReply;

double Sample(const std::map<std::string, double>& samples, const std::string& key) {
  auto it = samples.find(key);
  INFO(key);
  REQUIRE(it != samples.end());
  return it->second;
}

std::string Site(const std::string& id) { return "{site=\"" + id + "\"}"; }

// A site file for `server`: its listing `/` every 2 s, articles /a/N, one layout.
std::string SiteFileFor(const std::string& id, const testing::HttpServer& server) {
  std::string origin = server.Origin();
  std::string quoted = std::regex_replace(origin, std::regex(R"([.])"), "\\.");
  return "id: " + id + "\nname: " + id + "\nlanguage: en\nurls: '^" + quoted + "/'\narticles: '^" +
         quoted + "/a/[0-9]+$'\nsources:\n  - listing: " + origin +
         "/\n    every: 2s\nlayouts:\n  - name: article\n    title: 'article h1'\n"
         "    body: 'article .body p'\n";
}

// Where the screenshots are kept for a person to look at (CI keeps build/ as an artifact).
std::string ArtifactPath(const std::string& name) {
  std::string dir = std::string(GLEANER_SOURCE_DIR) + "/build/artifacts";
  std::filesystem::create_directories(dir);
  return dir + "/" + name;
}

// A news host the daemon polls through its listing page only, every `every`.
testing::NewsSiteOptions ListingOnly(const std::string& id, int initial_articles,
                                     std::chrono::milliseconds every) {
  testing::NewsSiteOptions o;
  o.id = id;
  o.initial_articles = initial_articles;
  o.listing_every = every;
  o.feed_every = 0ms;
  return o;
}

// Waits up to `timeout` for the database at `db` to hold `count` articles; returns how many
// it holds then.
size_t WaitForArticles(const std::string& db, size_t count, std::chrono::seconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (testing::StoredArticles(db).size() < count && Clock::now() < deadline)
    std::this_thread::sleep_for(200ms);
  return testing::StoredArticles(db).size();
}

constexpr char kHostileTitle[] =
    "<script>alert(1)</script> & \"quoted\" <img src=x onerror=alert(2)>";

TEST_CASE("metrics and the status page of a daemon crawling 40 sites", "[e2e][web]") {
  constexpr int kNewsHosts = 38;
  constexpr int kPerHost = 3;
  testing::NewsWeb web;
  for (int k = 0; k < kNewsHosts; ++k)
    web.AddHost(ListingOnly("news-" + std::to_string(k), kPerHost, 2s));
  testing::TempDir dir;
  const std::string sites = dir.path() + "/sites";
  const std::string db = dir.path() + "/var/gleaner.db";
  for (int k = 1; k < kNewsHosts; ++k) web.WriteSiteFile(k, sites);
  // news-0's rules point at a body that is not there: generic extraction steps in.
  {
    std::string file = web.site(0).SiteFile();
    file = std::regex_replace(file, std::regex("article \\.body p"), "article .gone p");
    dir.Write("sites/news-0.yaml", file);
  }
  // A site whose listing fails with a 500.
  testing::HttpServer failing({true, testing::LoopbackAddress(kNewsHosts + 1)});
  failing.Route("/robots.txt", HttpReply::Text("User-agent: *\nAllow: /\n"));
  failing.Route("/", HttpReply::Text("down for maintenance", "text/plain", 500));
  dir.Write("sites/failing.yaml", SiteFileFor("failing", failing));
  // A site whose article's title is hostile markup, as text (escaped in its HTML).
  testing::HttpServer hostile({true, testing::LoopbackAddress(kNewsHosts + 2)});
  hostile.Route("/robots.txt", HttpReply::Text("User-agent: *\nAllow: /\n"));
  hostile.Route("/", HttpReply::Html("<html><body><a href='/a/1'>one</a></body></html>"));
  hostile.Route(
      "/a/1",
      HttpReply::Html("<html><head><title>x</title></head><body><article><h1>&lt;script&gt;"
                      "alert(1)&lt;/script&gt; &amp; &quot;quoted&quot; &lt;img src=x "
                      "onerror=alert(2)&gt;</h1><div class=body><p>A paragraph long enough to "
                      "be a body, with words and more words in it.</p><p>And a second one, "
                      "also with words.</p></div></article></body></html>"));
  dir.Write("sites/hostile.yaml", SiteFileFor("hostile", hostile));

  const int port = testing::UnusedPort();
  dir.Write("gleaner.yaml", "metrics: 127.0.0.1:" + std::to_string(port) +
                                "\nfetch:\n  delay: 200ms\n  retries: 0\n" +
                                testing::kAllowLoopback);
  testing::Daemon daemon(
      {"run", "--config", dir.path() + "/gleaner.yaml", "--sites", sites, "--db", db}, dir.path());

  // Every article stored, then one more snapshot (every 5 s) so the figures include them.
  const int expected = kNewsHosts * kPerHost + 1;
  REQUIRE(WaitForArticles(db, expected, 90s) == static_cast<size_t>(expected));
  REQUIRE(failing.CountFor("/") >= 1);
  std::this_thread::sleep_for(6s);
  REQUIRE(daemon.Running());

  auto metrics = testing::HttpGet(port, "/metrics");
  REQUIRE(metrics);
  CHECK(metrics->status == 200);
  CHECK(metrics->head.find("Content-Type: text/plain; version=0.0.4") != std::string::npos);
  auto [promtool_status, promtool_out] = testing::PromtoolCheckMetrics(metrics->body);
  INFO(promtool_out);
  CHECK(promtool_status == 0);

  auto s = testing::PrometheusSamples(metrics->body);
  CHECK(Sample(s, "gleaner_sites") == kNewsHosts + 2);
  for (int k = 0; k < kNewsHosts; ++k) {
    std::string id = "news-" + std::to_string(k);
    INFO(id);
    CHECK(Sample(s, "gleaner_articles_new_total" + Site(id)) == kPerHost);
    CHECK(Sample(s, "gleaner_pages_fetched_total" + Site(id)) == kPerHost);
    CHECK(Sample(s, "gleaner_polls_total" + Site(id)) >= 1);
    CHECK(Sample(s, "gleaner_downloaded_bytes_total" + Site(id)) > kPerHost * 1000);
    // Every page fetched and every poll was a request, timed in the histogram.
    double count = Sample(s, "gleaner_fetch_duration_seconds_count" + Site(id));
    CHECK(count >= kPerHost + 1);
    CHECK(Sample(s, "gleaner_fetch_duration_seconds_bucket{site=\"" + id + "\",le=\"+Inf\"}") ==
          count);
    CHECK(Sample(s, "gleaner_backlog" + Site(id)) == 0);
    CHECK(Sample(s, "gleaner_last_success_timestamp_seconds" + Site(id)) > 1.7e9);
    CHECK(Sample(s, "gleaner_last_new_article_timestamp_seconds" + Site(id)) > 1.7e9);
    std::string state = k == 0 ? "rules_broken" : "ok";
    CHECK(Sample(s, "gleaner_site_state{site=\"" + id + "\",state=\"" + state + "\"}") == 1);
  }
  CHECK(Sample(s, "gleaner_generic_fallback_total" + Site("news-0")) == kPerHost);
  CHECK(Sample(s, "gleaner_generic_fallback_total" + Site("news-1")) == 0);
  CHECK(Sample(s, "gleaner_site_state{site=\"failing\",state=\"failing\"}") == 1);
  CHECK(Sample(s, "gleaner_poll_errors_total" + Site("failing")) >= 1);
  CHECK(Sample(s, "gleaner_fetch_errors_total{site=\"failing\",kind=\"http_status\"}") >= 1);
  CHECK_FALSE(s.count("gleaner_last_new_article_timestamp_seconds" + Site("failing")));
  CHECK(Sample(s, "gleaner_queue_messages{state=\"ready\"}") == expected);
  CHECK(Sample(s, "gleaner_articles") == expected);
  CHECK(Sample(s, "gleaner_database_readable") == 1);
  CHECK(Sample(s, "gleaner_hosts_paused") == 0);
  bool broken_rule_named = false;
  for (const auto& [key, value] : s) {
    if (key.rfind("gleaner_rule_breakage_total{site=\"news-0\",rule=", 0) == 0 && value == kPerHost)
      broken_rule_named = true;
  }
  CHECK(broken_rule_named);

  // The status page, as a browser sees it.
  auto page = testing::HttpGet(port, "/");
  REQUIRE(page);
  CHECK(page->status == 200);
  CHECK(page->head.find("Content-Security-Policy: default-src 'none'") != std::string::npos);
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/";
  auto dom = testing::DumpDom(url, 390, 844);
  REQUIRE(dom);
  CHECK(dom->find("<script") == std::string::npos);
  CHECK(dom->find("<img") == std::string::npos);
  // The hostile text is there as text, never as an element or an attribute.
  CHECK_FALSE(std::regex_search(*dom, std::regex("<[a-zA-Z][^>]*\\son[a-z]+=")));
  CHECK(dom->find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  CHECK(dom->find("rules broken") != std::string::npos);
  CHECK(dom->find("failing") != std::string::npos);
  CHECK(dom->find("news-37") != std::string::npos);
  CHECK(dom->find("<svg") != std::string::npos);
  // A text browser (w3m) reads it too: the states in words, the hostile title as text.
  {
    std::string file = dir.Write("page.html", page->body);
    testing::ShellResult w3m = testing::RunShell("w3m -dump -T text/html -cols 200 '" + file + "'");
    CHECK(w3m.exit_code == 0);
    const std::string& text = w3m.out;
    INFO(text);
    CHECK(text.find("rules broken") != std::string::npos);
    CHECK(text.find("failing") != std::string::npos);
    CHECK(text.find("<script>alert(1)</script>") != std::string::npos);
    CHECK(text.find("news-37") != std::string::npos);
  }
  CHECK(testing::Screenshot(url, ArtifactPath("status-page-live-phone.png"), 390, 844));
  CHECK(testing::Screenshot(url, ArtifactPath("status-page-live-desktop.png"), 1280, 900));

  daemon.Signal(SIGTERM);
  CHECK(daemon.WaitFor(30s) == std::optional<int>(0));
}

TEST_CASE("a metrics port already taken: the daemon says so and crawls without metrics",
          "[e2e][web]") {
  testing::NewsWeb web;
  web.AddHost(ListingOnly("news", 3, 2s));
  testing::TempDir dir;
  const std::string sites = dir.path() + "/sites";
  const std::string db = dir.path() + "/var/gleaner.db";
  web.WriteSiteFile(0, sites);
  // Something else already serves on the port.
  testing::HttpServer squatter;
  squatter.Route("/metrics", HttpReply::Text("not gleaner's\n"));
  dir.Write("gleaner.yaml", "metrics: 127.0.0.1:" + std::to_string(squatter.port()) +
                                "\nfetch:\n  delay: 100ms\n" + testing::kAllowLoopback);
  testing::Daemon daemon(
      {"run", "--config", dir.path() + "/gleaner.yaml", "--sites", sites, "--db", db}, dir.path());
  CHECK(WaitForArticles(db, 3, 60s) == 3);
  REQUIRE(daemon.Running());
  const std::string log = daemon.Stderr();
  INFO(log);
  CHECK(log.find("metrics: cannot listen on 127.0.0.1:" + std::to_string(squatter.port()) +
                 ": Address already in use; running without metrics") != std::string::npos);
  auto reply = testing::HttpGet(squatter.port(), "/metrics");
  REQUIRE(reply);
  CHECK(reply->body == "not gleaner's\n");
  daemon.Signal(SIGTERM);
  CHECK(daemon.WaitFor(30s) == std::optional<int>(0));
}

TEST_CASE("clients that stall or send garbage hold neither the crawl nor other clients",
          "[e2e][web]") {
  testing::NewsWeb web;
  constexpr int kHosts = 10;
  for (int k = 0; k < kHosts; ++k) {
    testing::NewsSiteOptions o = ListingOnly("news-" + std::to_string(k), 1, 1s);
    o.publish_every = 1s;
    o.first_publish = std::chrono::milliseconds(100 * k);
    web.AddHost(o);
  }
  testing::TempDir dir;
  const std::string sites = dir.path() + "/sites";
  const std::string db = dir.path() + "/var/gleaner.db";
  for (int k = 0; k < kHosts; ++k) web.WriteSiteFile(k, sites);
  const int port = testing::UnusedPort();
  dir.Write("gleaner.yaml", "metrics: 127.0.0.1:" + std::to_string(port) +
                                "\nfetch:\n  delay: 100ms\n" + testing::kAllowLoopback);
  testing::Daemon daemon(
      {"run", "--config", dir.path() + "/gleaner.yaml", "--sites", sites, "--db", db}, dir.path());
  auto deadline = Clock::now() + 30s;
  while (!testing::HttpGet(port, "/metrics") && Clock::now() < deadline)
    std::this_thread::sleep_for(200ms);
  REQUIRE(testing::HttpGet(port, "/metrics"));

  // Garbage: not HTTP at all, a request line of 100 KB, a body nobody asked for.
  std::string junk("\x16\x03\x01\x02\x00\x01\x00\xff\xfe", 9);
  for (int i = 0; i < 200; ++i) junk += static_cast<char>((i * 37) & 0xff);
  auto garbage = testing::Exchange(port, junk + "\r\n\r\n");
  CHECK((!garbage || garbage->status == 400));
  auto long_line =
      testing::Exchange(port, "GET /" + std::string(100000, 'a') + " HTTP/1.1\r\n\r\n");
  CHECK((!long_line || long_line->status >= 400));
  auto post = testing::Exchange(port,
                                "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                                "Connection: close\r\n\r\nhello");
  REQUIRE(post);
  CHECK(post->status == 405);

  // Stalled clients from one address take all the slots it may have: they send half a
  // request and wait. Another client is still served at once.
  std::vector<int> stalled;
  for (int i = 0; i < 12; ++i) {
    int fd = testing::ConnectFrom(port, "127.0.9.1");
    if (fd >= 0) {
      (void)send(fd, "GET /metrics HTTP/1.1\r\nHost:", 28, MSG_NOSIGNAL);
      stalled.push_back(fd);
    }
  }
  CHECK(stalled.size() >= 8);
  auto served = testing::HttpGet(port, "/metrics", "127.0.9.2");
  REQUIRE(served);
  CHECK(served->status == 200);

  // Stalled clients from many addresses take every slot the server has; meanwhile the
  // crawl goes on, and once they time out the server answers again.
  for (int a = 3; a < 9; ++a) {
    for (int i = 0; i < 8; ++i) {
      int fd = testing::ConnectFrom(port, "127.0.9." + std::to_string(a));
      if (fd >= 0) stalled.push_back(fd);
    }
  }
  const size_t stored_before = testing::StoredArticles(db).size();
  std::this_thread::sleep_for(8s);
  const size_t stored_during = testing::StoredArticles(db).size();
  CHECK(stored_during >= stored_before + 5);  // about 10 hosts x 8 s of news
  REQUIRE(daemon.Running());
  deadline = Clock::now() + 20s;
  std::optional<testing::RawReply> after;
  while (!(after = testing::HttpGet(port, "/metrics")) && Clock::now() < deadline)
    std::this_thread::sleep_for(500ms);
  REQUIRE(after);
  CHECK(after->status == 200);
  for (int fd : stalled) close(fd);

  daemon.Signal(SIGTERM);
  CHECK(daemon.WaitFor(30s) == std::optional<int>(0));
}

}  // namespace
}  // namespace gleaner
