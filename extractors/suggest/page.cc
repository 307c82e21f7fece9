#include "extractors/suggest/page.h"

#include <algorithm>

#include "extractors/html/charset.h"
#include "extractors/html/lean_html.h"
#include "extractors/pipeline.h"
#include "extractors/suggest/suggest_params.h"
#include "extractors/text/normalize.h"
#include "extractors/text/paragraphs.h"

namespace gleaner::suggest {
namespace {

std::optional<std::string> SavedPageUrl(const html::Document& doc, const html::PageMetadata& meta) {
  if (meta.canonical && ParseUrl(*meta.canonical)) return meta.canonical;
  auto og = html::CompileSelector("meta[property=\"og:url\"]@content");
  if (!og) return std::nullopt;
  for (const std::string& value : html::SelectValues(doc, *og)) {
    if (ParseUrl(value)) return value;
  }
  return std::nullopt;
}

// Adds `chars` to the tally of every element from `element` up.
void Credit(Page& page, const xmlNode* element, size_t chars, bool in_body) {
  for (const xmlNode* e = element; e && e->type == XML_ELEMENT_NODE; e = e->parent) {
    Tally& t = page.tally[e];
    (in_body ? t.body : t.other) += chars;
  }
}

// Tallies every visible text node: in the body when generic extraction's body holds it.
void TallyText(Page& page) {
  const std::string& body = *page.generic.body;
  std::vector<const xmlNode*> stack{page.doc.root()};
  while (!stack.empty()) {
    const xmlNode* node = stack.back();
    stack.pop_back();
    if (node->type == XML_TEXT_NODE && node->content && node->parent) {
      std::string text = text::CleanText(reinterpret_cast<const char*>(node->content));
      if (text.empty()) continue;
      bool in_body = body.find(text) != std::string::npos;
      size_t chars = text::CodePointCount(text);
      if (in_body) page.body_chars += chars;
      Credit(page, node->parent, chars, in_body);
      continue;
    }
    if (node->type != XML_ELEMENT_NODE || text::IsTextless(node)) continue;
    for (const xmlNode* c = node->children; c; c = c->next) stack.push_back(c);
  }
}

// Takes `nodes` out of their document, and puts them back where they were on destruction.
class Detached {
 public:
  explicit Detached(const std::vector<xmlNode*>& nodes) {
    for (xmlNode* n : nodes) {
      places_.push_back({n, n->parent, n->next});
      xmlUnlinkNode(n);
    }
  }
  ~Detached() {
    for (auto it = places_.rbegin(); it != places_.rend(); ++it) {
      if (it->next) {
        xmlAddPrevSibling(it->next, it->node);
      } else {
        xmlAddChild(it->parent, it->node);
      }
    }
  }
  Detached(const Detached&) = delete;
  Detached& operator=(const Detached&) = delete;

 private:
  struct Place {
    xmlNode* node;
    xmlNode* parent;
    xmlNode* next;
  };
  std::vector<Place> places_;
};

std::vector<xmlNode*> CutNodes(const Page& page, const Cuts& cuts) {
  std::vector<xmlNode*> nodes;
  for (const html::Selector& s : cuts.remove) {
    for (xmlNode* n : html::Select(page.doc, s)) nodes.push_back(n);
  }
  return html::Outermost(nodes);
}

std::vector<text::Paragraph> Paragraphs(Page& page, const html::Selector& body) {
  std::vector<text::Paragraph> out;
  for (xmlNode* node : html::Outermost(html::Select(page.doc, body))) {
    for (text::Paragraph& p : text::ExtractParagraphs(node)) out.push_back(std::move(p));
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<Page>> LoadPage(const Sample& sample, const html::DomLimits& limits) {
  html::DecodedPage decoded = html::DecodeToUtf8(sample.bytes, sample.content_type.value_or(""));
  auto doc = html::ParseHtml(html::DropScriptAndStyleText(decoded.utf8), limits);
  if (!doc) return Fail(ErrorCode::kNoArticle, sample.label + ": " + doc.error().message);
  html::PageMetadata meta = html::ReadMetadata(*doc);
  std::optional<std::string> url = sample.url ? sample.url : SavedPageUrl(*doc, meta);
  if (!url) {
    return Fail(ErrorCode::kNoArticle, sample.label +
                                           ": no URL: the page names none (rel=canonical, og:url); "
                                           "give it as FILE=URL");
  }
  auto parts = ParseUrl(*url);
  if (!parts || (parts->scheme != "http" && parts->scheme != "https")) {
    return Fail(ErrorCode::kNoArticle, sample.label + ": not an http(s) URL: '" + *url + "'");
  }
  ExtractOptions options;
  options.limits = limits;
  options.generic_only = true;
  auto generic = ExtractPage(PageInput{sample.bytes, url, sample.content_type}, nullptr, options);
  if (!generic || !generic->body || text::CodePointCount(*generic->body) < kMinArticleChars) {
    std::string why =
        generic ? "generic extraction finds no article text in it" : generic.error().message;
    return Fail(ErrorCode::kNoArticle, sample.label + ": not an article page: " + why);
  }
  auto page = std::make_unique<Page>(Page{sample.label,
                                          *url,
                                          std::move(*parts),
                                          sample.bytes,
                                          sample.content_type,
                                          std::move(*doc),
                                          std::move(meta),
                                          std::move(*generic),
                                          {},
                                          0});
  TallyText(*page);
  return page;
}

std::string BodyText(Page& page, const html::Selector& body, const Cuts& cuts) {
  Detached cut(CutNodes(page, cuts));
  std::vector<text::Paragraph> kept;
  for (text::Paragraph& p : Paragraphs(page, body)) {
    bool related = std::any_of(cuts.related.begin(), cuts.related.end(),
                               [&](const text::Regex& re) { return re.Matches(p.text); });
    if (!related) kept.push_back(std::move(p));
  }
  return text::JoinParagraphs(kept);
}

std::vector<std::pair<std::string, bool>> BodyParagraphs(Page& page, const html::Selector& body,
                                                         const Cuts& cuts) {
  Detached cut(CutNodes(page, cuts));
  std::vector<std::pair<std::string, bool>> out;
  for (text::Paragraph& p : Paragraphs(page, body)) {
    out.emplace_back(std::move(p.text), !p.links.empty());
  }
  return out;
}

std::vector<const xmlNode*> BodyCandidates(const Page& page, size_t max) {
  struct Ranked {
    const xmlNode* element;
    double f1;
    int depth;
  };
  std::vector<Ranked> ranked;
  if (page.body_chars == 0) return {};
  for (const auto& [element, t] : page.tally) {
    double recall = static_cast<double>(t.body) / static_cast<double>(page.body_chars);
    if (recall < kMinCandidateRecall) continue;
    double precision = static_cast<double>(t.body) / static_cast<double>(t.body + t.other);
    int depth = 0;
    for (const xmlNode* p = element->parent; p; p = p->parent) ++depth;
    ranked.push_back({element, 2 * precision * recall / (precision + recall), depth});
  }
  std::sort(ranked.begin(), ranked.end(), [](const Ranked& a, const Ranked& b) {
    return a.f1 != b.f1 ? a.f1 > b.f1 : a.depth > b.depth;
  });
  std::vector<const xmlNode*> out;
  for (size_t i = 0; i < ranked.size() && out.size() < max; ++i) out.push_back(ranked[i].element);
  return out;
}

}  // namespace gleaner::suggest
