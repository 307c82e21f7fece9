#include "extractors/generic/lean_html.h"

#include <array>
#include <optional>

namespace gleaner::generic {
namespace {

constexpr size_t kNone = std::string_view::npos;

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }

// True when `html` at `pos` starts with `lower` (ASCII, case-insensitive).
bool StartsWithNoCase(std::string_view html, size_t pos, std::string_view lower) {
  if (pos + lower.size() > html.size()) return false;
  for (size_t i = 0; i < lower.size(); ++i) {
    if (Lower(html[pos + i]) != lower[i]) return false;
  }
  return true;
}

size_t FindNoCase(std::string_view html, size_t pos, std::string_view lower) {
  for (size_t i = pos; i + lower.size() <= html.size(); ++i) {
    if (Lower(html[i]) == lower[0] && StartsWithNoCase(html, i, lower)) return i;
  }
  return kNone;
}

// Position of the end tag "</name" (followed by white space, '/' or '>') at or after `pos`:
// what ends a raw-text or RCDATA element.
size_t FindEndTag(std::string_view html, size_t pos, std::string_view name) {
  while (true) {
    size_t lt = html.find("</", pos);
    if (lt == kNone) return kNone;
    size_t after = lt + 2 + name.size();
    if (StartsWithNoCase(html, lt + 2, name) && (after == html.size() || IsSpace(html[after]) ||
                                                 html[after] == '/' || html[after] == '>')) {
      return lt;
    }
    pos = lt + 2;
  }
}

struct Tag {
  std::string name;  // lower-case
  size_t end = 0;    // one past the closing '>'
  bool self_closing = false;
  bool json_type = false;  // a type attribute whose value mentions "json"
};

// Reads the tag starting at html[pos] == '<' (a start tag, or an end tag when `end_tag`),
// following the HTML5 tokenizer's tag and attribute states, so that a '>' inside a quoted
// attribute value does not end it. Nullopt when the page ends inside the tag.
std::optional<Tag> ReadTag(std::string_view html, size_t pos, bool end_tag) {
  Tag tag;
  size_t i = pos + (end_tag ? 2 : 1);
  while (i < html.size() && !IsSpace(html[i]) && html[i] != '/' && html[i] != '>') {
    tag.name += Lower(html[i++]);
  }
  while (i < html.size()) {
    char c = html[i];
    if (IsSpace(c)) {
      ++i;
    } else if (c == '>') {
      tag.end = i + 1;
      return tag;
    } else if (c == '/') {
      ++i;
      tag.self_closing = i < html.size() && html[i] == '>';
    } else {
      // An attribute: its name (an '=' first is part of it), then an optional value.
      size_t name_start = i++;
      while (i < html.size() && !IsSpace(html[i]) && html[i] != '/' && html[i] != '>' &&
             html[i] != '=') {
        ++i;
      }
      std::string_view name = html.substr(name_start, i - name_start);
      while (i < html.size() && IsSpace(html[i])) ++i;
      if (i >= html.size() || html[i] != '=') continue;
      ++i;
      while (i < html.size() && IsSpace(html[i])) ++i;
      if (i >= html.size()) return std::nullopt;
      size_t value_start = i, value_end = i;
      if (html[i] == '"' || html[i] == '\'') {
        size_t close = html.find(html[i], i + 1);
        if (close == kNone) return std::nullopt;
        value_start = i + 1;
        value_end = close;
        i = close + 1;
      } else if (html[i] != '>') {
        while (i < html.size() && !IsSpace(html[i]) && html[i] != '>') ++i;
        value_end = i;
      }
      if (name.size() == 4 && StartsWithNoCase(name, 0, "type")) {
        tag.json_type =
            FindNoCase(html.substr(value_start, value_end - value_start), 0, "json") != kNone;
      }
    }
  }
  return std::nullopt;
}

// Elements whose content the tokenizer reads as text up to their end tag: nothing inside
// them is a tag, so a "<script" there must not be taken for one.
constexpr std::array<std::string_view, 7> kTextOnlyElements = {
    "title", "textarea", "xmp", "iframe", "noembed", "noframes", "noscript"};

bool IsTextOnly(const std::string& name) {
  for (std::string_view e : kTextOnlyElements) {
    if (name == e) return true;
  }
  return false;
}

// The end of the comment starting at html[pos] ("<!--"), one past "-->", or kNone.
size_t CommentEnd(std::string_view html, size_t pos) {
  size_t body = pos + 4;
  if (html.compare(body, 1, ">") == 0) return body + 1;   // "<!-->"
  if (html.compare(body, 2, "->") == 0) return body + 2;  // "<!--->"
  size_t dash = html.find("-->", body);
  size_t bang = html.find("--!>", body);
  if (bang != kNone && (dash == kNone || bang < dash)) return bang + 4;
  return dash == kNone ? kNone : dash + 3;
}

// A script whose text opens an HTML comment and then names a script again puts the
// tokenizer in its "double escaped" state, where "</script>" does not end the element.
bool EscapesDoubly(std::string_view script) {
  size_t open = script.find("<!--");
  return open != kNone && FindNoCase(script, open, "<script") != kNone;
}

}  // namespace

std::string DropScriptAndStyleText(std::string_view html) {
  std::string out;
  out.reserve(html.size() / 2);
  size_t copied = 0;  // html[0, copied) is in `out` or dropped
  size_t pos = 0;
  int foreign = 0;  // depth of <svg>/<math>: their <script>/<style> hold markup, left alone
  while (true) {
    size_t lt = html.find('<', pos);
    if (lt == kNone || lt + 1 >= html.size()) break;
    char next = html[lt + 1];
    if (StartsWithNoCase(html, lt, "<!--")) {
      pos = CommentEnd(html, lt);
      if (pos == kNone) break;
      continue;
    }
    if (next == '!' || next == '?') {  // doctype, CDATA outside foreign content, bogus comments
      pos = html.find('>', lt + 2);
      if (pos == kNone) break;
      ++pos;
      continue;
    }
    if (next == '/' && lt + 2 < html.size() && IsAlpha(html[lt + 2])) {
      auto tag = ReadTag(html, lt, /*end_tag=*/true);
      if (!tag) break;
      if ((tag->name == "svg" || tag->name == "math") && foreign > 0) --foreign;
      pos = tag->end;
      continue;
    }
    if (!IsAlpha(next)) {
      pos = lt + 1;
      continue;
    }
    auto tag = ReadTag(html, lt, /*end_tag=*/false);
    if (!tag) break;
    pos = tag->end;
    if (tag->name == "svg" || tag->name == "math") {
      if (!tag->self_closing) ++foreign;
      continue;
    }
    if (foreign > 0) continue;
    bool script = tag->name == "script";
    if (!script && tag->name != "style" && !IsTextOnly(tag->name)) {
      if (tag->name == "plaintext") break;  // the rest of the page is text
      continue;
    }
    // "<script/>" is not self-closing in HTML; giving up is safer than guessing.
    if ((script || tag->name == "style") && tag->self_closing) break;
    size_t close = FindEndTag(html, pos, tag->name);
    if (close == kNone) break;
    if (script && EscapesDoubly(html.substr(pos, close - pos))) break;
    if ((script && !tag->json_type) || tag->name == "style") {
      out.append(html, copied, pos - copied);
      copied = close;
    }
    pos = close;
  }
  out.append(html, copied);
  return out;
}

}  // namespace gleaner::generic
