// `gleaner run` for real: the binary against a small site served on 127.0.0.1 (a home page
// with a ticker, a second listing page, an RSS feed, a gzipped sitemap behind a sitemap
// index, French and Arabic articles in both Maghress layouts, a page robots.txt forbids,
// faulty URLs), a real SQLite file, and signals.
#include <catch2/catch.hpp>
#include <csignal>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "daemon/schedule/work_marker.h"
#include "daemon/store/store.h"
#include "support/http_server.h"
#include "support/run_binary.h"

namespace gleaner {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
using testing::HttpReply;
using testing::HttpRequest;

const std::string kPages = std::string(GLEANER_SOURCE_DIR) + "/tests/fixtures/pages/";

std::string Fixture(const std::string& slug) {
  return testing::ReadFile(kPages + slug + "/source.html");
}

// The test site: article paths and the fixture page each serves.
const std::map<std::string, std::string> kArticles = {
    {"/fr/barlamane/1", "maghress-fr-2022-10-31-onu-technologie"},
    {"/fr/barlamane/2", "maghress-fr-2023-12-06-tanger-layout2"},
    {"/fr/barlamane/3", "maghress-fr-2020-12-17-cooperation"},
    {"/fr/barlamane/4", "maghress-fr-2022-10-31-onu-technologie"},
    {"/ar/assahifa/1", "maghress-ar-2022-10-31-technologie"},
    {"/ar/assahifa/2", "maghress-ar-2022-10-31-cp1256"},
};

void ServeSite(testing::HttpServer& server) {
  server.Route("/robots.txt", HttpReply::Text("User-agent: *\nDisallow: /fr/private/\n"));
  // Home page: a ticker of article links, pagination, a forbidden and two faulty links.
  server.Route("/fr/", [](const HttpRequest& r) {
    if (r.Header("if-none-match") == "\"home-v1\"") return HttpReply::Text("", "text/html", 304);
    return HttpReply::Html(
               "<html><body><div class=ticker><a href='/fr/barlamane/1'>Un</a>&nbsp;"
               "<a href='/fr/barlamane/2'>Deux</a></div><a href='/fr/page/2'>page 2</a>"
               "<a href='/fr/private/9'>secret</a><a href='/fr/barlamane/404'>gone</a>"
               "<a href='/fr/barlamane/500'>broken</a><a "
               "href='https://elsewhere.example/fr/x/1'>out</a>"
               "</body></html>")
        .With("ETag", "\"home-v1\"");
  });
  server.Route("/fr/page/2",
               HttpReply::Html("<html><body><a href='/fr/barlamane/3'>Trois</a></body></html>"));
  server.Route("/fr/rss",
               HttpReply::Text("<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>"
                               "<item><title>Quatre</title><link>/fr/barlamane/4</link></item>"
                               "<item><title>Un</title><link>/fr/barlamane/1</link></item>"
                               "</channel></rss>",
                               "application/rss+xml"));
  server.Route(
      "/ar/sitemap_index.xml",
      HttpReply::Text(
          "<?xml version='1.0'?><sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
          "<sitemap><loc>/ar/sitemap1.xml.gz</loc></sitemap></sitemapindex>",
          "application/xml"));
  server.Route(
      "/ar/sitemap1.xml.gz",
      HttpReply::Text(
          testing::Gzip(
              "<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
              "<url><loc>/ar/assahifa/1</loc></url><url><loc>/ar/assahifa/2</loc></url>"
              "</urlset>"),
          "application/x-gzip"));
  for (const auto& [path, slug] : kArticles)
    server.Route(path, HttpReply::Text(Fixture(slug), "text/html"));  // as the fixtures were served
  server.Route("/fr/barlamane/500", HttpReply::Text("oops", "text/plain", 500));
  server.Route("/fr/private/9", HttpReply::Html("<p>never to be fetched</p>"));
}

std::string SiteFile(const std::string& id, const std::string& lang, const std::string& origin,
                     const std::string& dir, const std::string& sources) {
  std::string o = origin;
  for (size_t at; (at = o.find('.')) != std::string::npos && o[at - 1] != '\\';)
    o.replace(at, 1, "\\.");
  return "id: " + id + "\nname: " + id + "\nlanguage: " + lang + "\nurls: '^" + o + "/" + dir +
         "/'\n" + "articles: '^" + o + "/" + dir + "/[a-z]+/[0-9]+$'\nsources:\n" + sources +
         "ticker: '.ticker a'\nremove: ['.modal', '.share']\n"
         "related: '^(Lire aussi|اقرأ أيضا)'\n"
         "layouts:\n  - name: classic\n    title: .articletitle\n    source: .articlenewspaper a\n"
         "    source_url: a.articlesource@href\n    published: .articlenewspaper\n    body: "
         ".articlecontent\n"
         "  - name: content\n    title: h1\n    source: .meta .newspaper a\n    source_url: "
         "a.articlesource@href\n"
         "    published: .meta .date\n    body: div.content\n";
}

struct Setup {
  testing::HttpServer server;
  testing::TempDir dir;
  std::vector<std::string> args;

