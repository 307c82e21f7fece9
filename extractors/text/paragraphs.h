// Turns a DOM subtree into paragraphs of text, as a reader sees them: block elements and
// each <br> (or run of <br>) end a paragraph; inline elements join; hidden elements
// (`hidden`, `aria-hidden="true"`, inline `display:none` / `visibility:hidden`) and
// <script>, <style>, <noscript>, <template>, <form>, <button>, <select>, <textarea>,
// <input>, <iframe>, <svg> (and <head>, <title>, <math>, <object>, <embed>, <canvas>, <video>,
// <audio>, <map>, <datalist>) never contribute. Each paragraph is CleanText()ed (normalize.h);
// empty paragraphs are dropped. Pure, thread-compatible.
#pragma once

#include <libxml/tree.h>

#include <string>
#include <vector>

namespace gleaner::text {

// A link inside a paragraph: its text and its href exactly as written (not resolved).
struct ParagraphLink {
  std::string text;
  std::string href;
};

struct Paragraph {
  std::string text;                  // cleaned: trimmed, collapsed, NFC
  std::vector<ParagraphLink> links;  // the <a href> elements with text inside it, in order;
                                     // a link spanning several paragraphs is in each
  const xmlNode* block = nullptr;    // the nearest block element that holds it
};

// The paragraphs under `node` (node included; an element, a text node or a document), in
// document order; empty for nullptr. Not recursive: any nesting depth is safe. The
// returned `block` pointers point into the caller's tree.
std::vector<Paragraph> ExtractParagraphs(const xmlNode* node);

// True when `node` is hidden by its own attributes (not its ancestors'): `hidden`,
// aria-hidden="true", or an inline style with display:none or visibility:hidden.
bool IsHiddenElement(const xmlNode* node);

// True when no text under the element `node` ever reaches a paragraph: an element of the
// skipped kinds above (<script>, <form>, <svg> ...) or one IsHiddenElement hides.
bool IsTextless(const xmlNode* node);

// Joins paragraph texts with one blank line ("\n\n") between them (the body's format).
std::string JoinParagraphs(const std::vector<Paragraph>& paragraphs);

}  // namespace gleaner::text
