// Private to extractors/html: the one tag scanner of the HTML pre-passes that run before
// Gumbo (script and style emptying in lean_html, nesting repair, attribute caps). It finds
// where the HTML tokenizer would end a comment, a tag, a bogus comment or the text of a
// raw-text element, without building anything, in time linear in what it skips.
//
// MarkupScanner splits a page into the pieces the tokenizer's data state would see. What
// follows a start tag depends on the tree (a <script> in <svg> is markup, not raw text), so
// the caller decides and tells the scanner with SkipRawText or by stopping.
//
// Raw text: IsRawTextElement is the set Gumbo 0.10.1 tokenizes as text up to the end tag.
// <noscript> is not in it: Gumbo parses as a browser with scripting disabled does, so the
// content of <noscript> is markup (its <script> and <style> are elements, its comments are
// comments). Treating it as raw text, as a browser with scripting on would, makes a pass
// skip up to the first "</noscript" even when that string sits inside a script or a comment
// in the <noscript>, and then read the rest of that element differently from Gumbo.
#pragma once

#include <cstddef>
#include <cstring>
#include <string_view>

#include "extractors/core/ascii.h"

namespace gleaner::html::internal {

inline bool IsTagSpace(char c) { return IsHtmlSpace(c); }

// True for the elements (`lower_name` in lower case) whose content the tokenizer reads as
// text up to their end tag: script, style, xmp, iframe, noembed, noframes, textarea, title.
// <plaintext> (text to the end of the input) and <noscript> (markup, see above) are not.
bool IsRawTextElement(std::string_view lower_name);

// Where the raw text of `name` (lower case) that starts at `p` ends: at the "</name"
// followed by space, '/' or '>' (case-insensitive), or at the end of the input.
inline size_t RawTextEnd(std::string_view s, size_t p, std::string_view name) {
  for (;;) {
    size_t lt = s.find("</", p);
    if (lt == std::string_view::npos) return s.size();
    size_t q = lt + 2;
    size_t k = 0;
    while (k < name.size() && q + k < s.size() && AsciiLower(s[q + k]) == name[k]) ++k;
    if (k == name.size() && q + k < s.size()) {
      char c = s[q + k];
      if (IsTagSpace(c) || c == '/' || c == '>') return lt;
    }
    p = lt + 2;
  }
}

// Just past the comment that starts at `p` ("<!--") and ends before `end`: "-->", "--!>",
// or the abrupt "<!-->" / "<!--->"; `end` when it is not closed.
inline size_t CommentEnd(std::string_view s, size_t p, size_t end) {
  std::string_view window = s.substr(0, end);
  size_t q = p + 4;
  if (q < end && s[q] == '>') return q + 1;
  if (window.substr(q, 2) == "->") return q + 2;
  for (size_t i = window.find("--", q); i != std::string_view::npos; i = window.find("--", i + 1)) {
    if (i + 2 < end && s[i + 2] == '>') return i + 3;
    if (window.substr(i + 2, 2) == "!>") return i + 4;
  }
  return end;
}

// Just past the next '>' at or after `p` and before `end`, or `end`.
inline size_t PastGt(std::string_view s, size_t p, size_t end) {
  const void* gt = p < end ? std::memchr(s.data() + p, '>', end - p) : nullptr;
  return gt == nullptr ? end : static_cast<size_t>(static_cast<const char*>(gt) - s.data()) + 1;
}

// A start or end tag as the tokenizer reads it.
struct TagSpan {
  std::string_view name;   // as written (not case-folded)
  std::string_view attrs;  // from the end of the name to the closing '>' (or "/>")
  size_t end = 0;          // just past the closing '>'
  bool self_closing = false;
};

// Reads the tag whose name starts at `p` (just after "<" or "</") up to its '>', following
// the tokenizer's attribute states so that a '>' in a quoted value does not end it. Returns
// false when the input ends inside the tag (the tokenizer then emits nothing).
bool ScanTag(std::string_view s, size_t p, TagSpan* tag);

// Calls `visit(name, value)` for each attribute of `attrs` (a TagSpan::attrs), in order,
// duplicates included; `name` as written, `value` without its quotes (empty when absent).
template <typename Visit>
void ForEachAttribute(std::string_view attrs, Visit visit) {
  size_t i = 0;
  const size_t n = attrs.size();
  while (i < n) {
    if (IsTagSpace(attrs[i]) || attrs[i] == '/') {
      ++i;
      continue;
    }
    size_t name_start = i++;  // an '=' first is part of the name
    while (i < n && !IsTagSpace(attrs[i]) && attrs[i] != '/' && attrs[i] != '=') ++i;
    std::string_view name = attrs.substr(name_start, i - name_start);
    size_t j = i;
    while (j < n && IsTagSpace(attrs[j])) ++j;
    if (j >= n || attrs[j] != '=') {
      visit(name, std::string_view());
      continue;
    }
    ++j;
    while (j < n && IsTagSpace(attrs[j])) ++j;
    size_t value_start = j;
    if (j < n && (attrs[j] == '"' || attrs[j] == '\'')) {
      size_t close = attrs.find(attrs[j], j + 1);  // ScanTag saw it closed
      value_start = j + 1;
      j = close == std::string_view::npos ? n : close;
      visit(name, attrs.substr(value_start, j - value_start));
      i = j + 1;
      continue;
    }
    while (j < n && !IsTagSpace(attrs[j])) ++j;
    visit(name, attrs.substr(value_start, j - value_start));
    i = j;
  }
}

// Walks a page piece by piece, as the tokenizer's data state would split it.
class MarkupScanner {
 public:
  enum class Kind {
    kText,          // a run of text, or a '<' that starts nothing (read as text)
    kStartTag,      // `tag` is set
    kEndTag,        // `tag` is set
    kComment,       // "<!--" up to its end
    kCdata,         // "<![CDATA[": a bogus comment up to '>' unless the caller resumes elsewhere
    kBogusComment,  // doctype, "<?", "</" + non-letter: up to the next '>'
    kIgnored,       // "</>"
    kUnclosedTag,   // the input ends inside a tag: the tokenizer emits nothing more
  };
  struct Piece {
    Kind kind = Kind::kText;
    size_t begin = 0;  // where the piece starts (its '<' for markup)
    size_t end = 0;    // where scanning resumes
    TagSpan tag;
  };

  explicit MarkupScanner(std::string_view html) : s_(html) {}

  // Reads the next piece into `*piece` and moves past it. False at the end of the input.
  bool Next(Piece* piece);
  // After a start tag of a raw-text element `lower_name`: moves to its end tag, or to the
  // end of the input when there is none. Returns the new position.
  size_t SkipRawText(std::string_view lower_name) {
    pos_ = RawTextEnd(s_, pos_, lower_name);
    return pos_;
  }
  // Resumes scanning at `pos` (at or after the current position).
  void ResumeAt(size_t pos) { pos_ = pos; }
  size_t pos() const { return pos_; }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

}  // namespace gleaner::html::internal
