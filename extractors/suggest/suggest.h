// `gleaner suggest`: a draft site file from a few saved pages of one site. Generic
// extraction reads each sample; the draft is the set of small, stable rules (ids and
// meaningful class names, no positions) that reproduce what it found on every sample:
// `urls` and `articles` from the URLs, a body selector per layout, `remove`, `ticker` and
// `related`, the single-valued fields, and feeds from the pages' <link rel=alternate>.
// Before it is returned the draft is compiled as a site file and applied to every sample
// with the real extraction pipeline; what falls short is said in the draft and in
// Draft::warnings. Pure: the caller fetches or reads the samples.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "extractors/core/result.h"
#include "extractors/html/dom.h"
#include "extractors/suggest/page.h"

namespace gleaner::suggest {

// What the user (or the fetch) says about the site besides the pages.
struct Hints {
  std::optional<std::string> id, name, language;  // override what the draft would pick
  std::optional<std::string> listing;             // a listing page to poll, when given
  std::vector<std::string> sitemaps;              // the Sitemap: lines of its robots.txt
};

// The draft applied to one sample.
struct SampleCheck {
  std::string label;
  std::string layout;                 // the layout drafted for this sample ("" when none reads it)
  std::string extractor;              // what the draft's record says
  double body_f1 = 0;                 // body token F1 against generic extraction's
  std::vector<std::string> problems;  // empty when every drafted field gave its value
};

struct Draft {
  std::string id;
  std::string yaml;                   // the site file, evidence in comments
  std::vector<std::string> warnings;  // where the draft is unsure or falls short
  std::vector<SampleCheck> checks;    // one per sample, in order
  bool verified = false;              // every check passed and the body F1 reached the target
};

// Drafts a site file from `samples` (1..kMaxSamples pages of one site). Returns kUsage for
// no samples or too many; kNoArticle naming the sample for a sample without a URL, of
// another host than the first, that is not an article, or whose body no element holds.
// A draft that falls short on some sample is returned, with its warnings: it is never
// silent. Thread-compatible.
Result<Draft> Suggest(const std::vector<Sample>& samples, const Hints& hints,
                      const html::DomLimits& limits);

}  // namespace gleaner::suggest
