// The consumer queue: claims under a lease, acks, expiry, redelivery, dead-lettering.
// Time is passed in, so leases expire without sleeping.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "daemon/store/store.h"
#include "support/run_binary.h"

namespace gleaner::store {
namespace {

using namespace std::chrono_literals;
using testing::TempDir;

const Time kT0 = FromMillis(1'700'000'000'000);

Article MakeArticle(const std::string& url, const std::string& site = "example") {
  Article a;
  a.url = url;
  a.site = site;
  a.extractor = "rules:" + site + "/article";
  a.title = "Title of " + url;
  a.body = "Body of " + url;
  return a;
}

Store OpenStore(const std::string& path) {
  auto store = Store::Open(path, OpenMode::kCreate);
  REQUIRE(store.has_value());
  return std::move(*store);
}

struct Fixture {
  TempDir dir;
  Store store = OpenStore(dir.path() + "/g.db");
  Queue& queue = store.queue();

  void Add(int first, int count, const std::string& site = "example") {
    WriteBatch batch;
    for (int i = first; i < first + count; ++i) {
      REQUIRE(batch.PutArticle(MakeArticle("https://" + site + ".com/" + std::to_string(i), site))
                  .has_value());
    }
    REQUIRE(store.Write(batch, kT0).has_value());
  }

  std::vector<ClaimedMessage> Claim(int limit, Time now, std::chrono::milliseconds lease = 5min,
                                    std::optional<std::string> site = {}) {
    ClaimRequest request;
    request.limit = limit;
    request.lease = lease;
    request.site = std::move(site);
    auto claimed = queue.Claim(request, now);
    REQUIRE(claimed.has_value());
    return std::move(*claimed);
  }

