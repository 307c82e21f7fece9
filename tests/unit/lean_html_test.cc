// DropScriptAndStyleText: script and style text goes, everything the parser would read
// otherwise stays byte for byte.
#include "extractors/html/lean_html.h"

#include <catch2/catch.hpp>
#include <string>

#include "extractors/html/dom.h"

namespace gleaner::html {
namespace {

struct Case {
  const char* name;
  const char* in;
  const char* out;
};

const Case kCases[] = {
    {"script and style text dropped, elements kept",
     "<p>a</p><script>var x = 1;</script><style>p{color:red}</style><p>b</p>",
     "<p>a</p><script></script><style></style><p>b</p>"},
    {"JSON-LD kept", R"(<script type="application/ld+json">{"@type":"NewsArticle"}</script>)",
     R"(<script type="application/ld+json">{"@type":"NewsArticle"}</script>)"},
    {"any JSON type, any case, any quotes", "<script type='Application/JSON'>[1]</script>",
     "<script type='Application/JSON'>[1]</script>"},
    {"JavaScript types dropped", "<script type=\"text/javascript\">f()</script>",
     "<script type=\"text/javascript\"></script>"},
    {"</script in a string ends the element, as it does for the tokenizer",
     "<script>var s = \"</script>\";</script><p>t</p>", "<script></script>\";</script><p>t</p>"},
    {"a longer name does not end it", "<script>a = '</scripts>'; b()</script>",
     "<script></script>"},
    {"end tag followed by white space", "<script>x</script \n>y", "<script></script \n>y"},
    {"a comment in a script", "<script><!-- f() --></script>", "<script></script>"},
    {"a doubly escaped script is left alone, with the rest of the page",
     "<script><!--<script>x</script>y--></script><style>z</style>",
     "<script><!--<script>x</script>y--></script><style>z</style>"},
    {"a script in an HTML comment is not one", "<!-- <script>x</script> --><p>t</p>",
     "<!-- <script>x</script> --><p>t</p>"},
    {"upper-case tags", "<SCRIPT>x</SCRIPT><Style>y</sTyLe>", "<SCRIPT></SCRIPT><Style></sTyLe>"},
    {"unterminated script left alone", "<p>a</p><script>x = 1;", "<p>a</p><script>x = 1;"},
    {"unterminated tag left alone", "<p>a</p><script src='x", "<p>a</p><script src='x"},
    {"'>' inside a quoted attribute value", "<div title=\"a>b<script>c\"><script>x</script></div>",
     "<div title=\"a>b<script>c\"><script></script></div>"},
    {"noscript content is markup, as Gumbo parses it",
     "<noscript><script>x</script><style>y</style></noscript>",
     "<noscript><script></script><style></style></noscript>"},
    {"</noscript> inside a noscript's script does not end the noscript",
     "<noscript><script>'</noscript><style>'</script></noscript><style>z</style>",
     "<noscript><script></script></noscript><style></style>"},
    {"textarea and title are text", "<textarea><script>x</script></textarea><title><style>",
     "<textarea><script>x</script></textarea><title><style>"},
    {"svg style is markup", "<svg><style>x</style></svg><style>y</style>",
     "<svg><style>x</style></svg><style></style>"},
    {"<script/> is not self-closing: left alone", "<script/>x</script><style>y</style>",
     "<script/>x</script><style>y</style>"},
    {"plaintext: the rest is text", "<plaintext><script>x</script>",
     "<plaintext><script>x</script>"},
    {"'</' and a space start a bogus comment, which hides the script tag", "</ <script>x</script>",
     "</ <script>x</script>"},
    {"doctype and processing instruction", "<!DOCTYPE html><?xml x?><script>a</script>",
     "<!DOCTYPE html><?xml x?><script></script>"},
    {"no markup", "plain text", "plain text"},
    {"empty", "", ""},
};

TEST_CASE("script and style text is dropped, nothing else", "[lean_html]") {
  for (const Case& c : kCases) {
    INFO(c.name);
    CHECK(DropScriptAndStyleText(c.in) == c.out);
  }
}

TEST_CASE("the parsed page's text is the same with and without the pass", "[lean_html]") {
  for (const Case& c : kCases) {
    INFO(c.name);
    auto before = ParseHtml(c.in);
    auto after = ParseHtml(DropScriptAndStyleText(c.in));
    REQUIRE(before.has_value());
    REQUIRE(after.has_value());
    CHECK(ElementText(before->root()) == ElementText(after->root()));
  }
}

}  // namespace
}  // namespace gleaner::html
