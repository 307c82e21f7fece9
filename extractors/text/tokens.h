// Word tokens of a text and the token F1 between two texts: the measure the extraction
// benchmarks use (a bag of words, order ignored), so a drafted rule is judged the way an
// extractor is. Pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace gleaner::text {

// The words of `utf8`: runs of bytes that are not ASCII white space or ASCII punctuation,
// ASCII letters lower-cased (non-ASCII bytes, Arabic and accented letters included, are
// kept as they are). Empty for empty text.
std::vector<std::string> Tokens(std::string_view utf8);

// Token F1 of `got` against `want`: the harmonic mean of the share of got's tokens found in
// want and of want's tokens found in got, tokens counted with multiplicity. 1.0 when both
// are empty, 0.0 when exactly one is.
double TokenF1(std::string_view got, std::string_view want);

}  // namespace gleaner::text
