#include "support/page_variants.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "extractors/html/charset.h"

namespace gleaner::testing {
namespace {

bool HasDigit(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool IsSpace(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

// `text` with its words rotated left by `shift`, its leading and trailing space kept; as
// it was when it holds a digit or fewer than kMinRotatedWords words.
std::string Rotate(std::string_view text, int shift) {
  size_t begin = 0, end = text.size();
  while (begin < end && IsSpace(text[begin])) ++begin;
  while (end > begin && IsSpace(text[end - 1])) --end;
  std::vector<std::string_view> words;
  for (size_t i = begin; i < end;) {
    size_t j = i;
    while (j < end && !IsSpace(text[j])) ++j;
    words.push_back(text.substr(i, j - i));
    while (j < end && IsSpace(text[j])) ++j;
    i = j;
  }
  if (HasDigit(text) || words.size() < static_cast<size_t>(kMinRotatedWords))
    return std::string(text);
  std::rotate(words.begin(),
              words.begin() + static_cast<long>(static_cast<size_t>(shift) % words.size()),
              words.end());
  std::string out(text.substr(0, begin));
  for (size_t i = 0; i < words.size(); ++i) {
    if (i) out += ' ';
    out += words[i];
  }
  return out + std::string(text.substr(end));
}

// A tag with each content="..." value rotated.
std::string RotateContent(std::string_view tag, int shift) {
  std::string out;
  size_t i = 0;
  while (true) {
    size_t at = tag.find("content=\"", i);
    if (at == std::string_view::npos) break;
    size_t value = at + 9;
    size_t close = tag.find('"', value);
    if (close == std::string_view::npos) break;
    out += tag.substr(i, value - i);
    out += Rotate(tag.substr(value, close - value), shift);
    i = close;
  }
  return out + std::string(tag.substr(i));
}

bool StartsRawText(std::string_view tag) {
  return tag.rfind("<script", 0) == 0 || tag.rfind("<style", 0) == 0;
}

}  // namespace

std::string PageVariant(std::string_view html, int shift) {
  std::string out;
  size_t i = 0;
  while (i < html.size()) {
    size_t lt = html.find('<', i);
    if (lt == std::string_view::npos) lt = html.size();
    out += Rotate(html.substr(i, lt - i), shift);
    if (lt == html.size()) break;
    size_t gt = html.find('>', lt);
    if (gt == std::string_view::npos) gt = html.size() - 1;
    std::string_view tag = html.substr(lt, gt - lt + 1);
    out += RotateContent(tag, shift);
    i = gt + 1;
    if (StartsRawText(tag)) {  // copy up to the closing tag untouched
      std::string_view name = tag.rfind("<script", 0) == 0 ? "</script" : "</style";
      size_t end = html.find(name, i);
      if (end == std::string_view::npos) end = html.size();
      out += html.substr(i, end - i);
      i = end;
    }
  }
  return out;
}

std::string Utf8PageVariant(std::string_view bytes, std::string_view content_type, int shift) {
  std::string html = html::DecodeToUtf8(bytes, content_type).utf8;
  constexpr std::string_view kArabicCharset = "windows-1256";
  for (size_t at; (at = html.find(kArabicCharset)) != std::string::npos;)
    html.replace(at, kArabicCharset.size(), "utf-8");
  return PageVariant(html, shift);
}

std::string VariantUrl(std::string_view url, int shift) {
  size_t authority = url.find("://");
  size_t path = url.find('/', authority == std::string_view::npos ? 0 : authority + 3);
  size_t last = url.find_last_of("0123456789");
  if (path == std::string_view::npos || last == std::string_view::npos || last < path) {
    std::string out(url);
    bool slash = !out.empty() && out.back() == '/';
    if (slash) out.pop_back();
    return out + "-v" + std::to_string(shift) + (slash ? "/" : "");
  }
  size_t first = last;
  while (first > 0 && url[first - 1] >= '0' && url[first - 1] <= '9') --first;
  uint64_t number = std::stoull(std::string(url.substr(first, last - first + 1)));
  return std::string(url.substr(0, first)) + std::to_string(number + static_cast<uint64_t>(shift)) +
         std::string(url.substr(last + 1));
}

}  // namespace gleaner::testing
