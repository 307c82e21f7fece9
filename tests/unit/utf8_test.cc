// The one UTF-8 decoder, validator and repairer (extractors/core/utf8.h), and the ASCII
// helpers (extractors/core/ascii.h).
#include "extractors/core/utf8.h"

#include <catch2/catch.hpp>
#include <string>

#include "extractors/core/ascii.h"

namespace gleaner {
namespace {

struct Case {
  const char* name;
  std::string in;
  std::string repaired;
};

const Case kCases[] = {
    {"ASCII", "plain", "plain"},
    {"two, three and four bytes", "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80",
     "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"},
    {"a lone continuation byte", "a\x80z", "a\uFFFDz"},
    {"bytes that never start a sequence", "\xC0\xC1\xF5\xFF", "\uFFFD\uFFFD\uFFFD\uFFFD"},
    {"overlong '/' in two bytes", "\xC0\xAF", "\uFFFD\uFFFD"},
    {"overlong in three bytes", "\xE0\x80\xAF", "\uFFFD\uFFFD\uFFFD"},
    {"overlong in four bytes", "\xF0\x80\x80\xAF", "\uFFFD\uFFFD\uFFFD\uFFFD"},
    {"surrogate", "\xED\xA0\x80", "\uFFFD\uFFFD\uFFFD"},
    {"above U+10FFFF", "\xF4\x90\x80\x80", "\uFFFD\uFFFD\uFFFD\uFFFD"},
    {"U+10FFFF itself", "\xF4\x8F\xBF\xBF", "\xF4\x8F\xBF\xBF"},
    {"truncated three-byte sequence mid-text: one maximal subpart", "a\xE2\x82z", "a\uFFFDz"},
    {"truncated four-byte sequence at the end", "a\xF0\x9F\x98", "a\uFFFD"},
    {"truncated two-byte sequence at the end", "a\xC3", "a\uFFFD"},
    {"a valid sequence after a broken one", "\xE2\x82\xC3\xA9", "\uFFFD\xC3\xA9"},
};

TEST_CASE("RepairUtf8 writes one U+FFFD per maximal subpart", "[utf8]") {
  for (const Case& c : kCases) {
    INFO(c.name);
    CHECK(RepairUtf8(c.in) == c.repaired);
    CHECK(IsValidUtf8(c.in) == (c.in == c.repaired));
    CHECK(IsValidUtf8(RepairUtf8(c.in)));
  }
}

TEST_CASE("DecodeUtf8 reads one code point or one maximal subpart", "[utf8]") {
  std::string s = "\xE2\x82\xAC";
  DecodedCodePoint euro = DecodeUtf8(s, 0);
  CHECK(euro.valid);
  CHECK(euro.code_point == 0x20AC);
  CHECK(euro.length == 3);
  std::string broken = "\xF0\x9F\x98x";
  DecodedCodePoint d = DecodeUtf8(broken, 0);
  CHECK_FALSE(d.valid);
  CHECK(d.code_point == kReplacementCharacter);
  CHECK(d.length == 3);
  CHECK(DecodeUtf8(broken, 3).code_point == 'x');
}

TEST_CASE("AppendUtf8 encodes what DecodeUtf8 decodes", "[utf8]") {
  for (char32_t cp : {0x24u, 0xA2u, 0x7FFu, 0x800u, 0x20ACu, 0xFFFDu, 0x10000u, 0x10FFFFu}) {
    std::string out;
    AppendUtf8(out, cp);
    DecodedCodePoint d = DecodeUtf8(out, 0);
    CHECK(d.valid);
    CHECK(d.code_point == cp);
    CHECK(d.length == out.size());
  }
}

TEST_CASE("ASCII helpers leave non-ASCII bytes alone", "[ascii]") {
  CHECK(AsciiLower("MiXeD \xC3\x89T\xC3\x89") == "mixed \xC3\x89t\xC3\x89");
  CHECK(EqualsIgnoreCase("Content-Type", "content-TYPE"));
  CHECK_FALSE(EqualsIgnoreCase("type", "types"));
  CHECK(StartsWithIgnoreCase("<SCRIPT>", "<script"));
  CHECK(TrimHtmlSpace("\t\n x \f\r") == "x");
  CHECK(TrimHtmlSpace("\vx") == "\vx");  // vertical tab is not HTML white space
  CHECK(TrimCSpace("\v x \v") == "x");
  CHECK(TrimHttpSpace(" \tx\n") == "x\n");  // only space and tab
  CHECK_FALSE(IsHtmlSpace('\xA0'));
}

}  // namespace
}  // namespace gleaner
