// One pass over the subtree, in document order, without recursion: the walk follows
// libxml2's children/next/parent pointers, so a page nested thousands of levels deep costs
// no stack. Text is appended raw to one buffer per paragraph and cleaned once, when the
// paragraph ends (a block boundary or a <br>).
#include "extractors/text/paragraphs.h"

#include <cstring>
#include <string_view>
#include <unordered_map>

#include "extractors/core/ascii.h"
#include "extractors/text/normalize.h"

namespace gleaner::text {
namespace {

enum class Kind { kInline, kBlock, kBreak, kSkip };

// Elements whose start and end end a paragraph: HTML's block-level and table elements (a
// table cell is its own paragraph, like a layout cell reads), plus <body>/<html> so text
// directly under them still gets a block.
constexpr std::string_view kBlockElements[] = {
    "address",  "article",  "aside", "blockquote", "body",    "caption", "center",   "dd",
    "details",  "dialog",   "dir",   "div",        "dl",      "dt",      "fieldset", "figcaption",
    "figure",   "footer",   "h1",    "h2",         "h3",      "h4",      "h5",       "h6",
    "header",   "hgroup",   "hr",    "html",       "legend",  "li",      "main",     "menu",
    "nav",      "ol",       "p",     "pre",        "section", "summary", "table",    "tbody",
    "td",       "tfoot",    "th",    "thead",      "tr",      "ul",      "listing",  "xmp",
    "noframes", "frameset", "frame", "optgroup",   "option",  "search"};

// Elements that never contribute text (paragraphs.h): code, forms and widgets, embedded
// documents, and metadata a reader never sees in the page body.
constexpr std::string_view kSkippedElements[] = {
    "script", "style",  "noscript", "template", "form",  "button", "select",  "textarea",
    "input",  "iframe", "svg",      "math",     "head",  "title",  "meta",    "link",
    "object", "embed",  "canvas",   "video",    "audio", "map",    "datalist"};

Kind Classify(const xmlNode* node) {
  static const auto* const kinds = [] {
    auto* map = new std::unordered_map<std::string_view, Kind>();
    for (std::string_view name : kBlockElements) (*map)[name] = Kind::kBlock;
    for (std::string_view name : kSkippedElements) (*map)[name] = Kind::kSkip;
    (*map)["br"] = Kind::kBreak;
    return map;
  }();
  if (node->name == nullptr) return Kind::kInline;
  auto it = kinds->find(reinterpret_cast<const char*>(node->name));
  return it == kinds->end() ? Kind::kInline : it->second;
}

bool IsContainer(const xmlNode* node) {
  switch (node->type) {
    case XML_ELEMENT_NODE:
    case XML_DOCUMENT_NODE:
    case XML_HTML_DOCUMENT_NODE:
    case XML_DOCUMENT_FRAG_NODE:
      return true;
    default:
      return false;  // entity references' children belong to the DTD, not to this tree
  }
}

bool NameIs(const xmlChar* name, const char* expected) {
  return name != nullptr && std::strcmp(reinterpret_cast<const char*>(name), expected) == 0;
}

// The attribute's value; an attribute written without one ("hidden") gives "".
std::string AttributeValue(const xmlAttr* attr) {
  std::string value;
  for (const xmlNode* child = attr->children; child != nullptr; child = child->next) {
    if (child->content != nullptr) value += reinterpret_cast<const char*>(child->content);
  }
  return value;
}

const xmlAttr* FindAttribute(const xmlNode* node, const char* name) {
  for (const xmlAttr* attr = node->properties; attr != nullptr; attr = attr->next) {
    if (NameIs(attr->name, name)) return attr;
  }
  return nullptr;
}

std::string LowerNoSpaces(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (!IsHtmlSpace(c)) out += AsciiLower(c);
  }
  return out;
}

// True when an inline style declares display:none or visibility:hidden (with or without
// !important, in any case and spacing).
bool StyleHides(std::string_view style) {
  std::string css = LowerNoSpaces(style);
  std::string_view rest = css;
  while (!rest.empty()) {
    size_t semicolon = rest.find(';');
    std::string_view declaration = rest.substr(0, semicolon);
    if (declaration.rfind("display:none", 0) == 0 ||
        declaration.rfind("visibility:hidden", 0) == 0) {
      return true;
    }
    if (semicolon == std::string_view::npos) break;
    rest.remove_prefix(semicolon + 1);
  }
  return false;
}

// The nearest block element at or above `node`, or the nearest element when there is none.
const xmlNode* EnclosingBlock(const xmlNode* node) {
  const xmlNode* first_element = nullptr;
  for (const xmlNode* n = node; n != nullptr; n = n->parent) {
    if (n->type != XML_ELEMENT_NODE) continue;
    if (first_element == nullptr) first_element = n;
    if (Classify(n) == Kind::kBlock) return n;
  }
  return first_element;
}

// The state of one walk: the paragraph being built, the links open in it, the blocks
// around it, and the paragraphs finished so far.
class ParagraphBuilder {
 public:
  explicit ParagraphBuilder(const xmlNode* root) { blocks_.push_back(EnclosingBlock(root)); }

