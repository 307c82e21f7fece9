// Paragraphs as a reader sees them: where the breaks fall, what is hidden, which links
// belong to which paragraph. Trees come from libxml2's own HTML parser (the project's
// Gumbo-based DOM builder is tested in its own module) or are built node by node.
#include "extractors/text/paragraphs.h"

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace gleaner::text {
namespace {

struct DocDeleter {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
using DocPtr = std::unique_ptr<xmlDoc, DocDeleter>;

DocPtr Parse(const std::string& html) {
  DocPtr doc(htmlReadMemory(html.data(), static_cast<int>(html.size()), nullptr, "UTF-8",
                            HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET));
  REQUIRE(doc != nullptr);
  return doc;
}

// The first element named `name` in document order (iterative: test trees can be deep).
const xmlNode* Find(const xmlNode* root, const char* name, int skip = 0) {
  std::vector<const xmlNode*> stack{root};
  while (!stack.empty()) {
    const xmlNode* n = stack.back();
    stack.pop_back();
    if (n->type == XML_ELEMENT_NODE &&
        std::strcmp(reinterpret_cast<const char*>(n->name), name) == 0) {
      if (skip-- == 0) return n;
    }
    std::vector<const xmlNode*> children;
    for (const xmlNode* c = n->children; c != nullptr; c = c->next) children.push_back(c);
    stack.insert(stack.end(), children.rbegin(), children.rend());
  }
  return nullptr;
}

std::vector<std::string> Texts(const std::vector<Paragraph>& paragraphs) {
  std::vector<std::string> out;
  for (const Paragraph& p : paragraphs) out.push_back(p.text);
  return out;
}

std::vector<std::string> TextsOf(const std::string& html) {
  DocPtr doc = Parse(html);
  return Texts(ExtractParagraphs(reinterpret_cast<const xmlNode*>(doc.get())));
}

using Strings = std::vector<std::string>;

TEST_CASE("<br> inside an inline wrapper splits paragraphs and keeps links apart", "[paragraphs]") {
  DocPtr doc = Parse(
      "<p><span class=\"c\">Para one.<br />\nPara two.<br />\n<strong>Lire aussi : "
      "<a href=\"/x\">T</a></strong><br />\nPara four.<br />\n</span></p>");
  const xmlNode* p = Find(xmlDocGetRootElement(doc.get()), "p");
  REQUIRE(p != nullptr);
  auto paragraphs = ExtractParagraphs(p);
  REQUIRE(paragraphs.size() == 4);
  CHECK(Texts(paragraphs) == Strings{"Para one.", "Para two.", "Lire aussi : T", "Para four."});
  CHECK(paragraphs[0].links.empty());
  CHECK(paragraphs[1].links.empty());
  REQUIRE(paragraphs[2].links.size() == 1);
  CHECK(paragraphs[2].links[0].text == "T");
  CHECK(paragraphs[2].links[0].href == "/x");
  CHECK(paragraphs[3].links.empty());
  for (const Paragraph& para : paragraphs) CHECK(para.block == p);
}

TEST_CASE("block elements end paragraphs, inline elements join", "[paragraphs]") {
  struct Row {
    const char* html;
    Strings paragraphs;
  };
  const Row rows[] = {
      {"<div>intro<p>one</p>tail<ul><li>a</li><li>b <b>bold</b></li></ul></div>",
       {"intro", "one", "tail", "a", "b bold"}},
      {"<p>Ma<b>roc</b> <i>et</i><span>ici</span></p>", {"Maroc etici"}},
      {"<p>a<br>b</p>", {"a", "b"}},
      {"<p>a<br><br><br>\n<br>b</p>", {"a", "b"}},
      {"<h1>Titre</h1><h2>Sous-titre</h2><blockquote>cit</blockquote>",
       {"Titre", "Sous-titre", "cit"}},
      {"<table><tr><td>c1</td><td>c2 <em>x</em></td></tr><tr><th>h</th></tr></table>",
       {"c1", "c2 x", "h"}},
      {"<section><article><header>H</header>body<footer>F</footer></article></section>",
       {"H", "body", "F"}},
      {"<dl><dt>terme</dt><dd>définition</dd></dl>", {"terme", "définition"}},
      {"<div>avant<hr>après</div>", {"avant", "après"}},
      {"<figure><img src=a.jpg><figcaption>Légende</figcaption></figure>", {"Légende"}},
      {"<p>\u00A0 Le\u00A0\u00A0 Maroc \n\t et  la France\u202F! </p>",
       {"Le Maroc et la France !"}},
      {"<p>Cafe\u0301</p>", {"Caf\u00E9"}},
      {"<p>  </p><p>\u00A0</p><div><br></div>", {}},
      {"<p>نشر في <b>الصحيفة</b> يوم</p>", {"نشر في الصحيفة يوم"}},
      {"<pre>ligne 1\n   ligne 2</pre>", {"ligne 1 ligne 2"}},
  };
  for (const Row& row : rows) {
    INFO(row.html);
    CHECK(TextsOf(row.html) == row.paragraphs);
  }
}

TEST_CASE("hidden and non-content elements never contribute", "[paragraphs]") {
  struct Row {
    const char* html;
    Strings paragraphs;
  };
  const Row rows[] = {
      {"<p>vu<span hidden>caché</span></p>", {"vu"}},
      {"<p>vu<span aria-hidden=\"true\">caché</span></p>", {"vu"}},
      {"<p>vu<span aria-hidden=\"false\"> montré</span></p>", {"vu montré"}},
      {"<p>vu<span style=\"display:none\">caché</span></p>", {"vu"}},
      {"<p>vu<span style=\"color:red; DISPLAY : None !important\">caché</span></p>", {"vu"}},
      {"<p>vu<span style=\"visibility: hidden\">caché</span></p>", {"vu"}},
      {"<p>vu<span style=\"display:block\"> montré</span></p>", {"vu montré"}},
      {"<div hidden><p>tout caché</p><p>aussi</p></div><p>vu</p>", {"vu"}},
      {"<p>a<script>var x = 1;</script>b</p>", {"ab"}},
      {"<style>p{}</style><p>a</p><noscript>active JS</noscript>", {"a"}},
      {"<p>a</p><form><p>Votre email</p><button>OK</button></form>", {"a"}},
      {"<p>a<select><option>un</option></select><textarea>t</textarea></p>", {"a"}},
      {"<p>a</p><iframe src=x>fallback</iframe><svg><text>s</text></svg>", {"a"}},
      {"<html><head><title>Titre</title></head><body><p>corps</p></body></html>", {"corps"}},
  };
  for (const Row& row : rows) {
    INFO(row.html);
    CHECK(TextsOf(row.html) == row.paragraphs);
  }
}

TEST_CASE("links: in order, raw href, text cleaned, textless ones dropped", "[paragraphs]") {
  DocPtr doc = Parse(
      "<p>Voir <a href=\"/a?x=1&amp;y=2\"> le  premier </a> et <a href=\"https://e.com/b\">"
      "le <b>second</b></a>, <a href=\"/img\"><img src=i.png></a><a name=\"ancre\">ici</a></p>");
  auto paragraphs = ExtractParagraphs(reinterpret_cast<const xmlNode*>(doc.get()));
  REQUIRE(paragraphs.size() == 1);
  CHECK(paragraphs[0].text == "Voir le premier et le second, ici");
  REQUIRE(paragraphs[0].links.size() == 2);
  CHECK(paragraphs[0].links[0].text == "le premier");
  CHECK(paragraphs[0].links[0].href == "/a?x=1&y=2");
  CHECK(paragraphs[0].links[1].text == "le second");
  CHECK(paragraphs[0].links[1].href == "https://e.com/b");
}

TEST_CASE("a link wrapping blocks belongs to each paragraph it spans", "[paragraphs]") {
  DocPtr doc = Parse("<div><a href=\"/card\"><h3>Titre</h3><p>Chapô</p></a><p>Autre</p></div>");
  auto paragraphs = ExtractParagraphs(reinterpret_cast<const xmlNode*>(doc.get()));
  REQUIRE(paragraphs.size() == 3);
  CHECK(Texts(paragraphs) == Strings{"Titre", "Chapô", "Autre"});
  REQUIRE(paragraphs[0].links.size() == 1);
  CHECK(paragraphs[0].links[0].text == "Titre");
  CHECK(paragraphs[0].links[0].href == "/card");
  REQUIRE(paragraphs[1].links.size() == 1);
  CHECK(paragraphs[1].links[0].text == "Chapô");
  CHECK(paragraphs[2].links.empty());
}

TEST_CASE("each paragraph records its nearest block", "[paragraphs]") {
  DocPtr doc = Parse("<div id=d>intro<p>dans p <span>et span</span></p>fin</div>");
  const xmlNode* div = Find(xmlDocGetRootElement(doc.get()), "div");
  const xmlNode* p = Find(div, "p");
  auto paragraphs = ExtractParagraphs(div);
  REQUIRE(paragraphs.size() == 3);
  CHECK(paragraphs[0].block == div);
  CHECK(paragraphs[1].block == p);
  CHECK(paragraphs[2].block == div);

  // Starting below the block: the block above the starting node still holds it.
  const xmlNode* span = Find(div, "span");
  auto inner = ExtractParagraphs(span);
  REQUIRE(inner.size() == 1);
  CHECK(inner[0].text == "et span");
  CHECK(inner[0].block == p);
}

TEST_CASE("starting points: nullptr, a text node, a hidden root", "[paragraphs]") {
  CHECK(ExtractParagraphs(nullptr).empty());
  DocPtr doc = Parse("<p>  seul  texte </p><div hidden>caché</div>");
  const xmlNode* p = Find(xmlDocGetRootElement(doc.get()), "p");
  auto from_text = ExtractParagraphs(p->children);
  REQUIRE(from_text.size() == 1);
  CHECK(from_text[0].text == "seul texte");
  CHECK(from_text[0].block == p);
  // Siblings of the starting node are not part of it.
  CHECK(Texts(ExtractParagraphs(p)) == Strings{"seul texte"});
  CHECK(ExtractParagraphs(Find(xmlDocGetRootElement(doc.get()), "div")).empty());
}

TEST_CASE("very deep trees are walked without recursion", "[paragraphs]") {
  // Far deeper than any parser would build; a recursive walk would overflow the stack.
  constexpr int kDepth = 200000;
  DocPtr doc(xmlNewDoc(reinterpret_cast<const xmlChar*>("1.0")));
  xmlNode* root = xmlNewNode(nullptr, reinterpret_cast<const xmlChar*>("div"));
  xmlDocSetRootElement(doc.get(), root);
  xmlNode* parent = root;
  for (int i = 0; i < kDepth; ++i) {
    const char* name = (i % 2 == 0) ? "span" : "div";
    xmlNode* child = xmlNewChild(parent, nullptr, reinterpret_cast<const xmlChar*>(name), nullptr);
    if (i % 1000 == 0) xmlNodeAddContent(child, reinterpret_cast<const xmlChar*>("x"));
    parent = child;
  }
  xmlNodeAddContent(parent, reinterpret_cast<const xmlChar*>("fond"));
  auto paragraphs = ExtractParagraphs(root);
  // Every text sits in a span right under a div, so each is its own paragraph.
  REQUIRE(paragraphs.size() == kDepth / 1000 + 1);
  CHECK(paragraphs.front().text == "x");
  CHECK(paragraphs.back().text == "fond");
  // libxml2's own xmlFreeDoc recurses; unlink level by level so the test frees safely.
  xmlNode* n = root;
  while (n != nullptr) {
    xmlNode* deeper = n->last;  // the nested element comes after the level's text
    if (deeper != nullptr) xmlUnlinkNode(deeper);
    if (n != root) xmlFreeNode(n);
    n = deeper;
  }
}

TEST_CASE("IsHiddenElement reads the element's own attributes", "[paragraphs]") {
  struct Row {
    const char* html;
    bool hidden;
  };
  const Row rows[] = {
      {"<span hidden>x</span>", true},
      {"<span hidden=\"hidden\">x</span>", true},
      {"<span aria-hidden=\"true\">x</span>", true},
      {"<span aria-hidden=\" TRUE \">x</span>", true},
      {"<span aria-hidden=\"false\">x</span>", false},
      {"<span style=\"display:none\">x</span>", true},
      {"<span style=\"display: none;\">x</span>", true},
      {"<span style=\"visibility:hidden\">x</span>", true},
      {"<span style=\"visibility:visible;display:inline\">x</span>", false},
      {"<span style=\"font-display:none\">x</span>", false},
      {"<span class=\"hidden\">x</span>", false},
      {"<span>x</span>", false},
  };
  for (const Row& row : rows) {
    INFO(row.html);
    DocPtr doc = Parse(row.html);
    const xmlNode* span = Find(xmlDocGetRootElement(doc.get()), "span");
    REQUIRE(span != nullptr);
    CHECK(IsHiddenElement(span) == row.hidden);
  }
  CHECK_FALSE(IsHiddenElement(nullptr));
}

TEST_CASE("JoinParagraphs puts one blank line between paragraphs", "[paragraphs]") {
  CHECK(JoinParagraphs({}) == "");
  CHECK(JoinParagraphs({Paragraph{"un", {}, nullptr}}) == "un");
  CHECK(JoinParagraphs({Paragraph{"un", {}, nullptr}, Paragraph{"deux", {}, nullptr},
                        Paragraph{"trois", {}, nullptr}}) == "un\n\ndeux\n\ntrois");
  CHECK(TextsOf("<p>a</p><p>b</p>").size() == 2);
}

}  // namespace
}  // namespace gleaner::text
