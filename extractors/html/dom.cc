#include "extractors/html/dom.h"

#include <gumbo.h>
#include <libxml/HTMLtree.h>
#include <libxml/dict.h>

#include <array>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "extractors/core/ascii.h"
#include "extractors/core/libxml.h"
#include "extractors/html/html_internal_attributes.h"
#include "extractors/html/html_internal_gumbo.h"
#include "extractors/html/html_internal_nesting.h"
#include "extractors/html/html_internal_text.h"

namespace gleaner::html {
namespace {

// Gumbo options for every parse. max_errors = 0 stops Gumbo from recording parse errors:
// each recorded error copies the whole stack of open elements, which made a page of
// 100,000 unclosed tags cost gigabytes and minutes; we never read the errors.
GumboOptions ParserOptions() {
  GumboOptions options = kGumboDefaultOptions;
  options.max_errors = 0;
  options.stop_on_first_error = false;
  return options;
}

// True when `name` can be written as an XML attribute name. Gumbo accepts almost any byte
// sequence as a name (`"x"`, `@click`, `a<b`); such attributes cannot be addressed by XPath
// and would make the document unserialisable, so they are dropped.
bool IsXmlAttributeName(std::string_view name) {
  if (name.empty()) return false;
  auto name_start = [](unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || c >= 0x80;
  };
  if (!name_start(static_cast<unsigned char>(name[0]))) return false;
  for (char ch : name.substr(1)) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (!(name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.')) return false;
  }
  return true;
}

// Copies Gumbo's tree into a libxml2 document without recursion (an explicit stack), so
// that nesting depth costs heap, not C stack. Element and attribute names are interned in
// the document's dictionary: one lookup per distinct name, no per-node name allocation.
// Attributes are appended in constant time each, and held to the same caps as the pre-pass
// (CapAttributes) applies, in case Gumbo read a tag the pre-pass did not.
class TreeCopier {
 public:
  TreeCopier(xmlDoc* doc, const DomLimits& limits) : doc_(doc), limits_(limits) {
    tag_names_.fill(nullptr);
  }

  // Attributes left out by the caps.
  size_t dropped_attributes() const { return dropped_attributes_; }

  // Returns the copied <html> element, or kNoArticle when the node cap is exceeded.
  Result<xmlNode*> Copy(const GumboNode& html) {
    xmlNode* root = NewElement(html.v.element);
    if (root == nullptr) return Fail(ErrorCode::kNoArticle, "out of memory building the DOM");
    nodes_ = 1;
    struct Frame {
      const GumboVector* children;
      unsigned int next;
      xmlNode* parent;
    };
    std::vector<Frame> stack;
    stack.push_back({&html.v.element.children, 0, root});
    while (!stack.empty()) {
      Frame& frame = stack.back();
      if (frame.next >= frame.children->length) {
        stack.pop_back();
        continue;
      }
      const auto* child = static_cast<const GumboNode*>(frame.children->data[frame.next++]);
      xmlNode* parent = frame.parent;
      bool is_element = child->type == GUMBO_NODE_ELEMENT || child->type == GUMBO_NODE_TEMPLATE;
      // stack.size() is the depth of `parent` (<html> is depth 1).
      if (is_element && stack.size() >= limits_.max_depth) continue;
      xmlNode* copy = CopyOne(*child);
      if (copy == nullptr) continue;
      if (++nodes_ > limits_.max_nodes) {
        xmlFreeNode(copy);
        return Fail(ErrorCode::kNoArticle,
                    "page too large (more than " + std::to_string(limits_.max_nodes) + " nodes)");
      }
      Link(parent, copy);
      if (is_element && child->v.element.children.length > 0) {
        stack.push_back({&child->v.element.children, 0, copy});  // invalidates `frame`
      }
    }
    return root;
  }

 private:
  // A new unlinked node for an element or text; nullptr for what the DOM does not keep.
  xmlNode* CopyOne(const GumboNode& node) {
    switch (node.type) {
      case GUMBO_NODE_ELEMENT:
      case GUMBO_NODE_TEMPLATE:
        return NewElement(node.v.element);
      case GUMBO_NODE_TEXT:
      case GUMBO_NODE_WHITESPACE:
      case GUMBO_NODE_CDATA: {
        const char* text = node.v.text.text;
        return xmlNewDocTextLen(doc_, reinterpret_cast<const xmlChar*>(text),
                                static_cast<int>(std::strlen(text)));
      }
      default:  // comments; the document node never appears below <html>
        return nullptr;
    }
  }

  // Appends `child` to `parent` directly: xmlAddChild would also try to merge adjacent
  // text nodes and re-check the document, which we do not need.
  static void Link(xmlNode* parent, xmlNode* child) {
    child->parent = parent;
    if (parent->last == nullptr) {
      parent->children = child;
    } else {
      parent->last->next = child;
      child->prev = parent->last;
    }
    parent->last = child;
  }

  xmlNode* NewElement(const GumboElement& element) {
    const xmlChar* name = ElementName(element);
    // The name comes from the document's dictionary, so the node does not own it.
    xmlNode* node = xmlNewDocNodeEatName(doc_, nullptr, const_cast<xmlChar*>(name), nullptr);
    if (node == nullptr) return nullptr;
    CopyAttributes(element.attributes, node);
    return node;
  }

  void CopyAttributes(const GumboVector& attributes, xmlNode* node) {
    xmlAttr* last = nullptr;
    size_t kept = 0;
    for (unsigned int i = 0; i < attributes.length; ++i) {
      const auto* attr = static_cast<const GumboAttribute*>(attributes.data[i]);
      std::string_view name(attr->name);
      if (!IsXmlAttributeName(name)) continue;
      if (kept >= limits_.max_attributes_per_element || attributes_ >= limits_.max_attributes) {
        ++dropped_attributes_;
        continue;
      }
      lower_.assign(name);
      for (char& c : lower_) c = AsciiLower(c);
      // xmlNewNsProp appends by walking the element's attribute list, O(n) per attribute:
      // it is handed an element with no attributes and the new one is linked after `last`.
      // It still does the rest of its work (interned name, text child, id registration).
      xmlAttr* first = node->properties;
      node->properties = nullptr;
      xmlAttr* added = xmlNewNsProp(node, nullptr, reinterpret_cast<const xmlChar*>(lower_.c_str()),
                                    reinterpret_cast<const xmlChar*>(attr->value));
      node->properties = first;
      if (added == nullptr) continue;
      if (last == nullptr) {
        node->properties = added;
      } else {
        last->next = added;
        added->prev = last;
      }
      last = added;
      ++kept;
      ++attributes_;
    }
  }

  // The lower-case element name, interned in the document dictionary.
  const xmlChar* ElementName(const GumboElement& element) {
    if (element.tag != GUMBO_TAG_UNKNOWN && element.tag < GUMBO_TAG_LAST) {
      const xmlChar*& cached = tag_names_[element.tag];
      if (cached == nullptr) cached = Intern(gumbo_normalized_tagname(element.tag));
      return cached;
    }
    GumboStringPiece original = element.original_tag;
    if (original.data != nullptr && original.length > 0) gumbo_tag_from_original_text(&original);
    if (original.data == nullptr || original.length == 0) return Intern("unknown");
    return Intern(std::string_view(original.data, original.length));
  }

  const xmlChar* Intern(std::string_view name) {
    lower_.assign(name);
    for (char& c : lower_) c = AsciiLower(c);
    return xmlDictLookup(doc_->dict, reinterpret_cast<const xmlChar*>(lower_.data()),
                         static_cast<int>(lower_.size()));
  }

  xmlDoc* doc_;
  const DomLimits& limits_;
  size_t nodes_ = 0;
  size_t attributes_ = 0;  // copied so far, for limits_.max_attributes
  size_t dropped_attributes_ = 0;
  std::array<const xmlChar*, GUMBO_TAG_LAST + 1> tag_names_;
  std::string lower_;  // scratch buffer reused for every name
};

// A new empty HTML document with its own name dictionary (freed by xmlFreeDoc).
XmlDocPtr NewDocument() {
  InitLibxml();
  XmlDocPtr doc(htmlNewDocNoDtD(nullptr, nullptr));
  if (doc == nullptr) return doc;
  doc->dict = xmlDictCreate();
  if (doc->dict == nullptr) doc.reset();
  return doc;
}

const GumboNode* FindHtmlElement(const GumboOutput& output) {
  if (output.root != nullptr && output.root->type == GUMBO_NODE_ELEMENT) return output.root;
  const GumboVector& children = output.document->v.document.children;
  for (unsigned int i = 0; i < children.length; ++i) {
    const auto* node = static_cast<const GumboNode*>(children.data[i]);
    if (node->type == GUMBO_NODE_ELEMENT) return node;
  }
  return nullptr;
}

// Gumbo's known aborts all start in foreign content (<math>, <svg>), <select> or
// <template>, where its tree builder can lose an element it later asserts is there.
constexpr std::string_view kTrickyElements[] = {"math", "svg", "select", "template"};
constexpr char kRenamedWarning[] =
    "the HTML parser aborted on this page's markup; parsed again with <math>, <svg>, "
    "<select> and <template> read as plain elements";

bool IsTagNameEnd(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == '/' || c == '>';
}

// `html` with every start and end tag of kTrickyElements renamed to `x-<name>`, an unknown
// element Gumbo treats like a <span>. Case-insensitive; linear.
std::string RenameTrickyElements(std::string_view html) {
  std::string out;
  out.reserve(html.size() + 64);
  size_t copied = 0;
  for (size_t lt = html.find('<'); lt != std::string_view::npos; lt = html.find('<', lt + 1)) {
    size_t name = lt + 1;
    if (name < html.size() && html[name] == '/') ++name;
    for (std::string_view tricky : kTrickyElements) {
      size_t end = name + tricky.size();
      if (end > html.size() || (end < html.size() && !IsTagNameEnd(html[end]))) continue;
      bool same = true;
      for (size_t i = 0; i < tricky.size() && same; ++i)
        same = AsciiLower(html[name + i]) == tricky[i];
      if (!same) continue;
      out.append(html.substr(copied, name - copied)).append("x-");
      copied = name;
      break;
    }
  }
  out.append(html.substr(copied));
  return out;
}

}  // namespace

Result<Document> ParseHtml(std::string_view utf8, const DomLimits& limits) {
  if (utf8.size() > limits.max_bytes) {
    return Fail(ErrorCode::kNoArticle, "page too large (" + std::to_string(utf8.size()) +
                                           " bytes, limit " + std::to_string(limits.max_bytes) +
                                           ")");
  }
  // Gumbo's tree builder is quadratic in nesting depth: elements that would nest deeper
  // than the cap are dropped before it sees the page (legitimate pages pass unchanged).
  internal::GuardedHtml guarded = internal::GuardNesting(utf8, limits.max_depth, limits.max_nodes);
  if (guarded.too_many_elements) {
    return Fail(ErrorCode::kNoArticle, "page has more than " + std::to_string(limits.max_nodes) +
                                           " nodes (limit dom_nodes)");
  }
  std::string_view input = guarded.changed ? std::string_view(guarded.filtered) : utf8;
  // Gumbo's tokenizer is quadratic in attributes per tag, and attributes cost memory the
  // node cap does not count: those over the caps are cut before Gumbo sees them. After
  // GuardNesting, so that no CDATA section is left to read two ways.
  internal::CappedAttributes capped =
      internal::CapAttributes(input, limits.max_attributes_per_element, limits.max_attributes);
  if (capped.changed) input = capped.filtered;
  static const GumboOptions kOptions = ParserOptions();
  std::string renamed;  // declared first so that it outlives `parse`, which points into it
  std::optional<internal::ContainedGumboParse> parse;
  parse.emplace(kOptions, input);
  std::vector<std::string> warnings;
  if (parse->aborted()) {
    // Gumbo lost track of its stack on this markup (html_internal_gumbo.h). Once more with
    // the elements behind its known aborts as plain elements; their text is kept.
    renamed = RenameTrickyElements(input);
    parse.emplace(kOptions, renamed);
    if (parse->aborted()) {
      return Fail(ErrorCode::kNoArticle, "the HTML parser (Gumbo) aborted on this page's markup");
    }
    warnings.push_back(kRenamedWarning);
  }
  const GumboNode* html = FindHtmlElement(*parse->output());
  if (html == nullptr) return Fail(ErrorCode::kNoArticle, "the HTML parser produced no <html>");

  XmlDocPtr doc = NewDocument();
  if (doc == nullptr) return Fail(ErrorCode::kNoArticle, "out of memory building the DOM");
  TreeCopier copier(doc.get(), limits);
  Result<xmlNode*> root = copier.Copy(*html);
  if (!root) return tl::unexpected(root.error());
  xmlDocSetRootElement(doc.get(), *root);
  if (size_t dropped = capped.dropped + copier.dropped_attributes(); dropped > 0) {
    warnings.push_back(std::to_string(dropped) + " attributes dropped (more than " +
                       std::to_string(limits.max_attributes_per_element) + " on one element or " +
                       std::to_string(limits.max_attributes) + " on the page)");
  }
  return Document(std::move(doc), std::move(warnings));
}

namespace {

// Elements whose text is never page text.
bool IsHiddenTextElement(const xmlChar* name) {
  const char* n = reinterpret_cast<const char*>(name);
  return std::strcmp(n, "script") == 0 || std::strcmp(n, "style") == 0 ||
         std::strcmp(n, "noscript") == 0 || std::strcmp(n, "template") == 0;
}

// Elements whose boundaries separate words even when the markup has no white space there
// (`<p>a</p><p>b</p>` reads "a b", as a browser renders it, not "ab").
bool IsWordBreakElement(const xmlChar* name) {
  static constexpr std::string_view kNames[] = {
      "address", "article", "aside", "blockquote", "br",         "caption", "dd",     "details",
      "div",     "dl",      "dt",    "fieldset",   "figcaption", "figure",  "footer", "form",
      "h1",      "h2",      "h3",    "h4",         "h5",         "h6",      "header", "hr",
      "img",     "li",      "main",  "nav",        "ol",         "option",  "p",      "pre",
      "section", "summary", "table", "tbody",      "td",         "tfoot",   "th",     "thead",
      "title",   "tr",      "ul"};
  std::string_view n(reinterpret_cast<const char*>(name));
  for (std::string_view k : kNames) {
    if (k == n) return true;
  }
  return false;
}

bool IsTextNode(const xmlNode* node) {
  return node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE;
}

std::string_view NodeContent(const xmlNode* node) {
  return node->content ? std::string_view(reinterpret_cast<const char*>(node->content))
                       : std::string_view();
}

}  // namespace

std::string ElementText(const xmlNode* node) {
  if (node == nullptr) return {};
  if (IsTextNode(node)) return internal::Collapse(NodeContent(node));
  if (node->type != XML_ELEMENT_NODE && node->type != XML_DOCUMENT_NODE &&
      node->type != XML_HTML_DOCUMENT_NODE) {
    return {};
  }
  std::string out;
  bool pending_space = false;
  // Pre-order walk over parent/next pointers: no recursion, no stack.
  const xmlNode* cur = node->children;
  while (cur != nullptr) {
    bool descend = false;
    if (IsTextNode(cur)) {
      internal::AppendCollapsed(out, NodeContent(cur), pending_space);
    } else if (cur->type == XML_ELEMENT_NODE && !IsHiddenTextElement(cur->name)) {
      if (IsWordBreakElement(cur->name)) pending_space = true;
      descend = cur->children != nullptr;
    }
    if (descend) {
      cur = cur->children;
      continue;
    }
    while (cur != node && cur->next == nullptr) {
      cur = cur->parent;
      if (cur != node && cur->type == XML_ELEMENT_NODE && IsWordBreakElement(cur->name)) {
        pending_space = true;
      }
    }
    cur = cur == node ? nullptr : cur->next;
  }
  return out;
}

std::optional<std::string> Attribute(const xmlNode* node, const char* name) {
  if (node == nullptr || name == nullptr || node->type != XML_ELEMENT_NODE) return std::nullopt;
  for (const xmlAttr* attr = node->properties; attr != nullptr; attr = attr->next) {
    if (std::strcmp(reinterpret_cast<const char*>(attr->name), name) != 0) continue;
    const xmlNode* value = attr->children;
    if (value == nullptr) return std::string();
    if (IsTextNode(value) && value->next == nullptr) return std::string(NodeContent(value));
    xmlChar* joined = xmlNodeListGetString(node->doc, value, 1);
    std::string result = joined ? reinterpret_cast<const char*>(joined) : "";
    xmlFree(joined);
    return result;
  }
  return std::nullopt;
}

}  // namespace gleaner::html
