// The cluster's consumer queue against a real PostgreSQL (tests/support/pg_server.h), filled
// as the boxes fill it (ShipChanges from a real SQLite store): order, one delivery per
// article at a time, expiry and redelivery, nacks, dead messages, stats, the JSON line, and
// consumer processes claiming at once. Leases run on the server's clock, so expiry is
// reached by waiting past short leases; no test asserts how long anything took.
#include "daemon/cluster/pg_queue.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "daemon/cluster/pg_schema.h"
#include "daemon/cluster/sink.h"
#include "daemon/store/store.h"
#include "support/pg_server.h"
#include "support/process.h"
#include "support/run_binary.h"

namespace gleaner::cluster {
namespace {

using namespace std::chrono_literals;
using store::ClaimRequest;
using store::TokenResult;
using testing::PgServer;
using testing::TempDir;

// One server for the whole file (initdb is the slow part); each test has its own database.
PgServer& Server() {
  static PgServer server;
  return server;
}

std::string FreshDatabase() {
  static int count = 0;
  std::string name = "queue_" + std::to_string(++count);
  Server().CreateDatabase(name);
  return name;
}

PgConnection Connect(const std::string& dbname) {
  auto conn = OpenCluster(Server().ConnInfoWithPassword(dbname), "gleaner test");
  INFO((conn ? "" : conn.error().message));
  REQUIRE(conn);
  return std::move(*conn);
}

Article MakeArticle(const std::string& url, const std::string& site = "example") {
  Article a;
  a.url = url;
  a.site = site;
  a.extractor = "rules:" + site + "/article";
  a.title = "Title of " + url;
  a.body = "Body of " + url;
  return a;
}

// A box: its SQLite store, shipping what it stores to the test's database.
struct Fixture {
  TempDir dir;
  std::string dbname = FreshDatabase();
  PgConnection conn = Connect(dbname);
  PgQueue queue{&conn};
  std::unique_ptr<store::Store> box;
  int64_t shipped = 0;

  Fixture() {
    auto opened = store::Store::Open(dir.path() + "/box.db", store::OpenMode::kCreate);
    REQUIRE(opened);
    box = std::make_unique<store::Store>(std::move(*opened));
  }

  void Ship(const std::vector<Article>& articles) {
    store::WriteBatch batch;
    for (const Article& a : articles) REQUIRE(batch.PutArticle(a));
    REQUIRE(box->Write(batch, store::Now()));
    auto changes = box->ChangesAfter(shipped, 10000);
    REQUIRE(changes);
    auto summary = ShipChanges(conn, "box-a", *changes, [](const auto&, const Error& e) {
      FAIL("rejected: " << e.message);
    });
    INFO((summary ? "" : summary.error().message));
    REQUIRE(summary);
    if (!changes->empty()) shipped = changes->back().seq;
  }

  void Add(int first, int count, const std::string& site = "example") {
    std::vector<Article> articles;
    for (int i = first; i < first + count; ++i) {
      articles.push_back(MakeArticle("https://" + site + ".com/" + std::to_string(i), site));
    }
    Ship(articles);
  }

  std::vector<PgClaimedMessage> Claim(int limit, std::chrono::milliseconds lease = 5min,
                                      std::optional<std::string> site = {},
                                      int max_attempts = store::kDefaultMaxAttempts) {
    ClaimRequest request;
    request.limit = limit;
    request.lease = lease;
    request.site = std::move(site);
    request.max_attempts = max_attempts;
    auto claimed = queue.Claim(request);
    INFO((claimed ? "" : claimed.error().message));
    REQUIRE(claimed);
    return std::move(*claimed);
  }

  std::vector<TokenResult> Ack(const std::vector<std::string>& tokens) {
    auto results = queue.Ack(tokens);
    REQUIRE(results);
    return std::move(*results);
  }

  std::vector<TokenResult> Nack(const std::vector<std::string>& tokens,
                                std::chrono::milliseconds delay, int max_attempts = 5) {
    auto results = queue.Nack(tokens, delay, max_attempts);
    REQUIRE(results);
    return std::move(*results);
  }

