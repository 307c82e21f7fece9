// `gleaner show` and `gleaner suggest --from-archive` as a user runs them: pages fetched
// from a real HTTP server on loopback by `gleaner fetch --store` (which archives each
// response beside the database), then read back by the real binary.
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/http_server.h"
#include "support/run_binary.h"

namespace gleaner {
namespace {

using nlohmann::json;
using testing::HttpReply;
using testing::HttpServer;
using testing::Lines;
using testing::ReadFile;
using testing::RunGleaner;
using testing::RunResult;
using testing::TempDir;

const std::string kRoot = GLEANER_SOURCE_DIR;
// A real Arabic page served in windows-1256, its charset declared in the page only.
const std::string kCp1256Page =
    kRoot + "/tests/fixtures/pages/maghress-ar-2022-10-31-cp1256/source.html";

// An empty site directory in `dir`: generic extraction for every page.
std::string EmptySites(const TempDir& dir) {
  dir.Write("sites/.keep", "");
  return dir.path() + "/sites";
}

// A working directory with no site files (generic extraction), a config that lets the
// fetcher reach loopback without delays, and a database that `fetch --store` creates.
struct Box {
  TempDir dir;
  std::string sites = EmptySites(dir);
  std::string config = dir.Write("gleaner.yaml",
                                 "fetch:\n"
                                 "  delay: 0s\n"
                                 "  jitter: 0s\n"
                                 "  retries: 0\n"
                                 "  timeout: 10s\n" +
                                     std::string(testing::kAllowLoopback));
  std::string db = dir.path() + "/var/gleaner.db";

  RunResult Run(std::vector<std::string> args) const {
    args.insert(args.end(), {"--db", db, "--config", config});
    return RunGleaner(args, "", dir.path());
  }
  // Fetches `url` and stores its record and its response; requires that it extracted.
  void Store(const std::string& url) const {
    RunResult r = Run({"fetch", "--store", "--sites", sites, url});
    INFO(url << ": " << r.err);
    REQUIRE(r.exit_code == 0);
  }
  RunResult Show(const std::vector<std::string>& args) const {
    std::vector<std::string> all{"show"};
    all.insert(all.end(), args.begin(), args.end());
    return Run(all);
  }
};

// Damages the stored body of `url`'s captures in the archive at `path` (not a zstd frame any
// more), as a disk error would.
void CorruptBody(const std::string& path, const std::string& url) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(db,
                             "UPDATE bodies SET data = x'00' WHERE sha256 IN "
                             "(SELECT body_sha256 FROM captures WHERE url = ?1)",
                             -1, &stmt, nullptr) == SQLITE_OK);
  sqlite3_bind_text(stmt, 1, url.c_str(), -1, SQLITE_TRANSIENT);
  int stepped = sqlite3_step(stmt);
  int changed = sqlite3_changes(db);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  REQUIRE(stepped == SQLITE_DONE);
  REQUIRE(changed == 1);
}

// An article page of the test sites' one design: a title, a date and paragraphs whose words
// depend on `n`, so that every page is another article.
std::string ArticlePage(const std::string& title, int n) {
  static const std::vector<std::string> kWords = {
      "conseil", "ville", "projet", "budget", "habitants", "travaux",  "quartier", "maire",
      "route",   "ecole", "marche", "annee",  "region",    "services", "reseau",   "public"};
  std::string paragraphs;
  for (int p = 0; p < 8; ++p) {
    std::string text = "Paragraphe " + std::to_string(p + 1) + " :";
    for (int w = 0; w < 24; ++w) text += " " + kWords[(n * 7 + p * 5 + w * 3) % kWords.size()];
    paragraphs += "<p>" + text + ".</p>\n";
  }
  return "<!doctype html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\"><title>" + title +
         " - La Gazette</title>\n<meta property=\"og:site_name\" content=\"La Gazette\">\n"
         "</head><body>\n<header class=\"site-header\"><nav><a href=\"/\">Accueil</a> "
         "<a href=\"/politique/\">Politique</a> <a href=\"/sport/\">Sport</a></nav></header>\n"
         "<main><article class=\"post\">\n<h1 class=\"post-title\">" +
         title + "</h1>\n<time class=\"post-date\" datetime=\"2024-05-0" + std::to_string(n) +
         "T09:00:00Z\">" + std::to_string(n) + " mai 2024</time>\n<div class=\"post-content\">\n" +
         paragraphs +
         "</div></article>\n<aside class=\"sidebar\"><h2>Les plus lus</h2><ul>"
         "<li><a href=\"/a/90\">Un autre article sans rapport</a></li>"
         "<li><a href=\"/a/91\">Encore un autre article</a></li></ul></aside></main>\n"
         "<footer class=\"site-footer\">La Gazette, tous droits reserves</footer>\n"
         "</body></html>\n";
}

