#include "extractors/generic/fields.h"

#include <algorithm>
#include <set>

#include "extractors/generic/boilerplate.h"
#include "extractors/generic/generic_params.h"
#include "extractors/html/dom.h"
#include "extractors/text/dates.h"
#include "extractors/text/normalize.h"

namespace gleaner::generic {
namespace {

using std::string_view_literals::operator""sv;

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

std::set<std::string> WordSet(std::string_view text) {
  std::set<std::string> words;
  std::string folded = Folded(text);
  size_t at = 0;
  while (at < folded.size()) {
    size_t end = folded.find(' ', at);
    if (end == std::string::npos) end = folded.size();
    if (end > at) words.insert(folded.substr(at, end - at));
    at = end + 1;
  }
  return words;
}

// How many of the words of `a` appear in `b` (case folded).
size_t SharedWords(std::string_view a, std::string_view b) {
  std::set<std::string> in_b = WordSet(b);
  size_t shared = 0;
  for (const std::string& word : WordSet(a)) shared += in_b.count(word);
  return shared;
}

bool TitleLengthOk(std::string_view title) {
  size_t n = text::CodePointCount(title);
  return n >= params::kMinTitleChars && n <= params::kMaxTitleChars;
}

std::string WithoutAnchorMark(std::string text) {
  for (std::string_view mark : params::kHeadingAnchorMarks) {
    if (text.size() > mark.size() && text.ends_with(mark)) {
      return text::CleanText(text.substr(0, text.size() - mark.size()));
    }
  }
  return text;
}

// True for a link to the site's front page: "/", "https://host/", "index.html".
bool IsHomeHref(std::string_view href) {
  size_t scheme = href.find("//");
  if (scheme != std::string_view::npos) {
    size_t path = href.find('/', scheme + 2);
    href = path == std::string_view::npos ? std::string_view("/") : href.substr(path);
  }
  return href == "/" || href == "./" || href == "/index.html" || href == "/index.php";
}

// True when the element is, or sits in or holds, a link to the front page: a logo.
bool LinksHome(const PageTree& tree, int32_t index) {
  for (int32_t i = tree[index].parent; i >= 0; i = tree[i].parent) {
    if (tree[i].tag == Tag::kA) {
      auto href = html::Attribute(tree[i].xml, "href");
      return href && IsHomeHref(text::CleanText(*href));
    }
  }
  for (int32_t i = index; i < tree[index].end; ++i) {
    if (tree[i].tag != Tag::kA) continue;
    auto href = html::Attribute(tree[i].xml, "href");
    if (href && IsHomeHref(text::CleanText(*href))) return true;
  }
  return false;
}

// The visible <h1>s of a headline's length, in page order; an <h1> that only names the site
// (the logo's) is not a headline.
std::vector<std::string> HeadlineTexts(const PageTree& tree,
                                       const std::optional<std::string>& site_name) {
  std::vector<std::string> out;
  for (int32_t i = 0; i < static_cast<int32_t>(tree.size()); ++i) {
    if (tree[i].tag != Tag::kH1 || tree.IsDropped(i) || LinksHome(tree, i)) continue;
    std::string text = WithoutAnchorMark(text::CleanText(html::ElementText(tree[i].xml)));
    if (!TitleLengthOk(text) || (site_name && Folded(text) == Folded(*site_name))) continue;
    out.push_back(std::move(text));
  }
  return out;
}

// The <h1> that holds `title` (the record's headline), else the first visible <h1> of a
// headline's length, else the first <h1> with text; -1 when none. Pages put a hidden
// "Search" or "Menu" <h1> before the article's.
int32_t HeadlineElement(const PageTree& tree, const std::optional<std::string>& title) {
  int32_t first = -1;
  int32_t first_visible = -1;
  for (int32_t i = 0; i < static_cast<int32_t>(tree.size()); ++i) {
    if (tree[i].tag != Tag::kH1 || tree[i].drop == Drop::kNever || tree[i].text == 0) continue;
    std::string text = text::CleanText(html::ElementText(tree[i].xml));
    if (title && SameHeadline(text, *title)) return i;
    if (first < 0) first = i;
    if (first_visible < 0 && !tree.IsDropped(i) && TitleLengthOk(text)) first_visible = i;
  }
  return first_visible >= 0 ? first_visible : first;
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

// The first date line in the small block that holds the headline, before it, else in the
// elements that follow the headline, up to the first prose block or kDateScanElements
// elements.
std::optional<std::string> DateNearHeadline(const PageTree& tree, int32_t headline) {
  if (headline < 0) return std::nullopt;
  // A date line just above the headline, in the same small heading block.
  int32_t block = tree[headline].parent;
  for (int level = 0; block >= 0 && level < params::kHeadlineBlockLevels; ++level) {
    if (tree[block].text > params::kMaxHeadlineBlockChars) break;
    if (auto date = FirstDateIn(tree, block + 1, headline)) return date;
    block = tree[block].parent;
  }
  int32_t stop = headline + 1;
  for (; stop < static_cast<int32_t>(tree.size()); ++stop) {
    if (stop - headline > static_cast<int32_t>(params::kDateScanElements)) break;
    if (IsBlock(tree[stop].tag) && tree[stop].own_text > params::kMaxDateLineChars) break;
    // A linked heading starts another item (a listing's teaser): its date is not ours.
    if (IsHeading(tree[stop].tag) && tree[stop].links > 0) break;
  }
  return FirstDateIn(tree, tree[headline].end, stop);
}

// True when the element or its parent says it dates an update ("last-modified",
// "Updated on <time>").
bool DatesAnUpdate(const PageTree& tree, int32_t index) {
  for (int32_t i : {index, tree[index].parent}) {
    if (i < 0 || tree[i].text > params::kMaxDateLineChars) continue;
    std::string said = tree.ClassAndId(i) + " " + Folded(html::ElementText(tree[i].xml));
    if (ContainsAny(said, params::kUpdateWords)) return true;
  }
  return false;
}

// The datetime of the first <time> after the first headline that does not date an update.
std::optional<std::string> FirstTimeAfterHeadline(const PageTree& tree) {
  for (int32_t i = 0; i < static_cast<int32_t>(tree.size()); ++i) {
    if (tree[i].tag != Tag::kTime || tree.IsDropped(i)) continue;
    auto when = html::Attribute(tree[i].xml, "datetime");
    if (!when || DatesAnUpdate(tree, i)) continue;
    return when;
  }
  return std::nullopt;
}

// The calendar days ("YYYY-MM-DD") written in the page's short text blocks: what a reader
// is shown, against which a date only the markup gives is checked.
std::set<std::string> VisibleDays(const PageTree& tree) {
  std::set<std::string> days;
  for (int32_t i = 0; i < static_cast<int32_t>(tree.size()); ++i) {
    const Node& node = tree[i];
    if (node.drop == Drop::kNever || node.drop == Drop::kHiddenAttribute) {
      i = node.end - 1;
      continue;
    }
    if (node.text == 0 || node.text > params::kMaxDateLineChars) continue;
    if (IsBlock(node.tag) && node.blocks > 0) continue;
    if (auto date = text::ParseDate(html::ElementText(node.xml))) days.insert(date->substr(0, 10));
    i = node.end - 1;
  }
  return days;
}

// The first date in an element named like a date (class/id, or <time>) that is not set
// aside as furniture.
std::optional<std::string> DateInNamedElement(const PageTree& tree) {
  for (int32_t i = 0; i < static_cast<int32_t>(tree.size()); ++i) {
    const Node& node = tree[i];
    if (node.drop != Drop::kNone && node.drop != Drop::kClean) {
      i = node.end - 1;
      continue;
    }
    if (node.tag != Tag::kTime && !ContainsAny(tree.ClassAndId(i), params::kDateClassWords)) {
      continue;
    }
    if (auto date = FirstDateIn(tree, i, node.end)) return date;
    i = node.end - 1;
  }
  return std::nullopt;
}

bool AllDigits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "/2020/12/17/" (or "/2020/12/17" at the end) in the URL's path, as "2020-12-17".
std::optional<std::string> DateInUrlPath(std::string_view url) {
  size_t scheme = url.find("://");
  size_t path = url.find('/', scheme == std::string_view::npos ? 0 : scheme + 3);
  if (path == std::string_view::npos) return std::nullopt;
  url = url.substr(path, url.find_first_of("?#", path) - path);
  std::vector<std::string_view> parts;
  for (size_t at = 1; at <= url.size();) {
    size_t next = std::min(url.find('/', at), url.size());
    parts.push_back(url.substr(at, next - at));
    at = next + 1;
  }
  for (size_t i = 0; i + 2 < parts.size(); ++i) {
    if (parts[i].size() != 4 || !AllDigits(parts[i])) continue;
    if (parts[i + 1].size() > 2 || !AllDigits(parts[i + 1])) continue;
    if (parts[i + 2].size() > 2 || !AllDigits(parts[i + 2])) continue;
    std::string date =
        std::string(parts[i]) + "-" + std::string(parts[i + 1]) + "-" + std::string(parts[i + 2]);
    if (auto parsed = text::ParseDate(date)) return parsed;
  }
  return std::nullopt;
}

std::string StripBylinePrefix(std::string text) {
  for (std::string_view prefix : params::kBylinePrefixes) {
    // FoldCase, not Folded: the prefix's trailing space must stay to be compared.
    if (text.size() > prefix.size() && text::FoldCase(text.substr(0, prefix.size())) == prefix) {
      return text::CleanText(text.substr(prefix.size()));
    }
  }
  return text;
}

std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> words;
  size_t at = 0;
  while (at < text.size()) {
    size_t end = std::min(text.find(' ', at), text.size());
    if (end > at) words.emplace_back(text.substr(at, end - at));
    at = end + 1;
  }
  return words;
}

std::string JoinWords(const std::vector<std::string>& words, size_t from, size_t to) {
  std::string out;
  for (size_t i = from; i < to; ++i) {
    if (!out.empty()) out += ' ';
    out += words[i];
  }
  return out;
}

// The name without the date that follows it: cut at the first word that starts with a
// digit, and
// before a month name (or other word) that belongs to that date, then drop "on",
// "Updated" and the like left before it.
std::string WithoutTrailingDate(const std::string& text) {
  std::vector<std::string> words = Words(text);
  // A number starts the date or the reading time; a user name may hold digits after a
  // letter ("paulb203"), and a name that starts with a number ("98 Buck Social") is kept.
  size_t cut = 1;
  while (cut < words.size() && !(words[cut][0] >= '0' && words[cut][0] <= '9')) ++cut;
  if (cut >= words.size()) return text;
  while (cut > 0 && !text::ParseDate(JoinWords(words, cut, words.size())) &&
         text::ParseDate(JoinWords(words, cut - 1, words.size()))) {
    --cut;
  }
  while (cut > 0 && std::find(params::kBylineDateWords.begin(), params::kBylineDateWords.end(),
                              Folded(words[cut - 1])) != params::kBylineDateWords.end()) {
    --cut;
  }
  return JoinWords(words, 0, cut);
}

// A byline's text reduced to the name(s): no "By", no date, no role; empty when what is
// left is a label ("Author") or a link.
std::string CleanByline(std::string_view raw) {
  std::string text = StripBylinePrefix(text::CleanText(raw));
  for (std::string_view sep : params::kBylineSeparators) {
    size_t at = text.find(sep);
    if (at != std::string::npos && at > 0) text = text.substr(0, at);
  }
  text = StripBylinePrefix(WithoutTrailingDate(text));
  size_t comma = text.rfind(", ");
  if (comma != std::string::npos &&
      WordCount(std::string_view(text).substr(comma + 2)) >= params::kMinRoleWords) {
    text = text.substr(0, comma);
  }
  while (!text.empty() && (text.back() == ',' || text.back() == ' ')) text.pop_back();
  std::string folded = Folded(text);
  if (ContainsAny(folded, std::array{"http://"sv, "https://"sv, "www."sv})) return "";
  for (std::string_view label : params::kNotAuthorNames) {
    if (folded == label) return "";
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
  std::vector<std::string> headlines = HeadlineTexts(tree, meta.site_name);
  std::optional<std::string> declared = meta.title;
  if (declared && meta.site_name && Folded(*declared) == Folded(*meta.site_name)) declared.reset();
  if (declared && declared->empty()) declared.reset();
  // An <h1> that agrees with what the metadata declares is the headline as shown.
  for (const std::string& h : headlines) {
    if (declared && SameHeadline(h, *declared)) return FromPage(h);
    if (meta.html_title &&
        (SameHeadline(h, *meta.html_title) || Folded(*meta.html_title).find(Folded(h)) == 0)) {
      return FromPage(h);
    }
  }
  // Else the page's own headline: og:title and <title> are often reworded for search
  // engines and social sites, the <h1> is what the reader sees. Of several, the one that
  // shares most words with them.
  // An <h1> that shares almost no words with them is the site's name or a section's.
  std::string said;
  if (declared) said = StripSiteName(*declared, meta.site_name);
  if (meta.html_title) said += " " + StripSiteName(*meta.html_title, meta.site_name);
  if (!headlines.empty()) {
    auto best = std::max_element(headlines.begin(), headlines.end(),
                                 [&said](const std::string& a, const std::string& b) {
                                   return SharedWords(a, said) < SharedWords(b, said);
                                 });
    if (Folded(said).empty() || static_cast<double>(SharedWords(*best, said)) >=
                                    params::kMinHeadlineWordShare * WordSet(*best).size()) {
      return FromPage(*best);
    }
  }
  if (declared) return FromMetadata(StripSiteName(*declared, meta.site_name));
  if (meta.html_title && !meta.html_title->empty()) {
    std::string stripped = StripSiteName(*meta.html_title, meta.site_name);
    if (!stripped.empty()) return FromMetadata(std::move(stripped));
  }
  return {};
}

Chosen ChoosePublished(const PageTree& tree, const html::PageMetadata& meta,
                       const std::optional<std::string>& title,
                       const std::optional<std::string>& url,
                       const std::optional<std::string>& today) {
  auto sane = [&today](std::optional<std::string> date) -> std::optional<std::string> {
    if (!date || (today && date->compare(0, 10, *today, 0, 10) > 0)) return std::nullopt;
    return date;
  };
  // 1. What the page declares as the article's publication (never a page's or a
  //    modification date).
  if (meta.article_published) {
    if (auto date = sane(text::ParseDate(*meta.article_published))) {
      return FromMetadata(std::move(date));
    }
  }
  // 2. The date line after the headline, before the prose (inside or outside the body's
  //    container).
  int32_t headline = HeadlineElement(tree, title);
  if (auto date = sane(DateNearHeadline(tree, headline))) return FromPage(std::move(date));
  // 3. A date the markup alone gives (a WebPage object's, the first <time> after the
  //    headline), when the page also shows that day to the reader: service and shop pages
  //    carry such dates unseen.
  std::set<std::string> shown = VisibleDays(tree);
  for (std::optional<std::string> raw : {meta.page_published, FirstTimeAfterHeadline(tree)}) {
    if (!raw) continue;
    auto date = sane(text::ParseDate(*raw));
    if (date && shown.contains(date->substr(0, 10))) return FromMetadata(std::move(date));
  }
  // 4. The date the URL's path is filed under (/2020/12/17/).
  if (url) {
    if (auto date = sane(DateInUrlPath(*url))) return FromPage(std::move(date));
  }
  // 5. An element named like a date anywhere, only on a page that says it is an article:
  //    on listings, shops and service pages such dates belong to other items.
  if (!meta.declares_article) return {};
  return FromPage(sane(DateInNamedElement(tree)));
}

Chosen ChooseAuthor(const PageTree& tree, const html::PageMetadata& meta) {
  if (meta.author) {
    std::string name = CleanByline(*meta.author);
    if (!name.empty()) return FromMetadata(std::move(name));
  }
  for (int32_t i = 0; i < static_cast<int32_t>(tree.size()); ++i) {
    const Node& node = tree[i];
    if (node.drop == Drop::kNever || node.text == 0 || node.text > params::kMaxAuthorChars) {
      continue;
    }
    auto rel = html::Attribute(node.xml, "rel");
    bool named =
        (rel && *rel == "author") || ContainsAny(tree.ClassAndId(i), params::kAuthorClassWords);
    if (!named) continue;
    std::string text = CleanByline(html::ElementText(node.xml));
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
