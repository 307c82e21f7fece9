#include "extractors/rules/apply.h"

#include <unordered_set>

#include "extractors/core/url.h"
#include "extractors/text/dates.h"
#include "extractors/text/normalize.h"
#include "extractors/text/paragraphs.h"

namespace gleaner::rules {
namespace {

// Words that open a byline before the author's name; dropped when the author is taken
// from a byline ("Par Rédaction", "By Jane Doe", "بقلم ...").
constexpr std::string_view kBylinePrefixes[] = {"par ", "by ", "بقلم ", "بقلم: ", "de "};

// The value of a pattern match: group `value` if the pattern names one, else group 1,
// else the whole match.
std::optional<std::string> ApplyPattern(const text::Regex& pattern, const std::string& value) {
  if (auto named = pattern.NamedGroup(value, "value")) return named;
  auto groups = pattern.Search(value);
  if (!groups) return std::nullopt;
  if (groups->size() > 1 && (*groups)[1]) return (*groups)[1];
  return (*groups)[0];
}

// A value a field rule yielded, and the selector that yielded it (for the provenance).
struct FieldValue {
  std::string text;
  const html::Selector* selector;
};

// The first value a field rule yields: selectors in order, each value through the pattern.
std::optional<FieldValue> ReadField(const html::Document& doc, const FieldRule& rule) {
  for (const html::Selector& selector : rule.selectors) {
    for (const std::string& raw : html::SelectValues(doc, selector)) {
      std::optional<std::string> value = raw;
      if (rule.pattern) value = ApplyPattern(*rule.pattern, raw);
      if (value) {
        std::string clean = text::CleanText(*value);
        if (!clean.empty()) return FieldValue{std::move(clean), &selector};
      }
    }
  }
  return std::nullopt;
}

// Nodes matched by the first selector of `rule` that matches anything; that selector is
// stored in `*used` when it is not null.
std::vector<xmlNode*> FieldNodes(const html::Document& doc, const FieldRule& rule,
                                 const html::Selector** used = nullptr) {
  for (const html::Selector& selector : rule.selectors) {
    auto nodes = html::Select(doc, selector);
    if (nodes.empty()) continue;
    if (used) *used = &selector;
    return nodes;
  }
  return {};
}

bool HasAncestorIn(const xmlNode* node, const std::unordered_set<const xmlNode*>& set) {
  for (const xmlNode* p = node->parent; p; p = p->parent) {
    if (set.count(p)) return true;
  }
  return false;
}

// Nodes of `nodes` that are not inside another of them, each once, in the given order
// (two selectors often match the same element: `.modal` and `[role=dialog]`).
std::vector<xmlNode*> Outermost(const std::vector<xmlNode*>& nodes) {
  std::unordered_set<const xmlNode*> set(nodes.begin(), nodes.end());
  std::unordered_set<const xmlNode*> taken;
  std::vector<xmlNode*> out;
  for (xmlNode* n : nodes) {
    if (!HasAncestorIn(n, set) && taken.insert(n).second) out.push_back(n);
  }
  return out;
}

void RemoveNodes(const std::vector<xmlNode*>& nodes) {
  for (xmlNode* n : Outermost(nodes)) {
    xmlUnlinkNode(n);
    xmlFreeNode(n);
  }
}

// The rule of `layout` for field `name`, named by its first selector.
RuleRef RefOf(const Layout& layout, std::string name, const FieldRule& rule) {
  return RuleRef{layout.name, std::move(name), rule.selectors.front().source};
}

// The required rule of `layout` that matched nothing, or nullopt when every one matches.
std::optional<RuleRef> LayoutMismatch(const html::Document& doc, const Layout& layout) {
  for (const std::string& name : layout.require) {
    const std::optional<FieldRule>* field = name == "title"       ? &layout.title
                                            : name == "body"      ? &layout.body
                                            : name == "author"    ? &layout.author
                                            : name == "byline"    ? &layout.byline
                                            : name == "published" ? &layout.published
                                            : name == "source"    ? &layout.source
                                                                  : &layout.source_url;
    bool matched =
        name == "body" ? !FieldNodes(doc, **field).empty() : ReadField(doc, **field).has_value();
    if (!matched) return RefOf(layout, name, **field);
  }
  return std::nullopt;
}

std::string Resolve(const std::optional<std::string>& base, const std::string& href) {
  return base ? ResolveUrl(*base, href) : href;
}

// Links of the ticker: each matched <a>, or the <a href> inside each matched element.
// `*first_match` receives the first ticker selector that matched anything.
std::vector<xmlNode*> CaptureTicker(const html::Document& doc, const SiteRules& site,
                                    const std::optional<std::string>& base, std::vector<Link>* out,
                                    const html::Selector** first_match) {
  std::vector<xmlNode*> matched;
  for (const html::Selector& selector : site.ticker) {
    for (xmlNode* n : html::Select(doc, selector)) {
      if (!*first_match) *first_match = &selector;
      matched.push_back(n);
    }
  }
  matched = Outermost(matched);
  for (xmlNode* n : matched) {
    std::vector<xmlNode*> links;
    std::vector<xmlNode*> stack{n};
    while (!stack.empty()) {  // pre-order walk, children pushed in reverse
      xmlNode* cur = stack.back();
      stack.pop_back();
      if (cur->type != XML_ELEMENT_NODE) continue;
      if (xmlStrcmp(cur->name, BAD_CAST "a") == 0) {
        links.push_back(cur);
        continue;
      }
      std::vector<xmlNode*> kids;
      for (xmlNode* c = cur->children; c; c = c->next) kids.push_back(c);
      stack.insert(stack.end(), kids.rbegin(), kids.rend());
    }
    for (xmlNode* a : links) {
      auto href = html::Attribute(a, "href");
      std::string title = text::CleanText(html::ElementText(a));
      if (href && !title.empty()) out->push_back({title, Resolve(base, *href)});
    }
  }
  return matched;
}

std::string StripBylinePrefix(std::string byline) {
  std::string folded = text::FoldCase(byline);
  for (std::string_view prefix : kBylinePrefixes) {
    if (folded.rfind(prefix, 0) == 0) return text::CleanText(byline.substr(prefix.size()));
  }
  return byline;
}

FieldProvenance ByRule(const FieldValue& value) {
  return FieldProvenance{Stage::kRules, value.selector->source};
}

// Reads the single-valued fields; a declared field that yields nothing is a warning.
void ReadSingleFields(const html::Document& doc, const Layout& layout, const ApplyInput& in,
                      Article* a) {
  Provenance& p = a->provenance;
  auto read = [&](const std::optional<FieldRule>& rule,
                  const char* name) -> std::optional<FieldValue> {
    if (!rule) return std::nullopt;
    auto value = ReadField(doc, *rule);
    if (!value) {
      p.unmatched.push_back(RefOf(layout, name, *rule));
      a->warnings.push_back(RenderUnmatchedWarning(p.unmatched.back()));
    }
    return value;
  };
  if (auto title = read(layout.title, "title")) {
    a->title = std::move(title->text);
    p.title = ByRule(*title);
  }
  if (auto author = read(layout.author, "author")) {
    a->author = std::move(author->text);
    p.author = ByRule(*author);
  }
  auto byline = read(layout.byline, "byline");
  if (!a->author && byline) {
    a->author = StripBylinePrefix(byline->text);
    p.author = ByRule(*byline);
  }
  if (auto source = read(layout.source, "source")) {
    a->source = std::move(source->text);
    p.source = ByRule(*source);
  }
  if (auto url = read(layout.source_url, "source_url")) {
    a->source_url = Resolve(in.base_url, url->text);
    p.source_url = ByRule(*url);
  }
  if (auto published = read(layout.published, "published")) {
    a->published = text::ParseDate(published->text);
    if (a->published) {
      p.published = ByRule(*published);
    } else {
      a->warnings.push_back("published: no date found in '" + published->text + "'");
    }
  }
}

// Fills what the rules left empty from the page's metadata (og:, JSON-LD, meta author).
void ApplyMetadataFallbacks(const Layout& layout, const html::PageMetadata* meta, Article* a) {
  if (!meta) return;
  auto fill = [&](std::optional<std::string>& field, FieldProvenance& provenance,
                  const std::optional<std::string>& value, bool declared, const char* what) {
    if (field || !value) return;
    field = value;
    provenance = FieldProvenance{Stage::kMetadata, ""};
    if (declared) a->warnings.push_back(std::string("used ") + what + " as fallback");
  };
  fill(a->title, a->provenance.title, meta->title, layout.title.has_value(), "metadata title");
  fill(a->author, a->provenance.author, meta->author,
       layout.author.has_value() || layout.byline.has_value(), "metadata author");
  if (!a->published && meta->published) {
    a->published = text::ParseDate(*meta->published);
    if (a->published) a->provenance.published = FieldProvenance{Stage::kMetadata, ""};
    if (a->published && layout.published) a->warnings.push_back("used metadata date as fallback");
  }
}

// The body: paragraphs of every node the body rule matches, "read also" ones moved out.
void ReadBody(const html::Document& doc, const SiteRules& site, const Layout& layout,
              const ApplyInput& in, Article* a) {
  std::vector<text::Paragraph> kept;
  const html::Selector* body_selector = nullptr;
  for (xmlNode* node : Outermost(FieldNodes(doc, *layout.body, &body_selector))) {
    for (text::Paragraph& p : text::ExtractParagraphs(node)) {
      const text::Regex* related = nullptr;
      for (const text::Regex& re : site.related) {
        if (!related && re.Matches(p.text)) related = &re;
      }
      if (!related) {
        kept.push_back(std::move(p));
        continue;
      }
      for (const text::ParagraphLink& link : p.links) {
        std::string title = text::CleanText(link.text);
        if (title.empty() || link.href.empty()) continue;
        if (a->related.empty()) a->provenance.related = {Stage::kRules, related->pattern()};
        a->related.push_back({title, Resolve(in.base_url, link.href)});
        break;
      }
    }
  }
  if (kept.empty()) return;
  a->body = text::JoinParagraphs(kept);
  a->provenance.body = FieldProvenance{Stage::kRules, body_selector->source};
}

}  // namespace

tl::expected<Article, Provenance> ApplyRules(html::Document& doc, const SiteRules& site,
                                             const ApplyInput& in) {
  Provenance failed;
  failed.site = site.id;
  const Layout* chosen = nullptr;
  for (const Layout& layout : site.layouts) {
    auto mismatch = LayoutMismatch(doc, layout);
    if (!mismatch) {
      chosen = &layout;
      break;
    }
    failed.fallback.rules.push_back(std::move(*mismatch));
  }
  if (!chosen) {
    failed.fallback.reason = FallbackReason::kRuleMatchedNothing;
    return tl::unexpected(std::move(failed));
  }

  Article a;
  a.site = site.id;
  a.provenance.winner = Stage::kRules;
  a.provenance.site = site.id;
  a.provenance.layout = chosen->name;
  a.extractor = RenderExtractor(a.provenance);
  a.language = site.language;
  a.provenance.language = FieldProvenance{Stage::kRules, ""};
  // Stage 1: single fields, read before anything is removed (they may live in chrome).
  ReadSingleFields(doc, *chosen, in, &a);
  ApplyMetadataFallbacks(*chosen, in.metadata, &a);
  // Stage 2: the ticker's links, then the ticker and every `remove` match leave the page.
  const html::Selector* ticker_selector = nullptr;
  std::vector<xmlNode*> doomed = CaptureTicker(doc, site, in.base_url, &a.ticker, &ticker_selector);
  if (!a.ticker.empty())
    a.provenance.ticker = FieldProvenance{Stage::kRules, ticker_selector->source};
  for (const auto* list : {&site.remove, &chosen->remove}) {
    for (const html::Selector& s : *list) {
      for (xmlNode* n : html::Select(doc, s)) doomed.push_back(n);
    }
  }
  RemoveNodes(doomed);
  // Stage 3: the body.
  ReadBody(doc, site, *chosen, in, &a);
  if (!a.body) {
    failed.layout = chosen->name;
    failed.fallback.reason = FallbackReason::kBodyEmptyText;
    failed.fallback.rules = {RefOf(*chosen, "body", *chosen->body)};
    return tl::unexpected(std::move(failed));
  }
  return a;
}

}  // namespace gleaner::rules
