#include "extractors/html/html_internal_attributes.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "extractors/html/html_internal_scan.h"

namespace gleaner::html::internal {
namespace {

constexpr size_t kNpos = std::string_view::npos;

// No raw-text element's name (IsRawTextElement) is longer: "noframes", "textarea".
constexpr size_t kLongestRawTextName = 8;

class Scanner {
 public:
  Scanner(std::string_view html, size_t per_element, size_t per_page, CappedAttributes* result)
      : s_(html), per_element_(per_element), per_page_(per_page), result_(result) {}

  void Run() {
    Scan(0, s_.size(), /*raw_text=*/false);
    if (result_->changed) result_->filtered.append(s_.substr(copied_));
  }

 private:
  // Scans [pos, end) in the tokenizer's data state. In `raw_text` (the content of a
  // raw-text element, read as markup only to bound its tag-like strings) attributes do not
  // spend the page's budget and raw-text elements do not nest.
  void Scan(size_t pos, size_t end, bool raw_text) {
    while (pos < end) {
      const void* found = std::memchr(s_.data() + pos, '<', end - pos);
      if (found == nullptr) return;
      size_t lt = static_cast<size_t>(static_cast<const char*>(found) - s_.data());
      char c1 = lt + 1 < end ? s_[lt + 1] : '\0';
      if (IsAsciiAlpha(c1)) {
        std::string_view name;
        pos = Tag(lt + 1, end, raw_text, &name);
        if (raw_text || pos >= end) continue;
        if (EqualsIgnoreCase(name, "plaintext")) {
          Scan(pos, end, /*raw_text=*/true);
          return;
        }
        if (name.size() <= kLongestRawTextName) {
          std::string lower = AsciiLower(name);
          if (IsRawTextElement(lower)) {
            size_t text_end = std::min(RawTextEnd(s_, pos, lower), end);
            Scan(pos, text_end, /*raw_text=*/true);
            pos = text_end;
          }
        }
      } else if (c1 == '/') {
        char c2 = lt + 2 < end ? s_[lt + 2] : '\0';
        if (IsAsciiAlpha(c2)) {
          std::string_view name;
          pos = Tag(lt + 2, end, raw_text, &name);  // end tags' attributes cost Gumbo too
        } else {
          pos = PastGt(s_, lt + 2, end);  // "</>" or a bogus comment
        }
      } else if (c1 == '!') {
        pos = s_.substr(lt, 4) == "<!--" ? CommentEnd(s_, lt, end) : PastGt(s_, lt + 2, end);
      } else if (c1 == '?') {
        pos = PastGt(s_, lt + 1, end);  // bogus comment
      } else {
        pos = lt + 1;  // a '<' that starts no tag is text
      }
    }
  }

  // Reads the tag whose name starts at `p` up to just past its '>' (or `end`), and cuts
  // the attributes over a cap. Sets `*name` to the tag name as written.
  size_t Tag(size_t p, size_t end, bool raw_text, std::string_view* name) {
    size_t name_start = p;
    while (p < end && !IsTagSpace(s_[p]) && s_[p] != '/' && s_[p] != '>') ++p;
    *name = s_.substr(name_start, p - name_start);
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
    size_t attributes = 0;
    size_t cut_from = kNpos;   // where the first attribute over a cap starts
    size_t attribute_end = p;  // just past the last byte of the last attribute
    auto start_attribute = [&](size_t at) {
      ++attributes;
      bool over = attributes > per_element_;
      if (!raw_text && !over) over = ++page_attributes_ > per_page_;
      if (over) {
        if (cut_from == kNpos) cut_from = at;
        ++result_->dropped;
      }
    };
    for (; p < end; ++p) {
      char c = s_[p];
      bool space = IsTagSpace(c);
      switch (state) {
        case kBeforeName:
        case kAfterName:
          if (space) break;
          if (c == '/') {
            state = kSelfClosing;
          } else if (c == '>') {
            goto done;
          } else if (c == '=' && state == kAfterName) {
            state = kBeforeValue;
            attribute_end = p + 1;
          } else {
            state = kName;
            start_attribute(p);
            attribute_end = p + 1;
          }
          break;
        case kName:
          if (space) {
            state = kAfterName;
          } else if (c == '/') {
            state = kSelfClosing;
          } else if (c == '>') {
            goto done;
          } else {
            if (c == '=') state = kBeforeValue;
            attribute_end = p + 1;
          }
          break;
        case kBeforeValue:
          if (space) break;
          if (c == '>') goto done;
          state = c == '"' ? kDq : c == '\'' ? kSq : kUnquoted;
          attribute_end = p + 1;
          break;
        case kDq:
        case kSq:
          if (c == (state == kDq ? '"' : '\'')) state = kAfterQuoted;
          attribute_end = p + 1;
          break;
        case kUnquoted:
          if (space) {
            state = kBeforeName;
          } else if (c == '>') {
            goto done;
          } else {
            attribute_end = p + 1;
          }
          break;
        case kAfterQuoted:
        case kSelfClosing:
          if (space && state == kAfterQuoted) {
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
      }
    }
  done:
    if (cut_from != kNpos) Cut(cut_from, attribute_end);
    return p < end ? p + 1 : end;
  }

  // Leaves [from, to) out of the copy; the first cut starts the copy.
  void Cut(size_t from, size_t to) {
    if (!result_->changed) result_->filtered.reserve(s_.size());
    result_->changed = true;
    result_->filtered.append(s_.substr(copied_, from - copied_));
    copied_ = to;
  }

  std::string_view s_;
  size_t per_element_;
  size_t per_page_;
  CappedAttributes* result_;
  size_t page_attributes_ = 0;
  size_t copied_ = 0;
};

}  // namespace

CappedAttributes CapAttributes(std::string_view html, size_t max_per_element, size_t max_per_page) {
  CappedAttributes result;
  Scanner(html, max_per_element, max_per_page, &result).Run();
  return result;
}

}  // namespace gleaner::html::internal
