#include "extractors/suggest/suggest.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <tuple>

#include "extractors/core/ascii.h"
#include "extractors/core/provenance.h"
#include "extractors/generic/generic_params.h"
#include "extractors/pipeline.h"
#include "extractors/suggest/fields.h"
#include "extractors/suggest/selectors.h"
#include "extractors/suggest/suggest_params.h"
#include "extractors/suggest/url_shape.h"
#include "extractors/text/normalize.h"
#include "extractors/text/tokens.h"

namespace gleaner::suggest {
namespace {

// Evidence quoted in a comment is cut to this many code points.
constexpr size_t kQuoteChars = 60;
// Feeds a draft lists: a site's main feed or two; the rest are sections.
constexpr size_t kMaxFeeds = 3;
// Candidate `remove` selectors tried per draft.
constexpr size_t kMaxRemoveCandidates = 24;
// An F1 change smaller than this is rounding, not a better or worse body.
constexpr double kF1Epsilon = 1e-6;

struct LayoutDraft {
  std::string name;
  std::vector<Page*> pages;
  std::string body;
  std::vector<double> f1;  // per page, with the site's cuts
  std::optional<FieldChoice> title, published, author, source, source_url;
  bool byline = false;
};

struct SiteDraft {
  std::string id, name, language;
  std::string name_evidence, language_evidence;
  UrlScope scope;
  std::string articles;
  std::vector<std::string> examples;
  std::vector<std::pair<std::string, size_t>> feeds;  // URL, samples listing it
  std::optional<FieldChoice> ticker;
  std::vector<std::pair<std::string, std::string>> removes;  // selector, evidence
  std::optional<std::string> related;
  std::vector<std::string> related_phrases;
  std::vector<LayoutDraft> layouts;
  std::vector<std::string> warnings;
};

std::string Quote(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\n' || c == '\r') c = ' ';
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

// `text` on one line, cut to kQuoteChars code points.
std::string Excerpt(std::string_view text) {
  std::string clean = text::CleanText(text);
  if (text::CodePointCount(clean) <= kQuoteChars) return "\"" + clean + "\"";
  size_t bytes = 0;
  for (size_t n = 0; n < kQuoteChars && bytes < clean.size(); ++n) {
    ++bytes;
    while (bytes < clean.size() && (static_cast<unsigned char>(clean[bytes]) & 0xC0) == 0x80)
      ++bytes;
  }
  return "\"" + clean.substr(0, bytes) + "...\"";
}

std::string Fixed(double value) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%.3f", value);
  return buffer;
}

std::string Figures(const std::vector<double>& values) {
  std::string out;
  for (double v : values) out += (out.empty() ? "" : ", ") + Fixed(v);
  return out;
}

// ---------------------------------------------------------------------------------------
// Body and layouts
// ---------------------------------------------------------------------------------------

// "sample N", N counted from 1 in the order given.
std::string SampleName(const Page* page, const std::vector<Page*>& all) {
  return "sample " +
         std::to_string(static_cast<size_t>(std::find(all.begin(), all.end(), page) - all.begin()) +
                        1);
}

struct Scored {
  std::string selector;
  std::vector<double> f1;  // per page
  size_t reads = 0;        // pages with f1 >= kSameLayoutF1
  size_t usable = 0;       // pages with f1 >= kMinUsableBodyF1
  double sum = 0;
};

Scored ScoreBody(const std::string& selector, const std::vector<Page*>& pages, const Cuts& cuts) {
  Scored s{selector, {}, 0, 0, 0};
  auto compiled = html::CompileSelector(selector);
  for (Page* p : pages) {
    double f1 = compiled ? text::TokenF1(BodyText(*p, *compiled, cuts), *p->generic.body) : 0;
    s.f1.push_back(f1);
    s.sum += f1;
    if (f1 >= kSameLayoutF1) ++s.reads;
    if (f1 >= kMinUsableBodyF1) ++s.usable;
  }
  return s;
}

std::optional<Scored> BestBody(const std::vector<Page*>& pages) {
  std::vector<std::string> selectors;
  for (Page* p : pages) {
    for (const xmlNode* e : BodyCandidates(*p, kBodyCandidatesPerSample)) {
      std::vector<std::string> own = SelectorsFor(e, kSelectorsPerElement);
      std::vector<std::string> runs = RunSelectors(e);
      for (auto* list : {&own, &runs}) {
        for (std::string& s : *list) {
          if (std::find(selectors.begin(), selectors.end(), s) == selectors.end())
            selectors.push_back(std::move(s));
        }
      }
    }
  }
  std::optional<Scored> best;
  for (const std::string& selector : selectors) {
    Scored s = ScoreBody(selector, pages, {});
    if (s.usable == 0) continue;
    auto rank = [](const Scored& x) { return std::tuple(x.reads, x.usable); };
    if (!best || rank(s) > rank(*best) ||
        (rank(s) == rank(*best) && s.sum > best->sum + kF1Epsilon)) {
      best = std::move(s);
    }
  }
  return best;
}

// A layout's name from its body selector's first name ("div.entry-content" ->
// "entry-content"), else "layoutN".
std::string LayoutName(const std::string& selector, size_t index, size_t count) {
  if (count == 1) return "main";
  size_t start = selector.find_first_of(".#");
  if (start != std::string::npos) {
    size_t end = selector.find_first_not_of(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_", start + 1);
    std::string name = selector.substr(start + 1, end - start - 1);
    if (!name.empty()) return name;
  }
  return "layout" + std::to_string(index + 1);
}

Result<void> DraftLayouts(const std::vector<Page*>& pages, SiteDraft* site) {
  std::vector<Page*> remaining = pages;
  while (!remaining.empty() && site->layouts.size() < kMaxLayouts) {
    auto best = BestBody(remaining);
    if (!best) break;
    LayoutDraft layout;
    layout.body = best->selector;
    std::vector<Page*> rest;
    double bar = best->reads > 0 ? kSameLayoutF1 : kMinUsableBodyF1;
    for (size_t i = 0; i < remaining.size(); ++i) {
      (best->f1[i] >= bar ? layout.pages : rest).push_back(remaining[i]);
      if (best->f1[i] >= bar && best->f1[i] < kSameLayoutF1) {
        site->warnings.push_back(remaining[i]->label + ": the best body selector, '" +
                                 best->selector + "', reads its article with token F1 " +
                                 Fixed(best->f1[i]) + " only");
      }
    }
    site->layouts.push_back(std::move(layout));
    remaining = std::move(rest);
  }
  if (site->layouts.empty()) {
    return Fail(ErrorCode::kNoArticle,
                pages.front()->label +
                    ": no element of the page holds the article text generic extraction found");
  }
  for (Page* p : remaining) {
    site->warnings.push_back(p->label +
                             ": no selector reads its article; the draft does not cover it");
  }
  for (size_t i = 0; i < site->layouts.size(); ++i) {
    site->layouts[i].name = LayoutName(site->layouts[i].body, i, site->layouts.size());
  }
  return {};
}

// ---------------------------------------------------------------------------------------
// Cuts: ticker, remove, related
// ---------------------------------------------------------------------------------------

Cuts CutsOf(const SiteDraft& site) {
  Cuts cuts;
  for (const auto& [selector, evidence] : site.removes) {
    if (auto s = html::CompileSelector(selector)) cuts.remove.push_back(std::move(*s));
  }
  if (site.ticker) {
    if (auto s = html::CompileSelector(site.ticker->selector)) cuts.remove.push_back(std::move(*s));
  }
  if (site.related) {
    if (auto re = text::Regex::Compile(*site.related)) cuts.related.push_back(std::move(*re));
  }
  return cuts;
}

// Each layout's body F1 on each of its pages under `cuts`, in layout then page order.
std::vector<double> AllF1(const SiteDraft& site, const Cuts& cuts) {
  std::vector<double> out;
  for (const LayoutDraft& layout : site.layouts) {
    Scored s = ScoreBody(layout.body, layout.pages, cuts);
    out.insert(out.end(), s.f1.begin(), s.f1.end());
  }
  return out;
}

// No page's body gets worse, and (unless `neutral_ok`) one gets better.
bool Improves(const std::vector<double>& before, const std::vector<double>& after,
              bool neutral_ok) {
  bool better = false;
  for (size_t i = 0; i < before.size(); ++i) {
    if (after[i] < before[i] - kF1Epsilon) return false;
    if (after[i] > before[i] + kF1Epsilon) better = true;
  }
  return better || neutral_ok;
}

struct RemoveCandidate {
  std::string selector;
  bool furniture;  // named as furniture, no body text: harmless to remove
  std::string evidence;
};

// Elements inside the body containers that hold text generic extraction left out, or that
// are named as furniture and hold no body text.
std::vector<RemoveCandidate> RemoveCandidates(const SiteDraft& site,
                                              const std::vector<Page*>& all) {
  std::vector<RemoveCandidate> out;
  for (const LayoutDraft& layout : site.layouts) {
    auto body = html::CompileSelector(layout.body);
    if (!body) continue;
    for (Page* p : layout.pages) {
      std::string sample = SampleName(p, all);
      for (xmlNode* container : html::Outermost(html::Select(p->doc, *body))) {
        std::vector<const xmlNode*> stack;
        for (const xmlNode* c = container->children; c; c = c->next) stack.push_back(c);
        while (!stack.empty() && out.size() < kMaxRemoveCandidates) {
          const xmlNode* e = stack.back();
          stack.pop_back();
          if (e->type != XML_ELEMENT_NODE) continue;
          auto t = p->tally.find(e);
          Tally tally = t == p->tally.end() ? Tally{} : t->second;
          bool junk = tally.other >= kMinRemovedChars &&
                      static_cast<double>(tally.body) <=
                          kMaxRemovedBodyShare * static_cast<double>(tally.body + tally.other);
          bool furniture = tally.body == 0 && NameHasWord(e, kFurnitureNameWords);
          std::vector<std::string> names = SelectorsFor(e, 2);
          if ((junk || furniture) && !names.empty()) {
            std::string why = junk ? std::to_string(tally.other) +
                                         " characters generic extraction leaves out, on " + sample +
                                         ": " + Excerpt(html::ElementText(e))
                                   : "named as furniture, no article text, on " + sample;
            out.push_back({names.front(), furniture && !junk, why});
            continue;
          }
          for (const xmlNode* c = e->children; c; c = c->next) stack.push_back(c);
        }
      }
    }
  }
  return out;
}

void DraftRemoves(SiteDraft* site, const std::vector<Page*>& all) {
  std::vector<double> current = AllF1(*site, CutsOf(*site));
  for (RemoveCandidate& c : RemoveCandidates(*site, all)) {
    bool seen = std::any_of(site->removes.begin(), site->removes.end(),
                            [&](const auto& r) { return r.first == c.selector; });
    if (seen) continue;
    site->removes.emplace_back(c.selector, c.evidence);
    std::vector<double> after = AllF1(*site, CutsOf(*site));
    if (Improves(current, after, c.furniture)) {
      current = std::move(after);
    } else {
      site->removes.pop_back();
    }
  }
}

// "read also" lines: generic extraction's pattern (French, Arabic, English), kept when it
// takes out no sample's article text; the lines it found on the samples are the evidence.
void DraftRelated(SiteDraft* site) {
  auto read_also =
      text::Regex::Compile(generic::params::kReadAlsoPattern, {.case_insensitive = true});
  if (!read_also) return;
  Cuts cuts = CutsOf(*site);
  for (const LayoutDraft& layout : site->layouts) {
    auto body = html::CompileSelector(layout.body);
    if (!body) continue;
    for (Page* p : layout.pages) {
      for (const auto& [text, linked] : BodyParagraphs(*p, *body, cuts)) {
        if (!linked || text::CodePointCount(text) > generic::params::kReadAlsoMaxChars) continue;
        auto match = read_also->Search(text);
        if (!match || !(*match)[0]) continue;
        std::string phrase = text::CleanText(*(*match)[0]);
        if (std::find(site->related_phrases.begin(), site->related_phrases.end(), phrase) ==
            site->related_phrases.end())
          site->related_phrases.push_back(phrase);
      }
    }
  }
  std::vector<double> before = AllF1(*site, cuts);
  site->related = "(?i)" + std::string(generic::params::kReadAlsoPattern);
  if (!Improves(before, AllF1(*site, CutsOf(*site)), true)) {
    site->related.reset();
    site->related_phrases.clear();
  }
}

// ---------------------------------------------------------------------------------------
// The site's identity and sources
// ---------------------------------------------------------------------------------------

// The most frequent of `values` (first seen wins a tie) and how many times it occurs.
std::pair<std::string, size_t> Majority(const std::vector<std::string>& values) {
  std::pair<std::string, size_t> best{"", 0};
  for (const std::string& v : values) {
    size_t n = static_cast<size_t>(std::count(values.begin(), values.end(), v));
    if (n > best.second) best = {v, n};
  }
  return best;
}

std::string OfSamples(size_t n, size_t total) {
  return std::to_string(n) + " of " + std::to_string(total) + " samples";
}

void DraftIdentity(const std::vector<Page*>& pages, const Hints& hints, SiteDraft* site) {
  site->id = hints.id.value_or(DraftId(site->scope));
  std::vector<std::string> names, languages;
  for (Page* p : pages) {
    if (p->meta.site_name) names.push_back(*p->meta.site_name);
    if (p->generic.language) languages.push_back(*p->generic.language);
  }
  auto [name, name_count] = Majority(names);
  if (hints.name) {
    site->name = *hints.name;
    site->name_evidence = "given";
  } else if (name_count > 0) {
    site->name = name;
    site->name_evidence =
        "og:site_name or JSON-LD publisher on " + OfSamples(name_count, pages.size());
  } else {
    site->name = site->scope.host;
    site->name_evidence = "UNSURE: the host; the pages name no site";
    site->warnings.push_back("name: the pages name no site; the host is used");
  }
  auto [language, language_count] = Majority(languages);
  if (hints.language) {
    site->language = *hints.language;
    site->language_evidence = "given";
  } else if (language_count > 0) {
    site->language = language;
    site->language_evidence = "the pages' language on " + OfSamples(language_count, pages.size());
  } else {
    site->language = "en";
    site->language_evidence = "UNSURE: the pages declare no language";
    site->warnings.push_back("language: the pages declare none; 'en' is a guess");
  }
}

void DraftFeeds(const std::vector<Page*>& pages, SiteDraft* site) {
  auto links = html::CompileSelector("link[rel~=alternate][href]");
  auto comments = text::Regex::Compile(kCommentFeedPattern, {.case_insensitive = true});
  if (!links || !comments) return;
  for (Page* p : pages) {
    std::vector<std::string> seen;
    for (xmlNode* link : html::Select(p->doc, *links)) {
      std::string type = AsciiLower(html::Attribute(link, "type").value_or(""));
      if (type.find("rss") == std::string::npos && type.find("atom") == std::string::npos) continue;
      std::string url = ResolveUrl(p->url, *html::Attribute(link, "href"));
      std::string title = html::Attribute(link, "title").value_or("");
      if (comments->Matches(url) || comments->Matches(title) || !ParseUrl(url)) continue;
      if (std::find(seen.begin(), seen.end(), url) != seen.end()) continue;
      seen.push_back(url);
      auto it = std::find_if(site->feeds.begin(), site->feeds.end(),
                             [&](const auto& f) { return f.first == url; });
      if (it == site->feeds.end()) {
        site->feeds.emplace_back(url, 1);
      } else {
        ++it->second;
      }
    }
  }
  std::stable_sort(site->feeds.begin(), site->feeds.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  if (site->feeds.size() > kMaxFeeds) site->feeds.resize(kMaxFeeds);
}

void DraftFields(SiteDraft* site) {
  for (LayoutDraft& layout : site->layouts) {
    layout.title = ChooseTitle(layout.pages);
    layout.published = ChoosePublished(layout.pages);
    layout.author = ChooseAuthor(layout.pages, &layout.byline);
    layout.source = ChooseSource(layout.pages);
    layout.source_url = ChooseSourceUrl(layout.pages);
  }
}

// ---------------------------------------------------------------------------------------
// The site file
// ---------------------------------------------------------------------------------------

std::string PagesOf(const LayoutDraft& layout, const std::vector<Page*>& all) {
  std::string out;
  for (Page* p : layout.pages) {
    size_t n = static_cast<size_t>(std::find(all.begin(), all.end(), p) - all.begin()) + 1;
    out += (out.empty() ? "" : ", ") + std::to_string(n);
  }
  return out;
}

void RenderField(const char* key, const std::optional<FieldChoice>& field, const std::string& why,
                 std::string* out) {
  if (!field) return;
  *out += "    # " + why + "\n";
  if (!field->pattern) {
    *out += std::string("    ") + key + ": " + Quote(field->selector) + "\n";
    return;
  }
  *out += std::string("    ") + key + ":\n      selector: " + Quote(field->selector) +
          "\n      pattern: " + Quote(*field->pattern) + "\n";
}

std::string ValuesEvidence(const FieldChoice& field, size_t total, const char* what) {
  return std::string(what) + " on " + OfSamples(field.values.size(), total) + ": " +
         Excerpt(field.values.front());
}

void RenderLayout(const LayoutDraft& layout, const std::vector<Page*>& all, std::string* out) {
  size_t n = layout.pages.size();
  *out += "  # samples " + PagesOf(layout, all) + "\n  - name: " + layout.name + "\n";
  const Article& generic = layout.pages.front()->generic;
  if (layout.title) {
    RenderField("title", layout.title,
                ValuesEvidence(*layout.title, n, "the title generic extraction finds"), out);
  } else if (generic.title) {
    *out += "    # title: left to the page's metadata; no element gives " +
            Excerpt(*generic.title) + " on every sample\n";
  }
  if (layout.published) {
    RenderField("published", layout.published,
                ValuesEvidence(*layout.published, n, "the date generic extraction finds"), out);
  } else if (generic.published) {
    *out += "    # published: left to the page's metadata; no element or meta tag gives " +
            *generic.published + " on every sample\n";
  }
  if (layout.author)
    RenderField(layout.byline ? "byline" : "author", layout.author,
                ValuesEvidence(*layout.author, n, "the author generic extraction finds"), out);
  if (layout.source)
    RenderField("source", layout.source,
                ValuesEvidence(*layout.source, n, "the publisher named by a \"published in\" line"),
                out);
  if (layout.source_url)
    RenderField("source_url", layout.source_url,
                ValuesEvidence(*layout.source_url, n, "a link to the article at its source"), out);
  *out += "    # body token F1 against generic extraction: " + Figures(layout.f1) + "\n";
  *out += "    body: " + Quote(layout.body) + "\n";
}

void RenderSources(const SiteDraft& site, const Hints& hints, std::string* out) {
  if (site.feeds.empty() && !hints.listing && hints.sitemaps.empty()) {
    *out +=
        "# UNSURE: no feed, listing or sitemap found: add one under `sources`, or the daemon\n"
        "# has nothing to poll.\n";
    return;
  }
  *out += "sources:\n";
  for (const auto& [url, count] : site.feeds) {
    *out += "  # <link rel=alternate> on " + OfSamples(count, site.examples.size()) + "\n";
    *out += "  - feed: " + Quote(url) + "\n";
  }
  if (hints.listing) *out += "  - listing: " + Quote(*hints.listing) + "\n";
  for (const std::string& sitemap : hints.sitemaps) {
    *out += "  # a Sitemap: line of robots.txt\n  - sitemap: " + Quote(sitemap) + "\n";
  }
}

void RenderCuts(const SiteDraft& site, size_t total, std::string* out) {
  if (site.ticker) {
    std::string counts;
    for (const std::string& v : site.ticker->values) counts += (counts.empty() ? "" : ", ") + v;
    *out += "# a run named as a ticker on " + OfSamples(site.ticker->values.size(), total) +
            ", headline links: " + counts + "\n";
    *out += "ticker: " + Quote(site.ticker->selector) + "\n";
  }
  if (!site.removes.empty()) {
    *out += "remove:\n";
    for (const auto& [selector, why] : site.removes) {
      *out += "  # " + why + "\n  - " + Quote(selector) + "\n";
    }
  }
  if (site.related) {
    std::string phrases = site.related_phrases.empty() ? "none on the samples" : "";
    for (const std::string& p : site.related_phrases)
      phrases += (phrases.empty() ? "" : ", ") + Excerpt(p);
    *out += "related:\n  # \"read also\" lines in the body: " + phrases + "\n  - " +
            Quote(*site.related) + "\n";
  }
}

std::string RenderSite(const SiteDraft& site, const std::vector<Page*>& pages, const Hints& hints) {
  std::string out = "# Drafted by `gleaner suggest` from " + std::to_string(pages.size()) +
                    (pages.size() == 1 ? " sample" : " samples") + ":\n";
  for (size_t i = 0; i < pages.size(); ++i) {
    out += "#   " + std::to_string(i + 1) + ". " + pages[i]->label +
           (pages[i]->label == pages[i]->url ? "" : " (" + pages[i]->url + ")") + "\n";
  }
  out +=
      "# Each rule says what it rests on. Look at them, run `gleaner check`, pin the samples\n"
      "# with `gleaner extract --save-test`, then try `gleaner check --live`.\n";
  for (const std::string& w : site.warnings) out += "# UNSURE: " + w + "\n";
  out += "id: " + site.id + "\n";
  out += "# " + site.name_evidence + "\nname: " + Quote(site.name) + "\n";
  out += "# " + site.language_evidence + "\nlanguage: " + site.language + "\n";
  out += "urls:\n  - " + Quote(site.scope.pattern) + "\n";
  out += "# generalises the samples' URLs\narticles: " + Quote(site.articles) + "\n";
  out += "examples:\n";
  for (const std::string& e : site.examples) out += "  - " + Quote(e) + "\n";
  RenderSources(site, hints, &out);
  RenderCuts(site, pages.size(), &out);
  out += "layouts:\n";
  for (const LayoutDraft& layout : site.layouts) RenderLayout(layout, pages, &out);
  return out;
}

// ---------------------------------------------------------------------------------------
// The check
// ---------------------------------------------------------------------------------------

// The problems of `record` against what `layout` drafted for its page `i`.
std::vector<std::string> FieldProblems(const Article& record, const LayoutDraft& layout, size_t i) {
  std::vector<std::string> out;
  auto expect = [&](const char* key, const std::optional<FieldChoice>& field,
                    const std::optional<std::string>& got) {
    if (!field) return;
    const std::string& want = field->values[i];
    if (got != want) {
      out.push_back(std::string(key) + ": expected " + Excerpt(want) + ", got " +
                    (got ? Excerpt(*got) : "nothing"));
    }
  };
  expect("title", layout.title, record.title);
  expect("published", layout.published, record.published);
  if (!layout.byline) expect("author", layout.author, record.author);
  expect("source", layout.source, record.source);
  expect("source_url", layout.source_url, record.source_url);
  return out;
}

SampleCheck CheckPage(Page& page, const LayoutDraft* layout, size_t index, const SiteDraft& site,
                      const rules::SiteSet& sites, const html::DomLimits& limits) {
  SampleCheck check{page.label, layout ? layout->name : "", "", 0, {}};
  ExtractOptions options;
  options.limits = limits;
  options.site_id = site.id;
  auto record = ExtractPage(PageInput{page.bytes, page.url, page.content_type}, &sites, options);
  if (!record) {
    check.problems.push_back("no article: " + record.error().message);
    return check;
  }
  check.extractor = record->extractor;
  check.body_f1 = text::TokenF1(record->body.value_or(""), *page.generic.body);
  if (!layout) {
    check.problems.push_back("no layout of the draft reads it");
    return check;
  }
  std::string want = "rules:" + site.id + "/" + layout->name;
  if (record->extractor != want) {
    std::string why = RenderFallbackWarning(record->provenance);
    check.problems.push_back("extracted as " + record->extractor + ", not " + want +
                             (why.empty() ? "" : ": " + why));
  }
  for (std::string& p : FieldProblems(*record, *layout, index))
    check.problems.push_back(std::move(p));
  if (check.body_f1 < kTargetBodyF1) {
    check.problems.push_back("body token F1 " + Fixed(check.body_f1) +
                             " against generic extraction, under " + Fixed(kTargetBodyF1));
  }
  return check;
}

void Verify(const std::vector<Page*>& pages, const SiteDraft& site, const html::DomLimits& limits,
            Draft* draft) {
  auto rules = rules::ParseSiteRules(draft->yaml, site.id + ".yaml");
  Result<rules::SiteSet> sites =
      rules ? rules::SiteSet::Create({std::move(*rules)}) : tl::unexpected(rules.error());
  if (!sites) {
    draft->warnings.push_back("the draft is not a valid site file: " + sites.error().message);
    return;
  }
  draft->verified = true;
  for (Page* page : pages) {
    const LayoutDraft* layout = nullptr;
    size_t index = 0;
    for (const LayoutDraft& l : site.layouts) {
      auto it = std::find(l.pages.begin(), l.pages.end(), page);
      if (it != l.pages.end()) {
        layout = &l;
        index = static_cast<size_t>(it - l.pages.begin());
      }
    }
    SampleCheck check = CheckPage(*page, layout, index, site, *sites, limits);
    for (const std::string& p : check.problems) draft->warnings.push_back(page->label + ": " + p);
    if (!check.problems.empty()) draft->verified = false;
    draft->checks.push_back(std::move(check));
  }
}

}  // namespace

Result<Draft> Suggest(const std::vector<Sample>& samples, const Hints& hints,
                      const html::DomLimits& limits) {
  if (samples.empty()) return Fail(ErrorCode::kUsage, "no SAMPLE given");
  if (samples.size() > kMaxSamples) {
    return Fail(ErrorCode::kUsage, std::to_string(samples.size()) + " samples; at most " +
                                       std::to_string(kMaxSamples) + " are read");
  }
  std::vector<std::unique_ptr<Page>> owned;
  std::vector<Page*> pages;
  std::vector<UrlParts> urls;
  std::vector<std::string> labels;
  for (const Sample& sample : samples) {
    auto page = LoadPage(sample, limits);
    if (!page) return tl::unexpected(page.error());
    pages.push_back(page->get());
    urls.push_back((*page)->parts);
    labels.push_back(sample.label);
    owned.push_back(std::move(*page));
  }
  SiteDraft site;
  auto scope = ScopeOf(urls, labels);
  if (!scope) return tl::unexpected(scope.error());
  site.scope = std::move(*scope);
  site.articles = ArticlesPattern(urls, site.scope);
  for (Page* p : pages) site.examples.push_back(p->url);
  if (auto ok = DraftLayouts(pages, &site); !ok) return tl::unexpected(ok.error());
  DraftIdentity(pages, hints, &site);
  DraftFeeds(pages, &site);
  site.ticker = ChooseTicker(pages);
  DraftRelated(&site);
  DraftRemoves(&site, pages);
  Cuts cuts = CutsOf(site);
  for (LayoutDraft& layout : site.layouts)
    layout.f1 = ScoreBody(layout.body, layout.pages, cuts).f1;
  DraftFields(&site);

  Draft draft;
  draft.id = site.id;
  draft.warnings = site.warnings;
  draft.yaml = RenderSite(site, pages, hints);
  Verify(pages, site, limits, &draft);
  return draft;
}

}  // namespace gleaner::suggest
