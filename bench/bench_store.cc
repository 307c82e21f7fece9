// Store and queue throughput: stores N extract records of realistic size
// (default 100,000) in batches of 500, as `gleaner store` does, then claims and acks them in
// batches of 100, in a fresh database under /tmp. Prints the figures; asserts nothing.
//
//   build/bench/bench_store [RECORDS [DIR]]   (DIR: where the database goes, default /tmp)
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <string>
#include <vector>

#include "daemon/store/store.h"

namespace {

using gleaner::Article;
using namespace gleaner::store;

constexpr int kDefaultRecords = 100000;
constexpr size_t kStoreBatch = 500;   // as `gleaner store`
constexpr int kClaimBatch = 100;      // `queue claim --limit 100`, as in the README
constexpr int kDistinctBodies = 997;  // bodies are reused (prime: no alignment with batches)

// A French news body of about 4 KB, like the fixtures: 8 paragraphs of ~500 characters.
std::string MakeBody(int seed) {
  static const char* kSentences[] = {
      "Le ministère a annoncé mardi une série de mesures destinées à soutenir les régions "
      "touchées par la sécheresse. ",
      "Selon les chiffres publiés par l'office national, la production a reculé de 12 % par "
      "rapport à l'année précédente. ",
      "« Nous devons agir vite », a déclaré le responsable lors d'une conférence de presse à "
      "Rabat. ",
      "Les associations professionnelles saluent l'initiative mais demandent un calendrier "
      "précis. ",
      "Le projet prévoit également la création de trois centres de formation d'ici 2026. "};
  std::string body;
  for (int p = 0; p < 8; ++p) {
    if (p > 0) body += "\n\n";
    for (int s = 0; s < 5; ++s) body += kSentences[(seed + p * 3 + s) % 5];
    body.append("(").append(std::to_string(seed)).append(".").append(std::to_string(p));
    body += ')';
  }
  return body;
}

Article MakeArticle(int i, const std::vector<std::string>& bodies) {
  Article a;
  a.url = "https://www.example-news.ma/fr/article/" + std::to_string(i) + "?utm_source=rss";
  a.site = "example-news";
  a.extractor = "rules:example-news/classic";
  a.title = "Sécheresse : le gouvernement annonce un plan de soutien n° " + std::to_string(i);
  a.author = "Rédaction";
  a.published = "2024-05-01T09:30:00+01:00";
  a.language = "fr";
  a.body = bodies[static_cast<size_t>(i) % bodies.size()];
  for (int r = 0; r < 4; ++r) {
    a.related.push_back({"Lire aussi : article lié " + std::to_string(r),
                         "https://www.example-news.ma/fr/article/" + std::to_string(i + r + 1)});
  }
  for (int t = 0; t < 10; ++t) {
    a.ticker.push_back({"Titre du fil d'actualité numéro " + std::to_string(t),
                        "https://www.example-news.ma/fr/flash/" + std::to_string(t)});
  }
  return a;
}

// Wall-clock and process CPU time of one phase. The machine is shared, so CPU time tells
// what the code costs when the wall clock includes waiting for someone else's compiler.
struct Timer {
  std::chrono::steady_clock::time_point wall = std::chrono::steady_clock::now();
  std::clock_t cpu = std::clock();
};

struct Elapsed {
  double wall_s;
  double cpu_s;
};

Elapsed Since(const Timer& start) {
  return {std::chrono::duration<double>(std::chrono::steady_clock::now() - start.wall).count(),
          static_cast<double>(std::clock() - start.cpu) / CLOCKS_PER_SEC};
}

void PrintRate(const char* what, int count, Elapsed e) {
  std::printf("%-18s %8.0f articles/s  (%.2f s wall; %.0f articles per CPU-second)\n", what,
              count / e.wall_s, e.wall_s, count / e.cpu_s);
}

[[noreturn]] void Die(const gleaner::Error& error) {
  std::fprintf(stderr, "bench_store: %s\n", error.message.c_str());
  std::exit(1);
}

Elapsed BenchStore(Store& store, int records, const std::vector<std::string>& bodies) {
  Timer start;
  WriteBatch batch;
  for (int i = 0; i < records; ++i) {
    if (auto ok = batch.PutArticle(MakeArticle(i, bodies)); !ok) Die(ok.error());
    if (batch.size() == kStoreBatch || i + 1 == records) {
      if (auto ok = store.Write(batch, Now()); !ok) Die(ok.error());
      batch.Clear();
    }
  }
  return Since(start);
}

Elapsed BenchClaimAck(Store& store, int& delivered) {
  ClaimRequest request;
  request.limit = kClaimBatch;
  Timer start;
  while (true) {
    auto claimed = store.queue().Claim(request, Now());
    if (!claimed) Die(claimed.error());
    if (claimed->empty()) break;
    std::vector<std::string> tokens;
    for (const ClaimedMessage& m : *claimed) tokens.push_back(m.token);
    auto acked = store.queue().Ack(tokens, Now());
    if (!acked) Die(acked.error());
    delivered += static_cast<int>(claimed->size());
  }
  return Since(start);
}

}  // namespace

int main(int argc, char** argv) {
  int records = argc > 1 ? std::atoi(argv[1]) : kDefaultRecords;
  if (records <= 0) {
    std::fprintf(stderr, "usage: bench_store [RECORDS [DIR]]\n");
    return 2;
  }
  std::string dir = argc > 2 ? argv[2] : "/tmp";
  dir += "/gleaner-bench-XXXXXX";
  if (mkdtemp(dir.data()) == nullptr) return 1;
  std::string path = dir + "/bench.db";
  std::vector<std::string> bodies;
  for (int i = 0; i < kDistinctBodies; ++i) bodies.push_back(MakeBody(i));
  {
    auto store = Store::Open(path, OpenMode::kCreate);
    if (!store) Die(store.error());
    std::printf("records: %d, body ~%zu bytes, record JSON ~%zu bytes\n", records, bodies[0].size(),
                gleaner::ArticleToJson(MakeArticle(0, bodies)).size());
    PrintRate("store (new):", records, BenchStore(*store, records, bodies));
    PrintRate("store (unchanged):", records, BenchStore(*store, records, bodies));
    int delivered = 0;
    Elapsed claim = BenchClaimAck(*store, delivered);
    PrintRate("claim+ack:", delivered, claim);
    std::printf("(store in batches of %zu, claim+ack in batches of %d)\n", kStoreBatch,
                kClaimBatch);
  }
  std::printf("database size: %.1f MB\n",
              static_cast<double>(std::filesystem::file_size(path)) / 1e6);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return 0;
}