// An HTML page that holds every byte value 0x00-0xFF (NUL included; not valid UTF-8),
// after the first kSniffBytes bytes that the fetcher looks at to refuse binary bodies.
std::string BinaryCleanPage() {
  std::string page = ArticlePage("Octets en vrac", 3);
  std::string odd = "<!-- ";
  for (int b = 0; b < 256; ++b) odd += static_cast<char>(b);
  odd += " -->\n";
  size_t at = page.find("</div></article>");
  REQUIRE(at > 512);  // past the fetcher's binary sniffing
  page.insert(at, odd);
  return page;
}

TEST_CASE("show --raw gives back the archived bytes exactly", "[e2e][show]") {
  HttpServer server;
  server.Route("/robots.txt", HttpReply::Text(""));
  std::string cp1256 = ReadFile(kCp1256Page);
  server.Route("/ar/131078", HttpReply::Text(cp1256, "text/html; charset=windows-1256"));
  std::string plain = ArticlePage("Un article servi compressé", 1);
  server.Route("/gz/1", HttpReply::Html(testing::Gzip(plain)).With("Content-Encoding", "gzip"));
  std::string binary = BinaryCleanPage();
  server.Route("/bin/1", HttpReply::Text(binary, "text/html"));
  Box box;
  for (const char* path : {"/ar/131078", "/gz/1", "/bin/1"}) box.Store(server.Url(path));

  SECTION("a windows-1256 page comes out in windows-1256, not transcoded") {
    REQUIRE(cp1256.find('\xc7') != std::string::npos);  // an Arabic letter in windows-1256
    RunResult r = box.Show({"--raw", server.Url("/ar/131078")});
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.size() == cp1256.size());
    CHECK(r.out == cp1256);
  }
  SECTION("a gzip-encoded page comes out decoded, byte for byte what was compressed") {
    RunResult r = box.Show({server.Url("/gz/1")});  // --raw is the default
    REQUIRE(r.exit_code == 0);
    CHECK(r.out == plain);
  }
  SECTION("every byte value, NUL included, survives") {
    RunResult r = box.Show({"--raw", server.Url("/bin/1")});
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.size() == binary.size());
    CHECK(r.out == binary);
  }
}

TEST_CASE("show --headers prints the status line and headers as received", "[e2e][show]") {
  HttpServer server;
  server.Route("/robots.txt", HttpReply::Text(""));
  server.Route("/a/1", HttpReply::Html(ArticlePage("Les en-têtes", 1)).With("X-Test", "1"));
  Box box;
  box.Store(server.Url("/a/1"));
  RunResult r = box.Show({"--headers", server.Url("/a/1")});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.rfind("HTTP/1.1 200", 0) == 0);
  CHECK_THAT(r.out, Catch::Contains("\r\nX-Test: 1\r\n"));
  CHECK_THAT(r.out, Catch::Contains("Content-Type: text/html; charset=utf-8\r\n"));
  // Every line CRLF-ended, and no blank line: `show --headers`, CRLF, `show --raw` is the
  // response.
  CHECK(r.out.size() >= 2);
  CHECK(r.out.substr(r.out.size() - 2) == "\r\n");
  CHECK(r.out.find("\r\n\r\n") == std::string::npos);
  CHECK(r.out.find_first_of('\n') == r.out.find("\r\n") + 1);
  CHECK(r.out.find("<html") == std::string::npos);
}

