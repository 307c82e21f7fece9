#include "extractors/html/html_internal_text.h"

namespace gleaner::html::internal {

size_t SpaceLength(std::string_view text, size_t i) {
  auto byte = [&](size_t k) -> unsigned char {
    return k < text.size() ? static_cast<unsigned char>(text[k]) : 0;
  };
  unsigned char c = byte(i);
  switch (c) {
    case ' ':
    case '\t':
    case '\n':
    case '\r':
    case '\f':
    case '\v':
      return 1;
    case 0xC2:  // U+00A0
      return byte(i + 1) == 0xA0 ? 2 : 0;
    case 0xE1:  // U+1680
      return byte(i + 1) == 0x9A && byte(i + 2) == 0x80 ? 3 : 0;
    case 0xE2: {
      unsigned char c1 = byte(i + 1), c2 = byte(i + 2);
      if (c1 == 0x80 && ((c2 >= 0x80 && c2 <= 0x8A) || c2 == 0xA8 || c2 == 0xA9 || c2 == 0xAF)) {
        return 3;  // U+2000..U+200A, U+2028, U+2029, U+202F
      }
      return c1 == 0x81 && c2 == 0x9F ? 3 : 0;  // U+205F
    }
    case 0xE3:  // U+3000
      return byte(i + 1) == 0x80 && byte(i + 2) == 0x80 ? 3 : 0;
    default:
      return 0;
  }
}

void AppendCollapsed(std::string& out, std::string_view text, bool& pending_space) {
  size_t i = 0;
  while (i < text.size()) {
    if (size_t n = SpaceLength(text, i)) {
      pending_space = true;
      i += n;
      continue;
    }
    // Copy the whole run up to the next byte that may start a space in one append.
    size_t end = i + 1;
    while (end < text.size()) {
      unsigned char c = static_cast<unsigned char>(text[end]);
      bool maybe_space = c <= ' ' || c == 0xC2 || c == 0xE1 || c == 0xE2 || c == 0xE3;
      if (maybe_space && SpaceLength(text, end) > 0) break;
      ++end;
    }
    if (pending_space && !out.empty()) out.push_back(' ');
    pending_space = false;
    out.append(text.data() + i, end - i);
    i = end;
  }
}

std::string Collapse(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending = false;
  AppendCollapsed(out, text, pending);
  return out;
}

}  // namespace gleaner::html::internal
