// The article record (docs/CONTRACT.md "The article record") and its JSON form.
// Pure data: no I/O. Every key is always present in the JSON (null or [] when unknown).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "extractors/core/provenance.h"
#include "extractors/core/result.h"

namespace gleaner {

// A captured link: a ticker headline, or a "read also" paragraph. `url` is absolute
// whenever the page's URL is known.
struct Link {
  std::string title;
  std::string url;
  bool operator==(const Link&) const = default;
};

struct Article {
  std::optional<std::string> url;
  std::optional<std::string> site;  // id of the site file whose rules applied
  // "rules:<site>/<layout>", "rules:<site>+generic" or "generic": RenderExtractor(provenance)
  std::string extractor;
  std::optional<std::string> title;
  std::optional<std::string> author;
  std::optional<std::string> published;  // YYYY-MM-DD, or ISO 8601 with the page's offset
  std::optional<std::string> source;
  std::optional<std::string> source_url;
  std::optional<std::string> language;  // ISO 639-1
  std::optional<std::string> body;      // paragraphs separated by one blank line, NFC
  std::vector<Link> related;
  std::vector<Link> ticker;
  std::vector<std::string> warnings;
  // How each field was produced, as data (provenance.h). Not part of the record: not
  // printed, not stored, and empty in an article read back from JSON.
  Provenance provenance;

  // Compares the record, the fields above `provenance`: an article read back from its JSON
  // or from the store equals the one extracted.
  bool operator==(const Article& other) const;
};

// One compact JSON object (no newline) with every key of the contract, in contract order.
// `pretty` indents by two spaces for people. Thread-safe; never fails.
std::string ArticleToJson(const Article& article, bool pretty = false);

// Parses a record printed by ArticleToJson (or any object with those keys; missing keys
// are treated as null/[]). Returns kInput with a message naming what is wrong on malformed
// JSON or a key of the wrong type.
Result<Article> ArticleFromJson(std::string_view json);

}  // namespace gleaner
