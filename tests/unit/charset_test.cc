// Charset decisions as browsers make them (WHATWG), plus "pages lie".
#include "extractors/html/charset.h"

#include <sys/mman.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "extractors/core/utf8.h"

namespace gleaner::html {
namespace {

std::u32string CodePoints(const std::string& utf8) {
  std::u32string out;
  for (size_t i = 0; i < utf8.size();) {
    unsigned char c = static_cast<unsigned char>(utf8[i]);
    int n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    char32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
    for (int k = 1; k < n && i + k < utf8.size(); ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3F);
    }
    out.push_back(cp);
    i += n;
  }
  return out;
}

std::string ReadFixture(const std::string& slug) {
  std::ifstream in(
      std::string(GLEANER_SOURCE_DIR) + "/tests/fixtures/pages/" + slug + "/source.html",
      std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

TEST_CASE("labels map to WHATWG names", "[charset]") {
  struct Case {
    const char* label;
    const char* name;
  };
  const Case cases[] = {
      {"utf-8", "UTF-8"},
      {"UTF8", "UTF-8"},
      {"  Utf-8\t", "UTF-8"},
      {"unicode-1-1-utf-8", "UTF-8"},
      {"latin1", "windows-1252"},
      {"ISO-8859-1", "windows-1252"},
      {"ascii", "windows-1252"},
      {"us-ascii", "windows-1252"},
      {"cp1252", "windows-1252"},
      {"cp1256", "windows-1256"},
      {"windows-1256", "windows-1256"},
      {"x-cp1256", "windows-1256"},
      {"iso-8859-9", "windows-1254"},
      {"tis-620", "windows-874"},
      {"arabic", "ISO-8859-6"},
      {"iso-8859-6-i", "ISO-8859-6"},
      {"gb2312", "GBK"},
      {"GB18030", "gb18030"},
      {"big5-hkscs", "Big5"},
      {"shift-jis", "Shift_JIS"},
      {"ks_c_5601-1987", "EUC-KR"},
      {"koi8", "KOI8-R"},
      {"mac", "macintosh"},
      {"utf-16", "UTF-16LE"},
      {"utf-16be", "UTF-16BE"},
      {"iso-2022-kr", "replacement"},
      {"x-user-defined", "x-user-defined"},
  };
  for (const Case& c : cases) {
    INFO(c.label);
    CHECK(CanonicalEncoding(c.label) == std::optional<std::string>(c.name));
  }
  CHECK_FALSE(CanonicalEncoding("utf-7").has_value());
  CHECK_FALSE(CanonicalEncoding("").has_value());
  CHECK_FALSE(CanonicalEncoding("latin-1").has_value());
}

TEST_CASE("the charset parameter is read from a Content-Type value", "[charset]") {
  CHECK(CharsetFromContentType("text/html; charset=UTF-8") == std::optional<std::string>("UTF-8"));
  CHECK(CharsetFromContentType("text/html;charset=\"windows-1256\"") ==
        std::optional<std::string>("windows-1256"));
  CHECK(CharsetFromContentType("text/html; foo=\"a;b\"; Charset = latin1 ") ==
        std::optional<std::string>("latin1"));
  CHECK_FALSE(CharsetFromContentType("text/html").has_value());
  CHECK_FALSE(CharsetFromContentType("").has_value());
  CHECK_FALSE(CharsetFromContentType("text/html; charset=").has_value());
}

const std::string kCafeLatin1 = "<p>caf\xE9 cr\xE8me br\xFBl\xE9\x65</p>";

TEST_CASE("precedence: BOM, header, meta, UTF-8 bytes, detection, default", "[charset]") {
  const std::string meta_1256 = "<meta charset=\"windows-1256\">";
  SECTION("a BOM beats the header and the meta") {
    auto page = DecodeToUtf8("\xEF\xBB\xBF" + meta_1256 + "\xC3\xA9", "text/html; charset=latin1");
    CHECK(page.source == CharsetSource::kBom);
    CHECK(page.encoding == "UTF-8");
    CHECK(page.utf8 == meta_1256 + "\u00e9");  // BOM dropped
  }
  SECTION("the header beats the meta") {
    auto page = DecodeToUtf8(meta_1256 + kCafeLatin1, "text/html; charset=iso-8859-1");
    CHECK(page.source == CharsetSource::kHeader);
    CHECK(page.encoding == "windows-1252");
    CHECK(page.utf8 == meta_1256 + "<p>caf\u00e9 cr\u00e8me br\u00fbl\u00e9e</p>");
  }
  SECTION("the meta applies when the header has no charset") {
    auto page = DecodeToUtf8(meta_1256 + "\xC7\xE1\xE3\xDB\xD1\xC8", "text/html");
    CHECK(page.source == CharsetSource::kMeta);
    CHECK(page.encoding == "windows-1256");
    CHECK(page.utf8 == meta_1256 + "\u0627\u0644\u0645\u063a\u0631\u0628");
  }
  SECTION("undeclared valid UTF-8 is UTF-8") {
    auto page = DecodeToUtf8("<p>caf\xC3\xA9</p>");
    CHECK(page.source == CharsetSource::kUtf8Bytes);
    CHECK(page.encoding == "UTF-8");
    CHECK(page.utf8 == "<p>caf\u00e9</p>");
  }
  SECTION("undeclared ASCII is UTF-8") {
    auto page = DecodeToUtf8("<p>plain</p>");
    CHECK(page.source == CharsetSource::kUtf8Bytes);
    CHECK(page.encoding == "UTF-8");
  }
  SECTION("nothing declared and too little to detect: windows-1252") {
    auto page = DecodeToUtf8("caf\xE9");
    CHECK(page.source == CharsetSource::kDefault);
    CHECK(page.encoding == "windows-1252");
    CHECK(page.utf8 == "caf\u00e9");
    CHECK_FALSE(page.lossy);
  }
}

// ICU counts lengths in int32: a page of 4 GiB + 16 bytes would be read as 16 bytes (and its
// 12 GiB output buffer allocated first). Callers cap pages far below; this is the decoder's
// own guard. The pages are reserved, never written, so the test costs no memory.
TEST_CASE("input too long for ICU's int32 lengths is refused whole, not truncated", "[charset]") {
  const size_t size = (size_t{1} << 32) + 16;
  void* pages = mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  REQUIRE(pages != MAP_FAILED);
  std::string_view bytes(static_cast<const char*>(pages), size);
  for (const char* content_type : {"text/html; charset=windows-1256", "text/html"}) {
    INFO(content_type);
    DecodedPage page = DecodeToUtf8(bytes, content_type);
    CHECK(page.utf8 == "\xEF\xBF\xBD");
    CHECK(page.encoding == "replacement");
    CHECK(page.lossy);
  }
  munmap(pages, size);
  REQUIRE(kMaxDecodeBytes < size_t{INT32_MAX} / 3);
}

TEST_CASE("the cp1256 fixture is decoded from its meta http-equiv", "[charset]") {
  std::string bytes = ReadFixture("maghress-ar-2022-10-31-cp1256");
  REQUIRE(!bytes.empty());
  auto page = DecodeToUtf8(bytes, "text/html");
  CHECK(page.encoding == "windows-1256");
  CHECK(page.source == CharsetSource::kMeta);
  CHECK_FALSE(page.lossy);
  CHECK(page.utf8.find("\u0645\u0633\u0624\u0648\u0644 \u0645\u064e\u063a\u0631\u0628\u064a") !=
        std::string::npos);  // "مسؤول مَغربي" from the title

  SECTION("and detected as windows-1256 without its declaration") {
    size_t meta = bytes.find("<meta http-equiv=\"Content-Type\"");
    REQUIRE(meta != std::string::npos);
    bytes.erase(meta, bytes.find('>', meta) + 1 - meta);
    auto detected = DecodeToUtf8(bytes, "text/html");
    CHECK(detected.source == CharsetSource::kDetected);
    CHECK(detected.encoding == "windows-1256");
    CHECK(detected.utf8 ==
          page.utf8.substr(0, meta) + page.utf8.substr(page.utf8.find('>', meta) + 1));
  }
}

TEST_CASE("the meta prescan follows the HTML standard", "[charset]") {
  const std::string arabic = "\xC7\xE1\xE3";  // "الم" in windows-1256
  struct Case {
    std::string head;
    const char* encoding;  // nullptr: the meta must be ignored
  };
  const Case cases[] = {
      {"<meta charset=windows-1256>", "windows-1256"},
      {"<META CHARSET='CP1256'/>", "windows-1256"},
      {"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1256\">",
       "windows-1256"},
      {"<meta content='text/html;charset=\"cp1256\"' http-equiv=content-type>", "windows-1256"},
      {"<meta content=\"text/html; charset=windows-1256\">", nullptr},  // no http-equiv
      {"<!-- <meta charset=windows-1256> -->", nullptr},
      {"<div title='<meta charset=windows-1256>'></div>", nullptr},
      {"<meta charset=bogus><meta charset=windows-1256>", "windows-1256"},
      {"<meta charset=utf-16>", "UTF-8"},
      {"<meta charset=x-user-defined>", "windows-1252"},
      {"<!--><meta charset=windows-1256>", "windows-1256"},
      {std::string(1100, ' ') + "<meta charset=windows-1256>", nullptr},  // past 1024 bytes
  };
  for (const Case& c : cases) {
    INFO(c.head);
    auto page = DecodeToUtf8(c.head + arabic, "text/html");
    if (c.encoding != nullptr) {
      CHECK(page.source == CharsetSource::kMeta);
      CHECK(page.encoding == c.encoding);
    } else {
      CHECK(page.source != CharsetSource::kMeta);
    }
  }
}

TEST_CASE("byte order marks", "[charset]") {
  SECTION("UTF-16LE") {
    std::string bytes("\xFF\xFE<\0p\0>\0\xE9\0'\x06", 12);
    auto page = DecodeToUtf8(bytes, "text/html; charset=windows-1256");
    CHECK(page.source == CharsetSource::kBom);
    CHECK(page.encoding == "UTF-16LE");
    CHECK(page.utf8 == "<p>\u00e9\u0627");
  }
  SECTION("UTF-16BE") {
    std::string bytes("\xFE\xFF\0<\0p\0>\0\xE9", 10);
    auto page = DecodeToUtf8(bytes);
    CHECK(page.encoding == "UTF-16BE");
    CHECK(page.utf8 == "<p>\u00e9");
  }
  SECTION("UTF-8, with an invalid byte after it") {
    auto page = DecodeToUtf8("\xEF\xBB\xBF\x61\xFF");
    CHECK(page.encoding == "UTF-8");
    CHECK(page.utf8 == "a\uFFFD");
    CHECK(page.lossy);
  }
  SECTION("a lone BOM") {
    auto page = DecodeToUtf8("\xEF\xBB\xBF");
    CHECK(page.source == CharsetSource::kBom);
    CHECK(page.utf8.empty());
  }
}

TEST_CASE("pages that lie about a legacy charset are read as their UTF-8 bytes", "[charset]") {
  const std::string utf8_arabic = "<p>\u0627\u0644\u0645\u063a\u0631\u0628</p>";
  auto by_header = DecodeToUtf8(utf8_arabic, "text/html; charset=windows-1256");
  CHECK(by_header.source == CharsetSource::kUtf8Bytes);
  CHECK(by_header.encoding == "UTF-8");
  CHECK(by_header.utf8 == utf8_arabic);

  auto by_meta = DecodeToUtf8("<meta charset=iso-8859-1><p>caf\u00e9</p>");
  CHECK(by_meta.source == CharsetSource::kUtf8Bytes);
  CHECK(by_meta.utf8 == "<meta charset=iso-8859-1><p>caf\u00e9</p>");

  // ASCII-only bytes prove nothing: the declaration stands.
  auto ascii = DecodeToUtf8("<p>plain</p>", "text/html; charset=latin1");
  CHECK(ascii.source == CharsetSource::kHeader);
  CHECK(ascii.encoding == "windows-1252");

  // A header claiming UTF-16 over a page with no NUL byte is wrong about it.
  auto utf16 = DecodeToUtf8("<p>plain</p>", "text/html; charset=utf-16");
  CHECK(utf16.encoding == "UTF-8");
  CHECK(utf16.utf8 == "<p>plain</p>");

  // A declared UTF-8 page with bad bytes stays UTF-8, repaired.
  auto bad = DecodeToUtf8("caf\xE9 \xE2\x82 ok", "text/html; charset=utf-8");
  CHECK(bad.source == CharsetSource::kHeader);
  CHECK(bad.encoding == "UTF-8");
  CHECK(bad.utf8 == "caf\uFFFD \uFFFD ok");
  CHECK(bad.lossy);
}

TEST_CASE("a 'replacement' declaration is ignored rather than blanking the page", "[charset]") {
  auto page = DecodeToUtf8("<p>caf\xC3\xA9</p>", "text/html; charset=iso-2022-kr");
  CHECK(page.encoding == "UTF-8");
  CHECK(page.utf8 == "<p>caf\u00e9</p>");
}

TEST_CASE("windows-1256 maps every byte as WHATWG's index does", "[charset]") {
  // index-windows-1256.txt, pointers 0..127 (bytes 0x80..0xFF).
  const char32_t kIndex[128] = {
      0x20AC, 0x067E, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0679,
      0x2039, 0x0152, 0x0686, 0x0698, 0x0688, 0x06AF, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
      0x2013, 0x2014, 0x06A9, 0x2122, 0x0691, 0x203A, 0x0153, 0x200C, 0x200D, 0x06BA, 0x00A0,
      0x060C, 0x00A2, 0x00A3, 0x00A4, 0x00A5, 0x00A6, 0x00A7, 0x00A8, 0x00A9, 0x06BE, 0x00AB,
      0x00AC, 0x00AD, 0x00AE, 0x00AF, 0x00B0, 0x00B1, 0x00B2, 0x00B3, 0x00B4, 0x00B5, 0x00B6,
      0x00B7, 0x00B8, 0x00B9, 0x061B, 0x00BB, 0x00BC, 0x00BD, 0x00BE, 0x061F, 0x06C1, 0x0621,
      0x0622, 0x0623, 0x0624, 0x0625, 0x0626, 0x0627, 0x0628, 0x0629, 0x062A, 0x062B, 0x062C,
      0x062D, 0x062E, 0x062F, 0x0630, 0x0631, 0x0632, 0x0633, 0x0634, 0x0635, 0x0636, 0x00D7,
      0x0637, 0x0638, 0x0639, 0x063A, 0x0640, 0x0641, 0x0642, 0x0643, 0x00E0, 0x0644, 0x00E2,
      0x0645, 0x0646, 0x0647, 0x0648, 0x00E7, 0x00E8, 0x00E9, 0x00EA, 0x00EB, 0x0649, 0x064A,
      0x00EE, 0x00EF, 0x064B, 0x064C, 0x064D, 0x064E, 0x00F4, 0x064F, 0x0650, 0x00F7, 0x0651,
      0x00F9, 0x0652, 0x00FB, 0x00FC, 0x200E, 0x200F, 0x06D2};
  std::string bytes;
  for (int b = 0x80; b <= 0xFF; ++b) bytes.push_back(static_cast<char>(b));
  auto page = DecodeToUtf8(bytes, "text/html; charset=cp1256");
  REQUIRE(page.encoding == "windows-1256");
  CHECK_FALSE(page.lossy);
  CHECK(CodePoints(page.utf8) == std::u32string(kIndex, 128));
}

TEST_CASE("windows-1252 maps 0x80..0x9F as WHATWG does", "[charset]") {
  const char32_t kIndex[32] = {0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
                               0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
                               0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                               0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};
  std::string bytes;
  for (int b = 0x80; b <= 0x9F; ++b) bytes.push_back(static_cast<char>(b));
  auto page = DecodeToUtf8(bytes, "text/html; charset=latin1");
  REQUIRE(page.encoding == "windows-1252");
  CHECK(CodePoints(page.utf8) == std::u32string(kIndex, 32));
}

TEST_CASE("UTF-8 validation and repair", "[charset]") {
  CHECK(IsValidUtf8(""));
  CHECK(IsValidUtf8("caf\u00e9 \U0001F600"));
  CHECK_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  CHECK_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  CHECK_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  CHECK_FALSE(IsValidUtf8("\xE2\x82"));          // truncated
  CHECK(RepairUtf8("a\xC0\xAF"
                   "b") == "a\uFFFD\uFFFDb");
  CHECK(RepairUtf8("a\xE2\x82"
                   "b") == "a\uFFFDb");  // one maximal subpart
  CHECK(RepairUtf8("\xF0\x9F\x98") == "\uFFFD");
  CHECK(RepairUtf8("ok \u00e9") == "ok \u00e9");
}

TEST_CASE("empty input decodes to empty UTF-8", "[charset]") {
  auto page = DecodeToUtf8("", "text/html; charset=windows-1256");
  CHECK(page.utf8.empty());
  CHECK_FALSE(page.lossy);
  CHECK(DecodeToUtf8("").utf8.empty());
}

TEST_CASE("random bytes always decode to valid UTF-8", "[charset]") {
  std::mt19937 rng(20240611);  // fixed seed: the same buffers on every run
  const char* content_types[] = {"",
                                 "text/html",
                                 "text/html; charset=utf-8",
                                 "text/html; charset=windows-1256",
                                 "text/html; charset=utf-16",
                                 "text/html; charset=shift_jis",
                                 "text/html; charset=iso-2022-jp",
                                 "text/html; charset=gb18030"};
  const std::string prefixes[] = {"",         "\xEF\xBB\xBF",        "\xFF\xFE",
                                  "\xFE\xFF", "<meta charset=big5>", "<meta charset=euc-kr>"};
  for (int i = 0; i < 3000; ++i) {
    std::string bytes = prefixes[rng() % std::size(prefixes)];
    size_t length = rng() % 300;
    for (size_t k = 0; k < length; ++k) bytes.push_back(static_cast<char>(rng() & 0xFF));
    const char* content_type = content_types[rng() % std::size(content_types)];
    DecodedPage page = DecodeToUtf8(bytes, content_type);
    INFO("buffer " << i);
    REQUIRE(IsValidUtf8(page.utf8));
    REQUIRE(!page.encoding.empty());
    REQUIRE(IsValidUtf8(RepairUtf8(bytes)));
  }
}

}  // namespace
}  // namespace gleaner::html
