// Other pages of a saved page's design, for testing and measuring `gleaner suggest` on pages
// it has not seen when a site has few real ones: the markup is kept byte for byte and the
// words change. Every run of text between tags and every `content` attribute with at least
// kMinRotatedWords words and no digit has its words rotated by `shift`: a title, its
// og:title and a body paragraph become other texts of the same shape, the same text
// everywhere it appears gives the same new text, and dates, ids and URLs stay as they are.
// Text in <script> and <style> is kept.
#pragma once

#include <string>
#include <string_view>

namespace gleaner::testing {

inline constexpr int kMinRotatedWords = 4;

// The variant `shift` (>= 1) of `utf8_html`. Pure.
std::string PageVariant(std::string_view utf8_html, int shift);

// The variant `shift` of a page as saved (`bytes`, served with `content_type`): decoded to
// UTF-8, its windows-1256 charset declaration rewritten to utf-8 so that the variant,
// served as UTF-8, says what it is, then PageVariant. Pure.
std::string Utf8PageVariant(std::string_view bytes, std::string_view content_type, int shift);

// A URL of the same shape for variant `shift`: the last run of digits gets `shift` added;
// without digits, "-v<shift>" is added to the last path segment.
std::string VariantUrl(std::string_view url, int shift);

}  // namespace gleaner::testing
