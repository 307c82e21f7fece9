// Consumers in separate processes claiming from one database at the same time never receive
// the same article (claims take the write lock with BEGIN IMMEDIATE).
#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

#include "daemon/store/store.h"
#include "support/process.h"
#include "support/run_binary.h"

namespace gleaner::store {
namespace {

using testing::ForkedChild;
using testing::TempDir;

constexpr int kArticles = 600;
constexpr int kConsumers = 3;

// The child: claims small batches until the queue is empty, acking each, and reports the
// number in each claimed article's URL.
int Consume(const std::string& path, int report_fd) {
  auto store = Store::Open(path, OpenMode::kReadWrite);
  if (!store) return 1;
  ClaimRequest request;
  request.limit = 7;
  while (true) {
    auto claimed = store->queue().Claim(request, Now());
    if (!claimed) return 2;
    if (claimed->empty()) return 0;
    std::vector<std::string> tokens;
    for (const ClaimedMessage& m : *claimed) {
      const std::string& url = *m.article.article.url;
      testing::Report(report_fd, std::stoll(url.substr(url.rfind('/') + 1)));
      tokens.push_back(m.token);
    }
    auto acked = store->queue().Ack(tokens, Now());
    if (!acked) return 3;
    for (const TokenResult& r : *acked) {
      if (r.error) return 4;
    }
  }
}

TEST_CASE("concurrent consumer processes never share an article", "[queue][concurrency]") {
  TempDir dir;
  std::string path = dir.path() + "/g.db";
  {
    auto store = Store::Open(path, OpenMode::kCreate);
    REQUIRE(store.has_value());
    WriteBatch batch;
    for (int i = 0; i < kArticles; ++i) {
      Article a;
      a.url = "https://example.com/" + std::to_string(i);
      a.extractor = "generic";
      a.title = "Article " + std::to_string(i);
      a.body = "Body " + std::to_string(i);
      REQUIRE(batch.PutArticle(a).has_value());
    }
    REQUIRE(store->Write(batch, Now()).has_value());
  }
  std::vector<std::unique_ptr<ForkedChild>> consumers;
  for (int c = 0; c < kConsumers; ++c) {
    consumers.push_back(
        std::make_unique<ForkedChild>([&path](int fd) { return Consume(path, fd); }));
  }
  // Reports are 8 bytes and fewer than a pipe holds, so reading one child after another
  // cannot block a writer.
  std::map<int64_t, int> deliveries;
  for (auto& consumer : consumers) {
    while (auto report = consumer->NextReport()) ++deliveries[*report];
    CHECK(consumer->Wait() == 0);
  }
  CHECK(deliveries.size() == kArticles);
  for (const auto& [article, count] : deliveries) {
    INFO("article " << article);
    CHECK(count == 1);
  }
}

}  // namespace
}  // namespace gleaner::store
