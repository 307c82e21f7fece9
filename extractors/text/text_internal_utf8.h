// Private to extractors/text/: UTF-8 decoding and encoding by hand, for scanners that walk
// code points (normalisation fast paths, date parsing) without a round trip through UTF-16.
// Not a public API: other modules use normalize.h.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace gleaner::text::internal {

// The code point used for invalid sequences.
inline constexpr char32_t kReplacement = 0xFFFD;

struct Decoded {
  char32_t code_point;  // kReplacement when !valid
  size_t length;        // bytes consumed: >= 1, the maximal subpart for invalid input
  bool valid;
};

// Decodes the code point at s[i] (REQUIRES: i < s.size()). Invalid input (overlong forms,
// surrogates, values above U+10FFFF, truncated sequences) consumes its maximal valid
// prefix, at least one byte, the way ICU and browsers substitute U+FFFD.
inline Decoded DecodeUtf8(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char lead = byte(i);
  if (lead < 0x80) return {lead, 1, true};
  size_t need = 0;
  unsigned char lo = 0x80;
  unsigned char hi = 0xBF;
  char32_t cp = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    need = 1;
    cp = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    need = 2;
    cp = lead & 0x0F;
    if (lead == 0xE0) lo = 0xA0;
    if (lead == 0xED) hi = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    need = 3;
    cp = lead & 0x07;
    if (lead == 0xF0) lo = 0x90;
    if (lead == 0xF4) hi = 0x8F;
  } else {
    return {kReplacement, 1, false};
  }
  size_t k = 1;
  for (; k <= need; ++k) {
    if (i + k >= s.size()) return {kReplacement, k, false};
    unsigned char b = byte(i + k);
    if (b < lo || b > hi) return {kReplacement, k, false};
    cp = (cp << 6) | (b & 0x3F);
    lo = 0x80;
    hi = 0xBF;
  }
  return {cp, need + 1, true};
}

// Appends `cp` (REQUIRES: a Unicode scalar value) to `out` as UTF-8.
inline void AppendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace gleaner::text::internal
