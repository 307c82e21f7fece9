#include "extractors/rules/apply.h"

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

// The text of the first of `nodes`, cleaned; empty when there is none.
std::string FirstText(const std::vector<xmlNode*>& nodes) {
  return nodes.empty() ? std::string() : text::CleanText(html::ElementText(nodes.front()));
}

// What `selector` of `rule` matched, for a trace: its elements, its first value and the
// pattern's result on it. Queries the page once more: only ever called with a trace.
SelectorTrace TraceSelector(const html::Document& doc, const html::Selector& selector,
                            const FieldRule& rule, const std::vector<std::string>& values) {
  SelectorTrace t{selector.source, html::Select(doc, selector).size(), "", std::nullopt};
  if (values.empty()) return t;
  t.first_text = values.front();
  if (rule.pattern) t.pattern_result = ApplyPattern(*rule.pattern, values.front());
  return t;
}

// The first value a field rule yields: selectors in order, each value through the pattern.
// Records each selector tried and the value in `*trace` when it is not null.
std::optional<FieldValue> ReadField(const html::Document& doc, const FieldRule& rule,
                                    FieldTrace* trace = nullptr) {
  for (const html::Selector& selector : rule.selectors) {
    const std::vector<std::string> values = html::SelectValues(doc, selector);
    if (trace) trace->selectors.push_back(TraceSelector(doc, selector, rule, values));
    for (const std::string& raw : values) {
      std::optional<std::string> value = raw;
      if (rule.pattern) value = ApplyPattern(*rule.pattern, raw);
      if (value) {
        std::string clean = text::CleanText(*value);
        if (clean.empty()) continue;
        if (trace) trace->value = clean;
        return FieldValue{std::move(clean), &selector};
      }
    }
  }
  return std::nullopt;
}

// Nodes matched by the first selector of `rule` that matches anything; that selector is
// stored in `*used` when it is not null. Records each selector tried in `*trace` when it is
// not null.
std::vector<xmlNode*> FieldNodes(const html::Document& doc, const FieldRule& rule,
                                 const html::Selector** used = nullptr,
                                 FieldTrace* trace = nullptr) {
  for (const html::Selector& selector : rule.selectors) {
    auto nodes = html::Select(doc, selector);
    if (trace) trace->selectors.push_back({selector.source, nodes.size(), FirstText(nodes), {}});
    if (nodes.empty()) continue;
    if (used) *used = &selector;
    return nodes;
  }
  return {};
}

void RemoveNodes(const std::vector<xmlNode*>& nodes) {
  for (xmlNode* n : html::Outermost(nodes)) {
    xmlUnlinkNode(n);
    xmlFreeNode(n);
  }
}

// The rule of `layout` for field `name`, named by its first selector.
RuleRef RefOf(const Layout& layout, std::string name, const FieldRule& rule) {
  return RuleRef{layout.name, std::move(name), rule.selectors.front().source};
}

// The rule of `layout` for the field named `name`. REQUIRES: the layout declares it.
const FieldRule& RuleNamed(const Layout& layout, const std::string& name) {
  const std::optional<FieldRule>* field = name == "title"       ? &layout.title
                                          : name == "body"      ? &layout.body
                                          : name == "author"    ? &layout.author
                                          : name == "byline"    ? &layout.byline
                                          : name == "published" ? &layout.published
                                          : name == "source"    ? &layout.source
                                                                : &layout.source_url;
  return **field;
}

// The selector that satisfies the required rule for field `name`: for the body, the first
// that matches an element; for another field, the one that yields a value. Null when none.
const html::Selector* RequiredMatch(const html::Document& doc, const std::string& name,
                                    const FieldRule& rule) {
  if (name == "body") {
    const html::Selector* used = nullptr;
    (void)FieldNodes(doc, rule, &used);
    return used;
  }
  std::optional<FieldValue> value = ReadField(doc, rule);
  return value ? value->selector : nullptr;
}

