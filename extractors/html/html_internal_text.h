// Private to extractors/html: the white-space collapsing that ElementText and the selector
// and metadata readers share. Byte-level and allocation-light because ElementText runs on
// every candidate node of every page.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace gleaner::html::internal {

// text::SpaceLength, plus vertical tab (VT): the length in bytes of the white-space code
// point starting at text[i], or 0 when text[i] does not start one.
size_t SpaceLength(std::string_view text, size_t i);

// Appends `text` to `out`, turning each run of white space into one pending space that is
// written only before the next non-space character (so `out` never ends with a space and
// never starts with one). `pending_space` carries the state across calls.
void AppendCollapsed(std::string& out, std::string_view text, bool& pending_space);

// Collapses white space runs to one space and trims both ends.
std::string Collapse(std::string_view text);

}  // namespace gleaner::html::internal
