// Manual refetch: `gleaner fetch URL --store` stores the record (an update is queued again
// when the page changed), also while a daemon works on the same database.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/http_server.h"
#include "support/run_binary.h"

namespace gleaner {
namespace {

using nlohmann::json;

std::string Page(const std::string& title) {
  std::string body;
  for (int i = 0; i < 30; ++i)
    body += "<p>Paragraphe " + std::to_string(i) + " de l'article, assez long pour compter.</p>";
  return "<html lang=fr><head><title>" + title + "</title></head><body><h1>" + title +
         "</h1><article>" + body + "</article></body></html>";
}

TEST_CASE("fetch --store stores the record and queues a changed page again", "[e2e][refetch]") {
  testing::HttpServer server;
  server.Route("/robots.txt", testing::HttpReply::Text(""));
  std::string title = "Premier titre";
  server.Route("/a/1", [&title](const testing::HttpRequest&) {
    return testing::HttpReply::Html(Page(title));
  });
  testing::TempDir dir;
  std::string db = dir.path() + "/g.db";
  dir.Write("sites/.keep", "");
  std::string config = dir.Write("gleaner.yaml", std::string("fetch:\n") + testing::kAllowLoopback);
  std::vector<std::string> fetch = {"fetch",    "--store", "--db",
                                    db,         "--sites", dir.path() + "/sites",
                                    "--config", config,    server.Url("/a/1")};

  auto first = testing::RunGleaner(fetch);
  REQUIRE(first.exit_code == 0);
  CHECK(json::parse(first.out)["title"] == "Premier titre");
  auto claim = testing::RunGleaner({"queue", "claim", "--db", db});
  REQUIRE(claim.exit_code == 0);
  REQUIRE(testing::Lines(claim.out).size() == 1);
  std::string id = json::parse(testing::Lines(claim.out)[0])["id"];
  REQUIRE(testing::RunGleaner({"queue", "ack", "--db", db, id}).exit_code == 0);

  // Unchanged: nothing new to deliver.
  REQUIRE(testing::RunGleaner(fetch).exit_code == 0);
  CHECK(testing::Lines(testing::RunGleaner({"queue", "claim", "--db", db}).out).empty());

  // Changed: stored again and delivered as an update.
  title = "Titre corrigé";
  REQUIRE(testing::RunGleaner(fetch).exit_code == 0);
  auto again = testing::Lines(testing::RunGleaner({"queue", "claim", "--db", db}).out);
  REQUIRE(again.size() == 1);
  json update = json::parse(again[0]);
  CHECK(update["title"] == "Titre corrigé");
  CHECK(update["update"] == true);
}

TEST_CASE("fetch --store on a database that is not one exits 8 and leaves it alone",
          "[e2e][refetch]") {
  testing::HttpServer server;
  server.Route("/robots.txt", testing::HttpReply::Text(""));
  server.Route("/a/1", testing::HttpReply::Html(Page("Titre")));
  testing::TempDir dir;
  std::string db = dir.Write("g.db", "this is not a database, and must stay as it is\n");
  dir.Write("sites/.keep", "");
  std::string config = dir.Write("gleaner.yaml", std::string("fetch:\n") + testing::kAllowLoopback);
  auto r = testing::RunGleaner({"fetch", "--store", "--db", db, "--sites", dir.path() + "/sites",
                                "--config", config, server.Url("/a/1")});
  CHECK(r.exit_code == 8);
  CHECK_THAT(r.err, Catch::Contains(db));
  CHECK(testing::ReadFile(db) == "this is not a database, and must stay as it is\n");
}

}  // namespace
}  // namespace gleaner