// The required rule of `layout` that matched nothing, or nullopt when every one matches.
// Records each required rule checked in `*trace` when it is not null.
std::optional<RuleRef> LayoutMismatch(const html::Document& doc, const Layout& layout,
                                      LayoutTrace* trace) {
  for (size_t i = 0; i < layout.require.size(); ++i) {
    const std::string& name = layout.require[i];
    const FieldRule& rule = RuleNamed(layout, name);
    const html::Selector* match = RequiredMatch(doc, name, rule);
    if (trace) {
      trace->required.push_back({name, (match ? *match : rule.selectors.front()).source, !!match});
      if (!match) trace->unchecked.assign(layout.require.begin() + i + 1, layout.require.end());
    }
    if (!match) return RefOf(layout, name, rule);
  }
  return std::nullopt;
}

std::string Resolve(const std::optional<std::string>& base, const std::string& href) {
  return base ? ResolveUrl(*base, href) : href;
}

// Records in `*trace`, when it is not null, what a `remove` or `ticker` selector matched.
void TraceRemoval(ApplyTrace* trace, RemovalTrace::Kind kind, const html::Selector& selector,
                  const std::vector<xmlNode*>& nodes) {
  if (trace) trace->removals.push_back({kind, selector.source, nodes.size(), FirstText(nodes)});
}

// The <a> elements at or under `node`, in document order (not inside one another).
std::vector<xmlNode*> LinksUnder(xmlNode* node) {
  std::vector<xmlNode*> links;
  std::vector<xmlNode*> stack{node};
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
  return links;
}

