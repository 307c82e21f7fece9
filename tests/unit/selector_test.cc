// CSS selectors as site files write them, checked by the elements they match.
#include "extractors/html/selector.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "extractors/html/dom.h"

namespace gleaner::html {
namespace {

constexpr const char* kPage = R"(<!DOCTYPE html>
<html><body>
<div id="main" class="article  body">
  <h1 id="t" class="title">Title</h1>
  <p id="p1" class="lead x-lead">First</p>
  <p id="p2" class="body">Second <a id="a1" href=" /one " class="source" rel="nofollow noopener">one</a></p>
  <p id="p3" lang="fr-CA" data-q="it's &quot;q&quot;">Third</p>
  <ul id="list"><li id="l1">1</li><li id="l2" class="on">2</li><li id="l3">3</li><li id="l4">4</li><li id="l5">5</li></ul>
  <span id="s1" title="Hello World">s</span>
</div>
<div id="aside" class="articles"><a id="a2" href="/two">two</a><p id="p4" class="Body">Fourth</p></div>
</body></html>)";

std::vector<std::string> Ids(const Document& doc, std::string_view css,
                             xmlNode* context = nullptr) {
  auto selector = CompileSelector(css);
  INFO("selector: " << css);
  REQUIRE(selector.has_value());
  std::vector<std::string> ids;
  for (xmlNode* node : Select(doc, *selector, context)) {
    ids.push_back(Attribute(node, "id").value_or("?"));
  }
  return ids;
}

using Ids_ = std::vector<std::string>;

TEST_CASE("CSS selectors match the elements a browser would", "[selector]") {
  auto doc = ParseHtml(kPage);
  REQUIRE(doc.has_value());
  struct Case {
    const char* css;
    Ids_ expected;
  };
  const Case cases[] = {
      {"h1", {"t"}},
      {"H1", {"t"}},
      {"#p2", {"p2"}},
      {"p.body", {"p2"}},      // class tokens are exact and case-sensitive
      {".article", {"main"}},  // not "articles"
      {".article.body", {"main"}},
      {".lead", {"p1"}},  // not "x-lead"
      {"div > h1", {"t"}},
      {"body > p", {}},
      {"#main a", {"a1"}},
      {"div a", {"a1", "a2"}},
      {"h1 + p", {"p1"}},
      {"h1 ~ p", {"p1", "p2", "p3"}},
      {"p, h1", {"t", "p1", "p2", "p3", "p4"}},  // document order
      {"[lang]", {"p3"}},
      {"[lang|=fr]", {"p3"}},
      {"[lang|='fr-CA']", {"p3"}},
      {"[href='/two']", {"a2"}},
      {"a[href^=\" /\"]", {"a1"}},
      {"a[href$='two']", {"a2"}},
      {"a[href*=on]", {"a1"}},
      {"a[rel~=noopener]", {"a1"}},
      {"a[rel~=noop]", {}},
      {"a[href*='']", {}},
      {"[title='hello world' i]", {"s1"}},
      {"[title='hello world']", {}},
      {"li:first-child", {"l1"}},
      {"li:last-child", {"l5"}},
      {"li:nth-child(2)", {"l2"}},
      {"li:nth-child(odd)", {"l1", "l3", "l5"}},
      {"li:nth-child(2n)", {"l2", "l4"}},
      {"li:nth-child(-n+2)", {"l1", "l2"}},
      {"li:nth-child(3n + 1)", {"l1", "l4"}},
      {"li:not(.on)", {"l1", "l3", "l4", "l5"}},
      {"li:not(.on, :first-child)", {"l3", "l4", "l5"}},
      {"#main > *:not(p):not(ul)", {"t", "s1"}},
      {"#list li.on + li", {"l3"}},
      {"ul\\#list", {}},  // an escaped '#' is part of the element name
      {"#main > *:first-child", {"t"}},
      {"div p", {"p1", "p2", "p3", "p4"}},
  };
  for (const Case& c : cases) {
    INFO(c.css);
    CHECK(Ids(*doc, c.css) == c.expected);
  }
}

TEST_CASE("selector lists have no duplicates and keep document order", "[selector]") {
  auto doc = ParseHtml(kPage);
  REQUIRE(doc.has_value());
  CHECK(Ids(*doc, "#p3, p, .lead") == Ids_{"p1", "p2", "p3", "p4"});
}

TEST_CASE("attribute values with both kinds of quotes are matched exactly", "[selector]") {
  auto doc = ParseHtml(kPage);
  REQUIRE(doc.has_value());
  CHECK(Ids(*doc, R"([data-q="it's \"q\""])") == Ids_{"p3"});
  CHECK(Ids(*doc, R"([data-q='it\'s "q"'])") == Ids_{"p3"});
  CHECK(Ids(*doc, R"([data-q*="s \"q"])") == Ids_{"p3"});
}

TEST_CASE("a context node limits the search to its descendants", "[selector]") {
  auto doc = ParseHtml(kPage);
  REQUIRE(doc.has_value());
  auto aside = CompileSelector("#aside");
  REQUIRE(aside.has_value());
  auto found = Select(*doc, *aside);
  REQUIRE(found.size() == 1);
  CHECK(Ids(*doc, "a", found[0]) == Ids_{"a2"});
  CHECK(Ids(*doc, "div", found[0]).empty());
}

TEST_CASE("@attr selects attribute values, trimmed", "[selector]") {
  auto doc = ParseHtml(kPage);
  REQUIRE(doc.has_value());
  auto sel = CompileSelector("a@href");
  REQUIRE(sel.has_value());
  CHECK(sel->attribute == std::optional<std::string>("href"));
  CHECK(SelectValues(*doc, *sel) == std::vector<std::string>{"/one", "/two"});
  CHECK(Ids(*doc, "#main *@href") == Ids_{"a1"});  // elements that carry it
  auto text = CompileSelector("#list li");
  REQUIRE(text.has_value());
  CHECK(SelectValues(*doc, *text) == std::vector<std::string>{"1", "2", "3", "4", "5"});
}

TEST_CASE("xpath: selectors run as written", "[selector]") {
  auto doc = ParseHtml(kPage);
  REQUIRE(doc.has_value());
  CHECK(Ids(*doc, "xpath://p[@id='p2']") == Ids_{"p2"});
  auto attr = CompileSelector("xpath://a/@href");
  REQUIRE(attr.has_value());
  CHECK(SelectValues(*doc, *attr) == std::vector<std::string>{"/one", "/two"});
  CHECK(Ids(*doc, "xpath://a/@href") == Ids_{"a1", "a2"});
}

TEST_CASE("a hand-built Selector without a compiled expression still works", "[selector]") {
  auto doc = ParseHtml(kPage);
  REQUIRE(doc.has_value());
  Selector s;
  s.source = "h1";
  s.xpath = ".//h1";
  REQUIRE(Select(*doc, s).size() == 1);
}

TEST_CASE("errors name the column of the first character not understood", "[selector]") {
  struct Case {
    const char* css;
    const char* message;
  };
  const Case cases[] = {
      {"", "col 1: empty selector"},
      {"div)", "col 4: unexpected ')'"},
      {"div > ", "col 7: unexpected end of selector"},
      {"a[href", "col 7: unexpected end of selector"},
      {"a[href=]", "col 8: expected an attribute value, found ']'"},
      {"p:hover", "col 2: unsupported pseudo-class ':hover'"},
      {"li:nth-child(x)", "col 14: invalid :nth-child() argument"},
      {"a@", "col 3: expected an attribute name after '@'"},
      {"a@href b", "col 8: unexpected 'b'"},
      {"é)", "col 2: unexpected ')'"},
      {"p, ", "col 4: unexpected end of selector"},
      {"a[title='x]", "col 9: unterminated string"},
  };
  for (const Case& c : cases) {
    INFO(c.css);
    auto s = CompileSelector(c.css);
    REQUIRE_FALSE(s.has_value());
    CHECK(s.error().code == ErrorCode::kConfig);
    CHECK(s.error().message == c.message);
  }
}

TEST_CASE("invalid raw XPath is a configuration error, not stderr noise", "[selector]") {
  struct Case {
    const char* xpath;
    const char* message;
  };
  const Case cases[] = {
      {"xpath://div[", "col 13: invalid XPath: Invalid expression"},
      {"xpath:foo(//p)", "col 7: invalid XPath: Unregistered function"},
      {"xpath:$x", "col 7: invalid XPath: Undefined variable"},
      {"xpath:", "col 7: empty XPath expression"},
  };
  for (const Case& c : cases) {
    INFO(c.xpath);
    auto s = CompileSelector(c.xpath);
    REQUIRE_FALSE(s.has_value());
    CHECK(s.error().code == ErrorCode::kConfig);
    CHECK(s.error().message == c.message);
  }
}

}  // namespace
}  // namespace gleaner::html
