#include "extractors/core/utf8.h"

namespace gleaner {
namespace {

// Where the run of ASCII bytes starting at text[i] ends: most of a page is ASCII, which
// needs no decoding.
size_t AsciiRunEnd(std::string_view text, size_t i) {
  while (i < text.size() && static_cast<unsigned char>(text[i]) < 0x80) ++i;
  return i;
}

}  // namespace

bool IsValidUtf8(std::string_view bytes) {
  size_t i = AsciiRunEnd(bytes, 0);
  while (i < bytes.size()) {
    DecodedCodePoint d = DecodeUtf8(bytes, i);
    if (!d.valid) return false;
    i = AsciiRunEnd(bytes, i + d.length);
  }
  return true;
}

std::string RepairUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    size_t run = AsciiRunEnd(text, i);
    out.append(text.data() + i, run - i);
    i = run;
    if (i >= text.size()) break;
    DecodedCodePoint d = DecodeUtf8(text, i);
    if (d.valid) {
      out.append(text.data() + i, d.length);
    } else {
      out.append(kReplacementUtf8);
    }
    i += d.length;
  }
  return out;
}

}  // namespace gleaner
