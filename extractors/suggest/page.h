// One sample page as `gleaner suggest` studies it: parsed once, read by generic extraction
// (whose body, title, date and author are what the draft must reproduce), its elements
// tallied by how much of that body they hold, and the body a candidate rule set would give.
// Pure. A Page's document is never changed for good: BodyText takes nodes out and puts
// them back.
#pragma once

#include <libxml/tree.h>

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "extractors/core/article.h"
#include "extractors/core/result.h"
#include "extractors/core/url.h"
#include "extractors/html/dom.h"
#include "extractors/html/metadata.h"
#include "extractors/html/selector.h"
#include "extractors/text/regex.h"

namespace gleaner::suggest {

// A page given to `suggest`.
struct Sample {
  std::string label;                        // how the user named it (FILE or URL), for messages
  std::string bytes;                        // raw bytes as served
  std::optional<std::string> url;           // the page's URL; else its canonical or og:url
  std::optional<std::string> content_type;  // the Content-Type it was served with, if known
};

// Code points of text an element holds that generic extraction kept in the body, and
// that it left out.
struct Tally {
  size_t body = 0;
  size_t other = 0;
};

struct Page {
  std::string label;
  std::string url;
  UrlParts parts;
  std::string bytes;
  std::optional<std::string> content_type;
  html::Document doc;
  html::PageMetadata meta;
  Article generic;                                  // generic extraction of the page
  std::unordered_map<const xmlNode*, Tally> tally;  // per element, visible text only
  size_t body_chars = 0;                            // visible text found in the body
};

// Decodes and parses `sample`, runs generic extraction on it and tallies its elements.
// Returns kNoArticle naming the sample when it has no URL (none given, no rel=canonical or
// og:url), when its URL is not http(s), or when it is not an article (generic extraction
// finds no body of kMinArticleChars); kNoArticle also for a cap of `limits`.
Result<std::unique_ptr<Page>> LoadPage(const Sample& sample, const html::DomLimits& limits);

// What a candidate rule set takes out before the body is read, as ApplyRules does.
struct Cuts {
  std::vector<html::Selector> remove;  // site and layout `remove`, then the ticker
  std::vector<text::Regex> related;    // "read also" paragraphs
};

// The body `body` gives on `page` once `cuts` are applied: the paragraphs of every
// outermost match, "read also" paragraphs dropped, joined as the record's body. Empty when
// the selector matches nothing.
std::string BodyText(Page& page, const html::Selector& body, const Cuts& cuts);

// The paragraphs' texts under the outermost matches of `body` (cuts applied, related not
// dropped), each with whether it holds a link. For finding "read also" lines.
std::vector<std::pair<std::string, bool>> BodyParagraphs(Page& page, const html::Selector& body,
                                                         const Cuts& cuts);

// The elements of `page` most likely to be its body container, best first, at most `max`:
// ranked by the F1 of the body text they hold against the text they hold in all (ties:
// the deeper one).
std::vector<const xmlNode*> BodyCandidates(const Page& page, size_t max);

}  // namespace gleaner::suggest
