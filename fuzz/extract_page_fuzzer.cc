// Fuzzes what `gleaner extract FILE` does with a saved page: the bundled sites/*.yaml are
// compiled once, then every input is a page's bytes, extracted by the cascade with the
// default DOM caps (no URL given, so the page's rel=canonical picks the site) and printed
// as the JSON record. Charset sniffing, Gumbo, the libxml2 document, the site rules and
// the generic scoring all see the input. GLEANER_FUZZ_SITES=DIR reads other site files.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string_view>

#include "daemon/settings/config.h"
#include "daemon/settings/site_files.h"
#include "extractors/core/article.h"
#include "extractors/pipeline.h"

namespace {

const gleaner::rules::SiteSet* sites = nullptr;
gleaner::ExtractOptions options;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  const char* dir = std::getenv("GLEANER_FUZZ_SITES");
  gleaner::ExtractLimits limits;
  auto loaded =
      gleaner::LoadSites(dir ? dir : GLEANER_SOURCE_DIR "/sites", limits.max_site_file_bytes);
  if (!loaded) {
    // Fuzzing without the sites would silently skip the rules stage: refuse to start.
    std::fprintf(stderr, "fuzz_extract_page: %s\n", loaded.error().message.c_str());
    std::exit(2);
  }
  sites = new gleaner::rules::SiteSet(std::move(*loaded));
  options.limits = gleaner::DomLimitsFrom(limits);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // `gleaner extract` refuses a file over limits.page_bytes before extracting; libFuzzer's
  // inputs stay far below it (its -max_len), so no check is needed here.
  gleaner::PageInput page{std::string_view(reinterpret_cast<const char*>(data), size), std::nullopt,
                          std::nullopt};
  auto article = gleaner::ExtractPage(page, sites, options);
  if (article) (void)gleaner::ArticleToJson(*article);
  return 0;
}
