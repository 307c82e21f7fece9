// The generic cascade, stage by stage:
//   1. mirror the element tree (page_tree.h); a page whose <noscript> holds more text than
//      the rest is read from it; weigh class/id names, set aside hidden elements, then take
//      the tickers out (boilerplate.h);
//   2. passes, strict first: furniture and unlikely names out, candidates scored, body
//      chosen (a run of same-kind entries when it dwarfs the best block) and cleaned
//      (scoring.h); a pass whose body is shorter than kMinBodyChars is retried keeping
//      unlikely names, then furniture too (Readability's flag retries); the longest body
//      wins when none is long enough; a page declared a discussion starts with the second
//      pass, its replies being content; when nothing visible gave a body, hidden markup
//      that outweighs the visible page is revealed and the passes run again;
//   3. a body that is a small part of the page's content region (main landmark, else
//      <body>) is widened to the region;
//   4. when even that is short, the page's JSON-LD articleBody, when longer, is the body;
//   5. the chosen blocks become paragraphs (text/paragraphs.h); "read also" lines go to
//      `related`, a repeat of the headline is dropped.
#include "extractors/generic/generic.h"

#include <array>
#include <tuple>
#include <utility>
#include <vector>

#include "extractors/core/url.h"
#include "extractors/generic/boilerplate.h"
#include "extractors/generic/fields.h"
#include "extractors/generic/generic_params.h"
#include "extractors/generic/page_tree.h"
#include "extractors/generic/patterns.h"
#include "extractors/generic/scoring.h"
#include "extractors/text/dates.h"
#include "extractors/text/normalize.h"
#include "extractors/text/paragraphs.h"
#include "extractors/text/regex.h"

