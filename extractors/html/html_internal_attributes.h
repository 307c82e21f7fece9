// Private to extractors/html: caps the attributes Gumbo is given, before it sees the page.
//
// Gumbo's tokenizer checks each new attribute's name against every earlier attribute of the
// same tag, so a tag with N attributes costs O(N^2): 40,000 attributes on one tag took 15 s,
// a 1 MB page of them outlived the daemon's watchdog, and every attribute costs memory that
// the DOM's node cap does not count. CapAttributes tokenizes the page as the HTML tokenizer
// does (tags, quoted values that may hold '<' and '>', comments, doctypes and other bogus
// comments, the text of raw-text elements) and cuts, from each tag, the attributes past the
// per-element cap and those past the page's budget. The text and the tags themselves are
// kept; so are the first attributes of each tag (id and class usually come first).
//
// The text of <script>, <style>, <xmp>, <iframe>, <noembed>, <noframes>, <textarea> and
// <title> (and everything after <plaintext>) is text to this scan and does not spend the
// page's budget. Gumbo reads some of it as markup (<style> and <title> inside <svg>, for
// one), so the per-element cap is applied to the tag-like strings in it as well: a script
// whose text holds one string that looks like a tag with more than the cap of attributes
// is cut there, which no real page does.
//
// Pages within the caps are passed on as they are, without a copy. Linear time in the input
// whatever the bytes: each byte is looked at a bounded number of times.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace gleaner::html::internal {

struct CappedAttributes {
  std::string filtered;  // the bytes to parse; set only when `changed`
  bool changed = false;  // some attributes were cut
  size_t dropped = 0;    // attributes cut (duplicates of an earlier name included)
};

// Scans `html` (UTF-8, or any bytes). A tag keeps its first `max_per_element` attributes;
// the page keeps its first `max_per_page` attributes of tags outside raw text, in page
// order. Never fails.
CappedAttributes CapAttributes(std::string_view html, size_t max_per_element, size_t max_per_page);

}  // namespace gleaner::html::internal
