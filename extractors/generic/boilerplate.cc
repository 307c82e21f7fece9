#include "extractors/generic/boilerplate.h"

#include <algorithm>

#include "extractors/core/url.h"
#include "extractors/generic/generic_params.h"
#include "extractors/generic/patterns.h"
#include "extractors/html/dom.h"
#include "extractors/text/normalize.h"
#include "extractors/text/paragraphs.h"

namespace gleaner::generic {
namespace {

std::string LowerAttribute(const xmlNode* node, const char* name) {
  std::string value = html::Attribute(node, name).value_or("");
  std::transform(value.begin(), value.end(), value.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  });
  return value;
}

// True when one of the space-separated tokens of `classes` is in `tokens`.
template <typename Tokens>
bool HasClassToken(std::string_view classes, const Tokens& tokens) {
  size_t pos = 0;
  while (pos < classes.size()) {
    size_t end = classes.find(' ', pos);
    if (end == std::string_view::npos) end = classes.size();
    std::string_view token = classes.substr(pos, end - pos);
    for (std::string_view t : tokens) {
      if (token == t) return true;
    }
    pos = end + 1;
  }
  return false;
}

template <typename Values>
bool IsOneOf(std::string_view value, const Values& values) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

bool IsProtectedFromNames(Tag tag) {
  // The document's own containers and the HTML5 content elements are never dropped for
  // their names: "<body class='has-sidebar'>" and "<article class='post has-comments'>"
  // are common.
  return tag == Tag::kHtml || tag == Tag::kBody || tag == Tag::kArticle || tag == Tag::kMain ||
         tag == Tag::kA || tag == Tag::kTable || tag == Tag::kTbody || tag == Tag::kTr ||
         tag == Tag::kTd || tag == Tag::kTh;
}

// Hidden by a CSS framework's class: a guess from names, so a pass may relax it.
bool IsHiddenByClass(std::string_view names) {
  return HasClassToken(names, params::kHiddenClassTokens);
}

bool IsFurniture(const PageTree& tree, int32_t index) {
  const Node& node = tree[index];
  // A <header> holds the title, byline and menus; only a page that wraps its whole
  // article in one (kHeaderMaxParagraphs) keeps it.
  if (node.tag == Tag::kHeader) return node.paragraphs <= params::kHeaderMaxParagraphs;
  if (node.xml->name != nullptr &&
      IsOneOf(std::string_view(reinterpret_cast<const char*>(node.xml->name)),
              params::kFurnitureTags)) {
    return true;
  }
  std::string role = LowerAttribute(node.xml, "role");
  return !role.empty() && IsOneOf(role, params::kFurnitureRoles);
}

bool IsUnlikely(const PageTree& tree, int32_t index, std::string_view names) {
  if (IsProtectedFromNames(tree[index].tag) || names.empty()) return false;
  if (!ContainsAny(names, params::kUnlikelyWords)) return false;
  return !ContainsAny(names, params::kMaybeContentWords);
}

bool IsRelatedHeading(const PageTree& tree, int32_t index) {
  const Node& node = tree[index];
  if (!IsHeading(node.tag) || node.tag == Tag::kH1 || node.text == 0 ||
      node.text > params::kRelatedHeadingMaxChars) {
    return false;
  }
  if (tree.ClassAndId(index).find("related") != std::string::npos) return true;
  const auto& regex = CompiledPatterns().related_heading;
  return regex && regex->Matches(text::CleanText(html::ElementText(node.xml)));
}

// A box that opens with a "related" heading, directly or inside one wrapper.
bool IsTitledRelatedBox(const PageTree& tree, int32_t index) {
  const Node& node = tree[index];
  if (node.tag == Tag::kBody || node.tag == Tag::kHtml || node.tag == Tag::kMain ||
      !IsBlock(node.tag)) {
    return false;
  }
  int32_t first = tree.FirstChild(index);
  if (first < 0) return false;
  if (IsRelatedHeading(tree, first)) return true;
  int32_t inner = tree.FirstChild(first);
  return inner >= 0 && !IsHeading(tree[first].tag) && IsRelatedHeading(tree, inner) &&
         tree[first].text == tree[inner].text;
}

bool IsNamedTicker(const PageTree& tree, int32_t index) {
  if (tree[index].tag == Tag::kMarquee) return true;
  if (IsProtectedFromNames(tree[index].tag)) return false;
  return ContainsAny(tree.ClassAndId(index), params::kTickerClassWords);
}

// A run of headlines: enough links, nearly all of the text inside them, each of headline
// length. A named ticker may hold them in a list; an unnamed one must be one row of inline
// links (no block children), which is what tells it from a most-read list or a menu.
bool IsTicker(const PageTree& tree, int32_t index) {
  const Node& node = tree[index];
  if (node.links < params::kTickerMinLinks) return false;
  if (node.LinkDensity() < params::kTickerMinLinkDensity) return false;
  if (node.link_text < params::kTickerMinAverageTitle * node.links) return false;
  if (IsNamedTicker(tree, index)) return true;
  return node.blocks == 0 && node.tag != Tag::kA;
}

}  // namespace

