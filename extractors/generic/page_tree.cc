#include "extractors/generic/page_tree.h"

#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "extractors/core/ascii.h"
#include "extractors/generic/generic_params.h"

namespace gleaner::generic {
namespace {

const std::unordered_map<std::string_view, Tag>& TagTable() {
  static const auto* table = [] {
    auto* t = new std::unordered_map<std::string_view, Tag>{
        {"html", Tag::kHtml},
        {"body", Tag::kBody},
        {"a", Tag::kA},
        {"p", Tag::kP},
        {"div", Tag::kDiv},
        {"span", Tag::kSpan},
        {"article", Tag::kArticle},
        {"main", Tag::kMain},
        {"section", Tag::kSection},
        {"br", Tag::kBr},
        {"table", Tag::kTable},
        {"tbody", Tag::kTbody},
        {"thead", Tag::kTbody},
        {"tfoot", Tag::kTbody},
        {"tr", Tag::kTr},
        {"td", Tag::kTd},
        {"th", Tag::kTh},
        {"pre", Tag::kPre},
        {"blockquote", Tag::kBlockquote},
        {"ul", Tag::kUl},
        {"ol", Tag::kOl},
        {"li", Tag::kLi},
        {"dl", Tag::kDl},
        {"dt", Tag::kDt},
        {"dd", Tag::kDd},
        {"h1", Tag::kH1},
        {"h2", Tag::kH2},
        {"h3", Tag::kH3},
        {"h4", Tag::kH4},
        {"h5", Tag::kH5},
        {"h6", Tag::kH6},
        {"form", Tag::kForm},
        {"img", Tag::kImg},
        {"picture", Tag::kPicture},
        {"video", Tag::kVideo},
        {"audio", Tag::kAudio},
        {"figure", Tag::kFigure},
        {"figcaption", Tag::kFigcaption},
        {"marquee", Tag::kMarquee},
        {"nav", Tag::kNav},
        {"aside", Tag::kAside},
        {"footer", Tag::kFooter},
        {"header", Tag::kHeader},
        {"menu", Tag::kMenu},
        {"time", Tag::kTime},
        {"font", Tag::kFont},
        {"center", Tag::kCenter},
        {"strong", Tag::kStrong},
        {"b", Tag::kB},
        {"em", Tag::kEm},
        {"i", Tag::kI},
        {"u", Tag::kU},
        {"small", Tag::kSmall},
        {"sup", Tag::kSup},
        {"sub", Tag::kSub},
        {"code", Tag::kCode},
        {"q", Tag::kQ},
        {"cite", Tag::kCite},
        {"abbr", Tag::kAbbr},
        {"mark", Tag::kMark},
        {"label", Tag::kLabel},
        {"address", Tag::kAddress},
        {"hr", Tag::kHr},
    };
    for (std::string_view name : params::kNeverContentTags) (*t)[name] = Tag::kNever;
    return t;
  }();
  return *table;
}

Tag TagOf(const xmlNode* element) {
  const char* name = reinterpret_cast<const char*>(element->name);
  if (name == nullptr) return Tag::kOther;
  auto it = TagTable().find(std::string_view(name));
  return it == TagTable().end() ? Tag::kOther : it->second;
}

// The value of an attribute without allocating: libxml2 keeps it as one text child.
std::string_view AttributeView(const xmlNode* node, const char* name) {
  for (const xmlAttr* a = node->properties; a != nullptr; a = a->next) {
    if (a->name != nullptr && std::strcmp(reinterpret_cast<const char*>(a->name), name) == 0) {
      if (a->children != nullptr && a->children->content != nullptr) {
        return reinterpret_cast<const char*>(a->children->content);
      }
      return {};
    }
  }
  return {};
}

}  // namespace

bool IsHeading(Tag tag) { return tag >= Tag::kH1 && tag <= Tag::kH6; }

bool IsBlock(Tag tag) {
  switch (tag) {
    case Tag::kP:
    case Tag::kDiv:
    case Tag::kArticle:
    case Tag::kMain:
    case Tag::kSection:
    case Tag::kTable:
    case Tag::kTbody:
    case Tag::kTr:
    case Tag::kTd:
    case Tag::kTh:
    case Tag::kPre:
    case Tag::kBlockquote:
    case Tag::kUl:
    case Tag::kOl:
    case Tag::kLi:
    case Tag::kDl:
    case Tag::kDt:
    case Tag::kDd:
    case Tag::kH1:
    case Tag::kH2:
    case Tag::kH3:
    case Tag::kH4:
    case Tag::kH5:
    case Tag::kH6:
    case Tag::kForm:
    case Tag::kFigure:
    case Tag::kFigcaption:
    case Tag::kMarquee:
    case Tag::kNav:
    case Tag::kAside:
    case Tag::kFooter:
    case Tag::kHeader:
    case Tag::kMenu:
    case Tag::kCenter:
    case Tag::kAddress:
    case Tag::kHr:
    case Tag::kBody:
    case Tag::kHtml:
      return true;
    default:
      return false;
  }
}

size_t VisibleLength(std::string_view text) {
  size_t count = 0;
  bool in_space = true;  // leading white space is not counted
  bool pending_space = false;
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (IsCSpace(c)) {
      in_space = true;
      continue;
    }
    // U+00A0 no-break space (C2 A0) counts as white space, as in the body's format.
    if (c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0xA0) {
      in_space = true;
      ++i;
      continue;
    }
    if ((c & 0xC0) == 0x80) continue;  // continuation byte: same code point
    if (in_space && count > 0) pending_space = true;
    if (pending_space) {
      ++count;
      pending_space = false;
    }
    in_space = false;
    ++count;
  }
  return count;
}

