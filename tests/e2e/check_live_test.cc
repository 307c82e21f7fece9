// `gleaner check --live` as a user runs it: the real binary, site files copied from the
// bundled ones with their URLs moved to real HTTP servers on distinct 127.x addresses (each
// one a host of its own), and a config whose address guard lets loopback through. Also the
// hint `gleaner status` gives for a site whose rules broke.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "daemon/store/timestamps.h"
#include "support/http_server.h"
#include "support/run_binary.h"

namespace gleaner {
namespace {

using namespace std::chrono_literals;
using testing::HttpReply;
using testing::HttpRequest;
using testing::HttpServer;
using testing::ReadFile;
using testing::RunGleaner;
using testing::RunResult;
using testing::TempDir;

const std::string kRoot = GLEANER_SOURCE_DIR;
const std::string kOnuPage =
    ReadFile(kRoot + "/tests/fixtures/pages/maghress-fr-2022-10-31-onu-technologie/source.html");
const std::string kExamplePath = "/fr/marocdiplomatique/58214";

HttpServer::Options On(const std::string& address) {
  HttpServer::Options o;
  o.address = address;
  return o;
}

// Every occurrence of `from` in `text` replaced by `to`.
std::string ReplaceAll(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

// The bundled maghress-fr site file, its id made `id` and its URLs (`urls`, `articles`,
// `examples`, `sources`) moved to `server`; `extra` is appended (more keys).
std::string MaghressSiteOn(const HttpServer& server, const std::string& id,
                           const std::string& extra = "") {
  std::string yaml = ReadFile(kRoot + "/sites/maghress-fr.yaml");
  std::string host_regex =
      ReplaceAll(server.address(), ".", "\\.") + ":" + std::to_string(server.port());
  yaml = ReplaceAll(yaml, "(www\\.)?maghress\\.com", host_regex);
  yaml = ReplaceAll(yaml, "https://www.maghress.com", server.Origin());
  yaml = ReplaceAll(yaml, "id: maghress-fr", "id: " + id);
  return yaml + extra;
}

// A page of a new design: none of the maghress-fr layouts' title and body selectors
// (.articletitle, .articlecontent, h1, div.content) match, but it is plainly an article.
std::string RedesignedPage() {
  std::string paragraphs;
  for (int i = 0; i < 12; ++i) {
    paragraphs += "<p>Le nouveau site publie ses articles dans une section, paragraphe " +
                  std::to_string(i) + ", assez long pour que la lecture générique le retienne.</p>";
  }
  return "<html lang=fr><head><title>Un titre du nouveau site</title></head><body>"
         "<header><nav><a href=/>Accueil</a></nav></header><main><h2 class=headline>Un titre "
         "du nouveau site</h2><section class=story>" +
         paragraphs + "</section></main></body></html>";
}

// A working directory with a sites directory and a config whose fetcher is quick (no delay
// or jitter unless a site sets one, no retries) and lets loopback addresses through.
struct Box {
  TempDir dir;
  std::string sites = dir.path() + "/sites";
  std::string config = dir.Write("gleaner.yaml",
                                 "fetch:\n"
                                 "  delay: 0s\n"
                                 "  jitter: 0s\n"
                                 "  retries: 0\n"
                                 "  timeout: 10s\n"
                                 "  contact: https://example.org/bot\n" +
                                     std::string(testing::kAllowLoopback));

  void Site(const std::string& id, const std::string& yaml) const {
    dir.Write("sites/" + id + ".yaml", yaml);
  }
  RunResult Check(std::vector<std::string> args) const {
    args.insert(args.begin(), {"check", "--config", config, "--sites", sites});
    return RunGleaner(args, "", dir.path());
  }
};

const std::string kNoExamplesSite =
    "id: quiet\nname: Quiet\nlanguage: fr\nurls: '^https?://quiet\\.example/'\n"
    "layouts:\n  - body: article\n";

TEST_CASE("check --live: a working site is ok, with its layout and fields", "[e2e][check][live]") {
  HttpServer server(On("127.0.0.2"));
  server.Route("/robots.txt", HttpReply::Text("User-agent: *\nAllow: /\n"));
  server.Route(kExamplePath, HttpReply::Html(kOnuPage));
  Box box;
  box.Site("maghress-fr", MaghressSiteOn(server, "maghress-fr"));
  box.Site("quiet", kNoExamplesSite);

  RunResult r = box.Check({"--live"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::StartsWith("2 sites OK, 0 site tests passed\n"));
  CHECK_THAT(r.out, Catch::Contains("site maghress-fr (Maghress (français))\n  " +
                                    server.Url(kExamplePath) + "\n    layout    classic\n"));
  CHECK_THAT(r.out, Catch::Contains("    found     title, published, source, source_url, "
                                    "language, body, related, ticker\n"
                                    "    missing   -\n"
                                    "    generic   no\n"
                                    "maghress-fr: ok (1 example)\n"));
  CHECK_THAT(r.out, Catch::Contains("site quiet (Quiet)\nquiet: no examples (skipped)\n"));
  CHECK_THAT(r.out,
             Catch::EndsWith("\n2 sites: 1 ok, 0 broken, 0 unreachable, 1 without examples\n"));
  // Fetched as the daemon fetches: robots.txt first, the configured user agent.
  REQUIRE(server.CountFor(kExamplePath) == 1);
  CHECK(server.Requests().front().path == "/robots.txt");
  CHECK(server.RequestsFor(kExamplePath)[0].Header("user-agent") ==
        "gleaner/0.1 (+https://example.org/bot)");
}

TEST_CASE("check --live: a changed layout or a rule that matches nothing is broken, exit 1",
          "[e2e][check][live]") {
  HttpServer server(On("127.0.0.3"));
  server.Route("/robots.txt", HttpReply::Text(""));
  server.Route("/fr/nouveau/1", HttpReply::Html(RedesignedPage()));
  // The classic layout still applies, but the "read it at the source" link is gone.
  std::string no_source_link = ReplaceAll(kOnuPage, "class=\"articlesource\"", "class=\"x\"");
  REQUIRE(no_source_link != kOnuPage);
  server.Route("/fr/ancien/2", HttpReply::Html(no_source_link));
  Box box;
  std::string yaml = MaghressSiteOn(server, "maghress-fr");
  yaml = ReplaceAll(yaml, kExamplePath, "/fr/nouveau/1\n  - " + server.Url("/fr/ancien/2"));
  box.Site("maghress-fr", yaml);

  RunResult r = box.Check({"--live"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  // The redesigned page: no layout applied, generic extraction stepped in, and the output
  // names the body rule that matched nothing.
  CHECK_THAT(r.out, Catch::Contains("  " + server.Url("/fr/nouveau/1") +
                                    "\n    layout    - (no layout applied)\n"));
  CHECK_THAT(r.out, Catch::Contains("    generic   yes, rule_matched_nothing: layout classic: "));
  CHECK_THAT(r.out, Catch::Contains("'.articlecontent' matched nothing"));
  CHECK_THAT(r.out, Catch::Contains("body (generic)"));
  // The page without its source link: the layout applied, one declared field is missing.
  CHECK_THAT(r.out,
             Catch::Contains("  " + server.Url("/fr/ancien/2") + "\n    layout    classic\n"));
  CHECK_THAT(r.out,
             Catch::Contains("    missing   source_url ('a.articlesource@href' matched nothing)\n"
                             "    generic   no\n"));
  CHECK_THAT(r.out, Catch::Contains("maghress-fr: broken (2 of 2 examples)\n"));
  CHECK_THAT(r.out,
             Catch::EndsWith("1 sites: 0 ok, 1 broken, 0 unreachable, 0 without examples\n"));
}

TEST_CASE("check --live: a 404 is unreachable (exit 6), robots.txt refusal exit 7",
          "[e2e][check][live]") {
  HttpServer gone(On("127.0.0.4"));
  gone.Route("/robots.txt", HttpReply::Text(""));  // every example path answers 404
  HttpServer closed(On("127.0.0.5"));
  closed.Route("/robots.txt", HttpReply::Text("User-agent: *\nDisallow: /fr/\n"));
  closed.Route(kExamplePath, HttpReply::Html(kOnuPage));
  HttpServer changed(On("127.0.0.6"));
  changed.Route("/robots.txt", HttpReply::Text(""));
  changed.Route(kExamplePath, HttpReply::Html(RedesignedPage()));
  Box box;
  box.Site("a-gone", MaghressSiteOn(gone, "a-gone"));
  box.Site("b-closed", MaghressSiteOn(closed, "b-closed"));

  RunResult missing = box.Check({"--live", "--site", "a-gone"});
  INFO(missing.out << missing.err);
  CHECK(missing.exit_code == 6);
  CHECK_THAT(missing.out, Catch::Contains("    fetch     failed, http_status: "));
  CHECK_THAT(missing.out, Catch::Contains("a-gone: unreachable (1 of 1 examples): http_status: "));
  CHECK_THAT(missing.out, Catch::Contains(gone.Url(kExamplePath)) && Catch::Contains("404"));
  CHECK_THAT(missing.out, Catch::EndsWith("1 unreachable, 0 without examples\n"));

  RunResult refused = box.Check({"--live", "--site", "b-closed"});
  INFO(refused.out << refused.err);
  CHECK(refused.exit_code == 7);
  CHECK_THAT(refused.out, Catch::Contains("b-closed: unreachable (1 of 1 examples): robots: "));
  CHECK(closed.CountFor(kExamplePath) == 0);

  // Both: the first failure in site order gives the status; a broken site outranks them.
  RunResult both = box.Check({"--live"});
  CHECK(both.exit_code == 6);
  CHECK_THAT(both.out, Catch::EndsWith("2 sites: 0 ok, 0 broken, 2 unreachable, 0 without "
                                       "examples\n"));
  box.Site("c-changed", MaghressSiteOn(changed, "c-changed"));
  RunResult all = box.Check({"--live"});
  CHECK(all.exit_code == 1);
  CHECK_THAT(all.out, Catch::EndsWith("3 sites: 0 ok, 1 broken, 2 unreachable, 0 without "
                                      "examples\n"));
}

TEST_CASE("check --live --site checks that site only, its delay between requests honoured",
          "[e2e][check][live]") {
  HttpServer polite(On("127.0.0.7"));
  polite.Route("/robots.txt", HttpReply::Text(""));
  polite.Route(kExamplePath, HttpReply::Html(kOnuPage));
  polite.Route("/fr/marocdiplomatique/2", HttpReply::Html(kOnuPage));
  HttpServer other(On("127.0.0.8"));
  other.Route(kExamplePath, HttpReply::Html(kOnuPage));
  Box box;
  std::string yaml = MaghressSiteOn(polite, "polite", "delay: 1s\n");
  yaml = ReplaceAll(yaml, kExamplePath,
                    kExamplePath + "\n  - " + polite.Url("/fr/marocdiplomatique/2"));
  box.Site("polite", yaml);
  box.Site("other", MaghressSiteOn(other, "other"));

  RunResult r = box.Check({"--live", "--site", "polite"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("polite: ok (2 examples)\n"));
  CHECK_THAT(r.out, !Catch::Contains("site other"));
  CHECK_THAT(r.out, Catch::EndsWith("\n1 sites: 1 ok, 0 broken, 0 unreachable, 0 without "
                                    "examples\n"));
  CHECK(other.Requests().empty());
  // The two pages of one host are the site's delay apart (the config's is 0), as the
  // server saw them; the small margin is the connection set-up of the first.
  std::vector<HttpRequest> pages;
  for (const HttpRequest& request : polite.Requests()) {
    if (request.path != "/robots.txt") pages.push_back(request);
  }
  REQUIRE(pages.size() == 2);
  CHECK(pages[1].arrival - pages[0].arrival >= 950ms);
}

TEST_CASE("check: --site without --live, or an unknown site, is a usage error",
          "[e2e][check][live]") {
  HttpServer server(On("127.0.0.9"));
  Box box;
  box.Site("maghress-fr", MaghressSiteOn(server, "maghress-fr"));

  RunResult alone = box.Check({"--site", "maghress-fr"});
  CHECK(alone.exit_code == 2);
  CHECK_THAT(alone.err, Catch::Contains("--site needs --live"));

  RunResult unknown = box.Check({"--live", "--site", "nope"});
  CHECK(unknown.exit_code == 2);
  CHECK_THAT(unknown.err, Catch::Contains("no site with id 'nope'"));
  CHECK(server.Requests().empty());
}

TEST_CASE("status points a site whose rules broke to check --live --site", "[e2e][status]") {
  TempDir dir;
  std::string db = dir.path() + "/gleaner.db";
  std::string now = store::FormatTime(store::Now());
  auto site = [](const std::string& broken_rules) {
    return "{\"polls\": 3, \"poll_errors\": 0, \"discovered\": 5, \"fetched\": 5, "
           "\"new_articles\": 4, \"updated_articles\": 0, \"fetch_errors\": 0, "
           "\"extract_errors\": 0, \"rule_breakage\": 2, \"errors_by_kind\": {}, "
           "\"broken_rules\": " +
           broken_rules +
           ", \"errors_last_hour\": 0, \"last_new_article\": null, \"last_success\": null}";
  };
  std::string broke = site(
      "{\"site 'maghress-fr': no layout matched (layout 'classic': body selector "
      "'.articlecontent' matched nothing)\": 2}");
  dir.Write("gleaner.db.status.json",
            "{\"pid\": " + std::to_string(::getpid()) + ", \"started\": \"" + now +
                "\", \"updated\": \"" + now + "\", \"sites\": {\"maghress-fr\": " + broke +
                ", \"healthy\": " + site("{}") + ", \"x; rm -rf ~\": " + broke +
                "}, \"paused_hosts\": []}");

  RunResult r = RunGleaner({"status", "--db", db}, "", dir.path());
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("matched nothing)\n"
                                    "    to see what broke: gleaner check --live --site "
                                    "maghress-fr\n"));
  // Once, for the one site that has a site id's form: a status file is not trusted, and
  // a hint is a command people paste.
  size_t hints = 0;
  for (const std::string& line : testing::Lines(r.out)) {
    if (line.find("gleaner check --live") != std::string::npos) ++hints;
  }
  CHECK(hints == 1);

  RunResult j = RunGleaner({"status", "--db", db, "--json"}, "", dir.path());
  CHECK(j.exit_code == 0);
  CHECK_THAT(j.out, !Catch::Contains("check --live"));
}

}  // namespace
}  // namespace gleaner
