// The attribute cap that runs before Gumbo: it must see tags where the HTML tokenizer sees
// them (not inside comments, quoted values or the text of <script>), cut only what is over
// a cap, and leave everything else byte for byte.
#include <catch2/catch.hpp>
#include <string>

#include "extractors/html/html_internal_attributes.h"

namespace gleaner::html::internal {
namespace {

// The bytes Gumbo gets.
std::string Capped(std::string_view html, size_t per_element, size_t per_page) {
  CappedAttributes capped = CapAttributes(html, per_element, per_page);
  return capped.changed ? capped.filtered : std::string(html);
}

TEST_CASE("attributes: a page within the caps is passed on untouched, without a copy",
          "[html][attributes]") {
  const std::string page = "<div a b=1 c='2' d=\"3\"><p x>t</p></div>";
  CappedAttributes capped = CapAttributes(page, 4, 5);
  CHECK_FALSE(capped.changed);
  CHECK(capped.filtered.empty());
  CHECK(capped.dropped == 0);
}

TEST_CASE("attributes: the attributes past the per-element cap are cut, the tag kept",
          "[html][attributes]") {
  struct Case {
    const char* in;
    const char* out;
  };
  const Case cases[] = {
      {"<div a b c d e>x</div>", "<div a b >x</div>"},
      {"<DIV A=1 B = \"2\" C='3' D>x", "<DIV A=1 B = \"2\" >x"},
      {"<p a a a a>", "<p a a >"},  // duplicates cost Gumbo as much as distinct names
      {"<img a/b/c/d>", "<img a/b/>"},
      {"<i a=\"1\"b=\"2\"c=\"3\">", "<i a=\"1\"b=\"2\">"},
      {"<div a b c d", "<div a b "},      // a tag cut off by the end of the page
      {"</div a b c d>", "</div a b >"},  // Gumbo reads end tags' attributes too
      {"<svg a b c/>", "<svg a b />"},
  };
  for (const Case& c : cases) {
    INFO(c.in);
    CHECK(Capped(c.in, 2, 1000) == c.out);
  }
  CHECK(CapAttributes("<div a b c d e>", 2, 1000).dropped == 3);
}

TEST_CASE("attributes: quoted values may hold '>' and '<'", "[html][attributes]") {
  CHECK(Capped("<div a=\"x>y\" b='<p q r s>' c d>t", 2, 1000) == "<div a=\"x>y\" b='<p q r s>' >t");
  CHECK(Capped("<a title=\"<b c d e f>\">t</a>", 2, 1000) == "<a title=\"<b c d e f>\">t</a>");
}

TEST_CASE("attributes: comments, doctype and CDATA-like junk hold no tags", "[html][attributes]") {
  const char* untouched[] = {
      "<!-- <div a b c d> --><p>",
      "<!DOCTYPE html a b c d><p>",
      "<![CDATA[<div a b c>]]>",
      "<?xml a b c d?><p>",
      "</ a b c d><p>",
      "a < b c d e > f",
      "<!--><div-->",
  };
  for (const char* page : untouched) {
    INFO(page);
    CHECK_FALSE(CapAttributes(page, 2, 2).changed);
  }
  // After the comment, tags are read again.
  CHECK(Capped("<!-- x --><p a b c>", 2, 1000) == "<!-- x --><p a b >");
}

TEST_CASE("attributes: the text of script, style, textarea and title is not markup",
          "[html][attributes]") {
  // Tag-like strings in raw text do not spend the page's budget...
  CHECK_FALSE(
      CapAttributes("<script>var s = '<i a b>' + \"<b c d>\";</script><p x y>", 100, 2).changed);
  CHECK_FALSE(CapAttributes("<title><b x y></title><p q r>", 100, 2).changed);
  CHECK_FALSE(CapAttributes("<textarea><b x y></TEXTAREA ><p q r>", 100, 2).changed);
  CHECK_FALSE(CapAttributes("<style>a<b x y{}</style ><p q r>", 100, 2).changed);
  // ...and a quote in them opens nothing: the tag after the raw text is still seen.
  CHECK(Capped("<script>s = \"<b x='\";</script><p a b c>", 2, 1000) ==
        "<script>s = \"<b x='\";</script><p a b >");
  // </scriptx> does not end a script; </script/ does.
  CHECK(Capped("<script></scriptx><p a b c></script/><p a b c>", 100, 2) ==
        "<script></scriptx><p a b c></script/><p a b >");
}

TEST_CASE("attributes: a tag-like string over the per-element cap is cut even in raw text",
          "[html][attributes]") {
  // Inside <svg>, <style> and <title> are markup to Gumbo, not text: one tag's cap holds
  // wherever the HTML tokenizer might read a tag.
  CHECK(Capped("<svg><style><i a b c d></style></svg>", 2, 1000) ==
        "<svg><style><i a b ></style></svg>");
}

TEST_CASE("attributes: the page budget cuts the attributes past it, in page order",
          "[html][attributes]") {
  CappedAttributes capped = CapAttributes("<p a b><p c d><p e f>", 100, 3);
  REQUIRE(capped.changed);
  CHECK(capped.filtered == "<p a b><p c ><p >");
  CHECK(capped.dropped == 3);
}

TEST_CASE("attributes: any bytes are scanned without a crash", "[html][attributes]") {
  std::string junk;
  uint32_t x = 12345;
  const char alphabet[] = "<>/!-'\"= aZ\n?[]sScript";
  for (int i = 0; i < 200000; ++i) {
    x = x * 1103515245u + 12345u;
    junk.push_back(alphabet[(x >> 16) % (sizeof(alphabet) - 1)]);
  }
  CappedAttributes capped = CapAttributes(junk, 3, 50);
  CHECK(capped.filtered.size() <= junk.size());
}

}  // namespace
}  // namespace gleaner::html::internal
