// The cluster's parts against a real PostgreSQL (tests/support/pg_server.h) and a real
// SQLite store: the rendezvous split, the schema gleaner owns, shipping records (idempotent,
// in order, a refused record skipped), leases, and what a box taking over a site knows.
#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "daemon/cluster/leases.h"
#include "daemon/cluster/pg.h"
#include "daemon/cluster/pg_schema.h"
#include "daemon/cluster/sink.h"
#include "daemon/store/store.h"
#include "support/pg_server.h"
#include "support/run_binary.h"

namespace gleaner {
namespace {

using namespace std::chrono_literals;
using cluster::PgConnection;
using testing::PgServer;

std::vector<std::string> Names(const std::string& prefix, int n) {
  std::vector<std::string> names;
  for (int i = 0; i < n; ++i) names.push_back(prefix + std::to_string(i));
  return names;
}

PgConnection Connect(const PgServer& pg) {
  auto conn = cluster::OpenCluster(pg.ConnInfoWithPassword(), "gleaner test");
  INFO((conn ? "" : conn.error().message));
  REQUIRE(conn);
  return std::move(*conn);
}

Article MakeArticle(const std::string& url, const std::string& body) {
  Article a;
  a.url = url;
  a.site = "news";
  a.extractor = "rules";
  a.title = "Title of " + url;
  a.body = body;
  return a;
}

void Put(store::Store& store, const std::vector<Article>& articles) {
  store::WriteBatch batch;
  for (const Article& a : articles) REQUIRE(batch.PutArticle(a));
  REQUIRE(store.Write(batch, store::Now()));
}

// A box's SQLite store at `path` holding `articles`.
store::Store StoreWith(const std::string& path, const std::vector<Article>& articles) {
  auto store = store::Store::Open(path, store::OpenMode::kCreate);
  REQUIRE(store);
  Put(*store, articles);
  return std::move(*store);
}

// Articles https://news.test/a/1 .. /a/n, whose bodies name their number.
std::vector<Article> Numbered(int n) {
  std::vector<Article> articles;
  for (int i = 1; i <= n; ++i)
    articles.push_back(
        MakeArticle("https://news.test/a/" + std::to_string(i), "Body " + std::to_string(i)));
  return articles;
}

std::vector<store::ArticleChange> Changes(store::Store& store, int64_t after = 0) {
  auto changes = store.ChangesAfter(after, 1000);
  REQUIRE(changes);
  return *changes;
}

int64_t Count(const PgServer& pg, const std::string& sql) { return std::stoll(pg.Query(sql)); }

TEST_CASE("rendezvous: boxes split the sites evenly and a joining box moves few", "[cluster]") {
  const auto sites = Names("site-", 600);
  const std::vector<std::string> three = {"box-a", "box-b", "box-c"};
  std::map<std::string, std::string> before;
  std::map<std::string, int> per_box;
  for (const auto& site : sites) {
    before[site] = cluster::OwnerOf(site, three);
    ++per_box[before[site]];
  }
  for (const auto& box : three) {
    INFO(box << " holds " << per_box[box] << " of 600");
    CHECK(per_box[box] > 150);  // a fair share is 200
    CHECK(per_box[box] < 250);
    CHECK(cluster::SitesOwnedBy(box, sites, three).size() == static_cast<size_t>(per_box[box]));
  }
  // A fourth box joins: only the sites it wins move, about a quarter of them.
  auto four = three;
  four.push_back("box-d");
  int moved = 0;
  for (const auto& site : sites) {
    std::string owner = cluster::OwnerOf(site, four);
    if (owner != before[site]) {
      CHECK(owner == "box-d");
      ++moved;
    }
  }
  CHECK(moved > 100);
  CHECK(moved < 200);
  // A box leaves: only its sites move.
  const std::vector<std::string> two = {"box-a", "box-c"};
  for (const auto& site : sites) {
    if (before[site] != "box-b") CHECK(cluster::OwnerOf(site, two) == before[site]);
  }
  // The order the boxes are listed in does not matter.
  const std::vector<std::string> shuffled = {"box-c", "box-a", "box-b"};
  for (const auto& site : sites) CHECK(cluster::OwnerOf(site, shuffled) == before[site]);
}

TEST_CASE("PostgreSQL schema: created once, and a newer one is refused untouched", "[cluster]") {
  PgServer pg;
  {
    PgConnection conn = Connect(pg);
    auto version = cluster::PgSchemaVersion(conn);
    REQUIRE(version);
    CHECK(*version == cluster::kPgSchemaVersion);
  }
  Connect(pg);  // again: nothing to do, no error
  CHECK(pg.Query("SELECT version FROM gleaner_schema") == "1\n");
  pg.Query("UPDATE gleaner_schema SET version = 99");
  auto refused = cluster::OpenCluster(pg.ConnInfoWithPassword(), "gleaner test");
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == ErrorCode::kDatabase);
  CHECK_THAT(refused.error().message, Catch::Contains("schema version 99") &&
                                          Catch::Contains("newer than this gleaner knows"));
  CHECK(pg.Query("SELECT version FROM gleaner_schema") == "99\n");
}

TEST_CASE("a wrong password is refused with the server named, never the password", "[cluster]") {
  PgServer pg;
  auto conn = PgConnection::Connect(pg.ConnInfo() + " password=wrong-guess-77", 5s, "test");
  REQUIRE_FALSE(conn);
  CHECK(conn.error().code == ErrorCode::kDatabase);
  CHECK_THAT(conn.error().message,
             Catch::Contains("gleaner@127.0.0.1:" + std::to_string(pg.port())) &&
                 Catch::Contains("password authentication failed"));
  CHECK_THAT(conn.error().message, !Catch::Contains("wrong-guess-77"));
}

TEST_CASE("shipping: records go in once, in order, a retry and an older version change nothing",
          "[cluster]") {
  PgServer pg;
  PgConnection conn = Connect(pg);
  testing::TempDir dir;
  store::Store store = StoreWith(dir.path() + "/box.db", Numbered(30));
  auto first = Changes(store);
  REQUIRE(first.size() == 30);
  auto none = [](const store::ArticleChange&, const Error& e) { FAIL("refused: " << e.message); };

  auto shipped = cluster::ShipChanges(conn, "box-a", first, none);
  REQUIRE(shipped);
  CHECK(shipped->new_records == 30);
  CHECK(Count(pg, "SELECT count(*) FROM gleaner_articles WHERE box = 'box-a'") == 30);
  // Queued in change order: the queue's ids follow the articles' change numbers.
  std::string keys;
  for (const auto& c : first) keys += (keys.empty() ? "" : " ") + c.stored.url_key;
  CHECK(pg.Query("SELECT string_agg(url_key, ' ' ORDER BY id) FROM gleaner_queue") == keys + "\n");

  // Sent again (a crash between PostgreSQL's commit and the box's cursor): nothing twice.
  auto again = cluster::ShipChanges(conn, "box-a", first, none);
  REQUIRE(again);
  CHECK(again->unchanged == 30);
  CHECK(Count(pg, "SELECT count(*) FROM gleaner_queue") == 30);

  // A changed body: one update, queued once; the record holds the new body.
  Put(store, {MakeArticle("https://news.test/a/7", "A corrected body")});
  auto update = Changes(store, first.back().seq);
  REQUIRE(update.size() == 1);
  auto updated = cluster::ShipChanges(conn, "box-b", update, none);
  REQUIRE(updated);
  CHECK(updated->updated == 1);
  CHECK(Count(pg, "SELECT count(*) FROM gleaner_queue WHERE is_update") == 0);  // still ready
  CHECK(pg.Query("SELECT record::json->>'body' || ' ' || box FROM gleaner_articles"
                 " WHERE url_key = '" +
                 update[0].stored.url_key + "'") == "A corrected body box-b\n");

  // The old version shipped late (a box that was cut off) does not replace the new one.
  auto late = cluster::ShipChanges(conn, "box-a", {first[6]}, none);  // /a/7
  REQUIRE(late);
  CHECK(late->unchanged == 1);
  CHECK(pg.Query("SELECT record::json->>'body' FROM gleaner_articles WHERE url_key = '" +
                 update[0].stored.url_key + "'") == "A corrected body\n");
}

TEST_CASE("shipping: a record PostgreSQL refuses is named and skipped, the rest go in",
          "[cluster]") {
  PgServer pg;
  PgConnection conn = Connect(pg);
  testing::TempDir dir;
  store::Store store = StoreWith(dir.path() + "/box.db", Numbered(3));
  auto changes = Changes(store);
  REQUIRE(changes.size() == 3);
  // A hand-edited database: a NUL byte in a URL, which PostgreSQL's text cannot hold.
  changes[1].stored.url_key = std::string("https://news.test/a/\0two", 24);
  std::vector<std::string> refused;
  auto shipped = cluster::ShipChanges(
      conn, "box-a", changes, [&](const store::ArticleChange& c, const Error& e) {
        refused.push_back(c.stored.article.url.value_or("") + ": " + e.message);
      });
  REQUIRE(shipped);
  CHECK(shipped->rejected == 1);
  CHECK(shipped->new_records == 2);
  REQUIRE(refused.size() == 1);
  CHECK_THAT(refused[0], Catch::StartsWith("https://news.test/a/2: "));
  CHECK(pg.Query("SELECT string_agg(url, ' ' ORDER BY url) FROM gleaner_articles") ==
        "https://news.test/a/1 https://news.test/a/3\n");
}

TEST_CASE("shipping: PostgreSQL down fails the batch whole, and it goes in when it is back",
          "[cluster]") {
  PgServer pg;
  PgConnection conn = Connect(pg);
  testing::TempDir dir;
  store::Store store = StoreWith(dir.path() + "/box.db", Numbered(2));
  auto changes = Changes(store);
  pg.Stop();
  auto failed = cluster::ShipChanges(conn, "box-a", changes,
                                     [](const store::ArticleChange&, const Error&) {});
  REQUIRE_FALSE(failed);
  CHECK(conn.last_failure() != cluster::PgFailure::kData);
  pg.Start();
  PgConnection again = Connect(pg);
  auto shipped = cluster::ShipChanges(again, "box-a", changes,
                                      [](const store::ArticleChange&, const Error&) {});
  REQUIRE(shipped);
  CHECK(shipped->new_records == 2);
}

TEST_CASE("leases: one box per site, taken over only once expired, released at once", "[cluster]") {
  PgServer pg;
  PgConnection a = Connect(pg);
  PgConnection b = Connect(pg);
  const auto lease = 1500ms;
  const std::set<std::string> sites = {"s1", "s2", "s3"};
  auto held = cluster::AcquireLeases(a, "box-a", sites, lease, false);
  REQUIRE(held);
  CHECK(*held == sites);
  // box-b may not take a live lease, even when allowed to take expired ones.
  auto taken = cluster::AcquireLeases(b, "box-b", {"s1", "s4"}, lease, true);
  REQUIRE(taken);
  CHECK(*taken == std::set<std::string>{"s4"});
  // box-a renews s1 only; s2 and s3 run out.
  std::this_thread::sleep_for(800ms);
  REQUIRE(cluster::AcquireLeases(a, "box-a", {"s1"}, lease, false));
  std::this_thread::sleep_for(900ms);
  auto cautious = cluster::AcquireLeases(b, "box-b", sites, lease, false);
  REQUIRE(cautious);
  CHECK(cautious->empty());  // expired, but box-b has not been connected a whole lease
  auto expired = cluster::AcquireLeases(b, "box-b", sites, lease, true);
  REQUIRE(expired);
  CHECK(*expired == std::set<std::string>{"s2", "s3"});
  // Released: the other box takes it at once.
  REQUIRE(cluster::ReleaseLeases(a, "box-a", {"s1"}));
  auto released = cluster::AcquireLeases(b, "box-b", {"s1"}, lease, false);
  REQUIRE(released);
  CHECK(*released == std::set<std::string>{"s1"});
  CHECK(pg.Query("SELECT string_agg(site || '=' || box, ' ' ORDER BY site) FROM gleaner_leases") ==
        "s1=box-b s2=box-b s3=box-b s4=box-b\n");
}

TEST_CASE("heartbeats: a box is live within its lease, and the status lists its sites",
          "[cluster]") {
  PgServer pg;
  PgConnection conn = Connect(pg);
  const auto lease = 1000ms;
  REQUIRE(cluster::Heartbeat(conn, "box-a", 0, 12));
  REQUIRE(cluster::Heartbeat(conn, "box-b", 0, 0));
  REQUIRE(cluster::AcquireLeases(conn, "box-a", {"s1", "s2"}, lease, false));
  auto live = cluster::LiveBoxes(conn, lease);
  REQUIRE(live);
  CHECK(*live == std::vector<std::string>{"box-a", "box-b"});
  std::this_thread::sleep_for(1200ms);
  REQUIRE(cluster::Heartbeat(conn, "box-b", 0, 0));
  REQUIRE(cluster::AcquireLeases(conn, "box-b", {"s3"}, lease, false));
  live = cluster::LiveBoxes(conn, lease);
  REQUIRE(live);
  CHECK(*live == std::vector<std::string>{"box-b"});
  auto boxes = cluster::Boxes(conn, lease);
  REQUIRE(boxes);
  REQUIRE(boxes->size() == 2);
  CHECK((*boxes)[0].box == "box-a");
  CHECK_FALSE((*boxes)[0].live);
  CHECK((*boxes)[0].backlog == 12);
  CHECK((*boxes)[0].sites.empty());  // its leases ran out
  CHECK((*boxes)[1].live);
  CHECK((*boxes)[1].sites == std::vector<std::string>{"s3"});
}

TEST_CASE("a box taking over a site knows what PostgreSQL holds of it", "[cluster]") {
  PgServer pg;
  PgConnection conn = Connect(pg);
  testing::TempDir dir;
  store::Store other = StoreWith(dir.path() + "/other.db", Numbered(2));
  REQUIRE(cluster::ShipChanges(conn, "box-a", Changes(other),
                               [](const store::ArticleChange&, const Error&) {}));

  auto mine = store::Store::Open(dir.path() + "/mine.db", store::OpenMode::kCreate);
  REQUIRE(mine);
  store::WriteBatch batch;
  store::DiscoveredUrl scheduled;
  scheduled.url = "https://news.test/a/2";
  scheduled.site = "news";
  scheduled.next_fetch = store::Now();
  REQUIRE(batch.AddUrl(scheduled));
  REQUIRE(mine->Write(batch, store::Now()));

  auto known = cluster::KnownUrls(conn, {"news"});
  REQUIRE(known);
  CHECK(known->size() == 2);
  auto added = mine->AddKnown(*known);
  REQUIRE(added);
  CHECK(*added == 2);
  CHECK(*mine->Known("https://news.test/a/1"));
  auto row = mine->FindUrl("https://news.test/a/2");
  REQUIRE(row);
  REQUIRE(*row);
  CHECK((*row)->state == store::FrontierState::kDone);  // never fetched here
  auto due = mine->DueForHost("news.test", store::Now() + 1h, 10);
  REQUIRE(due);
  CHECK(due->empty());
}

}  // namespace
}  // namespace gleaner