  Setup() {
    ServeSite(server);
    std::string o = server.Origin();
    dir.Write(
        "sites/local-fr.yaml",
        SiteFile("local-fr", "fr", o, "fr",
                 "  - listing: " + o + "/fr/\n    every: 1s\n  - listing: " + o +
                     "/fr/page/2\n    every: 1s\n  - feed: " + o + "/fr/rss\n    every: 1s\n"));
    dir.Write("sites/local-ar.yaml",
              SiteFile("local-ar", "ar", o, "ar",
                       "  - sitemap: " + o + "/ar/sitemap_index.xml\n    every: 1s\n"));
    dir.Write(
        "gleaner.yaml",
        std::string(
            "fetch:\n  delay: 20ms\n  jitter: 10ms\n  retries: 0\n  per_host_connections: 4\n") +
            testing::kAllowLoopback);
    args = {"run",
            "--config",
            dir.path() + "/gleaner.yaml",
            "--sites",
            dir.path() + "/sites",
            "--db",
            dir.path() + "/var/gleaner.db"};
  }

  std::vector<json> Export() {
    auto r = testing::RunGleaner({"export", "--db", dir.path() + "/var/gleaner.db"});
    std::vector<json> out;
    if (r.exit_code != 0) return out;
    for (const std::string& line : testing::Lines(r.out)) out.push_back(json::parse(line));
    return out;
  }