PageTree::PageTree(xmlNode* root) {
  nodes_.reserve(1024);
  if (root != nullptr) Build(root, -1, 0);
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i].tag == Tag::kBody) {
      body_ = static_cast<int32_t>(i);
      break;
    }
  }
  ComputeStats();
}

void PageTree::CountText(std::string_view text, Node& owner) {
  // A text node after another inline piece is separated by the white space it starts with;
  // VisibleLength drops leading space, so add one back when the text starts with some.
  size_t length = VisibleLength(text);
  if (length > 0 && owner.own_text > 0 && !text.empty() && IsCSpace(text.front())) {
    ++length;
  }
  owner.own_text += static_cast<uint32_t>(length);
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == ',') {
      ++owner.own_commas;
    } else if (c == '.' || c == '!' || c == '?') {
      ++owner.own_sentence_ends;
    } else if (c == 0xD8 && i + 1 < text.size()) {
      unsigned char d = static_cast<unsigned char>(text[i + 1]);
      if (d == 0x8C) ++owner.own_commas;         // U+060C Arabic comma
      if (d == 0x9F) ++owner.own_sentence_ends;  // U+061F Arabic question mark
    } else if (c == 0xEF && i + 2 < text.size() &&
               static_cast<unsigned char>(text[i + 1]) == 0xBC &&
               static_cast<unsigned char>(text[i + 2]) == 0x8C) {
      ++owner.own_commas;  // U+FF0C fullwidth comma
    } else if (c == 0xE3 && i + 2 < text.size() &&
               static_cast<unsigned char>(text[i + 1]) == 0x80) {
      unsigned char d = static_cast<unsigned char>(text[i + 2]);
      if (d == 0x81) ++owner.own_commas;         // U+3001 ideographic comma
      if (d == 0x82) ++owner.own_sentence_ends;  // U+3002 ideographic full stop
    }
  }
}

