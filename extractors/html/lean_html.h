// Dropping the text of inline scripts and style sheets before the HTML5 parser sees it.
// Over half of a typical news page's bytes are inline JavaScript and CSS, which Gumbo
// tokenizes character by character only for the extractor to ignore. The scan (the
// pre-passes' MarkupScanner, html_internal_scan.h) follows the tokenizer's states that
// matter (comments, tags with quoted attributes, raw-text elements, script escapes) and
// only empties <script> and <style> elements: the elements themselves stay, and so does
// every script whose type mentions JSON (JSON-LD metadata, data blocks). When the scan meets
// a construct whose end it cannot be sure of (a doubly-escaped script, "<script/>", a tag
// or raw text the page does not close), it copies the rest of the page unchanged.
// Pure, thread-safe; never fails.
#pragma once

#include <string>
#include <string_view>

namespace gleaner::html {

// Returns `html` (UTF-8 or any ASCII-compatible encoding) with the contents of <script>
// (except JSON types) and <style> elements removed. The parsed document differs from that
// of `html` only in those elements' text.
std::string DropScriptAndStyleText(std::string_view html);

}  // namespace gleaner::html
