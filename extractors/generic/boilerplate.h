// The first stages of the generic cascade: setting aside what is never the article before
// candidates are scored. Each stage only marks nodes of a PageTree (Node::drop); nothing is
// freed here, so a later, gentler pass can start again from the same tree.
// Internal to the generic extractor. Pure; not thread-safe on one tree.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "extractors/core/article.h"
#include "extractors/generic/page_tree.h"

namespace gleaner::generic {

// Which removals a pass applies (the cascade relaxes them when the body comes out short).
// Hidden elements and tickers are always out: no pass brings them back.
struct PassOptions {
  bool drop_hidden_classes = true;  // class tokens of CSS frameworks that hide ("hidden")
  bool drop_furniture = true;       // nav, aside, footer, landmark roles, page-level <header>
  bool drop_unlikely = true;        // class/id names of comments, share bars, related lists ...
};

// Reads class/id hints once: sets Node::class_weight for every element. Call once per tree.
void WeighClassNames(PageTree& tree);

// Forgets the marks of a pass (kNever, kHiddenAttribute and kTicker stay), so that a new
// pass can start from the same tree.
void ResetDrops(PageTree& tree);

// Marks elements hidden by their attributes (kHiddenAttribute): `hidden`, aria-hidden,
// inline display:none (text/paragraphs.h IsHiddenElement). Statistics are not recomputed
// (call PageTree::ComputeStats after).
void MarkHidden(PageTree& tree);

// Marks class-hidden blocks (kHidden), furniture (kFurniture) and unlikely names
// (kUnlikely) as `options` says.
// Statistics are not recomputed.
void MarkBoilerplate(PageTree& tree, const PassOptions& options);

// Finds tickers (link-dense runs of short headlines: marquee, ul.breaking-news, a row of
// <a> separated by &nbsp;), marks them kTicker and returns their headlines in page order
// with URLs resolved against `base_url` (kept as written when it is absent). Needs current
// statistics.
std::vector<Link> TakeTickers(PageTree& tree, const std::optional<std::string>& base_url);

// True when `haystack` (lower-case class/id) contains any of `words`.
template <typename Words>
bool ContainsAny(std::string_view haystack, const Words& words) {
  for (std::string_view word : words) {
    if (haystack.find(word) != std::string_view::npos) return true;
  }
  return false;
}

}  // namespace gleaner::generic
