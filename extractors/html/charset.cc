#include "extractors/html/charset.h"

#include <unicode/ucnv.h>
#include <unicode/ucnv_cb.h>
#include <unicode/ucsdet.h>

#include <algorithm>
#include <memory>
#include <unordered_map>
#include <vector>

#include "extractors/core/ascii.h"
#include "extractors/core/utf8.h"

namespace gleaner::html {
namespace {

// The WHATWG prescan looks at this many bytes for a <meta> declaration (HTML standard,
// "prescan a byte stream to determine its encoding").
constexpr size_t kPrescanBytes = 1024;

// ICU's detector is linear in its input; the first 64 KiB carry enough text to tell the
// legacy encodings of our sites apart and keep detection cheap on multi-megabyte pages.
constexpr size_t kDetectionSampleBytes = 64 * 1024;

// ucsdet confidences run 0..100. Below 30 ICU is guessing among near-equals (short or mostly
// ASCII pages); windows-1252, the WHATWG default, is then the safer answer. The undeclared
// windows-1256 variant of maghress-ar-2022-10-31-cp1256 scores well above this.
constexpr int32_t kMinDetectionConfidence = 30;

struct EncodingInfo {
  const char* name;  // WHATWG canonical name
  const char* icu;   // ICU converter name; nullptr when none is used
};

// WHATWG encodings and the ICU converters that decode them as WHATWG specifies. GBK is
// decoded with gb18030 (WHATWG: "the gbk decoder is the gb18030 decoder"); EUC-KR is
// windows-949 and Shift_JIS windows-31j in WHATWG's indexes; Big5 includes HKSCS.
constexpr EncodingInfo kEncodings[] = {
    {"UTF-8", "UTF-8"},
    {"IBM866", "ibm-866"},
    {"ISO-8859-2", "ISO-8859-2"},
    {"ISO-8859-3", "ISO-8859-3"},
    {"ISO-8859-4", "ISO-8859-4"},
    {"ISO-8859-5", "ISO-8859-5"},
    {"ISO-8859-6", "ISO-8859-6"},
    {"ISO-8859-7", "ISO-8859-7"},
    {"ISO-8859-8", "ISO-8859-8"},
    {"ISO-8859-8-I", "ISO-8859-8"},
    {"ISO-8859-10", "ISO-8859-10"},
    {"ISO-8859-13", "ISO-8859-13"},
    {"ISO-8859-14", "ISO-8859-14"},
    {"ISO-8859-15", "ISO-8859-15"},
    {"ISO-8859-16", "ISO-8859-16"},
    {"KOI8-R", "KOI8-R"},
    {"KOI8-U", "KOI8-U"},
    {"macintosh", "macintosh"},
    {"windows-874", "windows-874"},
    {"windows-1250", "windows-1250"},
    {"windows-1251", "windows-1251"},
    {"windows-1252", "windows-1252"},
    {"windows-1253", "windows-1253"},
    {"windows-1254", "windows-1254"},
    {"windows-1255", "windows-1255"},
    {"windows-1256", "windows-1256"},
    {"windows-1257", "windows-1257"},
    {"windows-1258", "windows-1258"},
    {"x-mac-cyrillic", "x-mac-cyrillic"},
    {"GBK", "gb18030"},
    {"gb18030", "gb18030"},
    {"Big5", "Big5-HKSCS"},
    {"EUC-JP", "EUC-JP"},
    {"ISO-2022-JP", "ISO-2022-JP"},
    {"Shift_JIS", "windows-31j"},
    {"EUC-KR", "windows-949"},
    {"replacement", nullptr},
    {"UTF-16BE", "UTF-16BE"},
    {"UTF-16LE", "UTF-16LE"},
    {"x-user-defined", nullptr},
};

struct LabelEntry {
  const char* label;
  const char* name;
};

// Every label of the WHATWG Encoding Standard (encodings.json), lower-case.
constexpr LabelEntry kLabels[] = {
    // UTF-8
    {"unicode-1-1-utf-8", "UTF-8"},
    {"unicode11utf8", "UTF-8"},
    {"unicode20utf8", "UTF-8"},
    {"utf-8", "UTF-8"},
    {"utf8", "UTF-8"},
    {"x-unicode20utf8", "UTF-8"},
    // Legacy single-byte encodings
    {"866", "IBM866"},
    {"cp866", "IBM866"},
    {"csibm866", "IBM866"},
    {"ibm866", "IBM866"},
    {"csisolatin2", "ISO-8859-2"},
    {"iso-8859-2", "ISO-8859-2"},
    {"iso-ir-101", "ISO-8859-2"},
    {"iso8859-2", "ISO-8859-2"},
    {"iso88592", "ISO-8859-2"},
    {"iso_8859-2", "ISO-8859-2"},
    {"iso_8859-2:1987", "ISO-8859-2"},
    {"l2", "ISO-8859-2"},
    {"latin2", "ISO-8859-2"},
    {"csisolatin3", "ISO-8859-3"},
    {"iso-8859-3", "ISO-8859-3"},
    {"iso-ir-109", "ISO-8859-3"},
    {"iso8859-3", "ISO-8859-3"},
    {"iso88593", "ISO-8859-3"},
    {"iso_8859-3", "ISO-8859-3"},
    {"iso_8859-3:1988", "ISO-8859-3"},
    {"l3", "ISO-8859-3"},
    {"latin3", "ISO-8859-3"},
    {"csisolatin4", "ISO-8859-4"},
    {"iso-8859-4", "ISO-8859-4"},
    {"iso-ir-110", "ISO-8859-4"},
    {"iso8859-4", "ISO-8859-4"},
    {"iso88594", "ISO-8859-4"},
    {"iso_8859-4", "ISO-8859-4"},
    {"iso_8859-4:1988", "ISO-8859-4"},
    {"l4", "ISO-8859-4"},
    {"latin4", "ISO-8859-4"},
    {"csisolatincyrillic", "ISO-8859-5"},
    {"cyrillic", "ISO-8859-5"},
    {"iso-8859-5", "ISO-8859-5"},
    {"iso-ir-144", "ISO-8859-5"},
    {"iso8859-5", "ISO-8859-5"},
    {"iso88595", "ISO-8859-5"},
    {"iso_8859-5", "ISO-8859-5"},
    {"iso_8859-5:1988", "ISO-8859-5"},
    {"arabic", "ISO-8859-6"},
    {"asmo-708", "ISO-8859-6"},
    {"csiso88596e", "ISO-8859-6"},
    {"csiso88596i", "ISO-8859-6"},
    {"csisolatinarabic", "ISO-8859-6"},
    {"ecma-114", "ISO-8859-6"},
    {"iso-8859-6", "ISO-8859-6"},
    {"iso-8859-6-e", "ISO-8859-6"},
    {"iso-8859-6-i", "ISO-8859-6"},
    {"iso-ir-127", "ISO-8859-6"},
    {"iso8859-6", "ISO-8859-6"},
    {"iso88596", "ISO-8859-6"},
    {"iso_8859-6", "ISO-8859-6"},
    {"iso_8859-6:1987", "ISO-8859-6"},
    {"csisolatingreek", "ISO-8859-7"},
    {"ecma-118", "ISO-8859-7"},
    {"elot_928", "ISO-8859-7"},
    {"greek", "ISO-8859-7"},
    {"greek8", "ISO-8859-7"},
    {"iso-8859-7", "ISO-8859-7"},
    {"iso-ir-126", "ISO-8859-7"},
    {"iso8859-7", "ISO-8859-7"},
    {"iso88597", "ISO-8859-7"},
    {"iso_8859-7", "ISO-8859-7"},
    {"iso_8859-7:1987", "ISO-8859-7"},
    {"sun_eu_greek", "ISO-8859-7"},
    {"csiso88598e", "ISO-8859-8"},
    {"csisolatinhebrew", "ISO-8859-8"},
    {"hebrew", "ISO-8859-8"},
    {"iso-8859-8", "ISO-8859-8"},
    {"iso-8859-8-e", "ISO-8859-8"},
    {"iso-ir-138", "ISO-8859-8"},
    {"iso8859-8", "ISO-8859-8"},
    {"iso88598", "ISO-8859-8"},
    {"iso_8859-8", "ISO-8859-8"},
    {"iso_8859-8:1988", "ISO-8859-8"},
    {"visual", "ISO-8859-8"},
    {"csiso88598i", "ISO-8859-8-I"},
    {"iso-8859-8-i", "ISO-8859-8-I"},
    {"logical", "ISO-8859-8-I"},
    {"csisolatin6", "ISO-8859-10"},
    {"iso-8859-10", "ISO-8859-10"},
    {"iso-ir-157", "ISO-8859-10"},
    {"iso8859-10", "ISO-8859-10"},
    {"iso885910", "ISO-8859-10"},
    {"l6", "ISO-8859-10"},
    {"latin6", "ISO-8859-10"},
    {"iso-8859-13", "ISO-8859-13"},
    {"iso8859-13", "ISO-8859-13"},
    {"iso885913", "ISO-8859-13"},
    {"iso-8859-14", "ISO-8859-14"},
    {"iso8859-14", "ISO-8859-14"},
    {"iso885914", "ISO-8859-14"},
    {"csisolatin9", "ISO-8859-15"},
    {"iso-8859-15", "ISO-8859-15"},
    {"iso8859-15", "ISO-8859-15"},
    {"iso885915", "ISO-8859-15"},
    {"iso_8859-15", "ISO-8859-15"},
    {"l9", "ISO-8859-15"},
    {"iso-8859-16", "ISO-8859-16"},
    {"cskoi8r", "KOI8-R"},
    {"koi", "KOI8-R"},
    {"koi8", "KOI8-R"},
    {"koi8-r", "KOI8-R"},
    {"koi8_r", "KOI8-R"},
    {"koi8-ru", "KOI8-U"},
    {"koi8-u", "KOI8-U"},
    {"csmacintosh", "macintosh"},
    {"mac", "macintosh"},
    {"macintosh", "macintosh"},
    {"x-mac-roman", "macintosh"},
    {"dos-874", "windows-874"},
    {"iso-8859-11", "windows-874"},
    {"iso8859-11", "windows-874"},
    {"iso885911", "windows-874"},
    {"tis-620", "windows-874"},
    {"windows-874", "windows-874"},
    {"cp1250", "windows-1250"},
    {"windows-1250", "windows-1250"},
    {"x-cp1250", "windows-1250"},
    {"cp1251", "windows-1251"},
    {"windows-1251", "windows-1251"},
    {"x-cp1251", "windows-1251"},
    {"ansi_x3.4-1968", "windows-1252"},
    {"ascii", "windows-1252"},
    {"cp1252", "windows-1252"},
    {"cp819", "windows-1252"},
    {"csisolatin1", "windows-1252"},
    {"ibm819", "windows-1252"},
    {"iso-8859-1", "windows-1252"},
    {"iso-ir-100", "windows-1252"},
    {"iso8859-1", "windows-1252"},
    {"iso88591", "windows-1252"},
    {"iso_8859-1", "windows-1252"},
    {"iso_8859-1:1987", "windows-1252"},
    {"l1", "windows-1252"},
    {"latin1", "windows-1252"},
    {"us-ascii", "windows-1252"},
    {"windows-1252", "windows-1252"},
    {"x-cp1252", "windows-1252"},
    {"cp1253", "windows-1253"},
    {"windows-1253", "windows-1253"},
    {"x-cp1253", "windows-1253"},
    {"cp1254", "windows-1254"},
    {"csisolatin5", "windows-1254"},
    {"iso-8859-9", "windows-1254"},
    {"iso-ir-148", "windows-1254"},
    {"iso8859-9", "windows-1254"},
    {"iso88599", "windows-1254"},
    {"iso_8859-9", "windows-1254"},
    {"iso_8859-9:1989", "windows-1254"},
    {"l5", "windows-1254"},
    {"latin5", "windows-1254"},
    {"windows-1254", "windows-1254"},
    {"x-cp1254", "windows-1254"},
    {"cp1255", "windows-1255"},
    {"windows-1255", "windows-1255"},
    {"x-cp1255", "windows-1255"},
    {"cp1256", "windows-1256"},
    {"windows-1256", "windows-1256"},
    {"x-cp1256", "windows-1256"},
    {"cp1257", "windows-1257"},
    {"windows-1257", "windows-1257"},
    {"x-cp1257", "windows-1257"},
    {"cp1258", "windows-1258"},
    {"windows-1258", "windows-1258"},
    {"x-cp1258", "windows-1258"},
    {"x-mac-cyrillic", "x-mac-cyrillic"},
    {"x-mac-ukrainian", "x-mac-cyrillic"},
    // Legacy multi-byte Chinese (simplified)
    {"chinese", "GBK"},
    {"csgb2312", "GBK"},
    {"csiso58gb231280", "GBK"},
    {"gb2312", "GBK"},
    {"gb_2312", "GBK"},
    {"gb_2312-80", "GBK"},
    {"gbk", "GBK"},
    {"iso-ir-58", "GBK"},
    {"x-gbk", "GBK"},
    {"gb18030", "gb18030"},
    // Legacy multi-byte Chinese (traditional)
    {"big5", "Big5"},
    {"big5-hkscs", "Big5"},
    {"cn-big5", "Big5"},
    {"csbig5", "Big5"},
    {"x-x-big5", "Big5"},
    // Legacy multi-byte Japanese
    {"cseucpkdfmtjapanese", "EUC-JP"},
    {"euc-jp", "EUC-JP"},
    {"x-euc-jp", "EUC-JP"},
    {"csiso2022jp", "ISO-2022-JP"},
    {"iso-2022-jp", "ISO-2022-JP"},
    {"csshiftjis", "Shift_JIS"},
    {"ms932", "Shift_JIS"},
    {"ms_kanji", "Shift_JIS"},
    {"shift-jis", "Shift_JIS"},
    {"shift_jis", "Shift_JIS"},
    {"sjis", "Shift_JIS"},
    {"windows-31j", "Shift_JIS"},
    {"x-sjis", "Shift_JIS"},
    // Legacy multi-byte Korean
    {"cseuckr", "EUC-KR"},
    {"csksc56011987", "EUC-KR"},
    {"euc-kr", "EUC-KR"},
    {"iso-ir-149", "EUC-KR"},
    {"korean", "EUC-KR"},
    {"ks_c_5601-1987", "EUC-KR"},
    {"ks_c_5601-1989", "EUC-KR"},
    {"ksc5601", "EUC-KR"},
    {"ksc_5601", "EUC-KR"},
    {"windows-949", "EUC-KR"},
    // Legacy miscellaneous
    {"csiso2022kr", "replacement"},
    {"hz-gb-2312", "replacement"},
    {"iso-2022-cn", "replacement"},
    {"iso-2022-cn-ext", "replacement"},
    {"iso-2022-kr", "replacement"},
    {"replacement", "replacement"},
    {"unicodefffe", "UTF-16BE"},
    {"utf-16be", "UTF-16BE"},
    {"csunicode", "UTF-16LE"},
    {"iso-10646-ucs-2", "UTF-16LE"},
    {"ucs-2", "UTF-16LE"},
    {"unicode", "UTF-16LE"},
    {"unicodefeff", "UTF-16LE"},
    {"utf-16", "UTF-16LE"},
    {"utf-16le", "UTF-16LE"},
    {"x-user-defined", "x-user-defined"},
};

const EncodingInfo* FindEncoding(std::string_view name) {
  for (const EncodingInfo& e : kEncodings) {
    if (name == e.name) return &e;
  }
  return nullptr;
}

bool IsUtf16(std::string_view name) { return name == "UTF-16LE" || name == "UTF-16BE"; }

bool HasNonAscii(std::string_view bytes) {
  return std::any_of(bytes.begin(), bytes.end(),
                     [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

// ---------------------------------------------------------------------------------------
// Conversion with ICU.

struct ConverterDeleter {
  void operator()(UConverter* c) const { ucnv_close(c); }
};
using ConverterPtr = std::unique_ptr<UConverter, ConverterDeleter>;

// ICU's default substitution writes U+001A for some unmapped single bytes; WHATWG decoders
// always produce U+FFFD. This callback does that and records that the decode was lossy.
void SubstituteReplacement(const void* context, UConverterToUnicodeArgs* args, const char*, int32_t,
                           UConverterCallbackReason reason, UErrorCode* err) {
  if (reason > UCNV_IRREGULAR) return;  // reset/close/clone notifications
  *static_cast<bool*>(const_cast<void*>(context)) = true;
  static const UChar kReplacement = 0xFFFD;
  *err = U_ZERO_ERROR;
  ucnv_cbToUWriteUChars(args, &kReplacement, 1, 0, err);
}

// Converts `bytes` from the ICU converter `icu_name` to UTF-8. Returns false when ICU has
// no such converter.
bool ConvertWithIcu(std::string_view bytes, const char* icu_name, std::string* out, bool* lossy) {
  if (bytes.size() > kMaxDecodeBytes) return false;  // the int32 casts below would wrap
  UErrorCode err = U_ZERO_ERROR;
  ConverterPtr conv(ucnv_open(icu_name, &err));
  if (U_FAILURE(err) || conv == nullptr) return false;
  bool replaced = false;
  ucnv_setToUCallBack(conv.get(), &SubstituteReplacement, &replaced, nullptr, nullptr, &err);
  if (U_FAILURE(err)) return false;
  // Every input byte yields at most one BMP code point (3 UTF-8 bytes); four-byte sequences
  // yield one supplementary code point (4 bytes): 3 bytes per input byte always suffice.
  std::string buffer(bytes.size() * 3 + 4, '\0');
  int32_t length =
      ucnv_toAlgorithmic(UCNV_UTF8, conv.get(), buffer.data(), static_cast<int32_t>(buffer.size()),
                         bytes.data(), static_cast<int32_t>(bytes.size()), &err);
  if (err == U_BUFFER_OVERFLOW_ERROR) {
    err = U_ZERO_ERROR;
    replaced = false;
    ucnv_reset(conv.get());
    buffer.assign(static_cast<size_t>(length) + 1, '\0');
    length = ucnv_toAlgorithmic(UCNV_UTF8, conv.get(), buffer.data(),
                                static_cast<int32_t>(buffer.size()), bytes.data(),
                                static_cast<int32_t>(bytes.size()), &err);
  }
  if (U_FAILURE(err) && err != U_STRING_NOT_TERMINATED_WARNING) return false;
  buffer.resize(static_cast<size_t>(std::max(length, 0)));
  *out = std::move(buffer);
  *lossy = replaced;
  return true;
}

DecodedPage Utf8Page(std::string_view bytes, CharsetSource source) {
  DecodedPage page{RepairUtf8(bytes), "UTF-8", source, false};
  page.lossy = page.utf8.size() != bytes.size() || page.utf8 != bytes;
  return page;
}

// Decodes with the WHATWG encoding `name`; nullopt when ICU cannot (the caller then moves
// on to the next step of the cascade).
std::optional<DecodedPage> Convert(std::string_view bytes, std::string_view name,
                                   CharsetSource source) {
  if (name == "UTF-8") return Utf8Page(bytes, source);
  const EncodingInfo* info = FindEncoding(name);
  if (info == nullptr || info->icu == nullptr) return std::nullopt;
  DecodedPage page{{}, info->name, source, false};
  if (!ConvertWithIcu(bytes, info->icu, &page.utf8, &page.lossy)) return std::nullopt;
  return page;
}

// ---------------------------------------------------------------------------------------
// Declarations.

// What a declared label means for decoding: WHATWG maps x-user-defined to windows-1252 in
// the prescan, and its private-use output is useless as text anywhere, so we do the same
// for the header. "replacement" (ISO-2022-KR/CN, HZ) would turn the page into one U+FFFD:
// such a declaration is ignored and the cascade goes on.
std::optional<std::string> UsableDeclaration(std::string_view label) {
  std::optional<std::string> name = CanonicalEncoding(label);
  if (!name || *name == "replacement") return std::nullopt;
  if (*name == "x-user-defined") return "windows-1252";
  return name;
}

// Decodes with a declared encoding, unless the bytes overrule it. Pages lie: a legacy
// declaration on bytes that are valid UTF-8 with multi-byte sequences is taken to be UTF-8
// (a legacy page almost never happens to be valid UTF-8 once it has non-ASCII bytes).
std::optional<DecodedPage> DecodeDeclared(std::string_view bytes, const std::string& name,
                                          CharsetSource source) {
  if (name == "UTF-8") return Utf8Page(bytes, source);
  bool valid_utf8 = IsValidUtf8(bytes);
  if (IsUtf16(name)) {
    // A header claiming UTF-16 over a page without NUL bytes (every ASCII character in
    // UTF-16 has one) is wrong about the page.
    if (valid_utf8 && bytes.find('\0') == std::string_view::npos) {
      return Utf8Page(bytes, CharsetSource::kUtf8Bytes);
    }
    return Convert(bytes, name, source);
  }
  if (valid_utf8 && HasNonAscii(bytes)) return Utf8Page(bytes, CharsetSource::kUtf8Bytes);
  return Convert(bytes, name, source);
}

struct Bom {
  const char* encoding;
  size_t length;
};

std::optional<Bom> SniffBom(std::string_view bytes) {
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") return Bom{"UTF-8", 3};
  if (bytes.substr(0, 2) == "\xFE\xFF") return Bom{"UTF-16BE", 2};
  if (bytes.substr(0, 2) == "\xFF\xFE") return Bom{"UTF-16LE", 2};
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------
// The WHATWG <meta> prescan (HTML standard 13.2.3.2).

// "Extracting a character encoding from a meta element": the charset=... inside a
// http-equiv content value.
std::optional<std::string> CharsetFromMetaContent(std::string_view content) {
  size_t pos = 0;
  for (;;) {
    std::string lower = AsciiLower(content.substr(pos));
    size_t found = lower.find("charset");
    if (found == std::string::npos) return std::nullopt;
    pos += found + 7;
    size_t p = pos;
    while (p < content.size() && IsHtmlSpace(content[p])) ++p;
    if (p >= content.size() || content[p] != '=') continue;  // "charset" not followed by '='
    ++p;
    while (p < content.size() && IsHtmlSpace(content[p])) ++p;
    if (p >= content.size()) return std::nullopt;
    char quote = content[p];
    if (quote == '"' || quote == '\'') {
      size_t end = content.find(quote, p + 1);
      if (end == std::string_view::npos) return std::nullopt;
      return std::string(content.substr(p + 1, end - p - 1));
    }
    size_t end = p;
    while (end < content.size() && !IsHtmlSpace(content[end]) && content[end] != ';') ++end;
    return std::string(content.substr(p, end - p));
  }
}

class MetaPrescan {
 public:
  explicit MetaPrescan(std::string_view bytes) : s_(bytes.substr(0, kPrescanBytes)) {}

  // The encoding the first <meta> that declares one names, or nullopt.
  std::optional<std::string> Run() {
    while (pos_ < s_.size()) {
      if (Starts("<!--")) {
        // The comment ends at the first "-->" whose dashes may be those of "<!--".
        size_t end = s_.find("-->", pos_ + 2);
        if (end == std::string_view::npos) return std::nullopt;
        pos_ = end + 3;
      } else if (StartsMeta()) {
        pos_ += 6;
        if (auto found = ReadMeta()) return found;
      } else if (StartsTag()) {
        SkipTag();
      } else if (Starts("<!") || Starts("</") || Starts("<?")) {
        size_t end = s_.find('>', pos_ + 2);
        if (end == std::string_view::npos) return std::nullopt;
        pos_ = end + 1;
      } else {
        ++pos_;
      }
    }
    return std::nullopt;
  }

 private:
  struct Attr {
    std::string name;
    std::string value;
  };

  bool Starts(std::string_view prefix) const { return s_.substr(pos_, prefix.size()) == prefix; }

  bool StartsMeta() const {
    if (pos_ + 6 > s_.size()) return false;
    if (AsciiLower(s_.substr(pos_, 5)) != "<meta") return false;
    char after = s_[pos_ + 5];
    return IsHtmlSpace(after) || after == '/';
  }

  bool StartsTag() const {
    if (pos_ + 1 >= s_.size() || s_[pos_] != '<') return false;
    size_t p = pos_ + 1;
    if (s_[p] == '/') ++p;
    if (p >= s_.size()) return false;
    return IsAsciiAlpha(s_[p]);
  }

  void SkipTag() {
    while (pos_ < s_.size() && !IsHtmlSpace(s_[pos_]) && s_[pos_] != '>') ++pos_;
    while (GetAttribute()) {
    }
    if (pos_ < s_.size() && s_[pos_] == '>') ++pos_;
  }

  // The attributes of one <meta>, deciding as the standard's "processing" step does.
  std::optional<std::string> ReadMeta() {
    std::vector<std::string> seen;
    bool got_pragma = false;
    std::optional<bool> need_pragma;
    std::optional<std::string> charset;
    while (auto attr = GetAttribute()) {
      if (std::find(seen.begin(), seen.end(), attr->name) != seen.end()) continue;
      seen.push_back(attr->name);
      if (attr->name == "http-equiv") {
        if (attr->value == "content-type") got_pragma = true;
      } else if (attr->name == "content") {
        if (auto label = CharsetFromMetaContent(attr->value); label && !charset) {
          charset = CanonicalEncoding(*label).value_or("");
          need_pragma = true;
        }
      } else if (attr->name == "charset") {
        charset = CanonicalEncoding(attr->value).value_or("");
        need_pragma = false;
      }
    }
    if (!need_pragma || (*need_pragma && !got_pragma)) return std::nullopt;
    if (!charset || charset->empty()) return std::nullopt;
    if (IsUtf16(*charset)) return "UTF-8";  // a page that can declare itself is not UTF-16
    if (*charset == "x-user-defined") return "windows-1252";
    return charset;
  }

  // "Get an attribute"; nullopt when there is none (at '>' or at the end).
  std::optional<Attr> GetAttribute() {
    while (pos_ < s_.size() && (IsHtmlSpace(s_[pos_]) || s_[pos_] == '/')) ++pos_;
    if (pos_ >= s_.size() || s_[pos_] == '>') return std::nullopt;
    Attr attr;
    // Name.
    for (;; ++pos_) {
      if (pos_ >= s_.size()) return std::nullopt;
      char c = s_[pos_];
      if (c == '=' && !attr.name.empty()) break;
      if (IsHtmlSpace(c)) {
        while (pos_ < s_.size() && IsHtmlSpace(s_[pos_])) ++pos_;
        if (pos_ >= s_.size() || s_[pos_] != '=') return attr;
        break;
      }
      if (c == '/' || c == '>') return attr;
      attr.name.push_back(AsciiLower(c));
    }
    ++pos_;  // '='
    while (pos_ < s_.size() && IsHtmlSpace(s_[pos_])) ++pos_;
    if (pos_ >= s_.size()) return std::nullopt;
    char quote = s_[pos_];
    if (quote == '"' || quote == '\'') {
      for (++pos_; pos_ < s_.size(); ++pos_) {
        if (s_[pos_] == quote) {
          ++pos_;
          return attr;
        }
        attr.value.push_back(AsciiLower(s_[pos_]));
      }
      return std::nullopt;
    }
    if (quote == '>') return attr;
    for (; pos_ < s_.size(); ++pos_) {
      char c = s_[pos_];
      if (IsHtmlSpace(c) || c == '>') return attr;
      attr.value.push_back(AsciiLower(c));
    }
    return std::nullopt;
  }

  std::string_view s_;
  size_t pos_ = 0;
};

// ---------------------------------------------------------------------------------------
// Detection.

struct DetectorDeleter {
  void operator()(UCharsetDetector* d) const { ucsdet_close(d); }
};

// ICU's statistical guess, when it names an encoding we decode and is confident enough.
std::optional<std::string> Detect(std::string_view bytes) {
  UErrorCode err = U_ZERO_ERROR;
  std::unique_ptr<UCharsetDetector, DetectorDeleter> detector(ucsdet_open(&err));
  if (U_FAILURE(err)) return std::nullopt;
  std::string_view sample = bytes.substr(0, kDetectionSampleBytes);
  ucsdet_setText(detector.get(), sample.data(), static_cast<int32_t>(sample.size()), &err);
  ucsdet_enableInputFilter(detector.get(), true);  // ignore markup, judge the text
  const UCharsetMatch* match = ucsdet_detect(detector.get(), &err);
  if (U_FAILURE(err) || match == nullptr) return std::nullopt;
  const char* name = ucsdet_getName(match, &err);
  int32_t confidence = ucsdet_getConfidence(match, &err);
  if (U_FAILURE(err) || name == nullptr || confidence < kMinDetectionConfidence) {
    return std::nullopt;
  }
  std::optional<std::string> canonical = CanonicalEncoding(name);
  // UTF-8 cannot be right (the bytes are not valid UTF-8 when we get here), nor UTF-16
  // without a BOM on an HTML page.
  if (!canonical || *canonical == "UTF-8" || IsUtf16(*canonical) || *canonical == "replacement" ||
      *canonical == "x-user-defined") {
    return std::nullopt;
  }
  return canonical;
}

}  // namespace

std::optional<std::string> CanonicalEncoding(std::string_view label) {
  static const auto* const kByLabel = [] {
    auto* map = new std::unordered_map<std::string_view, const char*>();
    for (const LabelEntry& e : kLabels) map->emplace(e.label, e.name);
    return map;
  }();
  std::string key = AsciiLower(TrimHtmlSpace(label));
  auto it = kByLabel->find(key);
  if (it == kByLabel->end()) return std::nullopt;
  return std::string(it->second);
}

std::optional<std::string> CharsetFromContentType(std::string_view content_type) {
  // Parameters follow the MIME type, separated by ';'; a quoted value may hold ';'.
  size_t pos = content_type.find(';');
  while (pos != std::string_view::npos && pos < content_type.size()) {
    ++pos;
    size_t eq = content_type.find_first_of("=;", pos);
    if (eq == std::string_view::npos) return std::nullopt;
    if (content_type[eq] == ';') {
      pos = eq;
      continue;
    }
    std::string name = AsciiLower(TrimHtmlSpace(content_type.substr(pos, eq - pos)));
    size_t v = eq + 1;
    while (v < content_type.size() && IsHtmlSpace(content_type[v])) ++v;
    std::string value;
    size_t next;
    if (v < content_type.size() && content_type[v] == '"') {
      size_t end = v + 1;
      for (; end < content_type.size() && content_type[end] != '"'; ++end) {
        if (content_type[end] == '\\' && end + 1 < content_type.size()) ++end;
        value.push_back(content_type[end]);
      }
      next = content_type.find(';', end);
    } else {
      next = content_type.find(';', v);
      value = std::string(TrimHtmlSpace(content_type.substr(
          v, next == std::string_view::npos ? std::string_view::npos : next - v)));
    }
    if (name == "charset" && !value.empty()) return value;
    pos = next;
  }
  return std::nullopt;
}

DecodedPage DecodeToUtf8(std::string_view bytes, std::string_view content_type) {
  // 0. Too long for ICU's int32 lengths: refused whole rather than silently cut short.
  if (bytes.size() > kMaxDecodeBytes) {
    return DecodedPage{"\xEF\xBF\xBD", "replacement", CharsetSource::kDefault, true};
  }
  // 1. Byte order mark: certain, and dropped from the output.
  if (auto bom = SniffBom(bytes)) {
    if (auto page = Convert(bytes.substr(bom->length), bom->encoding, CharsetSource::kBom)) {
      return *page;
    }
  }
  // 2. The Content-Type header's charset.
  if (auto label = CharsetFromContentType(content_type)) {
    if (auto name = UsableDeclaration(*label)) {
      if (auto page = DecodeDeclared(bytes, *name, CharsetSource::kHeader)) return *page;
    }
  }
  // 3. <meta charset> / <meta http-equiv> in the first 1024 bytes.
  if (auto declared = MetaPrescan(bytes).Run()) {
    if (auto name = UsableDeclaration(*declared)) {
      if (auto page = DecodeDeclared(bytes, *name, CharsetSource::kMeta)) return *page;
    }
  }
  // 4. Undeclared but valid UTF-8 (pure ASCII included).
  if (IsValidUtf8(bytes))
    return DecodedPage{std::string(bytes), "UTF-8", CharsetSource::kUtf8Bytes};
  // 5. Statistical detection, when confident.
  if (auto detected = Detect(bytes)) {
    if (auto page = Convert(bytes, *detected, CharsetSource::kDetected)) return *page;
  }
  // 6. The WHATWG default for our locales.
  if (auto page = Convert(bytes, "windows-1252", CharsetSource::kDefault)) return *page;
  return Utf8Page(bytes, CharsetSource::kDefault);  // ICU without windows-1252: still valid
}

}  // namespace gleaner::html