void WeighClassNames(PageTree& tree) {
  for (size_t i = 0; i < tree.size(); ++i) {
    Node& node = tree[i];
    if (node.drop == Drop::kNever) continue;
    std::string names = tree.ClassAndId(static_cast<int32_t>(i));
    double weight = 0.0;
    if (!names.empty()) {
      if (ContainsAny(names, params::kNegativeWords)) weight -= params::kClassWeight;
      if (ContainsAny(names, params::kPositiveWords)) weight += params::kClassWeight;
    }
    std::string itemprop = LowerAttribute(node.xml, "itemprop");
    if (!itemprop.empty() && IsOneOf(itemprop, params::kArticleBodyItemprops)) {
      weight += params::kItempropBodyBonus;
    }
    node.class_weight = weight;
  }
}

void ResetDrops(PageTree& tree) {
  for (Node& node : tree.nodes()) {
    if (node.drop != Drop::kNever && node.drop != Drop::kHiddenAttribute &&
        node.drop != Drop::kTicker) {
      node.drop = Drop::kNone;
    }
  }
}

void MarkHidden(PageTree& tree) {
  for (int32_t i = 0; i < static_cast<int32_t>(tree.size());) {
    Node& node = tree[i];
    if (node.drop == Drop::kNone && node.tag != Tag::kBody && node.tag != Tag::kHtml &&
        text::IsHiddenElement(node.xml)) {
      tree.DropSubtree(i, Drop::kHiddenAttribute);
    }
    i = node.drop != Drop::kNone ? node.end : i + 1;
  }
}

void MarkBoilerplate(PageTree& tree, const PassOptions& options) {
  for (int32_t i = 0; i < static_cast<int32_t>(tree.size());) {
    Node& node = tree[i];
    if (node.drop != Drop::kNone) {
      i = node.end;
      continue;
    }
    std::string names = tree.ClassAndId(i);
    if (options.drop_hidden_classes && !IsProtectedFromNames(node.tag) && IsHiddenByClass(names)) {
      tree.DropSubtree(i, Drop::kHidden);
    } else if (options.drop_furniture && IsFurniture(tree, i)) {
      tree.DropSubtree(i, Drop::kFurniture);
    } else if (options.drop_unlikely &&
               (IsUnlikely(tree, i, names) || IsTitledRelatedBox(tree, i))) {
      tree.DropSubtree(i, Drop::kUnlikely);
    }
    i = node.drop != Drop::kNone ? node.end : i + 1;
  }
}

std::vector<Link> TakeTickers(PageTree& tree, const std::optional<std::string>& base_url) {
  std::vector<Link> headlines;
  for (int32_t i = 0; i < static_cast<int32_t>(tree.size());) {
    const Node& node = tree[i];
    if (node.drop != Drop::kNone || !IsTicker(tree, i)) {
      i = node.drop != Drop::kNone ? node.end : i + 1;
      continue;
    }
    for (int32_t a = i + 1; a < node.end; ++a) {
      if (tree[a].tag != Tag::kA || tree[a].drop != Drop::kNone) continue;
      auto href = html::Attribute(tree[a].xml, "href");
      std::string title = text::CleanText(html::ElementText(tree[a].xml));
      if (!href || title.empty()) continue;
      headlines.push_back({title, base_url ? ResolveUrl(*base_url, *href) : *href});
    }
    tree.DropSubtree(i, Drop::kTicker);
    i = node.end;
  }
  return headlines;
}

}  // namespace gleaner::generic