  std::vector<TokenResult> Ack(const std::vector<std::string>& tokens, Time now) {
    auto results = queue.Ack(tokens, now);
    REQUIRE(results.has_value());
    return std::move(*results);
  }
};

std::vector<std::string> Urls(const std::vector<ClaimedMessage>& messages) {
  std::vector<std::string> urls;
  for (const auto& m : messages) urls.push_back(m.article.article.url.value_or(""));
  return urls;
}

std::vector<std::string> Tokens(const std::vector<ClaimedMessage>& messages) {
  std::vector<std::string> tokens;
  for (const auto& m : messages) tokens.push_back(m.token);
  return tokens;
}

TEST_CASE("claims deliver articles in the order stored, each once, until acked", "[queue]") {
  Fixture f;
  f.Add(0, 5);
  auto first = f.Claim(3, kT0);
  CHECK(Urls(first) == std::vector<std::string>{"https://example.com/0", "https://example.com/1",
                                                "https://example.com/2"});
  for (const auto& m : first) CHECK(m.attempt == 1);
  auto second = f.Claim(10, kT0 + 1s);  // the first batch is still leased
  CHECK(Urls(second) == std::vector<std::string>{"https://example.com/3", "https://example.com/4"});
  CHECK(f.Claim(10, kT0 + 2s).empty());
  for (const TokenResult& r : f.Ack(Tokens(first), kT0 + 3s)) CHECK(r.error == std::nullopt);
  for (const TokenResult& r : f.Ack(Tokens(second), kT0 + 3s)) CHECK(r.error == std::nullopt);
  // Acked messages never come back, however late.
  CHECK(f.Claim(10, kT0 + 24h).empty());
  auto stats = f.queue.Stats(kT0 + 24h);
  REQUIRE(stats.has_value());
  CHECK(stats->acked == 5);
  CHECK(stats->ready == 0);
  CHECK(stats->articles == 5);
}

TEST_CASE("a claimed line is the article record plus id, attempt and update", "[queue]") {
  Fixture f;
  f.Add(0, 1);
  auto claimed = f.Claim(1, kT0);
  REQUIRE(claimed.size() == 1);
  auto j = nlohmann::ordered_json::parse(ClaimedMessageToJson(claimed[0]));
  std::vector<std::string> keys;
  for (auto& [k, v] : j.items()) keys.push_back(k);
  CHECK(keys == std::vector<std::string>{"url", "site", "extractor", "title", "author", "published",
                                         "source", "source_url", "language", "body", "related",
                                         "ticker", "warnings", "id", "attempt", "update"});
  CHECK(j["id"] == claimed[0].token);
  CHECK(j["attempt"] == 1);
  CHECK(j["update"] == false);
  CHECK(j["url"] == "https://example.com/0");
}

TEST_CASE("an unacked claim comes back after its lease, and the old id is refused", "[queue]") {
  Fixture f;
  f.Add(0, 2);
  auto first = f.Claim(10, kT0, 30s);
  REQUIRE(first.size() == 2);
  // One is acked in time; the consumer dies holding the other.
  REQUIRE(f.Ack({first[0].token}, kT0 + 10s)[0].error == std::nullopt);
  CHECK(f.Claim(10, kT0 + 29s).empty());
  auto again = f.Claim(10, kT0 + 30s, 30s);
  REQUIRE(again.size() == 1);
  CHECK(again[0].article.article.url == "https://example.com/1");
  CHECK(again[0].attempt == 2);
  CHECK(again[0].token != first[1].token);

  // The slow consumer's ack of the old delivery is refused; the new one is accepted.
  auto late = f.Ack({first[1].token}, kT0 + 31s);
  REQUIRE(late[0].error.has_value());
  CHECK(late[0].error->code == ErrorCode::kExpiredClaim);
  CHECK_THAT(late[0].error->message, Catch::Contains(first[1].token));
  CHECK(f.Ack({again[0].token}, kT0 + 32s)[0].error == std::nullopt);
}

TEST_CASE("an ack after the lease ended is refused even before redelivery", "[queue]") {
  Fixture f;
  f.Add(0, 1);
  auto claimed = f.Claim(1, kT0, 1min);
  auto late = f.Ack({claimed[0].token}, kT0 + 1min);
  REQUIRE(late[0].error.has_value());
  CHECK(late[0].error->code == ErrorCode::kExpiredClaim);
  CHECK_THAT(late[0].error->message, Catch::Contains("expired"));
  auto stats = f.queue.Stats(kT0 + 1min);
  REQUIRE(stats.has_value());
  CHECK(stats->expired == 1);
  CHECK(f.Claim(1, kT0 + 1min).size() == 1);
}

TEST_CASE("acks are checked token by token", "[queue]") {
  Fixture f;
  f.Add(0, 2);
  auto claimed = f.Claim(2, kT0);
  auto results =
      f.Ack({claimed[0].token, "123.1.0000000000000000", "garbage", claimed[1].token}, kT0 + 1s);
  REQUIRE(results.size() == 4);
  CHECK(results[0].error == std::nullopt);
  REQUIRE(results[1].error.has_value());
  CHECK(results[1].error->code == ErrorCode::kUsage);
  CHECK_THAT(results[1].error->message, Catch::Contains("unknown"));
  REQUIRE(results[2].error.has_value());
  CHECK(results[2].error->code == ErrorCode::kUsage);
  CHECK(results[3].error == std::nullopt);
  // The same ack again is harmless; a nack after the ack is refused.
  CHECK(f.Ack({claimed[0].token}, kT0 + 2s)[0].error == std::nullopt);
  auto nack = f.queue.Nack({claimed[0].token}, kT0 + 2s);
  REQUIRE(nack.has_value());
  REQUIRE((*nack)[0].error.has_value());
  CHECK((*nack)[0].error->code == ErrorCode::kExpiredClaim);
  // A forged token for a real message is unknown, not a claim.
  std::string forged =
      claimed[1].token.substr(0, claimed[1].token.rfind('.')) + ".ffffffffffffffff";
  auto forged_result = f.Ack({forged}, kT0 + 2s);
  REQUIRE(forged_result[0].error.has_value());
  CHECK(forged_result[0].error->code == ErrorCode::kUsage);
}

TEST_CASE("a nacked message comes back after its delay, and goes dead after N deliveries",
          "[queue]") {
  Fixture f;
  f.Add(0, 2);
  Time now = kT0;
  for (int attempt = 1; attempt <= 3; ++attempt) {
    auto claimed = f.Claim(1, now);
    REQUIRE(claimed.size() == 1);
    CHECK(claimed[0].article.article.url == "https://example.com/0");
    CHECK(claimed[0].attempt == attempt);
    auto nack = f.queue.Nack({claimed[0].token}, now, 10s, /*max_attempts=*/3);
    REQUIRE(nack.has_value());
    CHECK((*nack)[0].error == std::nullopt);
    if (attempt == 1) {
      // While it waits, the next message is delivered; article 0 is back after the delay.
      auto other = f.Claim(1, now + 1s);
      REQUIRE(other.size() == 1);
      CHECK(other[0].article.article.url == "https://example.com/1");
      REQUIRE(f.queue.Nack({other[0].token}, now + 1s, 1h).has_value());
    }
    now += 10s;
  }
  auto stats = f.queue.Stats(now);
  REQUIRE(stats.has_value());
  CHECK(stats->dead == 1);
  CHECK(stats->delayed == 1);
  CHECK(f.Claim(10, now).empty());  // article 0 is dead, article 1 is delayed
}

TEST_CASE("a consumer that keeps dying sends the message to the dead state", "[queue]") {
  Fixture f;
  f.Add(0, 2);
  ClaimRequest request;
  request.limit = 1;
  request.lease = 1min;
  request.max_attempts = 2;
  Time now = kT0;
  for (int attempt = 1; attempt <= 2; ++attempt) {
    auto claimed = f.queue.Claim(request, now);
    REQUIRE(claimed.has_value());
    REQUIRE(claimed->size() == 1);
    CHECK((*claimed)[0].article.article.url == "https://example.com/0");
    now += 1min;  // never acked
  }
  // The third claim finds the expired message at its limit: dead, and the batch moves on.
  auto claimed = f.queue.Claim(request, now);
  REQUIRE(claimed.has_value());
  REQUIRE(claimed->size() == 1);
  CHECK((*claimed)[0].article.article.url == "https://example.com/1");
  auto stats = f.queue.Stats(now);
  REQUIRE(stats.has_value());
  CHECK(stats->dead == 1);
  CHECK(stats->claimed == 1);
}

TEST_CASE("an article is never in two deliveries at once", "[queue]") {
  Fixture f;
  f.Add(0, 1);
  auto first = f.Claim(10, kT0);
  REQUIRE(first.size() == 1);
  // The article changes while a consumer holds it: the update waits for the ack.
  WriteBatch batch;
  Article changed = MakeArticle("https://example.com/0");
  changed.body = "Changed body";
  REQUIRE(batch.PutArticle(changed).has_value());
  REQUIRE(f.store.Write(batch, kT0 + 1s).has_value());
  CHECK(f.Claim(10, kT0 + 2s).empty());
  REQUIRE(f.Ack({first[0].token}, kT0 + 3s)[0].error == std::nullopt);
  auto update = f.Claim(10, kT0 + 4s);
  REQUIRE(update.size() == 1);
  CHECK(update[0].update);
  CHECK(update[0].article.article.body == "Changed body");
}

TEST_CASE("claims can be limited to one site", "[queue]") {
  Fixture f;
  f.Add(0, 2, "alpha");
  f.Add(0, 2, "beta");
  auto beta = f.Claim(10, kT0, 5min, "beta");
  CHECK(Urls(beta) == std::vector<std::string>{"https://beta.com/0", "https://beta.com/1"});
  auto rest = f.Claim(10, kT0);
  CHECK(Urls(rest) == std::vector<std::string>{"https://alpha.com/0", "https://alpha.com/1"});
}

TEST_CASE("queue stats work on a read-only connection", "[queue]") {
  Fixture f;
  f.Add(0, 3);
  auto claimed = f.Claim(1, kT0, 1min);
  auto reader = Store::Open(f.dir.path() + "/g.db", OpenMode::kReadOnly);
  REQUIRE(reader.has_value());
  auto stats = reader->queue().Stats(kT0 + 1s);
  REQUIRE(stats.has_value());
  CHECK(stats->ready == 2);
  CHECK(stats->claimed == 1);
  CHECK(stats->oldest_pending == kT0);
}

TEST_CASE("queue stats print as one JSON object, counts first, in a fixed order", "[queue]") {
  QueueStats stats;
  stats.ready = 2;
  stats.claimed = 1;
  stats.articles = 3;
  CHECK(QueueStatsJson(stats).dump() ==
        R"({"ready":2,"delayed":0,"claimed":1,"expired":0,"acked":0,"dead":0,"articles":3,)"
        R"("oldest_pending":null})");
  stats.oldest_pending = kT0;
  CHECK(QueueStatsJson(stats)["oldest_pending"] == FormatTime(kT0));
}

}  // namespace
}  // namespace gleaner::store
