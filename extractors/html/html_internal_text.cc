#include "extractors/html/html_internal_text.h"

#include "extractors/text/normalize.h"

namespace gleaner::html::internal {

size_t SpaceLength(std::string_view text, size_t i) {
  if (i < text.size() && text[i] == '\v') return 1;
  return text::SpaceLength(text, i);
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
