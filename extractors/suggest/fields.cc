#include "extractors/suggest/fields.h"

#include <algorithm>
#include <functional>

#include "extractors/core/ascii.h"
#include "extractors/generic/generic_params.h"
#include "extractors/suggest/selectors.h"
#include "extractors/suggest/suggest_params.h"
#include "extractors/suggest/url_shape.h"
#include "extractors/text/dates.h"
#include "extractors/text/normalize.h"

namespace gleaner::suggest {
namespace {

// What a candidate must give on page i.
using Expect = std::function<std::optional<std::string>(const Page&, size_t i)>;

// The elements of `page` in document order whose visible text is at most `max_chars`
// code points (by the page's tally) and that `keep` accepts.
std::vector<const xmlNode*> ElementsWhere(const Page& page, size_t max_chars,
                                          const std::function<bool(const xmlNode*)>& keep) {
  std::vector<const xmlNode*> out;
  std::vector<const xmlNode*> stack{page.doc.root()};
  while (!stack.empty()) {
    const xmlNode* node = stack.back();
    stack.pop_back();
    auto t = page.tally.find(node);
    if (t == page.tally.end()) continue;  // invisible, or no text at all
    if (t->second.body + t->second.other <= max_chars && keep(node)) out.push_back(node);
    std::vector<const xmlNode*> kids;
    for (const xmlNode* c = node->children; c; c = c->next) {
      if (c->type == XML_ELEMENT_NODE) kids.push_back(c);
    }
    stack.insert(stack.end(), kids.rbegin(), kids.rend());
  }
  return out;
}

std::string Text(const xmlNode* element) { return text::CleanText(html::ElementText(element)); }

// The first of `selectors` that gives what `expect` wants on every page.
std::optional<FieldChoice> FirstThatHolds(const std::vector<Page*>& pages,
                                          const std::vector<std::string>& selectors,
                                          const std::optional<std::string>& pattern,
                                          const Expect& expect, bool as_date) {
  for (const std::string& selector : selectors) {
    FieldChoice choice{selector, pattern, {}};
    for (size_t i = 0; i < pages.size(); ++i) {
      auto value = FirstValue(*pages[i], selector, pattern);
      if (value && as_date) value = text::ParseDate(*value);
      auto want = expect(*pages[i], i);
      if (!value || !want || *value != *want) break;
      choice.values.push_back(*value);
    }
    if (choice.values.size() == pages.size()) return choice;
  }
  return std::nullopt;
}

void AddSelectors(const xmlNode* element, const std::string& suffix,
                  std::vector<std::string>* out) {
  for (std::string& s : SelectorsFor(element, kSelectorsPerElement)) {
    s += suffix;
    if (std::find(out->begin(), out->end(), s) == out->end()) out->push_back(std::move(s));
  }
}

bool IsTag(const xmlNode* element, const char* tag) {
  return xmlStrcmp(element->name, BAD_CAST tag) == 0;
}

// True when a meta tag's or an element's name says it dates a change ("dateModified").
bool ChangeDate(std::string_view name) {
  std::string lower = AsciiLower(name);
  return std::any_of(kChangeDateWords.begin(), kChangeDateWords.end(),
                     [&](std::string_view w) { return lower.find(w) != std::string::npos; });
}

// True when an element's class or itemprop says it dates a change.
bool DatesChange(const xmlNode* element) {
  return ChangeDate(html::Attribute(element, "class").value_or("") + " " +
                    html::Attribute(element, "itemprop").value_or(""));
}

// `meta[...]@content` selectors of the meta tags whose content `accept` takes, except
// those that date a change.
std::vector<std::string> MetaSelectors(const Page& page,
                                       const std::function<bool(const std::string&)>& accept) {
  std::vector<std::string> out;
  auto metas = html::CompileSelector("meta[content]");
  if (!metas) return out;
  for (xmlNode* meta : html::Select(page.doc, *metas)) {
    auto content = html::Attribute(meta, "content");
    if (!content || !accept(*content)) continue;
    for (const char* key : {"property", "name", "itemprop"}) {
      auto value = html::Attribute(meta, key);
      if (!value || value->find('"') != std::string::npos) continue;
      if (ChangeDate(*value)) break;
      out.push_back("meta[" + std::string(key) + "=\"" + *value + "\"]@content");
      break;
    }
  }
  return out;
}

// True when `href` on `page` leads to another site that is not a sharing service.
bool IsForeignLink(const Page& page, const std::string& href) {
  auto parts = ParseUrl(ResolveUrl(page.url, href));
  if (!parts || (parts->scheme != "http" && parts->scheme != "https")) return false;
  std::string host = BareHost(parts->host);
  if (host == BareHost(page.parts.host)) return false;
  return std::none_of(kShareHosts.begin(), kShareHosts.end(), [&](std::string_view share) {
    return host == share || (host.size() > share.size() &&
                             host.compare(host.size() - share.size(), share.size(), share) == 0 &&
                             host[host.size() - share.size() - 1] == '.');
  });
}

size_t HeadlineLinks(const xmlNode* element) {
  size_t count = 0;
  std::vector<const xmlNode*> stack{element};
  while (!stack.empty()) {
    const xmlNode* node = stack.back();
    stack.pop_back();
    if (node->type != XML_ELEMENT_NODE) continue;
    if (IsTag(node, "a")) {
      if (html::Attribute(node, "href") && text::CodePointCount(Text(node)) >= kMinHeadlineChars)
        ++count;
      continue;
    }
    for (const xmlNode* c = node->children; c; c = c->next) stack.push_back(c);
  }
  return count;
}

// The deepest of the first match's chain of matching descendants. REQUIRES: !found.empty(),
// in document order.
const xmlNode* Innermost(const std::vector<const xmlNode*>& found) {
  const xmlNode* inner = found.front();
  for (const xmlNode* e : found) {
    for (const xmlNode* p = e->parent; p; p = p->parent) {
      if (p == inner) {
        inner = e;
        break;
      }
    }
  }
  return inner;
}

}  // namespace

std::optional<std::string> FirstValue(const Page& page, const std::string& selector,
                                      const std::optional<std::string>& pattern) {
  auto compiled = html::CompileSelector(selector);
  if (!compiled) return std::nullopt;
  std::optional<text::Regex> re;
  if (pattern) {
    auto r = text::Regex::Compile(*pattern);
    if (!r) return std::nullopt;
    re = std::move(*r);
  }
  for (const std::string& raw : html::SelectValues(page.doc, *compiled)) {
    std::optional<std::string> value = raw;
    if (re) {
      value = re->NamedGroup(raw, "value");
      if (!value) continue;
    }
    std::string clean = text::CleanText(*value);
    if (!clean.empty()) return clean;
  }
  return std::nullopt;
}

std::optional<FieldChoice> ChooseTitle(const std::vector<Page*>& pages) {
  const Page& first = *pages.front();
  if (!first.generic.title) return std::nullopt;
  const std::string& title = *first.generic.title;
  size_t chars = text::CodePointCount(title);
  std::vector<const xmlNode*> holders = ElementsWhere(
      first, chars + 8, [&](const xmlNode* e) { return !IsTag(e, "a") && Text(e) == title; });
  // The innermost holder names the title best (h1.entry-title, not the header around it);
  // a heading first of all.
  std::reverse(holders.begin(), holders.end());
  std::stable_partition(holders.begin(), holders.end(),
                        [](const xmlNode* e) { return IsTag(e, "h1") || IsTag(e, "h2"); });
  std::vector<std::string> selectors;
  for (const xmlNode* e : holders) AddSelectors(e, "", &selectors);
  Expect expect = [](const Page& p, size_t) { return p.generic.title; };
  return FirstThatHolds(pages, selectors, std::nullopt, expect, false);
}

std::optional<FieldChoice> ChoosePublished(const std::vector<Page*>& pages) {
  const Page& first = *pages.front();
  if (!first.generic.published) return std::nullopt;
  const std::string& date = *first.generic.published;
  auto same_date = [&](const std::string& s) { return text::ParseDate(s) == date; };
  std::vector<std::string> selectors = MetaSelectors(first, same_date);
  for (const xmlNode* e : ElementsWhere(first, SIZE_MAX, [&](const xmlNode* e) {
         return IsTag(e, "time") && !DatesChange(e) &&
                same_date(html::Attribute(e, "datetime").value_or(""));
       })) {
    AddSelectors(e, "@datetime", &selectors);
  }
  std::vector<const xmlNode*> visible =
      ElementsWhere(first, kMaxDateTextChars,
                    [&](const xmlNode* e) { return !DatesChange(e) && same_date(Text(e)); });
  std::reverse(visible.begin(), visible.end());  // innermost first
  for (const xmlNode* e : visible) AddSelectors(e, "", &selectors);
  Expect expect = [](const Page& p, size_t) { return p.generic.published; };
  return FirstThatHolds(pages, selectors, std::nullopt, expect, true);
}

std::optional<FieldChoice> ChooseAuthor(const std::vector<Page*>& pages, bool* byline) {
  const Page& first = *pages.front();
  *byline = false;
  // An author the page's metadata gives needs no rule: the rules fall back to it.
  if (!first.generic.author || first.generic.provenance.author.stage != Stage::kGeneric)
    return std::nullopt;
  const std::string& author = *first.generic.author;
  std::vector<std::string> exact, prefixed;
  for (const xmlNode* e :
       ElementsWhere(first, generic::params::kMaxAuthorChars, [](auto) { return true; })) {
    std::string text = Text(e);
    if (text == author) AddSelectors(e, "", &exact);
    std::string folded = text::FoldCase(text);
    for (std::string_view prefix : generic::params::kBylinePrefixes) {
      if (folded.rfind(prefix, 0) == 0 && text::CleanText(text.substr(prefix.size())) == author)
        AddSelectors(e, "", &prefixed);
    }
  }
  Expect expect = [](const Page& p, size_t) { return p.generic.author; };
  if (auto choice = FirstThatHolds(pages, exact, std::nullopt, expect, false)) return choice;
  // A byline's value keeps its prefix ("Par X"), which the rules drop: it must end with the
  // author generic extraction found.
  for (const std::string& s : prefixed) {
    Expect with_prefix = [&](const Page& p, size_t) -> std::optional<std::string> {
      auto value = FirstValue(p, s, std::nullopt);
      if (!value || !p.generic.author || !value->ends_with(*p.generic.author)) return std::nullopt;
      return value;
    };
    if (auto choice = FirstThatHolds(pages, {s}, std::nullopt, with_prefix, false)) {
      *byline = true;
      return choice;
    }
  }
  return std::nullopt;
}

std::optional<FieldChoice> ChooseSource(const std::vector<Page*>& pages) {
  auto line = text::Regex::Compile(kSourceLinePattern, {.case_insensitive = true});
  if (!line) return std::nullopt;
  const Page& first = *pages.front();
  std::vector<const xmlNode*> lines = ElementsWhere(
      first, kMaxSourceLineChars, [&](const xmlNode* e) { return line->Matches(Text(e)); });
  if (lines.empty()) return std::nullopt;
  const xmlNode* innermost = Innermost(lines);
  auto name = line->NamedGroup(Text(innermost), "value");
  if (!name) return std::nullopt;
  // The publisher's name as a link inside the line reads best; else the line's pattern.
  std::vector<std::string> linked;
  for (const xmlNode* a : ElementsWhere(first, kMaxSourceLineChars, [&](const xmlNode* e) {
         return IsTag(e, "a") && Text(e) == *name;
       })) {
    for (const xmlNode* p = a->parent; p; p = p->parent) {
      if (p == innermost) AddSelectors(a, "", &linked);
    }
  }
  std::vector<std::string> own;
  AddSelectors(innermost, "", &own);
  for (std::string& s : own) linked.push_back(s + " a");
  Expect from_line = [&](const Page& p, size_t) -> std::optional<std::string> {
    std::vector<const xmlNode*> found = ElementsWhere(
        p, kMaxSourceLineChars, [&](const xmlNode* x) { return line->Matches(Text(x)); });
    if (found.empty()) return std::nullopt;
    return line->NamedGroup(Text(Innermost(found)), "value");
  };
  if (auto choice = FirstThatHolds(pages, linked, std::nullopt, from_line, false)) return choice;
  std::string pattern = "(?i)" + std::string(kSourceLinePattern);
  return FirstThatHolds(pages, own, pattern, from_line, false);
}

std::optional<FieldChoice> ChooseSourceUrl(const std::vector<Page*>& pages) {
  auto words = text::Regex::Compile(kSourceLinkPattern, {.case_insensitive = true});
  if (!words) return std::nullopt;
  const Page& first = *pages.front();
  std::vector<std::string> selectors;
  for (const xmlNode* a : ElementsWhere(first, kMaxSourceLineChars, [&](const xmlNode* e) {
         auto href = html::Attribute(e, "href");
         return IsTag(e, "a") && href && IsForeignLink(first, *href) && words->Matches(Text(e));
       })) {
    AddSelectors(a, "@href", &selectors);
  }
  for (const std::string& s : selectors) {
    FieldChoice choice{s, std::nullopt, {}};
    for (Page* p : pages) {
      auto href = FirstValue(*p, s, std::nullopt);
      if (!href || !IsForeignLink(*p, *href)) break;
      choice.values.push_back(ResolveUrl(p->url, *href));
    }
    if (choice.values.size() == pages.size()) return choice;
  }
  return std::nullopt;
}

std::optional<FieldChoice> ChooseTicker(const std::vector<Page*>& pages) {
  const Page& first = *pages.front();
  std::vector<std::pair<size_t, const xmlNode*>> runs;
  for (const xmlNode* e : ElementsWhere(first, SIZE_MAX, [&](const xmlNode* e) {
         return IsTag(e, "marquee") || NameHasWord(e, generic::params::kTickerClassWords);
       })) {
    size_t links = HeadlineLinks(e);
    if (links >= kMinTickerLinks) runs.emplace_back(links, e);
  }
  std::stable_sort(runs.begin(), runs.end(), [](auto& a, auto& b) { return a.first > b.first; });
  std::vector<std::string> selectors;
  for (const auto& run : runs) AddSelectors(run.second, " a", &selectors);
  for (const std::string& s : selectors) {
    auto compiled = html::CompileSelector(s);
    if (!compiled) continue;
    FieldChoice choice{s, std::nullopt, {}};
    for (Page* p : pages) {
      size_t links = 0;
      for (xmlNode* a : html::Select(p->doc, *compiled)) links += HeadlineLinks(a);
      if (links < kMinTickerLinks) break;
      choice.values.push_back(std::to_string(links));
    }
    if (choice.values.size() == pages.size()) return choice;
  }
  return std::nullopt;
}

}  // namespace gleaner::suggest