void PageTree::Build(xmlNode* element, int32_t parent, uint16_t depth) {
  const auto index = static_cast<int32_t>(nodes_.size());
  nodes_.emplace_back();
  {
    Node& node = nodes_.back();
    node.xml = element;
    node.parent = parent;
    node.depth = depth;
    node.tag = TagOf(element);
    node.in_link = node.tag == Tag::kA || (parent >= 0 && nodes_[parent].in_link);
    if (node.tag == Tag::kNever) node.drop = Drop::kNever;
  }
  if (nodes_[index].tag != Tag::kNever) {
    for (xmlNode* child = element->children; child != nullptr; child = child->next) {
      if (child->type == XML_ELEMENT_NODE) {
        Build(child, index, static_cast<uint16_t>(depth + 1));
      } else if ((child->type == XML_TEXT_NODE || child->type == XML_CDATA_SECTION_NODE) &&
                 child->content != nullptr) {
        CountText(reinterpret_cast<const char*>(child->content), nodes_[index]);
      }
    }
  }
  nodes_[index].end = static_cast<int32_t>(nodes_.size());
}

void PageTree::ComputeStats() {
  for (Node& node : nodes_) {
    node.text = node.own_text;
    node.link_text = node.in_link ? node.own_text : 0;
    node.commas = node.own_commas;
    node.sentence_ends = node.own_sentence_ends;
    node.links = node.paragraphs = node.list_items = node.images = node.embeds = 0;
    node.headings = node.blocks = 0;
  }
  for (size_t i = nodes_.size(); i-- > 0;) {
    Node& node = nodes_[i];
    if (node.drop != Drop::kNone) continue;
    switch (node.tag) {
      case Tag::kA:
        if (node.xml->properties != nullptr) ++node.links;
        break;
      case Tag::kP:
      case Tag::kPre:
      case Tag::kBlockquote:
        ++node.paragraphs;
        break;
      case Tag::kLi:
        ++node.list_items;
        break;
      case Tag::kImg:
      case Tag::kPicture:
        ++node.images;
        break;
      case Tag::kVideo:
      case Tag::kAudio:
        ++node.embeds;
        break;
      default:
        if (IsHeading(node.tag)) {
          ++node.headings;
        } else if (IsBlock(node.tag) && node.blocks == 0 &&
                   node.text >= params::kMinParagraphChars) {
          // A block holding only inline text reads as a paragraph whatever its tag
          // (Readability turns such <div>s into <p>s): blogs write <div>text</div>.
          ++node.paragraphs;
        }
        break;
    }
    if (node.parent < 0) continue;
    Node& parent = nodes_[node.parent];
    parent.text += node.text;
    parent.link_text += node.link_text;
    parent.commas += node.commas;
    parent.sentence_ends += node.sentence_ends;
    parent.links += node.links;
    parent.paragraphs += node.paragraphs;
    parent.list_items += node.list_items;
    parent.images += node.images;
    parent.embeds += node.embeds;
    parent.headings += node.headings;
    if (IsBlock(node.tag)) ++parent.blocks;
  }
}

void PageTree::DropSubtree(int32_t index, Drop why) {
  if (nodes_[index].drop == Drop::kNone) nodes_[index].drop = why;
}

bool PageTree::IsDropped(int32_t index) const {
  for (int32_t i = index; i >= 0; i = nodes_[i].parent) {
    if (nodes_[i].drop != Drop::kNone) return true;
  }
  return false;
}

std::string_view PageTree::Attribute(int32_t index, const char* name) const {
  return AttributeView(nodes_[index].xml, name);
}

std::string PageTree::ClassAndId(int32_t index) const {
  const xmlNode* xml = nodes_[index].xml;
  std::string out(AttributeView(xml, "class"));
  std::string_view id = AttributeView(xml, "id");
  if (!id.empty()) {
    if (!out.empty()) out += ' ';
    out += id;
  }
  for (char& c : out) c = AsciiLower(c);
  return out;
}

int32_t PageTree::FirstChild(int32_t index) const {
  return index + 1 < nodes_[index].end ? index + 1 : -1;
}

int32_t PageTree::NextSibling(int32_t index) const {
  const Node& node = nodes_[index];
  if (node.parent < 0) return -1;
  return node.end < nodes_[node.parent].end ? node.end : -1;
}

}  // namespace gleaner::generic
