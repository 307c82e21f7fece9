// Fuzzes the site-file loader: the input is one sites/*.yaml file's text, compiled as
// `gleaner check` and the daemon compile it; a site that compiles is then asked what the
// daemon asks it (which URLs it owns, whether its own examples and sources overlap).
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "extractors/rules/site_rules.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto site = gleaner::rules::ParseSiteRules(text, "fuzz.yaml");
  if (!site) return 0;
  for (const std::string& example : site->examples) {
    (void)site->Owns(example);
    (void)site->IsArticleUrl(example);
  }
  std::vector<gleaner::rules::SiteRules> one;
  one.push_back(std::move(*site));
  auto set = gleaner::rules::SiteSet::Create(std::move(one));
  if (set) (void)set->Overlaps();
  return 0;
}
