// White space and Unicode normalisation of extracted text (docs/CONTRACT.md "body"): trim
// (no-break spaces too), collapse inner white space to one space, NFC. Pure, thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace gleaner::text {

// True for the code points treated as white space: ASCII space/tab/CR/LF/FF, U+00A0,
// U+1680, U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000 (not zero-width ones).
bool IsSpace(char32_t c);

// Length in bytes of the IsSpace code point whose UTF-8 form starts at s[i], or 0 when none
// does (nor when i is past the end). Byte-level: no decoding.
size_t SpaceLength(std::string_view s, size_t i);

// Collapses every run of white space (see IsSpace) to one ASCII space and trims both ends.
std::string CollapseWhitespace(std::string_view utf8);

// Unicode NFC (ICU). Invalid UTF-8 sequences become U+FFFD first.
std::string Nfc(std::string_view utf8);

// CollapseWhitespace then Nfc: the form every text field of the record takes.
std::string CleanText(std::string_view utf8);

// Lower-cases (full Unicode case folding) for case-insensitive comparisons.
std::string FoldCase(std::string_view utf8);

// Counts code points (not bytes).
size_t CodePointCount(std::string_view utf8);

// True when most letters of `utf8` are Arabic script (used to guess the language when a
// page declares none).
bool IsMostlyArabic(std::string_view utf8);

}  // namespace gleaner::text
