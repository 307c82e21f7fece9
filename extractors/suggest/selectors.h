// CSS selectors a draft may use for an element: built from its id, its meaningful class
// tokens, a few telling attributes and its nearest named ancestor, never from positions
// (:nth-child) or generated names (hashes, numbered ids, CSS-module classes), which change
// from page to page. Pure.
#pragma once

#include <libxml/tree.h>

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace gleaner::suggest {

// True when `token` (a class token or an id) names what an element is and may be written
// in a selector: letters, digits, '-' and '_', starting with a letter, at most
// kMaxNameChars, no run of digits (ids and hashes carry them), no size suffix ("col-md-8"),
// not a layout or state word (kLayoutNameTokens), not a generated-looking name.
bool IsMeaningfulName(std::string_view token);

// The element's class tokens that IsMeaningfulName accepts, in attribute order.
std::vector<std::string> MeaningfulClasses(const xmlNode* element);

// The element's id when IsMeaningfulName accepts it.
std::optional<std::string> MeaningfulId(const xmlNode* element);

// True when a class token or the id of `element` contains one of `words` (ASCII
// case-insensitive).
bool NameHasWord(const xmlNode* element, std::span<const std::string_view> words);

// Selectors (CSS source text, each compilable by html::CompileSelector) that may pick
// `element`, most preferred first, at most `max`: "#id", ".class", "tag.class",
// "tag.class1.class2", telling attributes ("[itemprop=\"articleBody\"]",
// "[role=\"dialog\"]"), a semantic tag alone ("article", "h1"), and the same under the
// nearest ancestor with a meaningful id or class (".ancestor tag"). May be empty.
std::vector<std::string> SelectorsFor(const xmlNode* element, size_t max);

// Selectors for a run of sibling sections under `parent` (an article split into blocks):
// ".class" and "tag.class" for each meaningful class token that at least two element
// children of `parent` share. May be empty.
std::vector<std::string> RunSelectors(const xmlNode* parent);

}  // namespace gleaner::suggest