namespace gleaner::generic {
namespace {

constexpr std::array kPasses = {
    PassOptions{.drop_hidden_classes = true, .drop_furniture = true, .drop_unlikely = true},
    PassOptions{.drop_hidden_classes = true, .drop_furniture = true, .drop_unlikely = false},
    PassOptions{.drop_hidden_classes = true, .drop_furniture = false, .drop_unlikely = false},
    PassOptions{.drop_hidden_classes = false, .drop_furniture = false, .drop_unlikely = false},
};

constexpr std::array<const char*, kPasses.size()> kPassWarnings = {
    nullptr,
    "generic: body found only with class/id names of comments, share bars and related "
    "lists kept",
    "generic: body found only with navigation, asides and footers kept",
    "generic: body found only in blocks whose class names say they are hidden",
};

struct PassResult {
  std::vector<int32_t> roots;
  size_t chars = 0;
  bool entries = false;  // a run of entries or a content region of several sections
};

PassResult RunPass(PageTree& tree, const PassOptions& options) {
  ResetDrops(tree);
  MarkBoilerplate(tree, options);
  tree.ComputeStats();
  PassResult result;
  BodyChoice choice = SelectBody(tree);
  result.roots = std::move(choice.roots);
  result.entries = choice.entries;
  CleanBody(tree, result.roots);
  for (int32_t root : result.roots) result.chars += tree[root].text;
  return result;
}

// True when the page declares itself a discussion (schema.org types in JSON-LD or
// microdata): its replies, whose blocks are named like comments, are its content.
bool DeclaresDiscussion(std::string_view declared) {
  for (std::string_view type : params::kDiscussionTypes) {
    if (declared.find(type) != std::string_view::npos) return true;
  }
  return false;
}

// A JSON-LD <script> whose text names a discussion type.
bool IsDiscussionJsonLd(const xmlNode* script) {
  if (script->type != XML_ELEMENT_NODE || script->name == nullptr ||
      std::string_view(reinterpret_cast<const char*>(script->name)) != "script") {
    return false;
  }
  std::string type = html::Attribute(script, "type").value_or("");
  if (type.find("ld+json") == std::string::npos) return false;
  const xmlNode* text = script->children;
  return text != nullptr && text->content != nullptr &&
         DeclaresDiscussion(reinterpret_cast<const char*>(text->content));
}

bool IsDiscussionPage(const PageTree& tree) {
  for (int32_t i = 0; i < static_cast<int32_t>(tree.size()); ++i) {
    const xmlNode* xml = tree[i].xml;
    if (tree[i].tag == Tag::kNever) {
      // The tree does not enter <head>: its scripts are read here.
      for (const xmlNode* child = xml->children; child != nullptr; child = child->next) {
        if (IsDiscussionJsonLd(child)) return true;
      }
      if (IsDiscussionJsonLd(xml)) return true;
    } else if (xml->properties != nullptr && DeclaresDiscussion(tree.Attribute(i, "itemtype"))) {
      return true;
    }
  }
  return false;
}

// Runs the passes until one delivers; leaves the tree in the state of the winning pass.
// A discussion starts with the pass that keeps blocks named like comments.
std::pair<PassResult, size_t> ChooseBody(PageTree& tree, bool discussion) {
  PassResult best;
  size_t first = discussion ? 1 : 0;
  size_t best_pass = first;
  size_t last_run = first;
  for (size_t pass = first; pass < kPasses.size(); ++pass) {
    PassResult result = RunPass(tree, kPasses[pass]);
    last_run = pass;
    if (pass == first || result.chars > best.chars) {
      best = std::move(result);
      best_pass = pass;
    }
    if (best.chars >= params::kMinBodyChars) break;
  }
  if (last_run != best_pass) best = RunPass(tree, kPasses[best_pass]);
  return {std::move(best), best_pass};
}

// Pages whose front-end is built by a script (forum and shop software) serve their content
// to clients without scripts inside <noscript>, and little or nothing outside it. When the
// <noscript> elements of the body hold more text than the rest of the page, their markup is
// the page: they are replaced by their children. Returns whether the tree changed.
bool UnwrapNoscriptPage(const PageTree& tree) {
  std::vector<xmlNode*> wrappers;
  size_t inside = 0;
  for (int32_t i = tree.body(); i < static_cast<int32_t>(tree.size()); ++i) {
    const Node& node = tree[i];
    if (node.tag != Tag::kNever || node.xml->name == nullptr ||
        std::string_view(reinterpret_cast<const char*>(node.xml->name)) != "noscript") {
      continue;
    }
    inside += VisibleLength(html::ElementText(node.xml));
    wrappers.push_back(node.xml);
  }
  if (wrappers.empty() || inside <= tree[tree.body()].text) return false;
  for (xmlNode* wrapper : wrappers) {
    while (xmlNode* child = wrapper->children) {
      xmlUnlinkNode(child);
      xmlAddPrevSibling(wrapper, child);
    }
    xmlUnlinkNode(wrapper);
    xmlFreeNode(wrapper);
  }
  return true;
}

// Pages rendered by a script hide their server-rendered markup until the script runs: in
// chunks with the `hidden` attribute that it moves into place (streamed rendering), or under
// a wrapper styled visibility:hidden that it reveals (against a flash of unstyled content).
// When no body was found among the visible blocks and the hidden elements hold more text
// than everything visible, they are the page: their hiding attributes are removed and the
// hidden marks taken again. A dialog or a menu kept hidden is the smaller part of a page.
// REQUIRES: no drops but the permanent ones (ResetDrops).
bool RevealHiddenPage(PageTree& tree) {
  int32_t body = tree.body();
  std::vector<int32_t> hidden;
  size_t hidden_text = 0;
  for (int32_t i = body + 1; i < tree[body].end; ++i) {
    if (tree[i].drop == Drop::kHiddenAttribute) {
      hidden.push_back(i);
      hidden_text += tree[i].text;
    }
    if (tree[i].drop != Drop::kNone) i = tree[i].end - 1;
  }
  if (hidden.empty() || hidden_text <= tree[body].text) return false;
  for (int32_t i : hidden) {
    for (const char* name : {"hidden", "aria-hidden", "style"}) {
      xmlUnsetProp(tree[i].xml, BAD_CAST name);
    }
    tree[i].drop = Drop::kNone;
  }
  MarkHidden(tree);
  tree.ComputeStats();
  return true;
}

// Widens the body to the page's content region (scoring.h ContentRegion), judged on the
// winning pass's drops; the region is taken as it is, since conditional cleaning would take
// out the link-headed cards and lists that make such pages.
void WidenToContentRegion(PageTree& tree, const PassOptions& options, PassResult& chosen) {
  int32_t region = ContentRegion(tree, chosen.roots, chosen.chars);
  if (region < 0) return;
  ResetDrops(tree);
  MarkBoilerplate(tree, options);
  tree.ComputeStats();
  chosen.roots = {region};
  chosen.chars = tree[region].text;
  chosen.entries = true;
}

// Headings inside the body that repeat the headline (the <h1> of an <article>) are not
// body text.
void DropRepeatedHeadline(PageTree& tree, const std::vector<int32_t>& roots,
                          const std::optional<std::string>& title) {
  if (!title) return;
  for (int32_t root : roots) {
    for (int32_t i = root; i < tree[root].end; ++i) {
      if (!IsHeading(tree[i].tag) || tree[i].drop != Drop::kNone) continue;
      if (tree[i].text > 0 && SameHeadline(html::ElementText(tree[i].xml), *title)) {
        tree.DropSubtree(i, Drop::kClean);
      }
    }
  }
}

// Frees the set-aside subtrees inside the body roots so that paragraph assembly, which
// walks the document, does not see them. Script-like (kNever) subtrees stay: paragraphs.h
// skips them itself.
void RemoveDroppedInside(PageTree& tree, const std::vector<int32_t>& roots) {
  std::vector<xmlNode*> doomed;
  for (int32_t root : roots) {
    for (int32_t i = root + 1; i < tree[root].end;) {
      const Node& node = tree[i];
      if (node.drop != Drop::kNone && node.drop != Drop::kNever) {
        doomed.push_back(node.xml);
        i = node.end;
      } else {
        ++i;
      }
    }
  }
  for (xmlNode* node : doomed) {
    xmlUnlinkNode(node);
    xmlFreeNode(node);
  }
}

// A form left inside the body after cleaning wraps content (pages built on frameworks that
// put the whole page in one <form>, forums that wrap the posts in a moderation form), and
// paragraph assembly skips forms: it is read as the block it is.
void ReadFormsAsBlocks(PageTree& tree, const std::vector<int32_t>& roots) {
  for (int32_t root : roots) {
    for (int32_t i = root; i < tree[root].end; ++i) {
      if (tree[i].drop != Drop::kNone) {
        i = tree[i].end - 1;
        continue;
      }
      if (tree[i].tag == Tag::kForm) xmlNodeSetName(tree[i].xml, BAD_CAST "div");
    }
  }
}

bool ShortAndMatches(const text::Paragraph& paragraph, const std::optional<text::Regex>& regex,
                     size_t max_chars) {
  // Bytes bound code points from above: a cheap test before counting.
  if (!regex || paragraph.text.size() > max_chars * 4) return false;
  if (text::CodePointCount(paragraph.text) > max_chars) return false;
  return regex->Matches(paragraph.text);
}

// A "read also" line: short, starts with the announcement (its link goes to `related`).
bool IsReadAlso(const text::Paragraph& paragraph) {
  return ShortAndMatches(paragraph, CompiledPatterns().read_also, params::kReadAlsoMaxChars);
}

// "Sharing is caring!", "Comments", "Subscribe to ...", "© 2019 ...".
bool IsBoilerplateLine(const text::Paragraph& paragraph) {
  return ShortAndMatches(paragraph, CompiledPatterns().boilerplate_line,
                         params::kBoilerplateLineMaxChars);
}

bool InsideQuotation(const xmlNode* block) {
  for (int level = 0; block != nullptr && level < params::kQuotationLevels; ++level) {
    if (block->type == XML_ELEMENT_NODE && block->name != nullptr &&
        std::string_view(reinterpret_cast<const char*>(block->name)) == "blockquote") {
      return true;
    }
    block = block->parent;
  }
  return false;
}

// "Updated 1:39 am EST, Wednesday, November 20, 2019", "by Jeff — November 18, 2019".
// A quotation's signature ("— Name (@handle) November 18, 2019" under an embedded post) is
// part of the quotation.
bool IsDateLine(const text::Paragraph& paragraph) {
  if (InsideQuotation(paragraph.block)) return false;
  if (paragraph.text.size() > params::kDateLineMaxChars * 4 ||
      text::CodePointCount(paragraph.text) > params::kDateLineMaxChars) {
    return false;
  }
  if (text::ParseDate(paragraph.text)) return true;
  const auto& regex = CompiledPatterns().year_and_time;
  return regex && regex->Matches(paragraph.text);
}

std::optional<Link> ReadAlsoLink(const text::Paragraph& paragraph,
                                 const std::optional<std::string>& base_url) {
  const text::ParagraphLink* best = nullptr;
  for (const text::ParagraphLink& link : paragraph.links) {
    if (link.href.empty()) continue;
    if (best == nullptr || link.text.size() > best->text.size()) best = &link;
  }
  if (best == nullptr) return std::nullopt;
  std::string title = text::CleanText(best->text);
  if (title.empty()) return std::nullopt;
  return Link{std::move(title), base_url ? ResolveUrl(*base_url, best->href) : best->href};
}

// A short paragraph that is all link is navigation ("Cliquez ici pour lire l'article depuis
// sa source.", "انقر هنا لقراءة الخبر من مصدره.", "Continue reading"), not prose.
bool IsLinkLine(const text::Paragraph& paragraph) {
  if (paragraph.links.empty()) return false;
  // A linked heading is the title of an entry or a section, which navigation lines are not.
  if (paragraph.block != nullptr && paragraph.block->name != nullptr) {
    const char* n = reinterpret_cast<const char*>(paragraph.block->name);
    if (n[0] == 'h' && n[1] >= '1' && n[1] <= '6' && n[2] == 0) return false;
  }
  size_t total = text::CodePointCount(paragraph.text);
  if (total > params::kMaxLinkLineChars) return false;
  size_t linked = 0;
  for (const text::ParagraphLink& link : paragraph.links) {
    // A bare URL written out is a citation the author put in the text (blog sources).
    if (link.text.starts_with("http") || link.text.starts_with("www.")) return false;
    linked += text::CodePointCount(link.text);
  }
  return static_cast<double>(linked) >= params::kLinkLineCoverage * static_cast<double>(total);
}

struct BodyText {
  std::string body;
  std::vector<Link> related;
};

// Drops date and byline lines among the first and last kEdgeParagraphs paragraphs.
void DropEdgeDateLines(std::vector<text::Paragraph>& paragraphs) {
  std::vector<text::Paragraph> kept;
  kept.reserve(paragraphs.size());
  for (size_t i = 0; i < paragraphs.size(); ++i) {
    bool edge = i < params::kEdgeParagraphs || i + params::kEdgeParagraphs >= paragraphs.size();
    if (edge && IsDateLine(paragraphs[i])) continue;
    kept.push_back(std::move(paragraphs[i]));
  }
  paragraphs = std::move(kept);
}

BodyText AssembleBody(const PageTree& tree, const std::vector<int32_t>& roots,
                      const std::optional<std::string>& title,
                      const std::optional<std::string>& base_url, bool entries) {
  std::vector<text::Paragraph> kept;
  BodyText out;
  for (int32_t root : roots) {
    for (text::Paragraph& p : text::ExtractParagraphs(tree[root].xml)) {
      if (IsReadAlso(p)) {
        if (auto link = ReadAlsoLink(p, base_url)) out.related.push_back(std::move(*link));
        continue;
      }
      // Among entries, a line that is a link is an entry's title, not navigation.
      if ((!entries && IsLinkLine(p)) || IsBoilerplateLine(p)) continue;
      if (title && kept.empty() && text::FoldCase(p.text) == text::FoldCase(*title)) continue;
      kept.push_back(std::move(p));
    }
  }
  DropEdgeDateLines(kept);
  out.body = text::JoinParagraphs(kept);
  return out;
}

std::string LanguageSample(const Article& article) {
  std::string sample = article.title.value_or("");
  if (article.body) {
    sample += ' ';
    sample.append(*article.body, 0,
                  std::min<size_t>(article.body->size(), params::kLanguageSampleBytes));
  }
  return sample;
}

// Stores a chosen value and the stage that read it.
void Take(Chosen chosen, std::optional<std::string>* field, FieldProvenance* provenance) {
  *field = std::move(chosen.value);
  provenance->stage = chosen.stage;
}

FieldProvenance GenericStageIf(bool produced) {
  return FieldProvenance{produced ? Stage::kGeneric : Stage::kNone, ""};
}

}  // namespace

Result<Article> ExtractGeneric(html::Document& doc, const GenericInput& input) {
  Article article;
  Provenance& provenance = article.provenance;
  provenance.winner = Stage::kGeneric;
  PageTree tree(doc.root());
  if (UnwrapNoscriptPage(tree)) tree = PageTree(doc.root());
  WeighClassNames(tree);
  MarkHidden(tree);
  tree.ComputeStats();
  article.ticker = TakeTickers(tree, input.url);
  provenance.ticker = GenericStageIf(!article.ticker.empty());
  Take(ChooseTitle(tree, input.metadata), &article.title, &provenance.title);
  Take(ChooseAuthor(tree, input.metadata), &article.author, &provenance.author);

  bool discussion = IsDiscussionPage(tree);
  auto [chosen, pass] = ChooseBody(tree, discussion);
  if (chosen.chars < params::kMinBodyChars) {
    ResetDrops(tree);
    tree.ComputeStats();
    if (RevealHiddenPage(tree)) std::tie(chosen, pass) = ChooseBody(tree, discussion);
  }
  WidenToContentRegion(tree, kPasses[pass], chosen);
  if (kPassWarnings[pass] != nullptr && !(discussion && pass == 1))
    article.warnings.emplace_back(kPassWarnings[pass]);
  Take(ChoosePublished(tree, input.metadata, article.title, input.url, input.today),
       &article.published, &provenance.published);
  DropRepeatedHeadline(tree, chosen.roots, article.title);
  RemoveDroppedInside(tree, chosen.roots);
  ReadFormsAsBlocks(tree, chosen.roots);
  BodyText text = AssembleBody(tree, chosen.roots, article.title, input.url, chosen.entries);
  article.related = std::move(text.related);
  provenance.related = GenericStageIf(!article.related.empty());
  provenance.body = GenericStageIf(true);

  // Last stage: the publisher's own articleBody when the page's blocks gave too little.
  const auto& jsonld = input.metadata.jsonld_body;
  if (text::CodePointCount(text.body) < params::kMinBodyChars && jsonld &&
      text::CodePointCount(*jsonld) > text::CodePointCount(text.body)) {
    text.body = text::CleanText(*jsonld);
    provenance.body.stage = Stage::kMetadata;
    article.warnings.emplace_back("generic: body taken from the page's JSON-LD articleBody");
  }
  if (text.body.empty()) return Fail(ErrorCode::kNoArticle, "generic: no body text found");
  article.body = std::move(text.body);
  Take(ChooseLanguage(input.metadata, LanguageSample(article)), &article.language,
       &provenance.language);
  return article;
}

}  // namespace gleaner::generic
