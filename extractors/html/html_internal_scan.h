// Byte scanning shared by the HTML pre-passes that run before Gumbo (nesting repair,
// attribute caps): where the HTML tokenizer would end a comment, a raw-text element or a
// tag, found without building anything, in time linear in what is skipped.
#pragma once

#include <cstring>
#include <string_view>

namespace gleaner::html::internal {

inline bool IsTagSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

inline bool IsAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

inline char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

// Where the raw text of `name` (lower case) that starts at `p` ends: at the "</name"
// followed by space, '/' or '>' (case-insensitive), or at the end of the input.
inline size_t RawTextEnd(std::string_view s, size_t p, std::string_view name) {
  for (;;) {
    size_t lt = s.find("</", p);
    if (lt == std::string_view::npos) return s.size();
    size_t q = lt + 2;
    size_t k = 0;
    while (k < name.size() && q + k < s.size() && Lower(s[q + k]) == name[k]) ++k;
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

}  // namespace gleaner::html::internal
