// The DOM every extractor walks: Gumbo's HTML5 tree copied into libxml2.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "extractors/html/dom.h"

namespace gleaner::html {
namespace {

std::string Name(const xmlNode* node) { return reinterpret_cast<const char*>(node->name); }

std::vector<std::string> ElementChildren(const xmlNode* node) {
  std::vector<std::string> names;
  for (const xmlNode* c = node->children; c != nullptr; c = c->next) {
    if (c->type == XML_ELEMENT_NODE) names.push_back(Name(c));
  }
  return names;
}

const xmlNode* FirstElement(const xmlNode* node, const char* name) {
  // Iterative pre-order search.
  const xmlNode* cur = node;
  while (cur != nullptr) {
    if (cur->type == XML_ELEMENT_NODE && std::strcmp(Name(cur).c_str(), name) == 0) return cur;
    if (cur->children != nullptr) {
      cur = cur->children;
      continue;
    }
    while (cur != nullptr && cur != node && cur->next == nullptr) cur = cur->parent;
    if (cur == nullptr || cur == node) return nullptr;
    cur = cur->next;
  }
  return nullptr;
}

size_t MaxElementDepth(const xmlNode* root) {
  size_t max_depth = 0;
  std::vector<std::pair<const xmlNode*, size_t>> stack{{root, 1}};
  while (!stack.empty()) {
    auto [node, depth] = stack.back();
    stack.pop_back();
    max_depth = std::max(max_depth, depth);
    for (const xmlNode* c = node->children; c != nullptr; c = c->next) {
      if (c->type == XML_ELEMENT_NODE) stack.push_back({c, depth + 1});
    }
  }
  return max_depth;
}

TEST_CASE("a small page becomes html/head/body with lower-case names and attributes", "[dom]") {
  auto doc = ParseHtml(
      "<!DOCTYPE html><HTML LANG=fr><Head><TITLE>Titre</TITLE></head>"
      "<BODY><DIV Class='main' ID=x><P>Un <B>deux</B></P><!-- comment --></DIV></BODY></HTML>");
  REQUIRE(doc.has_value());
  const xmlNode* html = doc->root();
  REQUIRE(html != nullptr);
  CHECK(Name(html) == "html");
  CHECK(Attribute(html, "lang") == std::optional<std::string>("fr"));
  CHECK(ElementChildren(html) == std::vector<std::string>{"head", "body"});
  const xmlNode* div = FirstElement(html, "div");
  REQUIRE(div != nullptr);
  CHECK(Attribute(div, "class") == std::optional<std::string>("main"));
  CHECK(Attribute(div, "id") == std::optional<std::string>("x"));
  CHECK_FALSE(Attribute(div, "missing").has_value());
  // The comment is gone: the div holds only the paragraph.
  size_t children = 0;
  for (const xmlNode* c = div->children; c != nullptr; c = c->next) ++children;
  CHECK(children == 1);
  CHECK(ElementText(div) == "Un deux");
  CHECK(ElementText(FirstElement(html, "title")) == "Titre");
}

TEST_CASE("empty input yields html, head and body", "[dom]") {
  auto doc = ParseHtml("");
  REQUIRE(doc.has_value());
  CHECK(Name(doc->root()) == "html");
  CHECK(ElementChildren(doc->root()) == std::vector<std::string>{"head", "body"});
}

TEST_CASE("implied tags are created as HTML5 prescribes", "[dom]") {
  auto doc = ParseHtml("<!DOCTYPE html><title>t</title><p>one<p>two<table><tr><td>cell</table>");
  REQUIRE(doc.has_value());
  const xmlNode* body = FirstElement(doc->root(), "body");
  REQUIRE(body != nullptr);
  CHECK(ElementChildren(body) == std::vector<std::string>{"p", "p", "table"});
  // In no-quirks mode <table> closes the open <p>, and <tr> implies <tbody>.
  const xmlNode* table = FirstElement(doc->root(), "table");
  REQUIRE(table != nullptr);
  CHECK(ElementChildren(table) == std::vector<std::string>{"tbody"});
  CHECK(ElementText(table) == "cell");
}

TEST_CASE("character references are decoded", "[dom]") {
  auto doc = ParseHtml("<p>5&#8242; &eacute;t&eacute;&nbsp;chaud &amp; &#x41;&lt;</p>");
  REQUIRE(doc.has_value());
  const xmlNode* p = FirstElement(doc->root(), "p");
  REQUIRE(p != nullptr);
  const xmlNode* text = p->children;
  REQUIRE(text != nullptr);
  CHECK(std::string(reinterpret_cast<const char*>(text->content)) ==
        "5\u2032 \u00e9t\u00e9\u00a0chaud & A<");
  // ElementText collapses the no-break space like any other space.
  CHECK(ElementText(p) == "5\u2032 \u00e9t\u00e9 chaud & A<");
}

TEST_CASE("script and style text is kept in the DOM but not in ElementText", "[dom]") {
  auto doc = ParseHtml(
      "<body><script type='application/ld+json'>{\"a\": \"<b>\"}</script>"
      "<style>p{}</style><noscript>no</noscript><p>visible</p></body>");
  REQUIRE(doc.has_value());
  const xmlNode* script = FirstElement(doc->root(), "script");
  REQUIRE(script != nullptr);
  REQUIRE(script->children != nullptr);
  CHECK(std::string(reinterpret_cast<const char*>(script->children->content)) ==
        "{\"a\": \"<b>\"}");
  CHECK(ElementText(FirstElement(doc->root(), "body")) == "visible");
}

TEST_CASE("ElementText separates block elements and collapses white space", "[dom]") {
  auto doc = ParseHtml(
      "<div id=d>  <h1>Titre</h1><p>un\n\t deux</p><p>trois<br>quatre</p>"
      "<span>cinq</span><span>six</span>\u3000 </div>");
  REQUIRE(doc.has_value());
  CHECK(ElementText(FirstElement(doc->root(), "div")) == "Titre un deux trois quatre cinqsix");
  CHECK(ElementText(nullptr).empty());
}

TEST_CASE("template contents and svg/math elements are copied", "[dom]") {
  auto doc = ParseHtml(
      "<body><template><p>hidden</p></template>"
      "<svg viewBox='0 0 1 1'><foreignObject><p>inside</p></foreignObject><path d=M0/></svg>"
      "<math><mi>x</mi></math></body>");
  REQUIRE(doc.has_value());
  const xmlNode* tmpl = FirstElement(doc->root(), "template");
  REQUIRE(tmpl != nullptr);
  CHECK(ElementChildren(tmpl) == std::vector<std::string>{"p"});
  const xmlNode* svg = FirstElement(doc->root(), "svg");
  REQUIRE(svg != nullptr);
  CHECK(Attribute(svg, "viewbox") == std::optional<std::string>("0 0 1 1"));
  CHECK(ElementChildren(svg) == std::vector<std::string>{"foreignobject", "path"});
  CHECK(FirstElement(doc->root(), "mi") != nullptr);
  CHECK(ElementText(FirstElement(doc->root(), "body")) == "inside x");
}

TEST_CASE("attribute names XML cannot hold are dropped, not fatal", "[dom]") {
  auto doc = ParseHtml("<div \"q\"=1 @click=go a<b=2 data-x=ok :class=c>t</div>");
  REQUIRE(doc.has_value());
  const xmlNode* div = FirstElement(doc->root(), "div");
  REQUIRE(div != nullptr);
  CHECK(Attribute(div, "data-x") == std::optional<std::string>("ok"));
  CHECK(Attribute(div, ":class") == std::optional<std::string>("c"));
  CHECK_FALSE(Attribute(div, "@click").has_value());
  CHECK_FALSE(Attribute(div, "\"q\"").has_value());
}

TEST_CASE("a page over the byte cap is refused with a message naming the cap", "[dom]") {
  DomLimits limits;
  limits.max_bytes = 10;
  auto doc = ParseHtml("<p>eleven b</p>", limits);
  REQUIRE_FALSE(doc.has_value());
  CHECK(doc.error().code == ErrorCode::kNoArticle);
  CHECK(doc.error().message == "page too large (15 bytes, limit 10)");
}

TEST_CASE("a page over the node cap is refused", "[dom]") {
  std::string page;
  for (int i = 0; i < 200; ++i) page += "<p>x</p>";
  DomLimits limits;
  limits.max_nodes = 100;
  auto doc = ParseHtml(page, limits);
  REQUIRE_FALSE(doc.has_value());
  CHECK(doc.error().code == ErrorCode::kNoArticle);
  CHECK(doc.error().message.find("100 nodes") != std::string::npos);
  limits.max_nodes = 1000;
  CHECK(ParseHtml(page, limits).has_value());
}

TEST_CASE("subtrees deeper than the depth cap are cut, not an error", "[dom]") {
  std::string page = "<body>";
  for (int i = 0; i < 50; ++i) page += "<div>";
  page += "deep";
  for (int i = 0; i < 50; ++i) page += "</div>";
  page += "<p>after</p>";
  DomLimits limits;
  limits.max_depth = 10;
  auto doc = ParseHtml(page, limits);
  REQUIRE(doc.has_value());
  CHECK(MaxElementDepth(doc->root()) == 10);
  CHECK(ElementText(FirstElement(doc->root(), "p")) == "after");
  CHECK(ElementText(doc->root()).find("deep") == std::string::npos);
}

// Gumbo 0.10.1 asserts on this (parser.c: node_qualified_tag_is: Assertion `node' failed)
// and calls abort(); before the trap, one such page killed `gleaner run`.
constexpr char kGumboAbortMarkup[] = "<table><math><select><mi><select><td>";

TEST_CASE("markup that makes Gumbo abort is parsed again, with a warning", "[dom][hostile]") {
  std::string page = std::string("<body><h1>Headline</h1><p>First paragraph.</p>") +
                     kGumboAbortMarkup + "cell text</td></table><p>Last paragraph.</p>";
  auto doc = ParseHtml(page);
  REQUIRE(doc.has_value());
  REQUIRE(doc->warnings().size() == 1);
  CHECK(doc->warnings()[0].find("parser aborted") != std::string::npos);
  std::string text = ElementText(doc->root());
  CHECK(text.find("First paragraph.") != std::string::npos);
  CHECK(text.find("cell text") != std::string::npos);
  CHECK(text.find("Last paragraph.") != std::string::npos);
  // The process is intact: the next page parses as usual, with no warning.
  auto next = ParseHtml("<p>fine</p>");
  REQUIRE(next.has_value());
  CHECK(next->warnings().empty());
  CHECK(ElementText(next->root()) == "fine");
}

TEST_CASE("Gumbo aborts on several threads at once are each contained", "[dom][hostile]") {
  std::vector<int> recovered(4, 0);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < recovered.size(); ++t) {
    threads.emplace_back([t, &recovered] {
      for (int i = 0; i < 25; ++i) {
        auto doc = ParseHtml(std::string(kGumboAbortMarkup) + "x" + std::to_string(i));
        if (doc && doc->warnings().size() == 1 &&
            ElementText(doc->root()) == "x" + std::to_string(i)) {
          ++recovered[t];
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(recovered == std::vector<int>(4, 25));
}

TEST_CASE("an abort outside the HTML parser still ends the process", "[dom][hostile]") {
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // The trap is installed by the first contained parse; it must not swallow this abort.
    auto doc = ParseHtml(kGumboAbortMarkup);
    if (!doc || doc->warnings().empty()) _exit(3);
    std::abort();
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGABRT);
}

}  // namespace
}  // namespace gleaner::html