  store::QueueStats Stats() {
    auto stats = queue.Stats();
    REQUIRE(stats);
    return *stats;
  }
};

nlohmann::ordered_json Json(const PgClaimedMessage& m) {
  auto line = PgClaimedMessageToJson(m);
  REQUIRE(line);
  return nlohmann::ordered_json::parse(*line);
}

std::string Url(const PgClaimedMessage& m) { return Json(m)["url"]; }

std::vector<std::string> Urls(const std::vector<PgClaimedMessage>& messages) {
  std::vector<std::string> urls;
  for (const auto& m : messages) urls.push_back(Url(m));
  return urls;
}

std::vector<std::string> Tokens(const std::vector<PgClaimedMessage>& messages) {
  std::vector<std::string> tokens;
  for (const auto& m : messages) tokens.push_back(m.token);
  return tokens;
}

void CheckAccepted(const std::vector<TokenResult>& results) {
  for (const TokenResult& r : results) {
    INFO(r.token << ": " << (r.error ? r.error->message : ""));
    CHECK(r.error == std::nullopt);
  }
}

TEST_CASE("cluster queue: claims deliver records oldest first, each once, until acked",
          "[cluster][pg_queue]") {
  Fixture f;
  f.Add(0, 5);
  auto first = f.Claim(3);
  CHECK(Urls(first) == std::vector<std::string>{"https://example.com/0", "https://example.com/1",
                                                "https://example.com/2"});
  for (const auto& m : first) CHECK(m.attempt == 1);
  auto second = f.Claim(10);  // the first batch is still leased
  CHECK(Urls(second) == std::vector<std::string>{"https://example.com/3", "https://example.com/4"});
  CHECK(f.Claim(10).empty());
  CheckAccepted(f.Ack(Tokens(first)));
  CheckAccepted(f.Ack(Tokens(second)));
  CHECK(f.Claim(10).empty());  // acked messages never come back
  auto stats = f.Stats();
  CHECK(stats.acked == 5);
  CHECK(stats.ready == 0);
  CHECK(stats.claimed == 0);
  CHECK(stats.articles == 5);
  CHECK(stats.oldest_pending == std::nullopt);
}

TEST_CASE("cluster queue: a delivery prints as the box's queue prints it", "[cluster][pg_queue]") {
  Fixture f;
  f.Add(0, 1);
  auto claimed = f.Claim(1);
  REQUIRE(claimed.size() == 1);
  auto j = Json(claimed[0]);
  std::vector<std::string> keys;
  for (auto& [k, v] : j.items()) keys.push_back(k);
  CHECK(keys == std::vector<std::string>{"url", "site", "extractor", "title", "author", "published",
                                         "source", "source_url", "language", "body", "related",
                                         "ticker", "warnings", "id", "attempt", "update"});
  CHECK(j["id"] == claimed[0].token);
  CHECK(j["attempt"] == 1);
  CHECK(j["update"] == false);
  // The same delivery from the box's own SQLite queue gives the same line.
  auto local = f.box->queue().Claim(ClaimRequest{}, store::Now());
  REQUIRE(local);
  REQUIRE(local->size() == 1);
  (*local)[0].token = claimed[0].token;
  CHECK(store::ClaimedMessageToJson((*local)[0]) == *PgClaimedMessageToJson(claimed[0]));
}

TEST_CASE("cluster queue: an article is never in two deliveries at once", "[cluster][pg_queue]") {
  Fixture f;
  f.Add(0, 1);
  auto first = f.Claim(10);
  REQUIRE(first.size() == 1);
  // The article changes while a consumer holds it: the update waits for the ack.
  Article changed = MakeArticle("https://example.com/0");
  changed.body = "Changed body";
  f.Ship({changed});
  CHECK(f.Stats().ready == 1);
  CHECK(f.Claim(10).empty());
  CheckAccepted(f.Ack({first[0].token}));
  auto update = f.Claim(10);
  REQUIRE(update.size() == 1);
  CHECK(update[0].update);
  CHECK(Json(update[0])["body"] == "Changed body");
  CHECK(Json(update[0])["update"] == true);
}

TEST_CASE("cluster queue: an expired claim is delivered again and its old token refused",
          "[cluster][pg_queue]") {
  Fixture f;
  f.Add(0, 2);
  auto first = f.Claim(10, 300ms);
  REQUIRE(first.size() == 2);
  CheckAccepted(f.Ack({first[0].token}));
  // The consumer dies holding the other; its lease ends on the server's clock.
  std::this_thread::sleep_for(600ms);
  CHECK(f.Stats().expired == 1);
  auto late = f.Ack({first[1].token});
  REQUIRE(late[0].error.has_value());
  CHECK(late[0].error->code == ErrorCode::kExpiredClaim);
  CHECK_THAT(late[0].error->message, Catch::Contains("expired"));

  auto again = f.Claim(10);
  REQUIRE(again.size() == 1);
  CHECK(Url(again[0]) == "https://example.com/1");
  CHECK(again[0].attempt == 2);
  CHECK(again[0].token != first[1].token);
  auto old = f.Ack({first[1].token});
  REQUIRE(old[0].error.has_value());
  CHECK(old[0].error->code == ErrorCode::kExpiredClaim);
  CHECK_THAT(old[0].error->message, Catch::Contains("delivered again (attempt 2)"));
  CheckAccepted(f.Ack({again[0].token}));
  CHECK(f.Stats().acked == 2);
}

TEST_CASE("cluster queue: tokens are checked one by one", "[cluster][pg_queue]") {
  Fixture f;
  f.Add(0, 2);
  auto claimed = f.Claim(2);
  auto results = f.Ack({claimed[0].token, "123.1.0000000000000000", "garbage", claimed[1].token});
  REQUIRE(results.size() == 4);
  CHECK(results[0].error == std::nullopt);
  REQUIRE(results[1].error.has_value());
  CHECK(results[1].error->code == ErrorCode::kUsage);
  CHECK_THAT(results[1].error->message, Catch::Contains("unknown"));
  REQUIRE(results[2].error.has_value());
  CHECK(results[2].error->code == ErrorCode::kUsage);
  CHECK(results[3].error == std::nullopt);
  // The same ack again is harmless, even twice in one call; a nack after it is refused.
  CheckAccepted(f.Ack({claimed[0].token, claimed[0].token}));
  auto nack = f.Nack({claimed[0].token}, 0s);
  REQUIRE(nack[0].error.has_value());
  CHECK(nack[0].error->code == ErrorCode::kExpiredClaim);
  CHECK_THAT(nack[0].error->message, Catch::Contains("already settled"));
  std::string forged =
      claimed[1].token.substr(0, claimed[1].token.rfind('.')) + ".ffffffffffffffff";
  auto forged_result = f.Ack({forged});
  REQUIRE(forged_result[0].error.has_value());
  CHECK(forged_result[0].error->code == ErrorCode::kUsage);
}

TEST_CASE("cluster queue: a nack gives the message back after its delay, dead at the limit",
          "[cluster][pg_queue]") {
  Fixture f;
  f.Add(0, 2);
  auto claimed = f.Claim(1);
  REQUIRE(claimed.size() == 1);
  CHECK(Url(claimed[0]) == "https://example.com/0");
  // Nacked for an hour: it waits, and the next message is delivered meanwhile.
  CheckAccepted(f.Nack({claimed[0].token}, 1h));
  CheckAccepted(f.Nack({claimed[0].token}, 1h));  // repeated: harmless
  CHECK(f.Stats().delayed == 1);
  auto other = f.Claim(10);
  REQUIRE(other.size() == 1);
  CHECK(Url(other[0]) == "https://example.com/1");
  // Nacked with no delay: claimable at once, as its next attempt; the third nack of a
  // message allowed three deliveries kills it.
  for (int attempt = 1; attempt <= 3; ++attempt) {
    CHECK(other[0].attempt == attempt);
    CheckAccepted(f.Nack({other[0].token}, 0s, /*max_attempts=*/3));
    if (attempt < 3) {
      other = f.Claim(10);
      REQUIRE(other.size() == 1);
    }
  }
  auto stats = f.Stats();
  CHECK(stats.dead == 1);
  CHECK(stats.delayed == 1);
  CHECK(stats.ready == 0);
  CHECK(f.Claim(10).empty());
}

TEST_CASE("cluster queue: a consumer that keeps dying sends the message to the dead state",
          "[cluster][pg_queue]") {
  Fixture f;
  f.Add(0, 2);
  for (int attempt = 1; attempt <= 2; ++attempt) {
    auto claimed = f.Claim(1, 200ms, {}, /*max_attempts=*/2);
    REQUIRE(claimed.size() == 1);
    CHECK(Url(claimed[0]) == "https://example.com/0");
    CHECK(claimed[0].attempt == attempt);
    std::this_thread::sleep_for(400ms);  // never acked
  }
  // The third claim finds the expired message at its limit: dead, and the batch moves on.
  auto claimed = f.Claim(1, 5min, {}, 2);
  REQUIRE(claimed.size() == 1);
  CHECK(Url(claimed[0]) == "https://example.com/1");
  auto stats = f.Stats();
  CHECK(stats.dead == 1);
  CHECK(stats.claimed == 1);
  CHECK(stats.oldest_pending.has_value());
}

TEST_CASE("cluster queue: claims can be limited to one site", "[cluster][pg_queue]") {
  Fixture f;
  f.Add(0, 2, "alpha");
  f.Add(0, 2, "beta");
  auto beta = f.Claim(10, 5min, "beta");
  CHECK(Urls(beta) == std::vector<std::string>{"https://beta.com/0", "https://beta.com/1"});
  auto rest = f.Claim(10);
  CHECK(Urls(rest) == std::vector<std::string>{"https://alpha.com/0", "https://alpha.com/1"});
}

constexpr int kArticles = 300;
constexpr int kConsumers = 3;

// The child: its own connection, small batches until the queue is empty, acking each;
// reports the number in each claimed article's URL.
int Consume(const std::string& conninfo, int report_fd) {
  auto conn = OpenCluster(conninfo, "gleaner test consumer");
  if (!conn) return 1;
  PgQueue queue(&*conn);
  ClaimRequest request;
  request.limit = 7;
  while (true) {
    auto claimed = queue.Claim(request);
    if (!claimed) return 2;
    if (claimed->empty()) return 0;
    std::vector<std::string> tokens;
    for (const PgClaimedMessage& m : *claimed) {
      std::string url = nlohmann::json::parse(m.record)["url"];
      testing::Report(report_fd, std::stoll(url.substr(url.rfind('/') + 1)));
      tokens.push_back(m.token);
    }
    auto acked = queue.Ack(tokens);
    if (!acked) return 3;
    for (const TokenResult& r : *acked) {
      if (r.error) return 4;
    }
  }
}

TEST_CASE("cluster queue: consumer processes claiming at once share no record and miss none",
          "[cluster][pg_queue]") {
  Fixture f;
  f.Add(0, kArticles);
  std::string conninfo = Server().ConnInfoWithPassword(f.dbname);
  std::vector<std::unique_ptr<testing::ForkedChild>> consumers;
  for (int c = 0; c < kConsumers; ++c) {
    consumers.push_back(std::make_unique<testing::ForkedChild>(
        [&conninfo](int fd) { return Consume(conninfo, fd); }));
  }
  // Reports are 8 bytes, fewer than a pipe holds: reading one child after another cannot
  // block a writer.
  std::map<int64_t, int> deliveries;
  std::vector<int> per_consumer;
  for (auto& consumer : consumers) {
    int count = 0;
    while (auto report = consumer->NextReport()) {
      ++deliveries[*report];
      ++count;
    }
    per_consumer.push_back(count);
    CHECK(consumer->Wait() == 0);
  }
  CHECK(deliveries.size() == kArticles);
  for (const auto& [article, count] : deliveries) {
    INFO("article " << article);
    CHECK(count == 1);
  }
  auto stats = f.Stats();
  CHECK(stats.acked == kArticles);
  CHECK(stats.ready + stats.claimed + stats.expired + stats.dead == 0);
}

}  // namespace
}  // namespace gleaner::cluster
