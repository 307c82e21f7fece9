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

// Scores the candidates and returns the body's root elements in document order (empty
// when the page has no element to score at all). Needs current statistics and class
// weights (boilerplate.h WeighClassNames).
std::vector<int32_t> SelectBody(PageTree& tree);

// Conditional cleaning inside `roots` (Readability's _cleanConditionally and header
// cleaning): marks kClean on the blocks to leave out, updating ancestors' statistics.
void CleanBody(PageTree& tree, const std::vector<int32_t>& roots);

}  // namespace gleaner::generic
