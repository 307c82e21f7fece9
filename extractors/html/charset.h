// Charset sniffing and conversion to UTF-8, as browsers do it (WHATWG Encoding and HTML
// "determining the character encoding"), with one deliberate exception: a declared legacy
// charset is overruled by bytes that are valid UTF-8 with multi-byte sequences (pages lie).
// Pure: bytes in, UTF-8 out. Never fails and never crashes on any byte sequence.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace gleaner::html {

// How the encoding was decided, in precedence order.
enum class CharsetSource {
  kBom,        // a UTF-8 / UTF-16LE / UTF-16BE byte order mark
  kHeader,     // charset= in the Content-Type header given by the caller
  kMeta,       // <meta charset> or <meta http-equiv=Content-Type> in the first 1024 bytes
  kUtf8Bytes,  // undeclared (or declared legacy) but the bytes are valid UTF-8
  kDetected,   // statistical detection (ICU)
  kDefault,    // nothing else applied: windows-1252
};

// The longest input DecodeToUtf8 decodes. ICU counts lengths in int32 and writes up to 3
// bytes for each byte read: 512 MiB (1.5 GiB out) stays below INT32_MAX. Callers cap pages
// far lower (limits.page_bytes, fetch.max_body); this guard is the decoder's own.
inline constexpr size_t kMaxDecodeBytes = size_t{512} << 20;

struct DecodedPage {
  std::string utf8;      // the page converted to UTF-8; invalid input bytes became U+FFFD
  std::string encoding;  // WHATWG canonical name: "UTF-8", "windows-1256", ...
  CharsetSource source;
  bool lossy = false;  // true when at least one U+FFFD was substituted
};

// Maps an encoding label to its WHATWG canonical name, case- and whitespace-insensitive:
// "latin1", "iso-8859-1", "ascii" -> "windows-1252"; "cp1256" -> "windows-1256";
// "utf8" -> "UTF-8". Returns nullopt for a label WHATWG does not define.
std::optional<std::string> CanonicalEncoding(std::string_view label);

// Extracts the charset parameter of a Content-Type value ("text/html; charset=UTF-8").
std::optional<std::string> CharsetFromContentType(std::string_view content_type);

// Decides the page's encoding (BOM, then content_type's charset, then <meta> prescan of the
// first 1024 bytes, then detection, then windows-1252) and converts to UTF-8. The BOM is
// dropped from the output. Input longer than kMaxDecodeBytes is refused whole, never cut:
// the page is one U+FFFD, encoding "replacement" (WHATWG's decoder that yields just that),
// source kDefault, lossy. Thread-safe.
DecodedPage DecodeToUtf8(std::string_view bytes, std::string_view content_type = {});

}  // namespace gleaner::html
