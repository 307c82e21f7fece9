// Speed of extraction with site rules: every fixture page (tests/fixtures/pages/*/) is
// loaded into memory, then extracted with the bundled sites (decode, parse, rules, JSON)
// over and over for a fixed number of rounds. Prints pages/s and MB/s.
//
//   build/bench/bench_extract [PAGES_DIR [SITES_DIR [ROUNDS]]]
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "daemon/settings/site_files.h"
#include "extractors/pipeline.h"

namespace fs = std::filesystem;

namespace {

struct Page {
  std::string bytes, url, content_type;
};

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

int main(int argc, char** argv) {
  std::string pages_dir = argc > 1 ? argv[1] : "tests/fixtures/pages";
  std::string sites_dir = argc > 2 ? argv[2] : "sites";
  int rounds = argc > 3 ? std::atoi(argv[3]) : 300;
  auto sites = gleaner::LoadSites(sites_dir, 1 << 20);
  if (!sites) {
    std::fprintf(stderr, "bench_extract: %s\n", sites.error().message.c_str());
    return 1;
  }
  std::vector<Page> pages;
  for (const auto& e : fs::directory_iterator(pages_dir)) {
    if (!fs::exists(e.path() / "case.json")) continue;
    auto spec = nlohmann::json::parse(Slurp(e.path() / "case.json"));
    pages.push_back({Slurp(e.path() / "source.html"), spec["url"],
                     spec["http_headers"].value("Content-Type", "text/html")});
  }
  if (pages.empty()) {
    std::fprintf(stderr, "bench_extract: no fixture pages in %s\n", pages_dir.c_str());
    return 1;
  }
  size_t bytes = 0, records = 0, json_bytes = 0;
  auto start = std::chrono::steady_clock::now();
  for (int r = 0; r < rounds; ++r) {
    for (const Page& p : pages) {
      gleaner::PageInput input{p.bytes, p.url, p.content_type};
      auto article = gleaner::ExtractPage(input, &*sites, gleaner::ExtractOptions{});
      if (!article) {
        std::fprintf(stderr, "bench_extract: %s: %s\n", p.url.c_str(),
                     article.error().message.c_str());
        return 1;
      }
      json_bytes += gleaner::ArticleToJson(*article).size();
      bytes += p.bytes.size();
      ++records;
    }
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("extract with rules: %zu pages (%zu fixtures x %d rounds), %.1f MB in %.2f s\n",
              records, pages.size(), rounds, bytes / 1e6, seconds);
  std::printf("  %.0f pages/s, %.1f MB/s (%zu bytes of JSON)\n", records / seconds,
              bytes / 1e6 / seconds, json_bytes);
  return 0;
}
