// `gleaner fetch` as a user runs it: the real binary against a real HTTP server on
// 127.0.0.1, with a config file that turns the politeness delay off so the tests are quick.
#include <atomic>
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
const std::string kOnuPage =
    kRoot + "/tests/fixtures/pages/maghress-fr-2022-10-31-onu-technologie/source.html";

// A working directory without ./sites (so no source-tree defaults apply) and a config file.
struct Box {
  TempDir dir;
  std::string config = dir.Write("gleaner.yaml",
                                 "fetch:\n"
                                 "  delay: 0s\n"
                                 "  jitter: 0s\n"
                                 "  retries: 0\n"
                                 "  timeout: 10s\n"
                                 "  contact: https://example.org/bot\n" +
                                     std::string(testing::kAllowLoopback));

  RunResult Fetch(std::vector<std::string> args) const {
    args.insert(args.begin(), "fetch");
    args.push_back("--config");
    args.push_back(config);
    return RunGleaner(args, "", dir.path());
  }
};

json OnlyLine(const RunResult& r) {
  auto lines = Lines(r.out);
  REQUIRE(lines.size() == 1);
  return json::parse(lines[0]);
}

TEST_CASE("fetch --raw prints the HTTP outcome and no body", "[e2e][fetch]") {
  HttpServer server;
  server.Route("/a", HttpReply::Html("<html><body>secret body text</body></html>")
                         .With("ETag", "\"e1\"")
                         .With("Last-Modified", "Wed, 01 Nov 2023 10:00:00 GMT"));
  Box box;
  RunResult r = box.Fetch({"--raw", server.Url("/a")});
  REQUIRE(r.exit_code == 0);
  json j = OnlyLine(r);
  CHECK(j["url"] == server.Url("/a"));
  CHECK(j["final_url"] == server.Url("/a"));
  CHECK(j["status"] == 200);
  CHECK(j["headers"]["content-type"] == "text/html; charset=utf-8");
  CHECK(j["headers"]["etag"] == "\"e1\"");
  CHECK(j["headers"]["last-modified"] == "Wed, 01 Nov 2023 10:00:00 GMT");
  CHECK_FALSE(j["headers"].contains("retry-after"));
  CHECK(j["bytes"] == 42);
  CHECK(j["elapsed_ms"].is_number_integer());
  CHECK(j["error_kind"].is_null());
  CHECK(j["error"].is_null());
  CHECK(r.out.find("secret body text") == std::string::npos);
  // Keys in contract order.
  std::vector<std::string> keys;
  auto ordered = nlohmann::ordered_json::parse(Lines(r.out).at(0));
  for (auto it = ordered.begin(); it != ordered.end(); ++it) keys.push_back(it.key());
  CHECK(keys == std::vector<std::string>{"url", "final_url", "status", "headers", "bytes",
                                         "elapsed_ms", "error_kind", "error"});
  REQUIRE(server.CountFor("/a") == 1);
  CHECK(server.RequestsFor("/a")[0].Header("user-agent") ==
        "gleaner/0.1 (+https://example.org/bot)");
}

TEST_CASE("fetch --body saves the body", "[e2e][fetch]") {
  HttpServer server;
  server.Route("/a", HttpReply::Html("<p>saved</p>"));
  Box box;
  std::string file = box.dir.path() + "/body.html";
  RunResult r = box.Fetch({"--raw", "--body", file, server.Url("/a")});
  REQUIRE(r.exit_code == 0);
  CHECK(ReadFile(file) == "<p>saved</p>");
}

TEST_CASE("fetch exit codes: HTTP status 6, robots 7, network and caps 5", "[e2e][fetch]") {
  HttpServer server;
  server.Route("/robots.txt", HttpReply::Text("User-agent: *\nDisallow: /private\n"));
  server.Route("/private/x", HttpReply::Html("<p>no</p>"));
  server.Route("/image",
               HttpReply::Text(std::string("\x89PNG\r\n\x1a\n", 8) + "xxxx", "text/html"));
  server.Route("/passwd", HttpReply::Redirect(302, "file:///etc/passwd"));
  Box box;

  RunResult missing = box.Fetch({"--raw", server.Url("/missing")});
  CHECK(missing.exit_code == 6);
  CHECK(OnlyLine(missing)["error_kind"] == "http_status");
  CHECK(OnlyLine(missing)["status"] == 404);

  RunResult robots = box.Fetch({"--raw", server.Url("/private/x")});
  CHECK(robots.exit_code == 7);
  CHECK(OnlyLine(robots)["error_kind"] == "robots");
  CHECK(OnlyLine(robots)["status"].is_null());
  CHECK_THAT(robots.err, Catch::Contains("robots.txt"));
  CHECK(server.CountFor("/private/x") == 0);

  RunResult image = box.Fetch({"--raw", server.Url("/image")});
  CHECK(image.exit_code == 5);
  CHECK(OnlyLine(image)["error_kind"] == "content_type");

  RunResult scheme = box.Fetch({"--raw", server.Url("/passwd")});
  CHECK(scheme.exit_code == 5);
  CHECK(OnlyLine(scheme)["error_kind"] == "scheme");
  CHECK(OnlyLine(scheme)["status"] == 302);

  std::string closed_url;
  {
    HttpServer closed;
    closed_url = closed.Url("/x");
  }
  RunResult refused = box.Fetch({"--raw", closed_url});
  CHECK(refused.exit_code == 5);
  CHECK(OnlyLine(refused)["error_kind"] == "connect");
  CHECK(OnlyLine(refused)["status"].is_null());
}

