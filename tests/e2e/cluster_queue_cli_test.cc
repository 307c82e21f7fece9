// `gleaner queue` and `gleaner export` on a cluster, as a consumer runs them: the real binary
// with a config holding `cluster:`, against a real PostgreSQL (tests/support/pg_server.h)
// filled as a box fills it (ShipChanges). The password is in a libpq passfile named by the
// connection string, as a box keeps it, so gleaner.yaml holds none.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "daemon/cluster/pg_schema.h"
#include "daemon/cluster/sink.h"
#include "daemon/store/store.h"
#include "extractors/core/article.h"
#include "support/pg_server.h"
#include "support/run_binary.h"

namespace gleaner {
namespace {

using testing::Lines;
using testing::PgServer;
using testing::RunGleaner;
using testing::RunResult;
using testing::TempDir;

std::string Record(const std::string& url, const std::string& title) {
  Article a;
  a.url = url;
  a.site = "example";
  a.extractor = "rules:example/article";
  a.title = title;
  a.body = "Body of " + title;
  return ArticleToJson(a) + "\n";
}

std::vector<std::string> Keys(const std::string& line) {
  std::vector<std::string> keys;
  // The object must outlive the loop: items() refers to it.
  const nlohmann::ordered_json object = nlohmann::ordered_json::parse(line);
  for (const auto& item : object.items()) keys.push_back(item.key());
  return keys;
}

// A box's database with `records`, all of them shipped to `pg`'s database "cli".
struct Cluster {
  PgServer pg;
  TempDir dir;
  std::string db = dir.path() + "/box.db";
  std::string config;

  Cluster() {
    pg.CreateDatabase("cli");
    std::string passfile =
        dir.Write("pgpass", "127.0.0.1:" + std::to_string(pg.port()) + ":cli:" + PgServer::kUser +
                                ":" + PgServer::kPassword + "\n");
    REQUIRE(::chmod(passfile.c_str(), 0600) == 0);  // libpq ignores a passfile others can read
    config = WriteConfig(pg.ConnInfo("cli") + " passfile=" + passfile);
  }

  std::string WriteConfig(const std::string& conninfo) const {
    return dir.Write("gleaner.yaml", "database: " + db + "\nsites: " + dir.path() +
                                         "/sites\ncluster:\n  postgresql: \"" + conninfo +
                                         "\"\n  box: box-a\n");
  }

  void StoreAndShip(const std::string& records) {
    REQUIRE(RunGleaner({"store", "-", "--db", db}, records, dir.path()).exit_code == 0);
    auto box = store::Store::Open(db, store::OpenMode::kReadOnly);
    REQUIRE(box);
    auto changes = box->ChangesAfter(0, 1000);
    REQUIRE(changes);
    auto conn = cluster::OpenCluster(pg.ConnInfoWithPassword("cli"), "gleaner test");
    REQUIRE(conn);
    auto shipped = cluster::ShipChanges(*conn, "box-a", *changes, [](const auto&, const Error&) {});
    REQUIRE(shipped);
  }

