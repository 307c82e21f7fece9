#include "extractors/generic/fields.h"

#include <algorithm>

#include "extractors/generic/boilerplate.h"
#include "extractors/generic/generic_params.h"
#include "extractors/html/dom.h"
#include "extractors/text/dates.h"
#include "extractors/text/normalize.h"

namespace gleaner::generic {
namespace {

std::string Folded(std::string_view text) { return text::FoldCase(text::CleanText(text)); }

size_t WordCount(std::string_view text) {
  size_t words = 0;
  bool in_word = false;
  for (char c : text) {
    bool space = c == ' ';
    if (!space && !in_word) ++words;
    in_word = !space;
  }
  return words;
}

bool TitleLengthOk(std::string_view title) {
  size_t n = text::CodePointCount(title);
  return n >= params::kMinTitleChars && n <= params::kMaxTitleChars;
}

std::vector<std::string> HeadlineTexts(const PageTree& tree) {
  std::vector<std::string> out;
  for (int32_t i = 0; i < static_cast<int32_t>(tree.size()); ++i) {
    if (tree[i].tag != Tag::kH1 || tree[i].drop == Drop::kNever) continue;
    std::string text = text::CleanText(html::ElementText(tree[i].xml));
    if (TitleLengthOk(text)) out.push_back(std::move(text));
  }
  return out;
}

std::optional<std::string> FirstDateIn(const PageTree& tree, int32_t from, int32_t to) {
  for (int32_t i = from; i < to; ++i) {
    const Node& node = tree[i];
    if (node.drop == Drop::kNever) {
      i = node.end - 1;
      continue;
    }
    if (node.tag == Tag::kTime) {
      if (auto when = html::Attribute(node.xml, "datetime")) {
        if (auto date = text::ParseDate(*when)) return date;
      }
    }
    // Leaf-most short blocks only: a date line, not the paragraph that mentions a date.
    if (node.text == 0 || node.text > params::kMaxDateLineChars) continue;
    if (IsBlock(node.tag) && node.blocks > 0) continue;
    if (auto date = text::ParseDate(html::ElementText(node.xml))) return date;
    i = node.end - 1;
  }
  return std::nullopt;
}

std::string StripBylinePrefix(std::string text) {
  for (std::string_view prefix : params::kBylinePrefixes) {
    if (text.size() > prefix.size() && Folded(text.substr(0, prefix.size())) == prefix) {
      return text::CleanText(text.substr(prefix.size()));
    }
  }
  return text;
}

Chosen FromMetadata(std::optional<std::string> value) {
  return Chosen{std::move(value), Stage::kMetadata};
}

Chosen FromPage(std::optional<std::string> value) {
  return Chosen{std::move(value), Stage::kGeneric};
}

}  // namespace

bool SameHeadline(std::string_view a, std::string_view b) {
  std::string fa = Folded(a), fb = Folded(b);
  if (fa.empty() || fb.empty()) return false;
  if (fa.size() > fb.size()) std::swap(fa, fb);
  if (fb.find(fa) == std::string::npos) return false;
  return static_cast<double>(fa.size()) >= params::kTitleAgreementShare * fb.size();
}

std::string StripSiteName(std::string_view title, const std::optional<std::string>& site_name) {
  std::string clean = text::CleanText(title);
  for (std::string_view sep : params::kTitleSeparators) {
    if (site_name && !site_name->empty()) {
      std::string suffix = std::string(sep) + *site_name;
      std::string prefix = *site_name + std::string(sep);
      if (clean.size() > suffix.size() &&
          Folded(clean.substr(clean.size() - suffix.size())) == Folded(suffix)) {
        return text::CleanText(clean.substr(0, clean.size() - suffix.size()));
      }
      if (clean.size() > prefix.size() &&
          Folded(clean.substr(0, prefix.size())) == Folded(prefix)) {
        return text::CleanText(clean.substr(prefix.size()));
      }
    }
  }
  // No known site name: cut the last separator when what follows is short (a site name is
  // a few words) and what precedes is a headline.
  for (std::string_view sep : params::kTitleSeparators) {
    size_t at = clean.rfind(sep);
    if (at == std::string::npos) continue;
    std::string head = clean.substr(0, at);
    std::string tail = clean.substr(at + sep.size());
    if (WordCount(tail) <= params::kMaxSiteNameWords && TitleLengthOk(head) &&
        WordCount(head) > WordCount(tail)) {
      return text::CleanText(head);
    }
  }
  return clean;
}

Chosen ChooseTitle(const PageTree& tree, const html::PageMetadata& meta) {
  std::vector<std::string> headlines = HeadlineTexts(tree);
  std::optional<std::string> declared = meta.title;
  if (declared && meta.site_name && Folded(*declared) == Folded(*meta.site_name)) declared.reset();
  if (declared && !declared->empty()) {
    for (const std::string& h : headlines) {
      if (SameHeadline(h, *declared)) return FromPage(h);
    }
    return FromMetadata(StripSiteName(*declared, meta.site_name));
  }
  if (meta.html_title && !meta.html_title->empty()) {
    for (const std::string& h : headlines) {
      if (SameHeadline(h, *meta.html_title) || Folded(*meta.html_title).find(Folded(h)) == 0)
        return FromPage(h);
    }
    std::string stripped = StripSiteName(*meta.html_title, meta.site_name);
    if (!stripped.empty()) return FromMetadata(std::move(stripped));
  }
  if (!headlines.empty()) return FromPage(headlines.front());
  return {};
}

Chosen ChoosePublished(const PageTree& tree, const html::PageMetadata& meta) {
  if (meta.published) {
    if (auto date = text::ParseDate(*meta.published)) return FromMetadata(std::move(date));
  }
  // The date line follows the headline on most article pages, before the prose starts
  // (inside or outside the body's container).
  int32_t headline = -1;
  for (int32_t i = 0; i < static_cast<int32_t>(tree.size()); ++i) {
    if (tree[i].tag == Tag::kH1 && tree[i].drop != Drop::kNever && tree[i].text > 0) {
      headline = i;
      break;
    }
  }
  if (headline >= 0) {
    int32_t stop = headline + 1;
    for (; stop < static_cast<int32_t>(tree.size()); ++stop) {
      if (stop - headline > static_cast<int32_t>(params::kDateScanElements)) break;
      if (IsBlock(tree[stop].tag) && tree[stop].own_text > params::kMaxDateLineChars) break;
    }
    if (auto date = FirstDateIn(tree, tree[headline].end, stop)) return FromPage(std::move(date));
  }
  for (int32_t i = 0; i < static_cast<int32_t>(tree.size()); ++i) {
    const Node& node = tree[i];
    if (node.drop != Drop::kNone && node.drop != Drop::kClean) {
      i = node.end - 1;
      continue;
    }
    if (node.tag != Tag::kTime && !ContainsAny(tree.ClassAndId(i), params::kDateClassWords)) {
      continue;
    }
    if (auto date = FirstDateIn(tree, i, node.end)) return FromPage(std::move(date));
    i = node.end - 1;
  }
  return {};
}

Chosen ChooseAuthor(const PageTree& tree, const html::PageMetadata& meta) {
  if (meta.author && !meta.author->empty()) return FromMetadata(meta.author);
  for (int32_t i = 0; i < static_cast<int32_t>(tree.size()); ++i) {
    const Node& node = tree[i];
    if (node.drop == Drop::kNever || node.text == 0 || node.text > params::kMaxAuthorChars) {
      continue;
    }
    auto rel = html::Attribute(node.xml, "rel");
    bool named =
        (rel && *rel == "author") || ContainsAny(tree.ClassAndId(i), params::kAuthorClassWords);
    if (!named) continue;
    std::string text = StripBylinePrefix(text::CleanText(html::ElementText(node.xml)));
    if (!text.empty()) return FromPage(std::move(text));
  }
  return {};
}

Chosen ChooseLanguage(const html::PageMetadata& meta, std::string_view sample) {
  if (meta.language && !meta.language->empty()) return FromMetadata(meta.language);
  if (!sample.empty() && text::IsMostlyArabic(sample)) return FromPage(std::string("ar"));
  return {};
}

}  // namespace gleaner::generic