TEST_CASE("show --record prints the stored record as export does", "[e2e][show]") {
  HttpServer server;
  server.Route("/robots.txt", HttpReply::Text(""));
  server.Route("/a/1", HttpReply::Html(ArticlePage("Le titre du record", 1)));
  Box box;
  box.Store(server.Url("/a/1"));
  RunResult r = box.Show({"--record", server.Url("/a/1")});
  REQUIRE(r.exit_code == 0);
  auto lines = Lines(r.out);
  REQUIRE(lines.size() == 1);
  json record = json::parse(lines[0]);
  CHECK(record["title"] == "Le titre du record");
  CHECK(record["url"] == server.Url("/a/1"));
  CHECK_THAT(record["body"].get<std::string>(), Catch::Contains("Paragraphe 1"));
  // The same line `gleaner export` prints for it.
  RunResult exported = box.Run({"export"});
  REQUIRE(exported.exit_code == 0);
  CHECK(exported.out == r.out);
}

TEST_CASE("show finds a URL under any spelling of it", "[e2e][show]") {
  HttpServer server;
  server.Route("/robots.txt", HttpReply::Text(""));
  std::string page = ArticlePage("Une orthographe", 2);
  server.Route("/a/1", HttpReply::Html(page));
  Box box;
  box.Store(server.Url("/a/1"));
  std::string shouted = "HTTP" + server.Url("/a/1").substr(4);  // HTTP://127.0.0.1:PORT/a/1
  for (const std::string& url : {server.Url("/a/1#comments"), shouted, server.Url("/a/%31"),
                                 server.Url("/a/1?utm_source=newsletter")}) {
    INFO(url);
    RunResult raw = box.Show({"--raw", url});
    CHECK(raw.exit_code == 0);
    CHECK(raw.out == page);
    RunResult record = box.Show({"--record", url});
    REQUIRE(record.exit_code == 0);
    CHECK(json::parse(Lines(record.out).at(0))["title"] == "Une orthographe");
  }
}

TEST_CASE("show says what is missing, with the contract's exit codes", "[e2e][show]") {
  HttpServer server;
  server.Route("/robots.txt", HttpReply::Text(""));
  server.Route("/a/1", HttpReply::Html(ArticlePage("Présent", 1)));
  Box box;

  SECTION("no archive and no database yet: exit 3, naming the file") {
    RunResult raw = box.Show({"--raw", server.Url("/a/1")});
    CHECK(raw.exit_code == 3);
    CHECK_THAT(raw.err, Catch::Contains(box.dir.path() + "/var/gleaner.archive.db"));
    CHECK_THAT(raw.err, Catch::Contains("archive: true"));
    RunResult record = box.Show({"--record", server.Url("/a/1")});
    CHECK(record.exit_code == 3);
    CHECK_THAT(record.err, Catch::Contains(box.db));
  }
  SECTION("a URL gleaner never fetched: exit 4, naming it") {
    box.Store(server.Url("/a/1"));
    for (const char* mode : {"--raw", "--headers", "--record"}) {
      INFO(mode);
      RunResult r = box.Show({mode, server.Url("/a/2")});
      CHECK(r.exit_code == 4);
      CHECK_THAT(r.err, Catch::Contains(server.Url("/a/2")));
      CHECK(r.out.empty());
    }
  }
  SECTION("usage errors: exit 2") {
    CHECK(box.Show({"--raw", "--headers", server.Url("/a/1")}).exit_code == 2);
    CHECK(box.Show({"--headers", "--record", server.Url("/a/1")}).exit_code == 2);
    CHECK(box.Show({}).exit_code == 2);
    CHECK(box.Show({"not a url"}).exit_code == 2);
  }
}

TEST_CASE("show --help describes every option", "[e2e][show]") {
  RunResult r = RunGleaner({"show", "--help"});
  REQUIRE(r.exit_code == 0);
  for (const char* flag : {"--raw", "--headers", "--record", "--db", "--config"}) {
    CHECK_THAT(r.out, Catch::Contains(flag));
  }
  RunResult suggest = RunGleaner({"suggest", "--help"});
  REQUIRE(suggest.exit_code == 0);
  CHECK_THAT(suggest.out, Catch::Contains("--from-archive HOST"));
  CHECK_THAT(suggest.out, Catch::Contains("--db PATH"));
}

