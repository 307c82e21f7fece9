// Processes killed with SIGKILL in the middle of their work, at several points: afterwards
// the database passes integrity_check, every write the process had been told was committed
// is there, and no batch or article exists in part.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "daemon/store/store.h"
#include "support/process.h"
#include "support/run_binary.h"

namespace gleaner::store {
namespace {

using namespace std::chrono_literals;
using testing::ForkedChild;
using testing::TempDir;

// Big enough that a batch takes a while to write, so most kills land inside one.
constexpr int kArticlesPerBatch = 100;
constexpr size_t kBodyChars = 8000;
// The writer stops by itself after this many batches if never killed.
constexpr int kMaxBatches = 200;

std::string UrlFor(int batch, int i) {
  return "https://example.com/" + std::to_string(batch) + "/" + std::to_string(i);
}

// Deterministic, so the parent can check every stored article is whole.
std::string BodyFor(int batch, int i) {
  std::string body;
  std::string paragraph = "Paragraph of article " + std::to_string(batch) + "/" +
                          std::to_string(i) + ", written in one piece.";
  while (body.size() < kBodyChars) body += paragraph + "\n\n";
  return body;
}

Article MakeArticle(int batch, int i) {
  Article a;
  a.url = UrlFor(batch, i);
  a.extractor = "generic";
  a.title = "Article " + std::to_string(batch) + "/" + std::to_string(i);
  a.body = BodyFor(batch, i);
  return a;
}

// The child: writes batches, reporting 2b when batch b starts its write (the batch is built)
// and 2b+1 once its commit returned.
int WriteBatches(const std::string& path, int report_fd) {
  auto store = Store::Open(path, OpenMode::kCreate);
  if (!store) return 1;
  for (int b = 0; b < kMaxBatches; ++b) {
    WriteBatch batch;
    for (int i = 0; i < kArticlesPerBatch; ++i) {
      if (!batch.PutArticle(MakeArticle(b, i))) return 2;
    }
    testing::Report(report_fd, 2 * b);
    if (!store->Write(batch, Now())) return 3;
    testing::Report(report_fd, 2 * b + 1);
  }
  return 0;
}

std::string IntegrityCheck(Store& store) {
  auto check = store.database().Prepare("PRAGMA integrity_check");
  REQUIRE(check.has_value());
  auto row = (*check)->Step();
  REQUIRE(row.has_value());
  REQUIRE(*row);
  return (*check)->ColumnText(0);
}

int64_t Count(Store& store, const std::string& sql) {
  auto n = store.database().QueryInt(sql);
  REQUIRE(n.has_value());
  return *n;
}

// Waits for the child to report `marker`, sleeps `delay`, kills it, and returns every report
// it sent, including those sent just before it died.
std::vector<int64_t> KillAfter(ForkedChild& child, int64_t marker,
                               std::chrono::microseconds delay) {
  std::vector<int64_t> reports;
  while (true) {
    auto report = child.NextReport();
    REQUIRE(report.has_value());
    reports.push_back(*report);
    if (*report == marker) break;
  }
  usleep(static_cast<useconds_t>(delay.count()));
  child.Kill(SIGKILL);
  CHECK(child.Wait() == 128 + SIGKILL);
  while (auto report = child.NextReport()) reports.push_back(*report);
  return reports;
}

struct KillPoint {
  int batch;                        // kill while this batch is being written...
  std::chrono::microseconds delay;  // ...this long after its write started
};

TEST_CASE("a writer killed mid-batch loses no committed batch and leaves no partial one",
          "[store][crash]") {
  // From the first instant of a write to past its end (a batch takes ~10-50 ms here).
  const KillPoint points[] = {{0, 0us},    {0, 3000us},  {1, 500us},  {1, 8000us},
                              {2, 1500us}, {2, 20000us}, {3, 60000us}};
  for (const KillPoint& point : points) {
    DYNAMIC_SECTION("batch " << point.batch << " + " << point.delay.count() << "us") {
      TempDir dir;
      std::string path = dir.path() + "/g.db";
      int64_t last_committed = -1;
      {
        ForkedChild writer([&path](int fd) { return WriteBatches(path, fd); });
        for (int64_t report : KillAfter(writer, 2 * point.batch, point.delay)) {
          if (report % 2 == 1) last_committed = report / 2;
        }
      }
      auto store = Store::Open(path, OpenMode::kCreate);
      REQUIRE(store.has_value());
      CHECK(IntegrityCheck(*store) == "ok");
      // Whole batches only: every acknowledged one, and at most one more that committed
      // just before the kill.
      int64_t articles = Count(*store, "SELECT count(*) FROM articles");
      CHECK(articles % kArticlesPerBatch == 0);
      CHECK(articles >= (last_committed + 1) * kArticlesPerBatch);
      CHECK(articles <= (last_committed + 2) * kArticlesPerBatch);
      CHECK(Count(*store, "SELECT count(*) FROM queue") == articles);
      // Every stored article is whole.
      int checked = 0;
      auto ok = store->ForEachArticle({}, [&](const StoredArticle& s) {
        int batch = 0, i = 0;
        REQUIRE(std::sscanf(s.article.url->c_str(), "https://example.com/%d/%d", &batch, &i) == 2);
        CHECK(s.article == MakeArticle(batch, i));
        ++checked;
        return true;
      });
      REQUIRE(ok.has_value());
      CHECK(checked == articles);
    }
  }
}

// The child: a consumer claiming and acking; reports 0 when an ack starts, then each message
// id once the ack returned.
int ConsumeAll(const std::string& path, int report_fd) {
  auto store = Store::Open(path, OpenMode::kReadWrite);
  if (!store) return 1;
  ClaimRequest request;
  request.limit = 20;
  while (true) {
    auto claimed = store->queue().Claim(request, Now());
    if (!claimed) return 2;
    if (claimed->empty()) return 0;
    std::vector<std::string> tokens;
    for (const ClaimedMessage& m : *claimed) tokens.push_back(m.token);
    testing::Report(report_fd, 0);  // an ack starts (message ids start at 1)
    if (!store->queue().Ack(tokens, Now())) return 3;
    for (const std::string& token : tokens) testing::Report(report_fd, std::stoll(token));
  }
}

TEST_CASE("a consumer killed mid-batch loses no acknowledged ack and no message",
          "[queue][crash]") {
  // Killed while its Nth ack is being written, at several delays into it.
  const KillPoint points[] = {{1, 0us}, {3, 300us}, {5, 1000us}, {8, 3000us}};
  for (const KillPoint& point : points) {
    DYNAMIC_SECTION("ack " << point.batch << " + " << point.delay.count() << "us") {
      TempDir dir;
      std::string path = dir.path() + "/g.db";
      constexpr int kArticles = 400;
      {
        auto store = Store::Open(path, OpenMode::kCreate);
        REQUIRE(store.has_value());
        WriteBatch batch;
        for (int i = 0; i < kArticles; ++i) {
          REQUIRE(batch.PutArticle(MakeArticle(0, i)).has_value());
        }
        REQUIRE(store->Write(batch, Now()).has_value());
      }
      std::set<int64_t> acked;
      {
        ForkedChild consumer([&path](int fd) { return ConsumeAll(path, fd); });
        int acks_started = 0;
        while (acks_started < point.batch) {
          auto report = consumer.NextReport();
          REQUIRE(report.has_value());
          if (*report == 0) {
            ++acks_started;
          } else {
            acked.insert(*report);
          }
        }
        usleep(static_cast<useconds_t>(point.delay.count()));
        consumer.Kill(SIGKILL);
        consumer.Wait();
        while (auto report = consumer.NextReport()) {
          if (*report != 0) acked.insert(*report);
        }
      }
      auto store = Store::Open(path, OpenMode::kReadWrite);
      REQUIRE(store.has_value());
      CHECK(IntegrityCheck(*store) == "ok");
      for (int64_t id : acked) {
        CHECK(Count(*store, "SELECT count(*) FROM queue WHERE state = 'acked' AND id = " +
                                std::to_string(id)) == 1);
      }
      // Nothing lost: what is not acked is delivered again once the leases run out.
      auto stats = store->queue().Stats(Now() + 1h);
      REQUIRE(stats.has_value());
      CHECK(stats->acked >= static_cast<int64_t>(acked.size()));
      CHECK(stats->acked + stats->ready + stats->expired == kArticles);
      ClaimRequest rest;
      rest.limit = kArticles;
      auto redelivered = store->queue().Claim(rest, Now() + 1h);
      REQUIRE(redelivered.has_value());
      CHECK(static_cast<int64_t>(redelivered->size()) == kArticles - stats->acked);
    }
  }
}

}  // namespace
}  // namespace gleaner::store
