// Private to extractors/html: keeps Gumbo's stack of open elements shallow.
//
// Gumbo's tree builder scans its stack of open elements for almost every tag ("is there a
// <p> in button scope?"), so a page of N nested elements costs O(N^2): 100,000 nested
// <div> take 40 s, 15 MB of them would take hours. Before Gumbo sees a page, GuardNesting
// tokenizes it as the HTML tokenizer does and models the tree builder's stack (implied end
// tags, scopes, tables, select, foreign content, active formatting elements and their
// reconstruction, the adoption agency). A start tag that would push the modelled stack
// past the limit is dropped from the bytes Gumbo gets, and so is its end tag; text is kept.
// No CDATA section reaches Gumbo either (Gumbo 0.10.1 aborts on some): in SVG and MathML,
// where the tokenizer reads one, it is replaced by the same text, escaped; in HTML, where
// "<![CDATA[" opens a bogus comment, it becomes "<!-[CDATA[", the same bogus comment.
// The page is read with the pre-passes' tag scanner (html_internal_scan.h).
//
// The model is built to overestimate, never underestimate, the real stack, for every
// construct it does not follow exactly, so hostile input cannot make Gumbo deeper than the
// limit plus a small constant (reconstructed formatting elements). Legitimate pages stay far
// below the limit and pass through unchanged (no copy is made).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace gleaner::html::internal {

struct GuardedHtml {
  std::string filtered;            // the bytes to parse; set only when `changed`
  bool changed = false;            // tags were dropped or CDATA sections rewritten
  bool too_many_elements = false;  // more than `max_elements` start tags; scan stopped
  size_t elements = 0;             // element start tags passed on
  size_t max_depth_seen = 0;       // deepest modelled stack of open elements
};

// Scans `html` (UTF-8). Elements whose modelled depth (not counting <html> and <body>)
// would exceed `max_depth` are dropped, and CDATA sections rewritten as above. A page with
// neither comes back with `changed` false and no copy made. Never fails; linear time in
// `html.size()`.
GuardedHtml GuardNesting(std::string_view html, size_t max_depth, size_t max_elements);

}  // namespace gleaner::html::internal