  RunResult Gleaner(std::vector<std::string> args, const std::string& input = "") const {
    args.push_back("--config");
    args.push_back(config);
    return RunGleaner(args, input, dir.path());
  }
};

TEST_CASE("queue claim, ack and stats work on the cluster's PostgreSQL", "[e2e][cluster]") {
  Cluster c;
  c.StoreAndShip(Record("https://example.com/1", "One") + Record("https://example.com/2", "Two"));

  RunResult claim = c.Gleaner({"queue", "claim", "--limit", "1"});
  INFO(claim.err);
  REQUIRE(claim.exit_code == 0);
  auto lines = Lines(claim.out);
  REQUIRE(lines.size() == 1);
  CHECK(Keys(lines[0]) == std::vector<std::string>{"url", "site", "extractor", "title", "author",
                                                   "published", "source", "source_url", "language",
                                                   "body", "related", "ticker", "warnings", "id",
                                                   "attempt", "update"});
  auto delivery = nlohmann::json::parse(lines[0]);
  CHECK(delivery["url"] == "https://example.com/1");
  CHECK(delivery["attempt"] == 1);
  // The box's own queue prints the same keys.
  RunResult local = c.Gleaner({"queue", "claim", "--limit", "1", "--local"});
  REQUIRE(local.exit_code == 0);
  REQUIRE(Lines(local.out).size() == 1);
  CHECK(Keys(Lines(local.out)[0]) == Keys(lines[0]));

  std::string token = delivery["id"];
  RunResult ack = c.Gleaner({"queue", "ack", "-"}, token + "\n");
  INFO(ack.err);
  CHECK(ack.exit_code == 0);
  CHECK(c.Gleaner({"queue", "ack", token}).exit_code == 0);  // again: harmless
  // The PostgreSQL token means nothing to the box's queue.
  CHECK(c.Gleaner({"queue", "ack", "--local", "999.1.0000000000000000"}).exit_code == 2);

  RunResult stats = c.Gleaner({"queue", "stats", "--json"});
  REQUIRE(stats.exit_code == 0);
  auto counts = nlohmann::json::parse(stats.out);
  CHECK(counts["acked"] == 1);
  CHECK(counts["ready"] == 1);
  CHECK(counts["articles"] == 2);
  // --local counts the box's own queue: one claimed there, nothing acked.
  auto local_counts = nlohmann::json::parse(c.Gleaner({"queue", "stats", "--json", "--local"}).out);
  CHECK(local_counts["claimed"] == 1);
  CHECK(local_counts["acked"] == 0);

  RunResult nack = c.Gleaner({"queue", "nack", "--delay", "1h", token});
  CHECK(nack.exit_code == 9);  // acked already: the nack is refused
  CHECK_THAT(nack.err, Catch::Contains("already settled"));
}

TEST_CASE("export prints the cluster's records, warc and --db need --local", "[e2e][cluster]") {
  Cluster c;
  c.StoreAndShip(Record("https://example.com/1", "One") + Record("https://example.com/2", "Two"));
  RunResult jsonl = c.Gleaner({"export"});
  INFO(jsonl.err);
  REQUIRE(jsonl.exit_code == 0);
  auto lines = Lines(jsonl.out);
  REQUIRE(lines.size() == 2);
  auto first = nlohmann::json::parse(lines[0]);
  CHECK(first["title"] == "One");
  CHECK(first.contains("first_seen"));
  CHECK(first.contains("updated"));
  // The same lines as the box's own export: PostgreSQL holds the box's records and times.
  CHECK(c.Gleaner({"export", "--local"}).out == jsonl.out);
  CHECK(c.Gleaner({"export", "--format", "csv"}).out ==
        c.Gleaner({"export", "--format", "csv", "--local"}).out);
  CHECK(Lines(c.Gleaner({"export", "--site", "other"}).out).empty());

  RunResult warc = c.Gleaner({"export", "--format", "warc"});
  CHECK(warc.exit_code == 2);
  CHECK_THAT(warc.err, Catch::Contains("--local"));
  CHECK(c.Gleaner({"export", "--db", c.db}).exit_code == 2);
  CHECK(c.Gleaner({"export", "--db", c.db, "--local"}).exit_code == 0);
}

TEST_CASE("a refused login exits 8 naming the server, never the password", "[e2e][cluster]") {
  Cluster c;
  const std::string wrong = "not-the-password-5c2e";
  c.config = c.WriteConfig(c.pg.ConnInfo("cli") + " password=" + wrong);
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"queue", "claim"}, {"queue", "stats"}, {"queue", "ack", "1.1.00"}, {"export"}}) {
    RunResult run = c.Gleaner(args);
    INFO(args[0] << " " << args[1 % args.size()] << ": " << run.err);
    CHECK(run.exit_code == 8);
    CHECK_THAT(run.err,
               Catch::Contains("gleaner@127.0.0.1:" + std::to_string(c.pg.port()) + "/cli"));
    CHECK_THAT(run.err, !Catch::Contains(wrong));
  }
  // Nothing listening: exit 8 too.
  c.pg.Stop();
  RunResult down = c.Gleaner({"queue", "stats"});
  CHECK(down.exit_code == 8);
  CHECK_THAT(down.err, !Catch::Contains(wrong));
}

}  // namespace
}  // namespace gleaner
