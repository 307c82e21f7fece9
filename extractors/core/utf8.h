// UTF-8: decoding one code point, validation, and repair. One decoder serves the charset
// layer (pages declared or sniffed as UTF-8), the text scanners that walk code points, and
// the store's JSON writer, so that they all agree on what is well-formed.
//
// Well-formed means the Unicode definition (Table 3-7): no overlong forms, no surrogates
// (U+D800..U+DFFF), nothing above U+10FFFF, no truncated sequence. An ill-formed sequence
// is split into "maximal subparts" as the Unicode standard recommends and the WHATWG
// Encoding standard requires: the longest prefix that could still begin a well-formed
// sequence is one error, and anything else is one error per byte. RepairUtf8 writes one
// U+FFFD per error, which is what ICU and browsers produce for the same bytes.
// Pure, thread-safe; never fails.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace gleaner {

// The code point written for ill-formed input.
inline constexpr char32_t kReplacementCharacter = 0xFFFD;
// kReplacementCharacter encoded as UTF-8.
inline constexpr std::string_view kReplacementUtf8 = "\xEF\xBF\xBD";

struct DecodedCodePoint {
  char32_t code_point;  // kReplacementCharacter when !valid
  size_t length;  // bytes read: the sequence, or for ill-formed input its maximal subpart (>= 1)
  bool valid;
};

// Decodes the code point at s[i]. REQUIRES: i < s.size().
inline DecodedCodePoint DecodeUtf8(std::string_view s, size_t i) {
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
    if (lead == 0xE0) lo = 0xA0;  // overlong below U+0800
    if (lead == 0xED) hi = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    need = 3;
    cp = lead & 0x07;
    if (lead == 0xF0) lo = 0x90;  // overlong below U+10000
    if (lead == 0xF4) hi = 0x8F;  // above U+10FFFF
  } else {
    return {kReplacementCharacter, 1, false};
  }
  for (size_t k = 1; k <= need; ++k) {
    if (i + k >= s.size()) return {kReplacementCharacter, k, false};
    unsigned char b = byte(i + k);
    if (b < lo || b > hi) return {kReplacementCharacter, k, false};
    cp = (cp << 6) | (b & 0x3F);
    lo = 0x80;
    hi = 0xBF;
  }
  return {cp, need + 1, true};
}

// True when all of `bytes` is well-formed UTF-8 (the empty string is).
bool IsValidUtf8(std::string_view bytes);

// `text` with each maximal subpart of an ill-formed sequence replaced by one U+FFFD;
// well-formed input comes back unchanged.
std::string RepairUtf8(std::string_view text);

// Appends `cp` to `out` as UTF-8. REQUIRES: `cp` is a Unicode scalar value.
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

}  // namespace gleaner
