// Fuzzes what `gleaner suggest FILE=URL` does with a saved page: every input is one sample
// page at a fixed URL, drafted into a site file (generic extraction, the element tallies,
// the candidate selectors, the nodes taken out and put back while the body is measured),
// then the draft is compiled and applied to the page. The draft must always compile.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "daemon/settings/config.h"
#include "extractors/rules/site_rules.h"
#include "extractors/suggest/suggest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  gleaner::suggest::Sample sample{
      "fuzz.html", std::string(reinterpret_cast<const char*>(data), size),
      "https://news.example/fr/politique/2024/05/a-story-1", std::nullopt};
  gleaner::ExtractLimits limits;
  auto draft = gleaner::suggest::Suggest({sample}, {}, gleaner::DomLimitsFrom(limits));
  if (!draft) return 0;
  // A draft that is not a valid site file is a bug: the user would get YAML gleaner refuses.
  auto rules = gleaner::rules::ParseSiteRules(draft->yaml, draft->id + ".yaml");
  if (!rules) {
    std::fprintf(stderr, "fuzz_suggest: invalid draft: %s\n%s", rules.error().message.c_str(),
                 draft->yaml.c_str());
    std::abort();
  }
  return 0;
}
