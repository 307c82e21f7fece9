// The nesting guard against Gumbo itself: for pages built to nest far deeper than the
// limit through each construct whose stack effects the guard models (implied end tags,
// tables, foster parenting, foreign content, templates, raw text, comments, CDATA), the
// tree Gumbo builds from the guarded bytes stays within the limit, and the text survives.
#include <gumbo.h>

#include <catch2/catch.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "extractors/html/html_internal_gumbo.h"
#include "extractors/html/html_internal_nesting.h"

namespace gleaner::html::internal {
namespace {

// The guard does not count <html> and <body>; the formatting elements a text node may
// reconstruct add at most a couple more in these pages (html_internal_nesting.h).
constexpr size_t kLimit = 24;
constexpr size_t kAllowed = kLimit + 2 + 2;
// Each page repeats its unit this often: several times deeper than the limit.
constexpr int kRepeats = 120;

size_t GumboDepth(const GumboNode* node) {
  if (node->type != GUMBO_NODE_ELEMENT && node->type != GUMBO_NODE_TEMPLATE) return 0;
  size_t deepest = 0;
  const GumboVector& children = node->v.element.children;
  for (unsigned i = 0; i < children.length; ++i) {
    size_t d = GumboDepth(static_cast<const GumboNode*>(children.data[i]));
    if (d > deepest) deepest = d;
  }
  return deepest + 1;
}

void GumboText(const GumboNode* node, std::string* out) {
  if (node->type == GUMBO_NODE_TEXT || node->type == GUMBO_NODE_CDATA ||
      node->type == GUMBO_NODE_WHITESPACE) {
    *out += node->v.text.text;
    return;
  }
  if (node->type != GUMBO_NODE_ELEMENT && node->type != GUMBO_NODE_TEMPLATE) return;
  const GumboVector& children = node->v.element.children;
  for (unsigned i = 0; i < children.length; ++i) {
    GumboText(static_cast<const GumboNode*>(children.data[i]), out);
  }
}

size_t Count(std::string_view haystack, std::string_view needle) {
  size_t n = 0;
  for (size_t p = haystack.find(needle); p != std::string_view::npos;
       p = haystack.find(needle, p + needle.size())) {
    ++n;
  }
  return n;
}

struct Case {
  const char* name;
  const char* prefix;  // once, before the units
  const char* unit;    // repeated kRepeats times inside <body>
  const char* marker;  // text each unit carries (as Gumbo reads it), which must survive
};

const Case kCases[] = {
    {"nested div", "", "<div>d", "d"},
    {"p closed by p, nesting through div", "", "<div><p>pa<p>pb", "pb"},
    {"li closed by li", "", "<ul><li>la<li>lb", "lb"},
    {"dd and dt close each other", "", "<dl><dt>ta<dd>tb", "tb"},
    {"option closed by option", "", "<div><select><option>oa<option>ob</select>", "ob"},
    {"implied tbody and tr", "", "<table><td>ca", "ca"},
    {"td closed by td", "", "<table><tr><td>ta<td>tb", "tb"},
    {"foster parenting", "<table>", "<div>fa", "fa"},
    {"svg", "", "<svg><g>sa", "sa"},
    {"math", "", "<math><mrow>ma", "ma"},
    {"svg integration point", "", "<svg><foreignObject><div>ia", "ia"},
    {"template", "", "<template><div>tm", "tm"},
    {"CDATA in foreign content", "", "<svg><g><![CDATA[<div>x]]>", "<div>x"},
    {"script, style, textarea and title are raw text", "",
     "<div><script>s='<div><div>'</script><style>a{}<div></style>"
     "<textarea><div></textarea><title><div></title>rw",
     "rw"},
    {"comments hide tags", "", "<div><!-- <div><div> -->c", "c"},
    {"formatting elements", "", "<div><b><i>fm", "fm"},
};

TEST_CASE("Gumbo's tree from the guarded bytes stays within the depth limit", "[nesting]") {
  for (const Case& c : kCases) {
    std::string page = std::string("<!DOCTYPE html><html><body>") + c.prefix;
    for (int i = 0; i < kRepeats; ++i) page += c.unit;
    page += "<p>after</p>";
    GuardedHtml guarded = GuardNesting(page, kLimit, 1000000);
    std::string_view input = guarded.changed ? std::string_view(guarded.filtered) : page;
    ContainedGumboParse parse(kGumboDefaultOptions, input);
    INFO(c.name);
    REQUIRE_FALSE(parse.aborted());
    CHECK(GumboDepth(parse.output()->root) <= kAllowed);
    std::string text;
    GumboText(parse.output()->root, &text);
    CHECK(Count(text, c.marker) == kRepeats);
    CHECK(text.find("after") != std::string::npos);
  }
}

TEST_CASE("pages within the limit pass through the guard unchanged", "[nesting]") {
  for (const Case& c : kCases) {
    if (std::string_view(c.unit).find("<![CDATA[") != std::string_view::npos) continue;
    std::string page = std::string("<body>") + c.prefix;
    for (int i = 0; i < 3; ++i) page += c.unit;
    INFO(c.name);
    GuardedHtml guarded = GuardNesting(page, kLimit, 1000000);
    CHECK_FALSE(guarded.changed);
    CHECK(guarded.filtered.empty());
  }
}

TEST_CASE("CDATA never reaches Gumbo as CDATA", "[nesting]") {
  // In foreign content the section becomes the same text, escaped.
  GuardedHtml svg = GuardNesting("<svg><text><![CDATA[a<b&c]]>d</text></svg>", kLimit, 1000);
  CHECK(svg.changed);
  CHECK(svg.filtered == "<svg><text>a&lt;b&amp;cd</text></svg>");
  // Unclosed, it runs to the end of the input.
  GuardedHtml open = GuardNesting("<math><mi><![CDATA[x<y", kLimit, 1000);
  CHECK(open.filtered == "<math><mi>x&lt;y");
  // In HTML it is a bogus comment up to '>', and stays one that Gumbo cannot read as CDATA.
  GuardedHtml html = GuardNesting("<p><![CDATA[x]]>y</p>", kLimit, 1000);
  CHECK(html.changed);
  CHECK(html.filtered == "<p><!-[CDATA[x]]>y</p>");
  // The rewrite alone marks the result changed, with no element dropped.
  CHECK(html.elements == 1);
  // The case that made Gumbo abort: CDATA at an integration point inside a table.
  std::string crash = "<table><math><mi><![CDATA[z]]>x";
  GuardedHtml guarded = GuardNesting(crash, kLimit, 1000);
  ContainedGumboParse parse(kGumboDefaultOptions, guarded.filtered);
  CHECK_FALSE(parse.aborted());
}

}  // namespace
}  // namespace gleaner::html::internal