TEST_CASE("fetch without --raw: the message names the failure class", "[e2e][fetch]") {
  HttpServer server;
  Box box;
  RunResult r = box.Fetch({server.Url("/missing")});
  CHECK(r.exit_code == 6);
  CHECK(r.out.empty());
  CHECK_THAT(r.err, Catch::Contains("HTTP error status") && Catch::Contains("404"));
}

TEST_CASE("fetch extracts the page with the site's rules", "[e2e][fetch]") {
  HttpServer server;
  server.Route("/fr/marocdiplomatique/58214", HttpReply::Html(ReadFile(kOnuPage)));
  Box box;
  std::string url = server.Url("/fr/marocdiplomatique/58214");
  RunResult r = box.Fetch({"--site", "maghress-fr", "--sites", kRoot + "/sites", url});
  REQUIRE(r.exit_code == 0);
  json record = OnlyLine(r);
  CHECK(record["url"] == url);
  CHECK(record["site"] == "maghress-fr");
  CHECK(record["published"] == "2022-10-31");
  CHECK(record["body"].is_string());
  // The site's language is asked for.
  CHECK(server.RequestsFor("/fr/marocdiplomatique/58214").at(0).Header("accept-language") == "fr");
}

TEST_CASE("fetch falls back to generic extraction, an empty page is no article", "[e2e][fetch]") {
  HttpServer server;
  server.Route("/article", HttpReply::Html(ReadFile(kOnuPage)));
  server.Route("/empty", HttpReply::Html(""));
  Box box;
  RunResult r = box.Fetch({server.Url("/article")});
  REQUIRE(r.exit_code == 0);
  json record = OnlyLine(r);
  CHECK(record["extractor"] == "generic");
  CHECK(record["site"].is_null());
  CHECK(record["title"].is_string());

  RunResult empty = box.Fetch({server.Url("/empty")});
  CHECK(empty.exit_code == 4);
  CHECK(empty.out.empty());
}

TEST_CASE("fetch keeps logs off stdout", "[e2e][fetch]") {
  HttpServer server;
  std::atomic<int> calls{0};
  server.Route("/busy", [&calls](const testing::HttpRequest&) {
    if (calls++ == 0) return HttpReply::Text("busy", "text/plain", 503).With("Retry-After", "1");
    return HttpReply::Html("<p>ok</p>");
  });
  Box box;
  std::string config =
      box.dir.Write("retry.yaml", std::string("fetch:\n  delay: 0s\n  jitter: 0s\n  retries: 1\n") +
                                      testing::kAllowLoopback);
  RunResult r =
      RunGleaner({"fetch", "--raw", "--config", config, server.Url("/busy")}, "", box.dir.path());
  REQUIRE(r.exit_code == 0);
  CHECK(OnlyLine(r)["status"] == 200);
  CHECK_THAT(r.err, Catch::Contains("Retry-After"));
}

TEST_CASE("fetch usage errors exit 2", "[e2e][fetch]") {
  Box box;
  CHECK(box.Fetch({}).exit_code == 2);
  CHECK(box.Fetch({"not-a-url"}).exit_code == 2);
  CHECK(box.Fetch({"http://127.0.0.1:1/a", "http://127.0.0.1:1/b"}).exit_code == 2);
  CHECK(
      box.Fetch({"--site", "nope", "--sites", kRoot + "/sites", "http://127.0.0.1:1/"}).exit_code ==
      2);
  CHECK(box.Fetch({"--bogus", "http://127.0.0.1:1/"}).exit_code == 2);
}

}  // namespace
}  // namespace gleaner
