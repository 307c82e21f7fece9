// The DOM every extractor walks: Gumbo's HTML5 tree copied into libxml2.
#include "extractors/html/dom.h"

#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cassert>
#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

// glibc's assert() failure handler, which gleaner defines. <assert.h> declares it only when
// NDEBUG is unset, and the optimised test builds set it.
extern "C" void __assert_fail(const char* assertion, const char* file, unsigned int line,
                              const char* function) noexcept;

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

size_t AttributeCount(const xmlNode* node) {
  size_t n = 0;
  for (const xmlAttr* a = node->properties; a != nullptr; a = a->next) ++n;
  return n;
}

size_t TotalAttributes(const xmlNode* root) {
  size_t total = 0;
  std::vector<const xmlNode*> stack{root};
  while (!stack.empty()) {
    const xmlNode* node = stack.back();
    stack.pop_back();
    total += AttributeCount(node);
    for (const xmlNode* c = node->children; c != nullptr; c = c->next) {
      if (c->type == XML_ELEMENT_NODE) stack.push_back(c);
    }
  }
  return total;
}

// `count` distinct attributes a0="v" a1="v" ...
std::string ManyAttributes(size_t count) {
  std::string out;
  for (size_t i = 0; i < count; ++i) out += " a" + std::to_string(i) + "=\"v\"";
  return out;
}

TEST_CASE("an element with thousands of attributes keeps the first ones, with a warning",
          "[dom][hostile]") {
  const DomLimits limits;
  std::string page = "<body><div id=\"story\" class=\"lead\"" + ManyAttributes(5000) +
                     ">Text of the story.</div><p title=\"x\">Next.</p></body>";
  auto doc = ParseHtml(page);
  REQUIRE(doc.has_value());
  const xmlNode* div = FirstElement(doc->root(), "div");
  REQUIRE(div != nullptr);
  CHECK(AttributeCount(div) == limits.max_attributes_per_element);
  CHECK(Attribute(div, "id") == "story");  // the first attributes are the ones kept
  CHECK(Attribute(div, "class") == "lead");
  CHECK_FALSE(Attribute(div, "a4000").has_value());
  CHECK(Attribute(FirstElement(doc->root(), "p"), "title") == "x");
  CHECK(ElementText(doc->root()) == "Text of the story. Next.");
  REQUIRE(doc->warnings().size() == 1);
  CHECK(doc->warnings()[0].find("attributes") != std::string::npos);
}

TEST_CASE("a page over the attribute budget keeps its elements and text, with a warning",
          "[dom][hostile]") {
  DomLimits limits;
  limits.max_attributes = 1000;
  std::string page = "<body>";
  for (int i = 0; i < 100; ++i)
    page += "<p" + ManyAttributes(20) + ">para " + std::to_string(i) + "</p>";
  auto doc = ParseHtml(page, limits);
  REQUIRE(doc.has_value());
  CHECK(TotalAttributes(doc->root()) == 1000);
  CHECK(ElementChildren(FirstElement(doc->root(), "body")).size() == 100);
  CHECK(ElementText(doc->root()).find("para 99") != std::string::npos);
  REQUIRE(doc->warnings().size() == 1);
  CHECK(doc->warnings()[0].find("attributes") != std::string::npos);
}

TEST_CASE("a page within the attribute caps parses with every attribute and no warning", "[dom]") {
  DomLimits limits;
  limits.max_attributes = 100;
  std::string page = "<body>";
  for (int i = 0; i < 10; ++i) page += "<p" + ManyAttributes(10) + ">x</p>";
  auto doc = ParseHtml(page, limits);
  REQUIRE(doc.has_value());
  CHECK(TotalAttributes(doc->root()) == 100);
  CHECK(doc->warnings().empty());
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

// In a forked child: a thread parses a page that keeps it inside Gumbo most of the time
// (a long text costs Gumbo's tokenizer far more than the copy into libxml2) while the main
// thread sends it SIGABRT, as a watchdog or a heap-corruption check would. The old SIGABRT
// trap swallowed such an abort whenever it landed during a parse.
TEST_CASE("a SIGABRT that lands while a thread is parsing still ends the process",
          "[dom][hostile]") {
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    std::signal(SIGABRT, SIG_DFL);  // not the test framework's reporter: die as abort() means
    std::string page = "<p>" + std::string(4u << 20, 'x') + "</p>";
    std::atomic<bool> parsing{false};
    std::thread parser([&] {
      for (int i = 0; i < 40; ++i) {
        parsing = true;
        auto doc = ParseHtml(page);
        if (!doc) _exit(4);
      }
      _exit(0);  // the abort was swallowed
    });
    while (!parsing) std::this_thread::yield();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    pthread_kill(parser.native_handle(), SIGABRT);
    parser.join();
    _exit(5);
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  INFO("exit status " << (WIFEXITED(status) ? WEXITSTATUS(status) : -1));
  REQUIRE(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGABRT);
}

// Outside a parse, a failed assertion keeps glibc's meaning: its usual line on stderr, then
// SIGABRT.
TEST_CASE("an assertion failing outside the HTML parser prints glibc's line and aborts",
          "[dom][hostile]") {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    std::signal(SIGABRT, SIG_DFL);
    dup2(fds[1], STDERR_FILENO);
    close(fds[0]);
    auto doc = ParseHtml(kGumboAbortMarkup);  // a contained assertion first
    if (!doc || doc->warnings().empty()) _exit(3);
    __assert_fail("answer == 42", "checks.cc", 7, "int Check()");
  }
  close(fds[1]);
  std::string err;
  char buf[512];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) err.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGABRT);
  CHECK(err.find(": checks.cc:7: int Check(): Assertion `answer == 42' failed.\n") !=
        std::string::npos);
}

}  // namespace
}  // namespace gleaner::html