  // Waits until `n` articles are stored (or 60 s pass); returns what is stored.
  std::vector<json> WaitForArticles(size_t n) {
    std::vector<json> got;
    for (int i = 0; i < 600 && got.size() < n; ++i) {
      std::this_thread::sleep_for(100ms);
      got = Export();
    }
    return got;
  }
};

std::map<std::string, int> CountByPath(const std::vector<json>& records,
                                       const std::string& origin) {
  std::map<std::string, int> count;
  for (const json& r : records) count[r["url"].get<std::string>().substr(origin.size())]++;
  return count;
}

TEST_CASE("the daemon discovers, fetches, extracts and stores every article once",
          "[e2e][daemon]") {
  Setup s;
  testing::Daemon daemon(s.args, s.dir.path());
  auto records = s.WaitForArticles(kArticles.size());
  REQUIRE(records.size() == kArticles.size());
  auto counts = CountByPath(records, s.server.Origin());
  for (const auto& [path, slug] : kArticles) {
    INFO(path);
    CHECK(counts[path] == 1);
  }
  for (const json& r : records) {
    std::string path = r["url"].get<std::string>().substr(s.server.Origin().size());
    json want =
        json::parse(testing::ReadFile(kPages + kArticles.at(path) + "/case.json"))["expected"];
    INFO(path);
    CHECK(r["title"] == want["title"]);
    CHECK(r["source"] == want["source"]);
    CHECK(r["published"] == want["published"]);
    CHECK(r["language"] == want["language"]);
    CHECK(r["ticker"].size() == want["ticker_headlines"].get<size_t>());
  }
  // Politeness and the rules of the site.
  CHECK(s.server.CountFor("/fr/private/9") == 0);
  CHECK(s.server.WaitForCount("/fr/barlamane/404", 1, 10s));
  // Re-polls are conditional: the home page's ETag comes back as If-None-Match.
  REQUIRE(s.server.WaitForCount("/fr/", 2, 20s));
  bool conditional = false;
  for (const HttpRequest& r : s.server.RequestsFor("/fr/"))
    conditional |= r.Header("if-none-match") == "\"home-v1\"";
  CHECK(conditional);
  // Nothing is fetched twice: stored articles are done.
  CHECK(s.server.CountFor("/fr/barlamane/1") == 1);

  // `gleaner status` shows per-site health (refreshed every few seconds) and the queue.
  json st;
  for (int i = 0; i < 100; ++i) {
    auto status =
        testing::RunGleaner({"status", "--json", "--db", s.dir.path() + "/var/gleaner.db"});
    REQUIRE(status.exit_code == 0);
    st = json::parse(status.out);
    if (!st["daemon"].is_null() && st["daemon"]["sites"]["local-ar"]["new_articles"] == 2 &&
        st["daemon"]["sites"]["local-fr"]["new_articles"] == 4) {
      break;
    }
    std::this_thread::sleep_for(200ms);
  }
  CHECK(st["queue"]["ready"] == kArticles.size());
  CHECK(st["daemon"]["sites"]["local-fr"]["new_articles"] == 4);
  CHECK(st["daemon"]["sites"]["local-ar"]["new_articles"] == 2);
  CHECK(st["daemon"]["sites"]["local-fr"]["errors_by_kind"]["http_status"].get<int>() >=
        2);  // 404 and 500
  // Per site: the frontier (nothing left due, the next poll ahead) and the last success.
  CHECK(st["frontier"]["local-fr"]["backlog"] == 0);
  CHECK(st["frontier"]["local-ar"]["next_poll"].is_string());
  CHECK(st["daemon"]["sites"]["local-fr"]["last_success"].is_string());
  CHECK(st["daemon"]["paused_hosts"].is_array());

  // One daemon per database: a second one exits at once, naming the first.
  testing::Daemon second(s.args, s.dir.path());
  CHECK(second.WaitFor(20s) == std::optional<int>(8));
  CHECK_THAT(second.Stderr(), Catch::Contains("another gleaner run (pid "));
  CHECK(daemon.Running());

  daemon.Signal(SIGTERM);
  auto exit = daemon.WaitFor(20s);
  REQUIRE(exit.has_value());
  CHECK(*exit == 0);
}

TEST_CASE("SIGHUP with a broken site file keeps the daemon running on the old rules",
          "[e2e][daemon]") {
  Setup s;
  testing::Daemon daemon(s.args, s.dir.path());
  REQUIRE(s.server.WaitForCount("/fr/", 1, 20s));
  s.dir.Write("sites/broken.yaml",
              "id: broken\nname: B\nlanguage: fr\nurls: x\nlayouts:\n  - body: p\n    oops: 1\n");
  daemon.Signal(SIGHUP);
  bool refused = false;
  for (int i = 0; i < 100 && !refused; ++i) {
    std::this_thread::sleep_for(100ms);
    refused = daemon.Stderr().find("reload refused") != std::string::npos;
  }
  CHECK(refused);
  CHECK_THAT(daemon.Stderr(), Catch::Contains("broken.yaml:7:5: unknown key 'oops'"));
  CHECK(daemon.Running());
  CHECK(s.WaitForArticles(kArticles.size()).size() == kArticles.size());
  daemon.Signal(SIGTERM);
  CHECK(daemon.WaitFor(20s) == std::optional<int>(0));
}

TEST_CASE("SIGHUP applies new fetch settings and log level, a new database waits for a restart",
          "[e2e][daemon]") {
  Setup s;
  const std::string fetch = std::string("fetch:\n  delay: 20ms\n  jitter: 10ms\n  retries: 0\n") +
                            testing::kAllowLoopback;
  s.dir.Write("gleaner.yaml", "database: var/gleaner.db\n" + fetch);
  std::vector<std::string> args = {"run", "--config", s.dir.path() + "/gleaner.yaml", "--sites",
                                   s.dir.path() + "/sites"};
  testing::Daemon daemon(args, s.dir.path());
  REQUIRE(s.server.WaitForCount("/fr/", 1, 20s));
  s.dir.Write("gleaner.yaml", "database: var/other.db\nlog_level: debug\n" + fetch +
                                  "  user_agent: reloaded-agent/2\n");
  daemon.Signal(SIGHUP);
  bool reloaded = false;
  for (int i = 0; i < 100 && !reloaded; ++i) {
    std::this_thread::sleep_for(100ms);
    reloaded = daemon.Stderr().find("reloaded:") != std::string::npos;
  }
  REQUIRE(reloaded);
  // The home page is polled every second: the next polls carry the new User-Agent.
  bool new_agent = false;
  for (int i = 0; i < 100 && !new_agent; ++i) {
    std::this_thread::sleep_for(100ms);
    for (const HttpRequest& r : s.server.RequestsFor("/fr/")) {
      new_agent |= r.Header("user-agent").value_or("").rfind("reloaded-agent/2", 0) == 0;
    }
  }
  CHECK(new_agent);
  CHECK_THAT(daemon.Stderr(), Catch::Contains(" debug "));
  CHECK_THAT(daemon.Stderr(), Catch::Contains("'database' changed to var/other.db"));
  CHECK(daemon.Running());
  daemon.Signal(SIGTERM);
  CHECK(daemon.WaitFor(20s) == std::optional<int>(0));
  CHECK_FALSE(std::ifstream(s.dir.path() + "/var/other.db").good());
}

TEST_CASE("a host that asks for a pause is left alone until it ends, and status shows it",
          "[e2e][daemon]") {
  testing::HttpServer server;
  testing::TempDir dir;
  std::string o = server.Origin();
  server.Route("/fr/", HttpReply::Html("<a href='/fr/busy/1'>busy</a>"));
  server.Route("/fr/busy/1",
               HttpReply::Text("come back later", "text/plain", 503).With("Retry-After", "3600"));
  dir.Write("sites/local-fr.yaml",
            SiteFile("local-fr", "fr", o, "fr", "  - listing: " + o + "/fr/\n    every: 1s\n"));
  dir.Write("gleaner.yaml", std::string("fetch:\n  delay: 10ms\n  jitter: 0ms\n  retries: 0\n") +
                                testing::kAllowLoopback);
  testing::Daemon daemon({"run", "--config", dir.path() + "/gleaner.yaml", "--sites",
                          dir.path() + "/sites", "--db", dir.path() + "/var/gleaner.db"},
                         dir.path());
  REQUIRE(server.WaitForCount("/fr/busy/1", 1, 30s));
  json st;
  for (int i = 0; i < 100; ++i) {
    auto status = testing::RunGleaner({"status", "--json", "--db", dir.path() + "/var/gleaner.db"});
    REQUIRE(status.exit_code == 0);
    st = json::parse(status.out);
    if (!st["daemon"].is_null() && !st["daemon"]["paused_hosts"].empty()) break;
    std::this_thread::sleep_for(200ms);
  }
  REQUIRE(st["daemon"]["paused_hosts"].size() == 1);
  CHECK(st["daemon"]["paused_hosts"][0]["host"] == "127.0.0.1");
  CHECK(st["daemon"]["paused_hosts"][0]["reason"] == "Retry-After");
  auto until = store::ParseTime(st["daemon"]["paused_hosts"][0]["until"].get<std::string>());
  REQUIRE(until.has_value());
  CHECK(*until > store::Now() + 50min);
  auto table = testing::RunGleaner({"status", "--db", dir.path() + "/var/gleaner.db"});
  CHECK_THAT(table.out, Catch::Contains("host 127.0.0.1 paused until"));
  // The listing is due every second, but the host asked for an hour: nothing more is sent.
  size_t before = server.Requests().size();
  std::this_thread::sleep_for(3s);
  CHECK(server.Requests().size() == before);
  daemon.Signal(SIGTERM);
  REQUIRE(daemon.WaitFor(20s) == std::optional<int>(0));
  auto store = store::Store::Open(dir.path() + "/var/gleaner.db", store::OpenMode::kReadOnly);
  REQUIRE(store.has_value());
  auto entry = store->FindUrl(o + "/fr/busy/1");
  REQUIRE(entry.has_value());
  REQUIRE(entry->has_value());
  CHECK((*entry)->attempts == 1);
  CHECK((*entry)->state == store::FrontierState::kScheduled);
  CHECK((*entry)->next_fetch > store::Now() + 50min);
}

TEST_CASE("SIGKILL mid-crawl, then a restart, loses and duplicates nothing", "[e2e][daemon]") {
  Setup s;
  {
    testing::Daemon first(s.args, s.dir.path());
    s.WaitForArticles(2);
    first.Signal(SIGKILL);
    CHECK(first.WaitFor(10s) == std::optional<int>(128 + SIGKILL));
  }
  size_t before = s.Export().size();
  testing::Daemon second(s.args, s.dir.path());
  auto records = s.WaitForArticles(kArticles.size());
  CHECK(before >= 2);
  REQUIRE(records.size() == kArticles.size());
  for (const auto& [path, n] : CountByPath(records, s.server.Origin())) {
    INFO(path);
    CHECK(n == 1);
  }
  for (const auto& [path, slug] : kArticles) {
    INFO(path);
    CHECK(s.server.CountFor(path) >= 1);
  }
  second.Signal(SIGTERM);
  CHECK(second.WaitFor(20s) == std::optional<int>(0));
}

TEST_CASE("a page the daemon died on twice in a row is given up, the crawl goes on",
          "[e2e][daemon]") {
  // The OOM killer (SIGKILL here) strikes twice while the daemon parses a big page.
  testing::HttpServer server;
  testing::TempDir dir;
  std::string o = server.Origin();
  std::string big = "<html><body><h1>Big</h1><div class=content>";
  for (int i = 0; i < 150000; ++i)
    big += "<p>Paragraph " + std::to_string(i) + " of a page long to parse.</p>";
  big += "</div></body></html>";
  server.Route("/fr/",
               HttpReply::Html("<a href='/fr/big/1'>big</a><a href='/fr/small/2'>small</a>"));
  server.Route("/fr/big/1", HttpReply::Html(big));
  server.Route("/fr/small/2",
               HttpReply::Text(Fixture("maghress-fr-2022-10-31-onu-technologie"), "text/html"));
  dir.Write("sites/local-fr.yaml",
            SiteFile("local-fr", "fr", o, "fr", "  - listing: " + o + "/fr/\n    every: 1h\n"));
  dir.Write("gleaner.yaml", std::string("fetch:\n  delay: 1ms\n  jitter: 0ms\n  retries: 0\n") +
                                testing::kAllowLoopback);
  std::vector<std::string> args = {"run",
                                   "--config",
                                   dir.path() + "/gleaner.yaml",
                                   "--sites",
                                   dir.path() + "/sites",
                                   "--db",
                                   dir.path() + "/var/gleaner.db"};
  std::string big_url = o + "/fr/big/1";
  // The marker's line is "<frontier id> <hash of the URL>".
  auto marker_names_big = [&] {
    std::ifstream in(dir.path() + "/var/gleaner.db.working");
    std::string id, hash;
    return static_cast<bool>(in >> id >> hash) && hash == schedule::UrlHash(big_url);
  };
  auto kill_while_parsing_big = [&](const std::string& expected_log) {
    int fetches_before = server.CountFor("/fr/big/1");
    testing::Daemon daemon(args, dir.path());
    REQUIRE(server.WaitForCount("/fr/big/1", fetches_before + 1, 60s));  // this run's fetch
    bool caught = false;
    for (int i = 0; i < 20000 && !caught; ++i) {
      caught = marker_names_big();
      if (!caught) std::this_thread::sleep_for(1ms);
    }
    REQUIRE(caught);
    daemon.Signal(SIGKILL);
    REQUIRE(daemon.WaitFor(10s) == std::optional<int>(128 + SIGKILL));
    CHECK_THAT(daemon.Stderr(), Catch::Contains(expected_log));
  };
  kill_while_parsing_big("gleaner running");
  // The next run logs the page and tries it again at once; it dies on it again.
  kill_while_parsing_big(
      big_url + ": the last run died while processing this page; it is tried again at once");
  REQUIRE(server.CountFor("/fr/big/1") == 2);

  testing::Daemon third(args, dir.path());
  for (int i = 0; i < 600 && server.CountFor("/fr/small/2") == 0; ++i)
    std::this_thread::sleep_for(100ms);
  CHECK(server.CountFor("/fr/small/2") >= 1);  // the crawl goes on
  std::this_thread::sleep_for(500ms);
  CHECK(server.CountFor("/fr/big/1") == 2);  // never again
  CHECK_THAT(third.Stderr(),
             Catch::Contains(big_url + ": the last run died while processing this page; "
                                       "the run before died on it too: given up"));
  CHECK(third.Running());
  third.Signal(SIGTERM);
  CHECK(third.WaitFor(20s) == std::optional<int>(0));
  CHECK_FALSE(marker_names_big());  // a clean stop leaves no page named

  auto store = store::Store::Open(dir.path() + "/var/gleaner.db", store::OpenMode::kReadOnly);
  REQUIRE(store.has_value());
  auto entry = store->FindUrl(big_url);
  REQUIRE(entry.has_value());
  REQUIRE(entry->has_value());
  CHECK((*entry)->state == store::FrontierState::kFailed);
  CHECK((*entry)->last_error ==
        std::optional<std::string>("gleaner died while processing this page"));
}

}  // namespace
}  // namespace gleaner
