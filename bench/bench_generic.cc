// Speed and memory of generic extraction on the article-extraction-benchmark pages:
// every page is loaded into memory first, then, in one run,
//   (a) gumbo_parse alone (the HTML5 parser every page goes through), and
//   (b) full generic extraction: decode, parse, DOM, metadata, scoring, text, JSON
// are timed over the same pages for a number of rounds. Prints pages/s and MB/s of each,
// the ratio (b)/(a) (target: >= 0.8), the resident set after each round of (b) (it must not
// grow) and the peak RSS of the process (which includes the pages held in memory).
//
//   build/bench/bench_generic [AEB_DIR [ROUNDS]]     (AEB_DIR default: ../shared/data/aeb)
//
// Without the data (it lives outside the repository) the program says so and exits 0.
#include <gumbo.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "extractors/core/article.h"
#include "extractors/pipeline.h"
#include "support/data_files.h"

namespace fs = std::filesystem;

namespace {

struct Page {
  std::string id;
  std::string url;
  std::string bytes;
};

std::string Slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A "VmRSS:"/"VmHWM:" line of /proc/self/status in MiB (0 when unreadable).
double StatusMiB(const char* key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) == 0)
      return std::strtod(line.c_str() + std::strlen(key), nullptr) / 1024.0;
  }
  return 0.0;
}

std::vector<Page> LoadPages(const fs::path& dir) {
  std::vector<Page> pages;
  auto truth = nlohmann::json::parse(Slurp(dir / "ground-truth.json"), nullptr, false);
  if (truth.is_discarded() || !truth.is_object()) return pages;
  for (const auto& [id, item] : truth.items()) {
    std::string bytes = gleaner::testing::GunzipFile((dir / "html" / (id + ".html.gz")).string());
    if (bytes.empty()) continue;
    pages.push_back({id, item.value("url", std::string()), std::move(bytes)});
  }
  return pages;
}

struct Timing {
  double seconds = 0;
  size_t pages = 0;
  size_t bytes = 0;
  void Print(const char* name) const {
    std::printf("%-34s %8.1f pages/s  %7.2f MB/s  (%zu pages, %.2f s)\n", name, pages / seconds,
                bytes / seconds / 1e6, pages, seconds);
  }
};

// Runs `fn` on `page` and adds its time to `timing`.
template <typename Fn>
void TimeOne(const Page& page, Timing& timing, Fn&& fn) {
  auto start = std::chrono::steady_clock::now();
  fn(page);
  timing.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  timing.bytes += page.bytes.size();
  ++timing.pages;
}

}  // namespace

int main(int argc, char** argv) {
  fs::path dir = argc > 1 ? argv[1] : "../shared/data/aeb";
  int rounds = argc > 2 ? std::atoi(argv[2]) : 3;
  if (!fs::exists(dir / "ground-truth.json")) {
    std::printf("bench_generic: no benchmark data at %s (ground-truth.json); skipped\n",
                dir.c_str());
    return 0;
  }
  std::vector<Page> pages = LoadPages(dir);
  size_t total = 0;
  for (const Page& p : pages) total += p.bytes.size();
  std::printf("%zu pages, %.1f MB loaded; RSS %.1f MiB; %d rounds\n", pages.size(), total / 1e6,
              StatusMiB("VmRSS:"), rounds);

  // (a) and (b) alternate page by page, so that a machine whose load changes during the run
  // slows both alike and the ratio stays meaningful.
  size_t failures = 0, json_bytes = 0;
  gleaner::ExtractOptions options;
  options.generic_only = true;
  auto parse_only = [](const Page& page) {
    GumboOutput* out =
        gumbo_parse_with_options(&kGumboDefaultOptions, page.bytes.data(), page.bytes.size());
    gumbo_destroy_output(&kGumboDefaultOptions, out);
  };
  auto extract = [&](const Page& page) {
    gleaner::PageInput input{page.bytes, page.url, std::string("text/html")};
    auto article = gleaner::ExtractPage(input, nullptr, options);
    if (!article) {
      ++failures;
      return;
    }
    json_bytes += gleaner::ArticleToJson(*article).size();
  };
  Timing gumbo, generic;
  for (int r = 0; r < rounds; ++r) {
    for (const Page& page : pages) {
      TimeOne(page, gumbo, parse_only);
      TimeOne(page, generic, extract);
    }
    std::printf("  round %d: RSS %.1f MiB\n", r + 1, StatusMiB("VmRSS:"));
  }

  gumbo.Print("(a) gumbo_parse alone");
  generic.Print("(b) generic extraction + JSON");
  std::printf("(b)/(a) = %.2f (target >= 0.80); %zu pages without an article; %.1f KB of JSON\n",
              gumbo.seconds / generic.seconds, failures / static_cast<size_t>(rounds),
              json_bytes / 1e3 / rounds);
  std::printf("peak RSS %.1f MiB (pages held in memory: %.1f MB)\n", StatusMiB("VmHWM:"),
              total / 1e6);
  return 0;
}
