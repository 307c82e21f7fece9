// ASCII character tests, case folding and trimming for the byte-level code that reads
// markup, headers, URLs and config (tags, attribute names, charsets, robots.txt). They look
// at ASCII bytes only: every byte >= 0x80 is left alone and is never a letter or a space,
// so UTF-8 text passes through unchanged. Unicode-aware work belongs to text/normalize.h.
//
// Three different sets of "white space" are in use and must not be mixed up:
//   IsHtmlSpace: the WHATWG "ASCII whitespace" (tab, LF, FF, CR, space) that HTML, CSS and
//                the encoding sniffer split on;
//   IsCSpace:    what std::isspace accepts in the "C" locale: the above plus vertical tab;
//   IsHttpSpace: HTTP's optional white space (space and tab), around header and robots.txt
//                field values.
// Pure, constexpr where possible, thread-safe; no locale is consulted.
#pragma once

#include <string>
#include <string_view>

namespace gleaner {

constexpr bool IsAsciiUpper(char c) { return c >= 'A' && c <= 'Z'; }
constexpr bool IsAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || IsAsciiUpper(c); }
constexpr bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

constexpr bool IsHtmlSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}
constexpr bool IsCSpace(char c) { return IsHtmlSpace(c) || c == '\v'; }
constexpr bool IsHttpSpace(char c) { return c == ' ' || c == '\t'; }

// `c` with A-Z mapped to a-z; any other byte unchanged.
constexpr char AsciiLower(char c) { return IsAsciiUpper(c) ? static_cast<char>(c + 32) : c; }

// `s` with A-Z mapped to a-z; any other byte unchanged.
inline std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = AsciiLower(c);
  return out;
}

// True when `a` and `b` are equal once A-Z are folded to a-z.
constexpr bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

// True when `s` starts with `prefix`, A-Z folded to a-z in both.
constexpr bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && EqualsIgnoreCase(s.substr(0, prefix.size()), prefix);
}

// `s` without the leading and trailing bytes for which `is_space` holds.
template <typename IsSpace>
constexpr std::string_view TrimAsciiIf(std::string_view s, IsSpace is_space) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

constexpr std::string_view TrimHtmlSpace(std::string_view s) {
  return TrimAsciiIf(s, [](char c) { return IsHtmlSpace(c); });
}
constexpr std::string_view TrimCSpace(std::string_view s) {
  return TrimAsciiIf(s, [](char c) { return IsCSpace(c); });
}
constexpr std::string_view TrimHttpSpace(std::string_view s) {
  return TrimAsciiIf(s, [](char c) { return IsHttpSpace(c); });
}

}  // namespace gleaner
