// One DOM for the whole extractor: Gumbo parses the UTF-8 page with the HTML5 algorithm and
// the tree is copied into a libxml2 document, so that rules can use XPath 1.0 and every
// module walks the same xmlNode tree. Pure; no I/O.
//
// Element and attribute names are lower-case; comments are dropped; text of <script>,
// <style> and similar raw-text elements is kept as text children (JSON-LD needs it) but
// nothing downstream puts it in the body.
#pragma once

#include <libxml/tree.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "extractors/core/result.h"

namespace gleaner::html {

// Caps on what one page may cost. Hitting one is a clean kNoArticle error naming the cap,
// except depth and attributes, which cut (see each field).
struct DomLimits {
  size_t max_bytes = 16u << 20;  // UTF-8 input size
  size_t max_nodes = 500000;     // elements + text nodes copied into the document
  size_t max_depth = 512;        // nesting depth; deeper subtrees are cut off (not an error)
  // Attributes kept per element; the rest are dropped, first ones kept. Real elements carry
  // a handful, framework-heavy ones a few dozen; Gumbo compares each new attribute with every
  // earlier one of its tag, so one tag with N costs N^2 (40,000 took 15 s).
  size_t max_attributes_per_element = 128;
  // Attributes kept per page, in page order; the rest are dropped. The heaviest of 1,678
  // real pages (two public extraction benchmarks) carries 39,000; each costs about 470
  // bytes across Gumbo's tree and libxml2's, which max_nodes does not count, so this bounds
  // that memory to under 30 MB, and a 1 MB page of nothing but attributes stays under 64 MB.
  size_t max_attributes = 60000;
};

struct XmlDocDeleter {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
using XmlDocPtr = std::unique_ptr<xmlDoc, XmlDocDeleter>;

// A parsed page. Owns the libxml2 document; movable, not copyable.
// Not thread-safe to mutate; distinct Documents may be used from distinct threads.
class Document {
 public:
  explicit Document(XmlDocPtr doc, std::vector<std::string> warnings = {})
      : doc_(std::move(doc)), warnings_(std::move(warnings)) {}
  xmlDoc* doc() const { return doc_.get(); }
  xmlNode* root() const { return xmlDocGetRootElement(doc_.get()); }  // <html>, never null
  // What the parse had to give up to build this tree (empty for almost every page); the
  // record's "warnings" carry them.
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  XmlDocPtr doc_;
  std::vector<std::string> warnings_;
};

// Parses UTF-8 HTML. Returns kNoArticle when a cap in `limits` is exceeded (except depth,
// which truncates, and attributes, which are dropped with a warning on the Document). Never
// crashes on any input, including empty input (which yields
// <html><head></head><body></body></html>). Markup on which one of Gumbo's assertions fails
// is parsed again with <math>, <svg>, <select> and <template> read as plain elements, and
// the Document carries a warning saying so; kNoArticle if Gumbo fails on that too.
// Thread-safe. Installs no signal handler: an abort other than Gumbo's failed assertion
// ends the process (html_internal_gumbo.h).
Result<Document> ParseHtml(std::string_view utf8, const DomLimits& limits = {});

// The text of an element on one line: all descendant text except inside <script>, <style>,
// <noscript>, <template>; runs of white space (no-break space included) collapse to one
// space; trimmed. For a text node, its own text so cleaned.
std::string ElementText(const xmlNode* node);

// The value of attribute `name` on `node`, or nullopt. Thread-compatible.
std::optional<std::string> Attribute(const xmlNode* node, const char* name);

}  // namespace gleaner::html