  // Handles the start of `node`; returns false when the node and its subtree are skipped.
  bool Enter(const xmlNode* node) {
    if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE) {
      if (node->content != nullptr) raw_ += reinterpret_cast<const char*>(node->content);
      return true;
    }
    if (node->type != XML_ELEMENT_NODE) return IsContainer(node);
    Kind kind = Classify(node);
    if (kind == Kind::kSkip || IsHiddenElement(node)) return false;
    if (kind == Kind::kBreak) {
      Flush();
    } else if (kind == Kind::kBlock) {
      Flush();
      blocks_.push_back(node);
    } else if (NameIs(node->name, "a")) {
      if (const xmlAttr* href = FindAttribute(node, "href")) {
        open_links_.push_back(OpenLink{node, AttributeValue(href), raw_.size()});
      }
    }
    return true;
  }

  // Handles the end of an element entered with Enter (text nodes end with no effect).
  void Exit(const xmlNode* node) {
    if (node->type != XML_ELEMENT_NODE) return;
    if (!open_links_.empty() && open_links_.back().node == node) {
      CloseLink(open_links_.back());
      open_links_.pop_back();
    } else if (blocks_.size() > 1 && blocks_.back() == node) {
      Flush();
      blocks_.pop_back();
    }
  }

  std::vector<Paragraph> Finish() {
    Flush();
    return std::move(paragraphs_);
  }

 private:
  struct OpenLink {
    const xmlNode* node;
    std::string href;
    size_t start;  // offset in raw_ where the link's text begins
  };

  void CloseLink(const OpenLink& link) {
    std::string text = CleanText(std::string_view(raw_).substr(link.start));
    // A link with no text (an image, an icon) names nothing a reader could follow by title.
    if (!text.empty()) links_.push_back(ParagraphLink{std::move(text), link.href});
  }

  // Ends the current paragraph. A link still open (one wrapping blocks, as in teaser
  // cards) gives each paragraph it spans its own entry, and continues into the next.
  void Flush() {
    for (OpenLink& link : open_links_) {
      CloseLink(link);
      link.start = 0;
    }
    std::string text = CleanText(raw_);
    raw_.clear();
    if (!text.empty()) {
      paragraphs_.push_back(Paragraph{std::move(text), std::move(links_), blocks_.back()});
    }
    links_.clear();
  }

  std::string raw_;
  std::vector<ParagraphLink> links_;
  std::vector<OpenLink> open_links_;
  std::vector<const xmlNode*> blocks_;
  std::vector<Paragraph> paragraphs_;
};

}  // namespace

std::vector<Paragraph> ExtractParagraphs(const xmlNode* node) {
  if (node == nullptr) return {};
  const xmlNode* root = node;
  ParagraphBuilder builder(root);
  const xmlNode* n = root;
  while (true) {
    bool entered = builder.Enter(n);
    if (entered && IsContainer(n) && n->children != nullptr) {
      n = n->children;
      continue;
    }
    if (entered) builder.Exit(n);
    while (n != root && n->next == nullptr) {
      n = n->parent;
      builder.Exit(n);
    }
    if (n == root) break;
    n = n->next;
  }
  return builder.Finish();
}

bool IsTextless(const xmlNode* node) {
  return Classify(node) == Kind::kSkip || IsHiddenElement(node);
}

bool IsHiddenElement(const xmlNode* node) {
  if (node == nullptr || node->type != XML_ELEMENT_NODE) return false;
  for (const xmlAttr* attr = node->properties; attr != nullptr; attr = attr->next) {
    if (NameIs(attr->name, "hidden")) return true;
    if (NameIs(attr->name, "aria-hidden") && LowerNoSpaces(AttributeValue(attr)) == "true") {
      return true;
    }
    if (NameIs(attr->name, "style") && StyleHides(AttributeValue(attr))) return true;
  }
  return false;
}

std::string JoinParagraphs(const std::vector<Paragraph>& paragraphs) {
  size_t size = 0;
  for (const Paragraph& p : paragraphs) size += p.text.size() + 2;
  std::string out;
  out.reserve(size);
  for (size_t i = 0; i < paragraphs.size(); ++i) {
    if (i > 0) out += "\n\n";
    out += paragraphs[i].text;
  }
  return out;
}

}  // namespace gleaner::text
