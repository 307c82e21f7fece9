#include "extractors/generic/scoring.h"

#include <algorithm>
#include <cmath>

#include "extractors/core/ascii.h"
#include "extractors/generic/boilerplate.h"
#include "extractors/generic/generic_params.h"

namespace gleaner::generic {
namespace {

// Elements whose own inline text counts as a paragraph (Readability scores p, td, pre and
// divs without block children; list items and definitions hold prose on some blogs).
bool IsVoter(Tag tag) {
  switch (tag) {
    case Tag::kP:
    case Tag::kPre:
    case Tag::kTd:
    case Tag::kBlockquote:
    case Tag::kDiv:
    case Tag::kSection:
    case Tag::kArticle:
    case Tag::kMain:
    case Tag::kCenter:
    case Tag::kFont:
    case Tag::kSpan:
    case Tag::kLi:
    case Tag::kDd:
    case Tag::kBody:
      return true;
    default:
      return false;
  }
}

double BaseScore(Tag tag) {
  switch (tag) {
    case Tag::kDiv:
      return params::kDivBase;
    case Tag::kArticle:
    case Tag::kMain:
      return params::kArticleBase;
    case Tag::kPre:
    case Tag::kTd:
    case Tag::kBlockquote:
      return params::kPreTdBlockquoteBase;
    case Tag::kAddress:
    case Tag::kOl:
    case Tag::kUl:
    case Tag::kDl:
    case Tag::kDd:
    case Tag::kDt:
    case Tag::kLi:
    case Tag::kForm:
      return params::kListFormBase;
    case Tag::kTh:
      return params::kHeadingBase;
    default:
      return IsHeading(tag) ? params::kHeadingBase : 0.0;
  }
}

// Text of `index` outside its block children: the runs a reader sees as its own paragraphs.
struct InlineStats {
  uint32_t text = 0;
  uint32_t commas = 0;
};

InlineStats InlineOf(const PageTree& tree, int32_t index) {
  InlineStats stats{tree[index].text, tree[index].commas};
  for (int32_t c = tree.FirstChild(index); c >= 0; c = tree.NextSibling(c)) {
    const Node& child = tree[c];
    if (child.drop != Drop::kNone || !IsBlock(child.tag)) continue;
    stats.text -= std::min(stats.text, child.text);
    stats.commas -= std::min(stats.commas, child.commas);
  }
  return stats;
}

void InitCandidate(Node& node) {
  if (node.candidate) return;
  node.candidate = true;
  node.score = BaseScore(node.tag) + node.class_weight;
}

void Vote(PageTree& tree, int32_t first, double points) {
  int level = 0;
  for (int32_t a = first; a >= 0 && level < params::kVoteLevels; a = tree[a].parent, ++level) {
    if (tree[a].tag == Tag::kHtml) break;
    InitCandidate(tree[a]);
    double divider = level == 0 ? 1.0 : level == 1 ? 2.0 : level * 3.0;
    tree[a].score += points / divider;
  }
}

void ScoreCandidates(PageTree& tree) {
  for (Node& node : tree.nodes()) {
    node.score = 0.0;
    node.candidate = false;
  }
  for (int32_t i = 0; i < static_cast<int32_t>(tree.size());) {
    const Node& node = tree[i];
    if (node.drop != Drop::kNone) {
      i = node.end;
      continue;
    }
    if (IsVoter(node.tag)) {
      InlineStats own = InlineOf(tree, i);
      if (own.text >= params::kMinParagraphChars) {
        double points =
            1.0 + own.commas +
            std::min(std::floor(own.text / params::kCharsPerPoint), params::kMaxLengthPoints);
        // A pure paragraph votes for its container; a container with loose text runs
        // among blocks is itself the container of those runs.
        Vote(tree, node.blocks == 0 && node.tag != Tag::kBody ? node.parent : i, points);
      }
    }
    ++i;
  }
  for (Node& node : tree.nodes()) {
    if (node.candidate) node.score *= 1.0 - node.LinkDensity();
  }
}

int32_t BestCandidate(const PageTree& tree) {
  int32_t best = -1;
  for (int32_t i = 0; i < static_cast<int32_t>(tree.size()); ++i) {
    const Node& node = tree[i];
    if (!node.candidate || tree.IsDropped(i)) continue;
    if (best < 0 || node.score > tree[best].score) best = i;
  }
  return best;
}

// Readability: when several of the top candidates share an ancestor, the article is split
// across them (ads between parts) and the ancestor is the better container.
int32_t CommonAncestorOfTopCandidates(const PageTree& tree, int32_t best) {
  std::vector<int32_t> top;
  for (int32_t i = 0; i < static_cast<int32_t>(tree.size()); ++i) {
    if (tree[i].candidate && i != best && !tree.IsDropped(i) &&
        tree[i].score >= params::kAlternativeAncestorShare * tree[best].score) {
      top.push_back(i);
    }
  }
  std::sort(top.begin(), top.end(),
            [&](int32_t a, int32_t b) { return tree[a].score > tree[b].score; });
  if (top.size() > params::kTopCandidates) top.resize(params::kTopCandidates);
  if (top.size() + 1 < params::kMinAlternativeAncestors) return best;
  for (int32_t a = tree[best].parent; a >= 0 && tree[a].tag != Tag::kBody; a = tree[a].parent) {
    size_t contained = 0;
    for (int32_t t : top) contained += tree.Contains(a, t) ? 1 : 0;
    if (contained + 1 >= params::kMinAlternativeAncestors) return a;
  }
  return best;
}

// Readability: climb while an ancestor scores higher than the current best (its content
// is spread over several children), and past wrappers that have a single child.
int32_t ClimbAncestors(const PageTree& tree, int32_t best) {
  double last = tree[best].score;
  double threshold = last / 3.0;
  for (int32_t a = tree[best].parent; a >= 0 && tree[a].tag != Tag::kBody; a = tree[a].parent) {
    if (!tree[a].candidate) continue;
    if (tree[a].score < threshold) break;
    if (tree[a].score > last) {
      best = a;
      break;
    }
    last = tree[a].score;
  }
  for (int32_t p = tree[best].parent; p >= 0 && tree[p].tag != Tag::kBody; p = tree[p].parent) {
    int32_t first = tree.FirstChild(p);
    if (first < 0 || tree.NextSibling(first) >= 0) break;
    best = p;
  }
  return best;
}

bool EndsSentence(const PageTree& tree, int32_t index) { return tree[index].sentence_ends > 0; }

double BestInside(const PageTree& tree, int32_t index) {
  double best = 0.0;
  for (int32_t i = index; i < tree[index].end; ++i) {
    if (tree[i].candidate && tree[i].drop == Drop::kNone) best = std::max(best, tree[i].score);
  }
  return best;
}

bool SiblingJoins(const PageTree& tree, int32_t best, int32_t sibling, double threshold) {
  const Node& node = tree[sibling];
  if (node.drop != Drop::kNone || node.text == 0) return false;
  double bonus = 0.0;
  if (tree.ClassAndId(sibling) == tree.ClassAndId(best) && !tree.ClassAndId(best).empty()) {
    bonus = tree[best].score * params::kSiblingScoreShare;
  }
  if (node.candidate && node.score + bonus >= threshold) return true;
  // A sibling built like the best one whose prose sits too deep to vote for it (sections
  // of a long feature, each in the same wrapper) joins on its best inner block.
  if (bonus > 0.0 && BestInside(tree, sibling) + bonus >= threshold) return true;
  if (node.tag != Tag::kP) return false;
  double density = node.LinkDensity();
  if (node.text > params::kSiblingParagraphMinChars) {
    return density < params::kSiblingParagraphMaxLinkDensity;
  }
  return density == 0.0 && EndsSentence(tree, sibling);
}

// Removes the statistics of a freshly dropped subtree from its ancestors, so that outer
// blocks are judged on what is left (Readability cleans inner blocks first).
void SubtractFromAncestors(PageTree& tree, int32_t index) {
  const Node removed = tree[index];
  for (int32_t a = removed.parent; a >= 0; a = tree[a].parent) {
    Node& node = tree[a];
    node.text -= std::min(node.text, removed.text);
    node.link_text -= std::min(node.link_text, removed.link_text);
    node.commas -= std::min(node.commas, removed.commas);
    node.sentence_ends -= std::min(node.sentence_ends, removed.sentence_ends);
    node.links -= std::min(node.links, removed.links);
    node.paragraphs -= std::min(node.paragraphs, removed.paragraphs);
    node.list_items -= std::min(node.list_items, removed.list_items);
    node.images -= std::min(node.images, removed.images);
    node.embeds -= std::min(node.embeds, removed.embeds);
    node.headings -= std::min(node.headings, removed.headings);
  }
}

bool IsConditionallyCleaned(Tag tag) {
  switch (tag) {
    case Tag::kDiv:
    case Tag::kSection:
    case Tag::kTable:
    case Tag::kUl:
    case Tag::kOl:
    case Tag::kDl:
    case Tag::kForm:
    case Tag::kFigure:
    case Tag::kHeader:
      return true;
    default:
      return false;
  }
}

bool HasAncestor(const PageTree& tree, int32_t index, Tag tag, int32_t stop) {
  for (int32_t a = tree[index].parent; a >= 0 && a != stop; a = tree[a].parent) {
    if (tree[a].tag == tag) return true;
  }
  return false;
}

// Index just past the last prose paragraph of `root` (a paragraph of some length with few
// links): what comes after it is the body's tail, where "more stories" lists sit.
int32_t ProseEnd(const PageTree& tree, int32_t root) {
  int32_t end = root;
  for (int32_t i = root; i < tree[root].end; ++i) {
    const Node& node = tree[i];
    if (node.drop != Drop::kNone) {
      i = node.end - 1;
      continue;
    }
    if (node.tag == Tag::kP && node.text >= params::kSiblingParagraphMinChars &&
        node.LinkDensity() < params::kSiblingParagraphMaxLinkDensity) {
      end = node.end;
    }
  }
  return end;
}

// Readability's _cleanConditionally verdict for one block.
bool IsFishy(const PageTree& tree, int32_t index, int32_t root, int32_t prose_end) {
  const Node& node = tree[index];
  // The block that holds most of the chosen text is the article, whatever its name says
  // (page builders call every block a "widget").
  if (node.text >= params::kBodyCoreShare * tree[root].text &&
      node.LinkDensity() < params::kMaxLinkDensityNamed) {
    return false;
  }
  double weight = node.class_weight;
  if (weight < 0) return true;
  if (node.commas >= params::kProseCommas) return false;
  if (node.commas + node.sentence_ends >= params::kProsePunctuation &&
      node.LinkDensity() < params::kMaxLinkDensityPlain) {
    return false;
  }
  bool is_list = node.tag == Tag::kUl || node.tag == Tag::kOl || node.tag == Tag::kDl;
  bool in_figure = HasAncestor(tree, index, Tag::kFigure, root);
  double density = node.LinkDensity();
  size_t paragraphs = node.paragraphs;
  size_t inputs = 0;  // form controls are kNever and already out of the statistics
  if (node.images > 1 && paragraphs * 2 < node.images && !in_figure) return true;
  if (inputs > paragraphs / 3) return true;
  if (!is_list && node.headings == 0 && node.text < params::kMinBlockChars &&
      (node.images == 0 || node.images > 2) && !in_figure) {
    return true;
  }
  if (!is_list && weight < params::kClassWeight && density > params::kMaxLinkDensityPlain) {
    return true;
  }
  if (weight >= params::kClassWeight && density > params::kMaxLinkDensityNamed) return true;
  if ((node.embeds == 1 && node.text < params::kMinEmbedBlockChars) || node.embeds > 1) {
    return true;
  }
  // A list whose items are links (related posts, tags, share rows) is not prose; after the
  // last paragraph, half-linked items ("The strange life and <a>death of a coder</a>") are
  // a "more stories" list too.
  double max_density =
      index >= prose_end ? params::kMaxTailListLinkDensity : params::kMaxListLinkDensity;
  return is_list && density > max_density;
}

// Bodies cut into chunks that share the best candidate's class ("article__body" twice
// around an ad rail, in different grid cells): each chunk scoring close enough joins.
void AddTwins(const PageTree& tree, int32_t best, std::vector<int32_t>& roots) {
  std::string names = tree.ClassAndId(best);
  if (names.empty()) return;
  double floor = tree[best].score * params::kSiblingScoreShare;
  for (int32_t i = 0; i < static_cast<int32_t>(tree.size()); ++i) {
    const Node& node = tree[i];
    if (!node.candidate || node.score < floor || tree.IsDropped(i)) continue;
    bool overlaps = false;
    for (int32_t r : roots) overlaps = overlaps || tree.Contains(r, i) || tree.Contains(i, r);
    if (overlaps || tree.ClassAndId(i) != names) continue;
    roots.push_back(i);
  }
  std::sort(roots.begin(), roots.end());
}

// Image captions and credits: readers skip them and so do the benchmark's annotators
// ("(Image credit: NASA)", "Photo: Damian Dovarganes, AP").
bool IsCaption(const PageTree& tree, int32_t index) {
  const Node& node = tree[index];
  if (node.tag == Tag::kFigcaption) return true;
  if (node.text > params::kMaxCaptionChars || node.tag == Tag::kA) return false;
  // A figure's own text is its caption and credit (<cite>, <span class="...meta">).
  if (node.tag == Tag::kFigure) return true;
  return ContainsAny(tree.ClassAndId(index), params::kCaptionWords);
}

bool IsMainLandmark(const PageTree& tree, int32_t index) {
  const Node& node = tree[index];
  if (node.tag == Tag::kMain) return true;
  return node.xml->properties != nullptr && EqualsIgnoreCase(tree.Attribute(index, "role"), "main");
}

bool SameShape(const PageTree& tree, int32_t a, int32_t b) {
  // The class, as written, is what repeated blocks share; their ids differ (post_1, post_2).
  return tree[a].tag == tree[b].tag && tree.Attribute(a, "class") == tree.Attribute(b, "class");
}

// A thread of posts, a list of entries or cards: the body's block, or one of its near
// ancestors, is one of a run of siblings of the same tag and class. When the run holds
// kRepeatedRunGain times the body's text, with few links, the run is the content.
std::vector<int32_t> RepeatedRun(const PageTree& tree, const std::vector<int32_t>& roots) {
  size_t chars = 0;
  for (int32_t root : roots) chars += tree[root].text;
  int32_t a = roots.front();
  for (int level = 0; level < params::kRepeatedRunLevels && a >= 0; ++level, a = tree[a].parent) {
    const Node& node = tree[a];
    if (node.tag == Tag::kBody || node.tag == Tag::kHtml || node.parent < 0) break;
    std::vector<int32_t> run;
    size_t text = 0, link_text = 0;
    for (int32_t s = tree.FirstChild(node.parent); s >= 0; s = tree.NextSibling(s)) {
      if (tree[s].drop != Drop::kNone || !SameShape(tree, s, a)) continue;
      run.push_back(s);
      text += tree[s].text;
      link_text += tree[s].link_text;
    }
    if (run.size() < params::kRepeatedRunMin) continue;
    if (static_cast<double>(text) < params::kRepeatedRunGain * static_cast<double>(chars)) continue;
    if (static_cast<double>(link_text) > params::kRepeatedRunMaxLinkDensity * text) continue;
    return run;
  }
  return {};
}

}  // namespace

int32_t ContentRegion(const PageTree& tree, const std::vector<int32_t>& roots, size_t chars) {
  if (roots.empty()) return -1;
  int32_t region = -1;
  for (int32_t a = tree[roots.front()].parent; a >= 0 && region < 0; a = tree[a].parent) {
    if (IsMainLandmark(tree, a)) region = a;
  }
  for (int32_t i = 0; i < static_cast<int32_t>(tree.size()) && region < 0; ++i) {
    if (tree[i].drop != Drop::kNone) {
      i = tree[i].end - 1;
    } else if (IsMainLandmark(tree, i)) {
      region = i;
    }
  }
  double share = params::kMainRegionBodyShare;
  if (region < 0) {
    region = tree.body();
    share = params::kPageRegionBodyShare;
    if (tree[region].LinkDensity() > params::kPageRegionMaxLinkDensity) return -1;
  }
  if (tree.IsDropped(region)) return -1;
  for (int32_t root : roots) {
    if (root == region || tree.Contains(root, region)) return -1;
  }
  if (static_cast<double>(chars) >= share * tree[region].text) return -1;
  return region;
}

BodyChoice SelectBody(PageTree& tree) {
  ScoreCandidates(tree);
  int32_t best = BestCandidate(tree);
  if (best < 0) return {};
  best = CommonAncestorOfTopCandidates(tree, best);
  best = ClimbAncestors(tree, best);
  if (tree[best].tag == Tag::kBody || tree[best].parent < 0) return {{best}, false};

  std::vector<int32_t> roots;
  double threshold =
      std::max(params::kSiblingMinScore, tree[best].score * params::kSiblingScoreShare);
  for (int32_t s = tree.FirstChild(tree[best].parent); s >= 0; s = tree.NextSibling(s)) {
    if (s == best || SiblingJoins(tree, best, s, threshold)) roots.push_back(s);
  }
  AddTwins(tree, best, roots);
  if (std::vector<int32_t> run = RepeatedRun(tree, roots); !run.empty()) {
    return {std::move(run), true};
  }
  return {std::move(roots), false};
}

void CleanBody(PageTree& tree, const std::vector<int32_t>& roots) {
  for (int32_t root : roots) {
    int32_t prose_end = ProseEnd(tree, root);
    for (int32_t i = tree[root].end - 1; i > root; --i) {
      Node& node = tree[i];
      if (node.drop != Drop::kNone || tree.IsDropped(i)) continue;
      bool drop = false;
      if (IsCaption(tree, i)) {
        drop = true;
      } else if (IsHeading(node.tag)) {
        drop = node.class_weight < 0;
      } else if (IsConditionallyCleaned(node.tag)) {
        drop = IsFishy(tree, i, root, prose_end);
      }
      if (drop) {
        tree.DropSubtree(i, Drop::kClean);
        SubtractFromAncestors(tree, i);
      }
    }
  }
}

}  // namespace gleaner::generic
