#include "extractors/html/html_internal_scan.h"

namespace gleaner::html::internal {

bool IsRawTextElement(std::string_view lower_name) {
  static constexpr std::string_view kRawText[] = {"script",  "style",    "xmp",      "iframe",
                                                  "noembed", "noframes", "textarea", "title"};
  for (std::string_view e : kRawText) {
    if (lower_name == e) return true;
  }
  return false;
}

bool ScanTag(std::string_view s, size_t p, TagSpan* tag) {
  size_t name_start = p;
  while (p < s.size() && !IsTagSpace(s[p]) && s[p] != '/' && s[p] != '>') ++p;
  tag->name = s.substr(name_start, p - name_start);
  size_t attrs_start = p;
  enum {
    kBeforeName,
    kName,
    kAfterName,
    kBeforeValue,
    kDq,
    kSq,
    kUnquoted,
    kAfterQuoted,
    kSelfClosing
  } state = kBeforeName;
  tag->self_closing = false;
  for (; p < s.size(); ++p) {
    char c = s[p];
    bool space = IsTagSpace(c);
    switch (state) {
      case kBeforeName:
        if (space) break;
        if (c == '/') {
          state = kSelfClosing;
        } else if (c == '>') {
          goto done;
        } else {
          state = kName;
        }
        break;
      case kName:
        if (space) {
          state = kAfterName;
        } else if (c == '/') {
          state = kSelfClosing;
        } else if (c == '=') {
          state = kBeforeValue;
        } else if (c == '>') {
          goto done;
        }
        break;
      case kAfterName:
        if (space) break;
        if (c == '/') {
          state = kSelfClosing;
        } else if (c == '=') {
          state = kBeforeValue;
        } else if (c == '>') {
          goto done;
        } else {
          state = kName;
        }
        break;
      case kBeforeValue:
        if (space) break;
        if (c == '"') {
          state = kDq;
        } else if (c == '\'') {
          state = kSq;
        } else if (c == '>') {
          goto done;
        } else {
          state = kUnquoted;
        }
        break;
      case kDq:
        if (c == '"') state = kAfterQuoted;
        break;
      case kSq:
        if (c == '\'') state = kAfterQuoted;
        break;
      case kUnquoted:
        if (space) {
          state = kBeforeName;
        } else if (c == '>') {
          goto done;
        }
        break;
      case kAfterQuoted:
        if (space) {
          state = kBeforeName;
        } else if (c == '/') {
          state = kSelfClosing;
        } else if (c == '>') {
          goto done;
        } else {
          state = kBeforeName;
          --p;  // reconsume: the next attribute starts here
        }
        break;
      case kSelfClosing:
        if (c == '>') {
          tag->self_closing = true;
          goto done;
        }
        state = kBeforeName;
        --p;  // reconsume
        break;
    }
  }
  return false;
done:
  tag->attrs = s.substr(attrs_start, p - attrs_start);
  tag->end = p + 1;
  return true;
}

bool MarkupScanner::Next(Piece* piece) {
  const size_t n = s_.size();
  if (pos_ >= n) return false;
  piece->begin = pos_;
  const void* found = std::memchr(s_.data() + pos_, '<', n - pos_);
  size_t lt = found ? static_cast<size_t>(static_cast<const char*>(found) - s_.data()) : n;
  if (lt > pos_) {
    piece->kind = Kind::kText;
    piece->end = pos_ = lt;
    return true;
  }
  char c1 = lt + 1 < n ? s_[lt + 1] : '\0';
  char c2 = lt + 2 < n ? s_[lt + 2] : '\0';
  Kind kind = Kind::kText;
  size_t end = lt + 1;  // a '<' that starts no tag is text
  if (IsAsciiAlpha(c1) || (c1 == '/' && IsAsciiAlpha(c2))) {
    kind = c1 == '/' ? Kind::kEndTag : Kind::kStartTag;
    if (ScanTag(s_, lt + (c1 == '/' ? 2 : 1), &piece->tag)) {
      end = piece->tag.end;
    } else {
      kind = Kind::kUnclosedTag;
      end = n;
    }
  } else if (c1 == '/') {
    if (c2 == '>') {
      kind = Kind::kIgnored;
      end = lt + 3;
    } else if (lt + 2 >= n) {
      end = n;  // "</" at the end of the input is text
    } else {
      kind = Kind::kBogusComment;
      end = PastGt(s_, lt + 2, n);
    }
  } else if (c1 == '!') {
    if (s_.substr(lt, 4) == "<!--") {
      kind = Kind::kComment;
      end = CommentEnd(s_, lt, n);
    } else {
      kind = s_.substr(lt, 9) == "<![CDATA[" ? Kind::kCdata : Kind::kBogusComment;
      end = PastGt(s_, lt + 2, n);
    }
  } else if (c1 == '?') {
    kind = Kind::kBogusComment;
    end = PastGt(s_, lt + 1, n);
  }
  piece->kind = kind;
  piece->end = pos_ = end;
  return true;
}

}  // namespace gleaner::html::internal
