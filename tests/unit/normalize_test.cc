// Every text field of the record takes CleanText's form (docs/CONTRACT.md "body"): what a diff
// between two runs, or a consumer comparing titles, would notice.
#include "extractors/text/normalize.h"

#include <catch2/catch.hpp>
#include <string>

namespace gleaner::text {
namespace {

struct Row {
  const char* in;
  const char* out;
};

TEST_CASE("CleanText trims, collapses white space and composes", "[normalize]") {
  const Row rows[] = {
      {"", ""},
      {"   ", ""},
      {"plain", "plain"},
      {"  deux   mots \n", "deux mots"},
      {"\t\r\n\fa\t\r\n\fb\t", "a b"},
      {"\u00A0Le\u00A0\u00A0Maroc\u00A0", "Le Maroc"},       // no-break spaces
      {"100\u202F%", "100 %"},                               // narrow no-break space
      {"a\u2003\u2009b\u3000c\u205Fd\u1680e", "a b c d e"},  // em/thin/ideographic/...
      {"ligne\u2028suite\u2029fin", "ligne suite fin"},      // line/paragraph separators
      {"e\u0301te\u0301", "\u00E9t\u00E9"},                  // decomposed accents -> NFC
      {"  Cafe\u0301 \u00A0 cre\u0300me ", "Caf\u00E9 cr\u00E8me"},
      {"\u0627\u0644\u0635\u062D\u064A\u0641\u0629  \u064A\u0648\u0645", "الصحيفة يوم"},
      {"zero\u200Bwidth", "zero\u200Bwidth"},    // zero-width space is not white space
      {"\u212B", "\u00C5"},                      // ANGSTROM SIGN -> A WITH RING (singleton)
      {"a\xC3(b", "a\uFFFD(b"},                  // invalid UTF-8 -> U+FFFD
      {"\xF0\x9F\x98", "\uFFFD"},                // a truncated sequence is one U+FFFD
      {"\xED\xA0\x80x", "\uFFFD\uFFFD\uFFFDx"},  // encoded surrogates are invalid
      {"\xC0\xAF", "\uFFFD\uFFFD"},              // overlong '/'
  };
  for (const Row& row : rows) {
    INFO(row.in);
    CHECK(CleanText(row.in) == row.out);
  }
}

TEST_CASE("CollapseWhitespace does not touch anything but white space", "[normalize]") {
  CHECK(CollapseWhitespace(" e\u0301 \n\n x ") == "e\u0301 x");
  CHECK(CollapseWhitespace("\u00A0") == "");
  CHECK(CollapseWhitespace("a\xC2") == "a\xC2");  // a truncated byte is kept for Nfc to replace
}

TEST_CASE("Nfc composes and leaves NFC text alone", "[normalize]") {
  CHECK(Nfc("Cafe\u0301") == "Caf\u00E9");
  CHECK(Nfc("  spaces stay  ") == "  spaces stay  ");
  CHECK(Nfc("D\u00E9j\u00E0 NFC") == "D\u00E9j\u00E0 NFC");
  CHECK(Nfc("\u0627\u0653") == "\u0622");  // alef + madda above -> alef with madda
  CHECK(Nfc("ok\xFF") == "ok\uFFFD");
  CHECK(Nfc("l\u2019\u00E9t\u00E9 \u00AB 5 \u20AC \u00BB") ==
        "l\u2019\u00E9t\u00E9 \u00AB 5 \u20AC \u00BB");
  // shadda then fatha is not canonical order: NFC puts fatha (ccc 30) before shadda (33)
  CHECK(Nfc("\u0645\u0651\u064E") == "\u0645\u064E\u0651");
  CHECK(Nfc("a\u2000b") == "a\u2002b");  // EN QUAD is a singleton decomposition
  CHECK(Nfc("\xFF"
            "e\u0301") == "\uFFFD\u00E9");  // repaired, then composed
}

TEST_CASE("IsSpace covers the listed code points and not zero-width ones", "[normalize]") {
  for (char32_t c : {U' ', U'\t', U'\n', U'\r', U'\f', U'\u00A0', U'\u1680', U'\u2000', U'\u200A',
                     U'\u2028', U'\u2029', U'\u202F', U'\u205F', U'\u3000'}) {
    INFO(static_cast<uint32_t>(c));
    CHECK(IsSpace(c));
  }
  for (char32_t c : {U'a', U'\u200B', U'\u200D', U'\uFEFF', U'\u00AD', U'\0', U'\u0640'}) {
    INFO(static_cast<uint32_t>(c));
    CHECK_FALSE(IsSpace(c));
  }
}

TEST_CASE("FoldCase folds French and leaves Arabic alone", "[normalize]") {
  const Row rows[] = {
      {"À LIRE AUSSI", "à lire aussi"},
      {"Lire Aussi", "lire aussi"},
      {"ÉTÉ", "été"},
      {"Straße", "strasse"},  // full folding
      {"الصحيفة", "الصحيفة"},
      {"", ""},
  };
  for (const Row& row : rows) {
    INFO(row.in);
    CHECK(FoldCase(row.in) == row.out);
  }
}

TEST_CASE("CodePointCount counts characters, not bytes", "[normalize]") {
  CHECK(CodePointCount("") == 0);
  CHECK(CodePointCount("abc") == 3);
  CHECK(CodePointCount("été") == 3);
  CHECK(CodePointCount("يوم") == 3);
  CHECK(CodePointCount("😀") == 1);
}

TEST_CASE("IsMostlyArabic looks at letters only", "[normalize]") {
  CHECK(IsMostlyArabic("نشر في الصحيفة يوم 31 - 10 - 2022"));
  CHECK(IsMostlyArabic("قالت وكالة الأنباء MAP إن الاجتماع"));
  CHECK_FALSE(IsMostlyArabic("Publié dans Maroc Diplomatique le 31 - 10 - 2022"));
  CHECK_FALSE(IsMostlyArabic("Le ministre a cité « الصحيفة » hier soir à Rabat"));
  CHECK_FALSE(IsMostlyArabic("2022 - 10 - 31 !"));
  CHECK_FALSE(IsMostlyArabic(""));
}

}  // namespace
}  // namespace gleaner::text
