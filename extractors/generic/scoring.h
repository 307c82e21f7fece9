// Choosing the article's container(s): Readability's method on the PageTree. Every block of
// prose votes for its ancestors (more for longer text with more commas, less the further up
// the ancestor is); containers start from a score by tag and class/id names and lose their
// link density share; the best one, moved up when its parent collects several top
// candidates, is joined by its siblings that score close to it or read as prose. Inside the
// chosen containers, blocks that are link lists, forms, share rows, empty boxes or carry
// negative names are set aside (conditional cleaning).
// Internal to the generic extractor. Pure; not thread-safe on one tree.
#pragma once

#include <cstdint>
#include <vector>

#include "extractors/generic/page_tree.h"

namespace gleaner::generic {

// The body's root elements in document order (empty when the page has no element to score
// at all), and whether they are a run of entries of one kind (posts, cards) rather than
// one piece of prose.
struct BodyChoice {
  std::vector<int32_t> roots;
  bool entries = false;
};

// Scores the candidates and chooses the body. Needs current statistics and class weights
// (boilerplate.h WeighClassNames).
BodyChoice SelectBody(PageTree& tree);

// Conditional cleaning inside `roots` (Readability's _cleanConditionally and header
// cleaning): marks kClean on the blocks to leave out, updating ancestors' statistics.
void CleanBody(PageTree& tree, const std::vector<int32_t>& roots);

// The region of the page that is its content when the chosen body (`roots`, of `chars`
// visible characters) is only a small part of it: the page is not one run of prose but a
// service, product, listing or discussion page whose content is several sections. The
// region is the main landmark (<main>, role="main") holding the body, else the page's first
// one, else the page's <body> when its text is mostly not links. Returns -1 when the body
// already is most of the region. Reads the statistics of the pass that chose the body.
int32_t ContentRegion(const PageTree& tree, const std::vector<int32_t>& roots, size_t chars);

}  // namespace gleaner::generic
