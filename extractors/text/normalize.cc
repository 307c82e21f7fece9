// White space is handled byte-wise (every white space code point gleaner knows has a fixed
// UTF-8 form); Unicode work goes to ICU, directly on UTF-8, and only for text that is not
// trivially NFC (ASCII, French, unvocalised Arabic are, so most pages never reach ICU).
#include "extractors/text/normalize.h"

#include <unicode/bytestream.h>
#include <unicode/casemap.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>

#include "extractors/core/ascii.h"
#include "extractors/core/utf8.h"

namespace gleaner::text {
namespace {

// Share of letters that must be Arabic script for text to count as "mostly Arabic". A
// majority: Arabic articles quote French or English names and acronyms, and French ones
// quote Arabic names, but neither comes close to half.
constexpr double kArabicLetterShare = 0.5;

// Bytes that can start a white space character (see SpaceLength).
bool MayStartSpace(unsigned char b) {
  return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\f' || b == 0xC2 ||
         (b >= 0xE1 && b <= 0xE3);
}

// Code points that are NFC on their own and never reorder or compose with what precedes
// them (canonical combining class 0, NFC_QC=Yes): text made only of these is already NFC,
// so ICU is not needed. Covers French and unvocalised Arabic; everything else (combining
// marks, harakat, U+2000/U+2001, CJK compatibility ...) goes through ICU.
bool IsTriviallyNfc(char32_t c) {
  if (c < 0x0300) return true;                  // ICU's own NFC threshold (minNoMaybeCP)
  if (c >= 0x0620 && c <= 0x064A) return true;  // Arabic letters and tatweel
  if (c >= 0x0660 && c <= 0x066D) return true;  // Arabic-Indic digits and punctuation
  if (c == 0x060C || c == 0x061B || c == 0x061F) return true;  // Arabic comma, ; and ?
  if (c >= 0x2002 && c <= 0x206F) return true;  // General Punctuation but U+2000, U+2001
  return c >= 0x20A0 && c <= 0x20C0;            // currency signs
}

bool IsAscii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

// Replaces each invalid sequence from byte `from` on with U+FFFD (REQUIRES: s[0, from)
// is valid UTF-8).
void ReplaceInvalidUtf8(std::string& s, size_t from) {
  s = s.substr(0, from) + RepairUtf8(std::string_view(s).substr(from));
}

// One pass: repairs invalid UTF-8, and says whether ICU must look at the text for NFC.
bool RepairAndCheckTriviallyNfc(std::string& s) {
  bool trivial = true;
  for (size_t i = 0; i < s.size();) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    auto d = DecodeUtf8(s, i);
    if (!d.valid) {
      ReplaceInvalidUtf8(s, i);
      return false;  // rare: let ICU check the repaired text
    }
    trivial = trivial && IsTriviallyNfc(d.code_point);
    i += d.length;
  }
  return trivial;
}

// NFC in place: text that is trivially NFC (nearly every page) is left as is, without a
// copy or a call into ICU.
void NfcInPlace(std::string& s) {
  if (RepairAndCheckTriviallyNfc(s)) return;
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status)) return;  // ICU data missing: keep the text rather than lose it
  if (nfc->isNormalizedUTF8(s, status) && U_SUCCESS(status)) return;
  status = U_ZERO_ERROR;
  std::string out;
  out.reserve(s.size());
  icu::StringByteSink<std::string> sink(&out);
  nfc->normalizeUTF8(0, s, sink, nullptr, status);
  if (U_SUCCESS(status)) s = std::move(out);
}

}  // namespace

size_t SpaceLength(std::string_view s, size_t i) {
  auto at = [&](size_t k) -> unsigned char {
    return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0;
  };
  switch (at(0)) {
    case ' ':
    case '\t':
    case '\n':
    case '\r':
    case '\f':
      return 1;
    case 0xC2:  // U+00A0
      return at(1) == 0xA0 ? 2 : 0;
    case 0xE1:  // U+1680
      return at(1) == 0x9A && at(2) == 0x80 ? 3 : 0;
    case 0xE2: {
      unsigned char b2 = at(2);
      if (at(1) == 0x80) {  // U+2000..U+200A, U+2028, U+2029, U+202F
        return (b2 >= 0x80 && b2 <= 0x8A) || b2 == 0xA8 || b2 == 0xA9 || b2 == 0xAF ? 3 : 0;
      }
      return at(1) == 0x81 && b2 == 0x9F ? 3 : 0;  // U+205F
    }
    case 0xE3:  // U+3000
      return at(1) == 0x80 && at(2) == 0x80 ? 3 : 0;
    default:
      return 0;
  }
}

bool IsSpace(char32_t c) {
  switch (c) {
    case ' ':
    case '\t':
    case '\n':
    case '\r':
    case '\f':
    case 0x00A0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
      return true;
    default:
      return c >= 0x2000 && c <= 0x200A;
  }
}

std::string CollapseWhitespace(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  bool pending_space = false;
  size_t i = 0;
  while (i < utf8.size()) {
    size_t space = SpaceLength(utf8, i);
    if (space > 0) {
      pending_space = !out.empty();
      i += space;
      continue;
    }
    if (pending_space) {
      out += ' ';
      pending_space = false;
    }
    // Copy the whole run up to the next possible white space at once.
    size_t end = i + 1;
    while (end < utf8.size() && !MayStartSpace(static_cast<unsigned char>(utf8[end]))) ++end;
    out.append(utf8, i, end - i);
    i = end;
  }
  return out;
}

std::string Nfc(std::string_view utf8) {
  std::string s(utf8);
  NfcInPlace(s);
  return s;
}

std::string CleanText(std::string_view utf8) {
  std::string s = CollapseWhitespace(utf8);
  NfcInPlace(s);
  return s;
}

std::string FoldCase(std::string_view utf8) {
  if (IsAscii(utf8)) {
    return AsciiLower(utf8);
  }
  std::string s(utf8);
  RepairAndCheckTriviallyNfc(s);
  std::string out;
  out.reserve(s.size());
  icu::StringByteSink<std::string> sink(&out);
  UErrorCode status = U_ZERO_ERROR;
  icu::CaseMap::utf8Fold(U_FOLD_CASE_DEFAULT, s, sink, nullptr, status);
  if (U_FAILURE(status)) return s;
  return out;
}

size_t CodePointCount(std::string_view utf8) {
  size_t count = 0;
  for (size_t i = 0; i < utf8.size(); i += DecodeUtf8(utf8, i).length) ++count;
  return count;
}

bool IsMostlyArabic(std::string_view utf8) {
  size_t letters = 0;
  size_t arabic = 0;
  for (size_t i = 0; i < utf8.size();) {
    auto d = DecodeUtf8(utf8, i);
    i += d.length;
    char32_t c = d.code_point;
    if (c < 0x80) {
      if (IsAsciiAlpha(static_cast<char>(c))) ++letters;
      continue;
    }
    if (!u_isalpha(static_cast<UChar32>(c))) continue;
    ++letters;
    UErrorCode status = U_ZERO_ERROR;
    if (uscript_getScript(static_cast<UChar32>(c), &status) == USCRIPT_ARABIC) ++arabic;
  }
  return letters > 0 && static_cast<double>(arabic) > kArabicLetterShare * letters;
}

}  // namespace gleaner::text