TEST_CASE("suggest --from-archive drafts a site file from the archived pages of a host",
          "[e2e][show][suggest]") {
  HttpServer::Options options;
  options.address = "127.0.0.23";
  HttpServer server(options);
  server.Route("/robots.txt", HttpReply::Text(""));
  std::vector<std::string> titles = {"Le conseil vote le budget", "Travaux dans le quartier",
                                     "La nouvelle ecole ouvre", "Le marche du samedi"};
  for (int n = 1; n <= 4; ++n) {
    server.Route("/actualite/2024/05/0" + std::to_string(n) + "/article-" + std::to_string(n),
                 HttpReply::Html(ArticlePage(titles[n - 1], n)));
  }
  auto url = [&server](int n) {
    return server.Url("/actualite/2024/05/0" + std::to_string(n) + "/article-" + std::to_string(n));
  };
  Box box;
  for (int n = 1; n <= 3; ++n) box.Store(url(n));

  SECTION("the draft holds on the archived pages and extracts a page it has not seen") {
    RunResult printed = box.Run({"suggest", "--from-archive", "127.0.0.23", "--id", "gazette"});
    INFO(printed.err);
    REQUIRE(printed.exit_code == 0);
    CHECK_THAT(printed.out, Catch::Contains("id: gazette"));
    CHECK_THAT(printed.out, Catch::Contains("body:"));
    // Each archived page was a sample, with its URL.
    for (int n = 1; n <= 3; ++n) CHECK_THAT(printed.err, Catch::Contains(url(n)));

    RunResult written =
        box.Run({"suggest", "--from-archive", "WWW.127.0.0.23", "--id", "gazette", "--name",
                 "La Gazette locale", "--write", box.dir.path() + "/drafts"});
    INFO(written.err);
    REQUIRE(written.exit_code == 0);
    std::string draft = ReadFile(box.dir.path() + "/drafts/gazette.yaml");
    CHECK_THAT(draft, Catch::Contains("name: 'La Gazette locale'"));
    // Newest first: the last page fetched is the first sample.
    CHECK_THAT(draft, Catch::Contains("#   1. " + url(3) + "\n"));
    RunResult check =
        RunGleaner({"check", "--sites", box.dir.path() + "/drafts", "--config", box.config}, "",
                   box.dir.path());
    INFO(check.out << check.err);
    CHECK(check.exit_code == 0);

    std::string unseen = box.dir.Write("unseen.html", ArticlePage(titles[3], 4));
    RunResult extracted =
        RunGleaner({"extract", "--sites", box.dir.path() + "/drafts", "--url", url(4),
                    "--content-type", "text/html; charset=utf-8", "--config", box.config, unseen},
                   "", box.dir.path());
    INFO(extracted.err);
    REQUIRE(extracted.exit_code == 0);
    json record = json::parse(Lines(extracted.out).at(0));
    CHECK(record["extractor"].get<std::string>().rfind("rules:gazette/", 0) == 0);
    CHECK(record["title"] == titles[3]);
    CHECK_THAT(record["body"].get<std::string>(), Catch::StartsWith("Paragraphe 1 :"));
    CHECK_THAT(record["body"].get<std::string>(), !Catch::Contains("Les plus lus"));
  }
  SECTION("a corrupt entry: show names it (exit 3), suggest skips it") {
    CorruptBody(box.dir.path() + "/var/gleaner.archive.db", url(3));
    RunResult shown = box.Show({"--raw", url(3)});
    CHECK(shown.exit_code == 3);
    CHECK_THAT(shown.err, Catch::Contains(url(3)));
    CHECK(shown.out.empty());
    CHECK(box.Show({"--raw", url(2)}).exit_code == 0);

    RunResult r = box.Run({"suggest", "--from-archive", "127.0.0.23", "--id", "gazette"});
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.err, Catch::Contains("skipped " + url(3)));
    CHECK_THAT(r.out, Catch::Contains("from 2 samples"));
    CHECK_THAT(r.out, Catch::Contains("#   1. " + url(2) + "\n"));
  }
  SECTION("a host the archive has no page of: exit 4, naming it") {
    RunResult r = box.Run({"suggest", "--from-archive", "example.com"});
    CHECK(r.exit_code == 4);
    CHECK_THAT(r.err, Catch::Contains("example.com"));
    CHECK(r.out.empty());
  }
  SECTION("samples and --from-archive together: usage error") {
    RunResult r = box.Run({"suggest", "--from-archive", "127.0.0.23", url(1)});
    CHECK(r.exit_code == 2);
  }
}

}  // namespace
}  // namespace gleaner