// Links of the ticker: each matched <a>, or the <a href> inside each matched element.
// `*first_match` receives the first ticker selector that matched anything. Records each
// ticker selector in `*trace` when it is not null.
std::vector<xmlNode*> CaptureTicker(const html::Document& doc, const SiteRules& site,
                                    const std::optional<std::string>& base, std::vector<Link>* out,
                                    const html::Selector** first_match, ApplyTrace* trace) {
  std::vector<xmlNode*> matched;
  for (const html::Selector& selector : site.ticker) {
    const std::vector<xmlNode*> nodes = html::Select(doc, selector);
    TraceRemoval(trace, RemovalTrace::Kind::kTicker, selector, nodes);
    for (xmlNode* n : nodes) {
      if (!*first_match) *first_match = &selector;
      matched.push_back(n);
    }
  }
  matched = html::Outermost(matched);
  for (xmlNode* n : matched) {
    for (xmlNode* a : LinksUnder(n)) {
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

// The trace's record of one field, or nullptr when there is no trace.
FieldTrace* Slot(ApplyTrace* trace, FieldTrace ApplyTrace::*field) {
  return trace ? &(trace->*field) : nullptr;
}

// Records in `*trace`, when it is not null, what the record took from a field: `kept`, or
// nothing (nullopt) for the reason `why_not`.
void NoteKept(FieldTrace* trace, const std::optional<std::string>& kept, const char* why_not = "") {
  if (!trace) return;
  trace->kept = kept;
  if (!kept) trace->not_kept = why_not;
}

// The value of the field `name` when the layout declares it (`rule`); a declared field that
// yields nothing is recorded in the provenance and warned about. Records the reading in
// `*trace` when it is not null.
std::optional<FieldValue> ReadDeclared(const html::Document& doc, const Layout& layout,
                                       const std::optional<FieldRule>& rule, const char* name,
                                       FieldTrace* trace, Article* a) {
  if (!rule) return std::nullopt;
  if (trace) {
    trace->declared = true;
    if (rule->pattern) trace->pattern = rule->pattern->pattern();
  }
  std::optional<FieldValue> value = ReadField(doc, *rule, trace);
  if (!value) {
    a->provenance.unmatched.push_back(RefOf(layout, name, *rule));
    a->warnings.push_back(RenderUnmatchedWarning(a->provenance.unmatched.back()));
    NoteKept(trace, std::nullopt, "matched nothing");
  }
  return value;
}

// Reads the title, the author, and the byline (the author when `author` gave none).
void ReadNameFields(const html::Document& doc, const Layout& layout, ApplyTrace* trace,
                    Article* a) {
  Provenance& p = a->provenance;
  FieldTrace* t = Slot(trace, &ApplyTrace::title);
  if (auto title = ReadDeclared(doc, layout, layout.title, "title", t, a)) {
    a->title = std::move(title->text);
    p.title = ByRule(*title);
    NoteKept(t, a->title);
  }
  t = Slot(trace, &ApplyTrace::author);
  if (auto author = ReadDeclared(doc, layout, layout.author, "author", t, a)) {
    a->author = std::move(author->text);
    p.author = ByRule(*author);
    NoteKept(t, a->author);
  }
  t = Slot(trace, &ApplyTrace::byline);
  auto byline = ReadDeclared(doc, layout, layout.byline, "byline", t, a);
  if (!a->author && byline) {
    a->author = StripBylinePrefix(byline->text);
    p.author = ByRule(*byline);
    NoteKept(t, a->author);
  } else if (byline) {
    NoteKept(t, std::nullopt, "the author rule gave the author");
  }
}

// Reads the source, the source's URL (resolved against the page's) and the date (parsed).
void ReadOriginFields(const html::Document& doc, const Layout& layout, const ApplyInput& in,
                      Article* a) {
  Provenance& p = a->provenance;
  FieldTrace* t = Slot(in.trace, &ApplyTrace::source);
  if (auto source = ReadDeclared(doc, layout, layout.source, "source", t, a)) {
    a->source = std::move(source->text);
    p.source = ByRule(*source);
    NoteKept(t, a->source);
  }
  t = Slot(in.trace, &ApplyTrace::source_url);
  if (auto url = ReadDeclared(doc, layout, layout.source_url, "source_url", t, a)) {
    a->source_url = Resolve(in.base_url, url->text);
    p.source_url = ByRule(*url);
    NoteKept(t, a->source_url);
  }
  t = Slot(in.trace, &ApplyTrace::published);
  if (auto published = ReadDeclared(doc, layout, layout.published, "published", t, a)) {
    a->published = text::ParseDate(published->text);
    NoteKept(t, a->published, "no date found in it");
    if (a->published) {
      p.published = ByRule(*published);
    } else {
      a->warnings.push_back("published: no date found in '" + published->text + "'");
    }
  }
}

// Fills what the rules left empty from the page's metadata (og:, JSON-LD, meta author).
// Records each fallback used in `*trace` when it is not null.
void ApplyMetadataFallbacks(const Layout& layout, const html::PageMetadata* meta, ApplyTrace* trace,
                            Article* a) {
  if (!meta) return;
  auto fill = [&](std::optional<std::string>& field, FieldProvenance& provenance,
                  const std::optional<std::string>& value, bool declared, const char* name) {
    if (field || !value) return;
    field = value;
    provenance = FieldProvenance{Stage::kMetadata, ""};
    if (declared) a->warnings.push_back(std::string("used metadata ") + name + " as fallback");
    if (trace) trace->metadata.push_back({name, *value, *value});
  };
  fill(a->title, a->provenance.title, meta->title, layout.title.has_value(), "title");
  fill(a->author, a->provenance.author, meta->author,
       layout.author.has_value() || layout.byline.has_value(), "author");
  if (!a->published && meta->published) {
    a->published = text::ParseDate(*meta->published);
    if (a->published) a->provenance.published = FieldProvenance{Stage::kMetadata, ""};
    if (a->published && layout.published) a->warnings.push_back("used metadata date as fallback");
    if (a->published && trace)
      trace->metadata.push_back({"published", *meta->published, *a->published});
  }
}

// The first of the site's `related` regexes that matches `paragraph`, or null.
const text::Regex* RelatedRegex(const SiteRules& site, const std::string& paragraph) {
  for (const text::Regex& re : site.related) {
    if (re.Matches(paragraph)) return &re;
  }
  return nullptr;
}

// Records in `*trace`, when it is not null, a paragraph that `re` (one of the site's
// `related`) took out of the body.
void TraceRelated(ApplyTrace* trace, const SiteRules& site, const text::Regex& re,
                  const std::string& paragraph) {
  if (!trace) return;
  RelatedTrace& t = trace->related[static_cast<size_t>(&re - site.related.data())];
  if (t.paragraphs++ == 0) t.first_text = paragraph;
}

// Moves the first link of a "read also" paragraph, matched by `re`, to `related`.
void TakeRelatedLink(const text::Paragraph& p, const text::Regex& re, const ApplyInput& in,
                     Article* a) {
  for (const text::ParagraphLink& link : p.links) {
    std::string title = text::CleanText(link.text);
    if (title.empty() || link.href.empty()) continue;
    if (a->related.empty()) a->provenance.related = {Stage::kRules, re.pattern()};
    a->related.push_back({title, Resolve(in.base_url, link.href)});
    return;
  }
}

// The body: paragraphs of every node the body rule matches, "read also" ones moved out.
void ReadBody(const html::Document& doc, const SiteRules& site, const Layout& layout,
              const ApplyInput& in, Article* a) {
  FieldTrace* trace = Slot(in.trace, &ApplyTrace::body);
  if (trace) {
    trace->declared = true;
    for (const text::Regex& re : site.related) in.trace->related.push_back({re.pattern(), 0, ""});
  }
  std::vector<text::Paragraph> kept;
  const html::Selector* body_selector = nullptr;
  for (xmlNode* node : html::Outermost(FieldNodes(doc, *layout.body, &body_selector, trace))) {
    for (text::Paragraph& p : text::ExtractParagraphs(node)) {
      const text::Regex* related = RelatedRegex(site, p.text);
      if (!related) {
        kept.push_back(std::move(p));
        continue;
      }
      TraceRelated(in.trace, site, *related, p.text);
      TakeRelatedLink(p, *related, in, a);
    }
  }
  if (kept.empty()) {
    NoteKept(trace, std::nullopt, body_selector ? "matched only empty text" : "matched nothing");
    return;
  }
  a->body = text::JoinParagraphs(kept);
  a->provenance.body = FieldProvenance{Stage::kRules, body_selector->source};
  NoteKept(trace, a->body);
  if (trace) trace->paragraphs = kept.size();
}

// The first layout of `site` whose required rules all match, or null; for each layout that
// does not apply, its first required rule that matched nothing is added to
// `failed->fallback.rules`. Records each layout tried in `*trace` when it is not null.
const Layout* ChooseLayout(const html::Document& doc, const SiteRules& site, ApplyTrace* trace,
                           Provenance* failed) {
  for (const Layout& layout : site.layouts) {
    LayoutTrace* t = nullptr;
    if (trace) t = &trace->layouts.emplace_back(LayoutTrace{layout.name, {}, {}, false});
    std::optional<RuleRef> mismatch = LayoutMismatch(doc, layout, t);
    if (!mismatch) {
      if (t) t->chosen = true;
      return &layout;
    }
    failed->fallback.rules.push_back(std::move(*mismatch));
  }
  return nullptr;
}

// Captures the ticker's links into the record, then takes the ticker and every `remove`
// match (the site's, then the layout's) out of the page.
void RemoveChrome(html::Document& doc, const SiteRules& site, const Layout& layout,
                  const ApplyInput& in, Article* a) {
  const html::Selector* ticker_selector = nullptr;
  std::vector<xmlNode*> doomed =
      CaptureTicker(doc, site, in.base_url, &a->ticker, &ticker_selector, in.trace);
  if (!a->ticker.empty())
    a->provenance.ticker = FieldProvenance{Stage::kRules, ticker_selector->source};
  if (in.trace) in.trace->ticker_links = a->ticker.size();
  for (const auto* list : {&site.remove, &layout.remove}) {
    const RemovalTrace::Kind kind =
        list == &site.remove ? RemovalTrace::Kind::kSiteRemove : RemovalTrace::Kind::kLayoutRemove;
    for (const html::Selector& s : *list) {
      const std::vector<xmlNode*> nodes = html::Select(doc, s);
      TraceRemoval(in.trace, kind, s, nodes);
      doomed.insert(doomed.end(), nodes.begin(), nodes.end());
    }
  }
  RemoveNodes(doomed);
}

}  // namespace

tl::expected<Article, Provenance> ApplyRules(html::Document& doc, const SiteRules& site,
                                             const ApplyInput& in) {
  Provenance failed;
  failed.site = site.id;
  const Layout* chosen = ChooseLayout(doc, site, in.trace, &failed);
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
  ReadNameFields(doc, *chosen, in.trace, &a);
  ReadOriginFields(doc, *chosen, in, &a);
  ApplyMetadataFallbacks(*chosen, in.metadata, in.trace, &a);
  // Stage 2: the ticker's links, then the ticker and every `remove` match leave the page.
  RemoveChrome(doc, site, *chosen, in, &a);
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
