// CSS selectors compiled to XPath 1.0, and queries over a Document.
//
// Supported CSS: type selectors and `*`, `.class`, `#id`, `[attr]`, `[attr=v]`, `[attr~=v]`,
// `[attr*=v]`, `[attr^=v]`, `[attr$=v]`, `[attr|=v]` (quoted or bare values), the descendant
// (space), child (`>`), adjacent (`+`) and sibling (`~`) combinators, selector lists (`,`),
// `:not(simple selectors)`, `:first-child`, `:last-child`, `:nth-child(n)`. A trailing
// `@attr` (e.g. `a.source@href`) selects that attribute's value instead of the element.
// A selector written `xpath:EXPR` is taken as raw XPath 1.0 (validated at compile time).
#pragma once

#include <libxml/tree.h>
#include <libxml/xpath.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "extractors/core/result.h"
#include "extractors/html/dom.h"

namespace gleaner::html {

struct Selector {
  std::string source;                    // as written, for messages
  std::string xpath;                     // relative to the context node (starts with ".//" etc.)
  std::optional<std::string> attribute;  // the trailing @attr, if any
  // `xpath` compiled once by CompileSelector and shared by copies (read-only afterwards);
  // null for a hand-built Selector, which Select then compiles on each call.
  std::shared_ptr<xmlXPathCompExpr> compiled;
};

// Compiles CSS to XPath. Returns kConfig with a message naming the column (1-based) of the
// first character that is not understood, e.g. "col 7: unexpected ')'" ; never throws.
Result<Selector> CompileSelector(std::string_view css);

// Every element matching `selector` under `context` (the document root when null), in
// document order, without duplicates. A selector with @attr still returns the elements
// (those that carry the attribute); use SelectValues for the values. Thread-compatible.
std::vector<xmlNode*> Select(const Document& doc, const Selector& selector,
                             xmlNode* context = nullptr);

// The text values matched: the attribute values for an @attr selector, else each element's
// text (ElementText in dom.h). Values are trimmed; empty values are dropped.
std::vector<std::string> SelectValues(const Document& doc, const Selector& selector,
                                      xmlNode* context = nullptr);

// The nodes of `nodes` that are not inside another of them, each once, in the given order:
// what a list of selectors takes out or reads when two match the same element (`.modal`
// and `[role=dialog]`) or one element holds another. Thread-compatible.
std::vector<xmlNode*> Outermost(const std::vector<xmlNode*>& nodes);

}  // namespace gleaner::html
