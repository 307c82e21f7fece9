// A compact mirror of the page's element tree for scoring: elements in document order
// (pre-order), each with its subtree range and text statistics (visible characters,
// characters inside links, commas, counts of paragraphs, list items, images ...).
// Scoring walks this array instead of the libxml2 tree: one pass builds it, and statistics
// are recomputed in one backward pass after blocks are set aside, so no node is freed
// until the body is chosen. Internal to the generic extractor. Pure; not thread-safe.
#pragma once

#include <libxml/tree.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gleaner::generic {

// The tags the heuristics tell apart; everything else is kOther.
enum class Tag : uint8_t {
  kOther,
  kHtml,
  kBody,
  kA,
  kP,
  kDiv,
  kSpan,
  kArticle,
  kMain,
  kSection,
  kBr,
  kTable,
  kTbody,
  kTr,
  kTd,
  kTh,
  kPre,
  kBlockquote,
  kUl,
  kOl,
  kLi,
  kDl,
  kDt,
  kDd,
  kH1,
  kH2,
  kH3,
  kH4,
  kH5,
  kH6,
  kForm,
  kImg,
  kPicture,
  kVideo,
  kAudio,
  kFigure,
  kFigcaption,
  kMarquee,
  kNav,
  kAside,
  kFooter,
  kHeader,
  kMenu,
  kTime,
  kFont,
  kCenter,
  kStrong,
  kB,
  kEm,
  kI,
  kU,
  kSmall,
  kSup,
  kSub,
  kCode,
  kQ,
  kCite,
  kAbbr,
  kMark,
  kLabel,
  kAddress,
  kHr,
  kNever,  // script, style, form controls ... (generic_params.h kNeverContentTags)
};

bool IsHeading(Tag tag);
// True for elements that end a paragraph (what paragraphs.h treats as blocks).
bool IsBlock(Tag tag);

// Why a subtree was set aside; the first reason found is kept.
enum class Drop : uint8_t {
  kNone,
  kNever,            // script, style, form controls
  kHiddenAttribute,  // hidden attribute, aria-hidden, inline display:none
  kHidden,           // class tokens that CSS frameworks hide (hidden, sr-only, modal)
  kFurniture,        // nav, aside, footer, ARIA landmark roles of the same meaning
  kUnlikely,         // class/id names of comments, share bars, related lists ...
  kTicker,           // link-dense run of short headlines
  kClean,            // removed by conditional cleaning inside the chosen body
  kReadAlso,         // a "read also" line, moved to `related`
};

struct Node {
  xmlNode* xml = nullptr;
  int32_t parent = -1;
  int32_t end = 0;  // one past the last descendant (pre-order), so [index, end) is the subtree
  uint16_t depth = 0;
  Tag tag = Tag::kOther;
  Drop drop = Drop::kNone;

  // Statistics over the subtree, dropped subtrees excluded (recomputed by ComputeStats).
  uint32_t text = 0;           // visible code points, white space runs counted once
  uint32_t link_text = 0;      // of those, inside <a>
  uint32_t commas = 0;         // , ، ， 、
  uint32_t sentence_ends = 0;  // . ! ? ؟ 。 closing prose
  uint16_t links = 0;          // <a href> elements
  uint16_t paragraphs = 0;     // <p>, <pre>, <blockquote>, and blocks holding only text
  uint16_t list_items = 0;
  uint16_t images = 0;
  uint16_t embeds = 0;  // video, audio, iframe placeholders kept as text-less blocks
  uint16_t headings = 0;
  uint16_t blocks = 0;  // block-level children (direct), to tell text holders from wrappers

  // Statistics of the element's own text children (fixed at construction).
  uint32_t own_text = 0;
  uint32_t own_commas = 0;
  uint32_t own_sentence_ends = 0;
  bool in_link = false;  // this element is <a> or inside one

  double class_weight = 0.0;  // from class/id names (generic_params.h)
  double score = 0.0;
  bool candidate = false;  // received a paragraph's vote

  double LinkDensity() const { return text == 0 ? 0.0 : static_cast<double>(link_text) / text; }
};

class PageTree {
 public:
  // Mirrors the element tree under `root` (usually <html>). The tree must outlive this.
  explicit PageTree(xmlNode* root);

  std::vector<Node>& nodes() { return nodes_; }
  const std::vector<Node>& nodes() const { return nodes_; }
  Node& operator[](size_t i) { return nodes_[i]; }
  const Node& operator[](size_t i) const { return nodes_[i]; }
  size_t size() const { return nodes_.size(); }

  // Index of the <body> element (0 when the page has none).
  int32_t body() const { return body_; }

  // Recomputes the statistics of every node, leaving dropped subtrees out.
  void ComputeStats();

  // Marks the subtree of `index` dropped for `why` (keeps an earlier reason).
  void DropSubtree(int32_t index, Drop why);

  // True when `index` or one of its ancestors is dropped.
  bool IsDropped(int32_t index) const;

  // True when `ancestor` contains `index` (or is it).
  bool Contains(int32_t ancestor, int32_t index) const {
    return index >= ancestor && index < nodes_[ancestor].end;
  }

  // The value of attribute `name` of element `index` as written, without copying ("" when
  // absent); valid while the tree's document is unchanged.
  std::string_view Attribute(int32_t index, const char* name) const;

  // The lower-cased class and id attributes joined by a space ("" when both are absent).
  std::string ClassAndId(int32_t index) const;

  // The first child element index of `index`, and the next sibling of a child (-1 at end).
  int32_t FirstChild(int32_t index) const;
  int32_t NextSibling(int32_t index) const;

 private:
  void Build(xmlNode* element, int32_t parent, uint16_t depth);
  void CountText(std::string_view text, Node& owner);

  std::vector<Node> nodes_;
  int32_t body_ = 0;
};

// Visible code points of `text` with white space runs counted as one (the length a reader
// sees). Thread-safe.
size_t VisibleLength(std::string_view text);

}  // namespace gleaner::generic
