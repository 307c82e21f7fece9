#include "extractors/html/lean_html.h"

#include "extractors/core/ascii.h"
#include "extractors/html/html_internal_scan.h"

namespace gleaner::html {
namespace {

using internal::ForEachAttribute;
using internal::MarkupScanner;

constexpr size_t kNone = std::string_view::npos;

size_t FindNoCase(std::string_view text, size_t pos, std::string_view lower) {
  for (size_t i = pos; i + lower.size() <= text.size(); ++i) {
    if (AsciiLower(text[i]) == lower[0] && StartsWithIgnoreCase(text.substr(i), lower)) return i;
  }
  return kNone;
}

// True when the script's type attribute (the last one, when it is repeated) mentions JSON.
bool HasJsonType(std::string_view attrs) {
  bool json = false;
  ForEachAttribute(attrs, [&json](std::string_view name, std::string_view value) {
    if (EqualsIgnoreCase(name, "type")) json = FindNoCase(value, 0, "json") != kNone;
  });
  return json;
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
  int foreign = 0;    // depth of <svg>/<math>: their <script>/<style> hold markup, left alone
  MarkupScanner scanner(html);
  MarkupScanner::Piece piece;
  using Kind = MarkupScanner::Kind;
  while (scanner.Next(&piece)) {
    if (piece.kind == Kind::kUnclosedTag) break;
    if (piece.kind == Kind::kEndTag) {
      std::string name = AsciiLower(piece.tag.name);
      if ((name == "svg" || name == "math") && foreign > 0) --foreign;
      continue;
    }
    if (piece.kind != Kind::kStartTag) continue;
    std::string name = AsciiLower(piece.tag.name);
    if (name == "svg" || name == "math") {
      if (!piece.tag.self_closing) ++foreign;
      continue;
    }
    if (foreign > 0) continue;
    if (name == "plaintext") break;  // the rest of the page is text
    if (!internal::IsRawTextElement(name)) continue;
    bool script = name == "script";
    // "<script/>" is not self-closing in HTML; giving up is safer than guessing.
    if ((script || name == "style") && piece.tag.self_closing) break;
    size_t start = piece.end;
    size_t close = scanner.SkipRawText(name);
    if (close == html.size()) break;  // never closed
    if (script && EscapesDoubly(html.substr(start, close - start))) break;
    if ((script && !HasJsonType(piece.tag.attrs)) || name == "style") {
      out.append(html, copied, start - copied);
      copied = close;
    }
  }
  out.append(html, copied);
  return out;
}

}  // namespace gleaner::html
