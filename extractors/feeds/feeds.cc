#include "extractors/feeds/feeds.h"

#include <libxml/parser.h>

#include <memory>
#include <unordered_set>

#include "extractors/core/libxml.h"
#include "extractors/core/url.h"
#include "extractors/text/normalize.h"

namespace gleaner::feeds {
namespace {

// Feeds are small; a sitemap may hold 50,000 URLs (the protocol's own limit) in ~10 MB.
constexpr size_t kMaxFeedBytes = 64u << 20;
// libxml2 options: never fetch anything (NONET), never expand entities from a DTD, keep
// libxml2 quiet (errors are our return values).
constexpr int kStrictOptions = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;

struct DocFree {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
using DocPtr = std::unique_ptr<xmlDoc, DocFree>;

std::string_view LocalName(const xmlNode* n) { return reinterpret_cast<const char*>(n->name); }

std::string NodeText(const xmlNode* n) {
  xmlChar* content = xmlNodeGetContent(n);
  std::string s = content ? reinterpret_cast<const char*>(content) : "";
  xmlFree(content);
  return text::CleanText(s);
}

const xmlNode* Child(const xmlNode* parent, std::string_view name) {
  for (const xmlNode* c = parent->children; c; c = c->next) {
    if (c->type == XML_ELEMENT_NODE && LocalName(c) == name) return c;
  }
  return nullptr;
}

std::optional<std::string> ChildText(const xmlNode* parent, std::string_view name) {
  const xmlNode* c = Child(parent, name);
  if (!c) return std::nullopt;
  std::string s = NodeText(c);
  return s.empty() ? std::nullopt : std::optional<std::string>(s);
}

std::optional<std::string> Attr(const xmlNode* n, const char* name) {
  xmlChar* v = xmlGetProp(n, BAD_CAST name);
  if (!v) return std::nullopt;
  std::string s = reinterpret_cast<const char*>(v);
  xmlFree(v);
  return s;
}

class EntryList {
 public:
  explicit EntryList(const std::optional<std::string>& base) : base_(base) {}
  void Add(std::string url, std::optional<std::string> title,
           std::optional<std::string> published) {
    url = text::CollapseWhitespace(url);
    if (url.empty()) return;
    if (base_) url = ResolveUrl(*base_, url);
    if (!seen_.insert(url).second) return;
    entries_.push_back({std::move(url), std::move(title), std::move(published)});
  }
  std::vector<FeedEntry> Take() { return std::move(entries_); }

 private:
  const std::optional<std::string>& base_;
  std::unordered_set<std::string> seen_;
  std::vector<FeedEntry> entries_;
};

// RSS 2.0 <channel><item>, RSS 1.0 <rdf:RDF><item>.
void ReadRssItems(const xmlNode* container, EntryList* out) {
  for (const xmlNode* c = container->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    if (LocalName(c) == "channel") ReadRssItems(c, out);
    if (LocalName(c) != "item") continue;
    std::optional<std::string> link = ChildText(c, "link");
    if (!link) {
      const xmlNode* guid = Child(c, "guid");
      if (guid && Attr(guid, "isPermaLink").value_or("true") == "true") link = ChildText(c, "guid");
    }
    if (!link) link = Attr(c, "about");
    if (!link) continue;
    auto date = ChildText(c, "pubDate");
    if (!date) date = ChildText(c, "date");  // dc:date
    out->Add(*link, ChildText(c, "title"), date);
  }
}

// Atom <entry><link rel="alternate" href>; a link without rel is an alternate link.
void ReadAtomEntries(const xmlNode* feed, EntryList* out) {
  for (const xmlNode* e = feed->children; e; e = e->next) {
    if (e->type != XML_ELEMENT_NODE || LocalName(e) != "entry") continue;
    std::optional<std::string> href;
    for (const xmlNode* l = e->children; l && !href; l = l->next) {
      if (l->type != XML_ELEMENT_NODE || LocalName(l) != "link") continue;
      std::string rel = Attr(l, "rel").value_or("alternate");
      if (rel == "alternate") href = Attr(l, "href");
    }
    if (!href) continue;
    auto date = ChildText(e, "published");
    if (!date) date = ChildText(e, "updated");
    out->Add(*href, ChildText(e, "title"), date);
  }
}

// <urlset><url><loc> and <sitemapindex><sitemap><loc>.
void ReadSitemap(const xmlNode* root, std::string_view item, EntryList* out) {
  for (const xmlNode* u = root->children; u; u = u->next) {
    if (u->type != XML_ELEMENT_NODE || LocalName(u) != item) continue;
    if (auto loc = ChildText(u, "loc")) out->Add(*loc, std::nullopt, ChildText(u, "lastmod"));
  }
}

}  // namespace

Result<Feed> ParseFeed(std::string_view xml, const std::optional<std::string>& base_url) {
  if (xml.size() > kMaxFeedBytes)
    return Fail(ErrorCode::kNoArticle, "feed too large (" + std::to_string(xml.size()) + " bytes)");
  Feed feed{FeedKind::kRss, {}, {}};
  InitLibxml();
  // NOERROR/NOWARNING do not cover encoding failures ("input conversion failed").
  QuietGenericErrors quiet;
  DocPtr doc(xmlReadMemory(xml.data(), static_cast<int>(xml.size()),
                           base_url ? base_url->c_str() : nullptr, nullptr, kStrictOptions));
  if (!doc) {
    doc.reset(xmlReadMemory(xml.data(), static_cast<int>(xml.size()), nullptr, nullptr,
                            kStrictOptions | XML_PARSE_RECOVER));
    if (doc) feed.warnings.push_back("recovered from malformed XML");
  }
  const xmlNode* root = doc ? xmlDocGetRootElement(doc.get()) : nullptr;
  if (!root) return Fail(ErrorCode::kNoArticle, "not a feed or sitemap: unreadable XML");
  EntryList entries(base_url);
  std::string_view name = LocalName(root);
  if (name == "rss" || name == "RDF") {
    feed.kind = FeedKind::kRss;
    ReadRssItems(root, &entries);
  } else if (name == "feed") {
    feed.kind = FeedKind::kAtom;
    ReadAtomEntries(root, &entries);
  } else if (name == "urlset") {
    feed.kind = FeedKind::kSitemap;
    ReadSitemap(root, "url", &entries);
  } else if (name == "sitemapindex") {
    feed.kind = FeedKind::kSitemapIndex;
    ReadSitemap(root, "sitemap", &entries);
  } else {
    return Fail(ErrorCode::kNoArticle, "not a feed or sitemap: root <" + std::string(name) + ">");
  }
  feed.entries = entries.Take();
  return feed;
}

std::vector<std::string> ListingLinks(const html::Document& doc, const std::string& base_url) {
  std::vector<std::string> out;
  std::unordered_set<std::string> seen;
  std::vector<const xmlNode*> stack{doc.root()};
  while (!stack.empty()) {
    const xmlNode* n = stack.back();
    stack.pop_back();
    if (n->type != XML_ELEMENT_NODE) continue;
    if (LocalName(n) == "a") {
      if (auto href = html::Attribute(n, "href")) {
        std::string url = ResolveUrl(base_url, *href);
        if (auto hash = url.find('#'); hash != std::string::npos) url.resize(hash);
        auto parts = ParseUrl(url);
        if (parts && (parts->scheme == "http" || parts->scheme == "https") &&
            seen.insert(url).second) {
          out.push_back(url);
        }
      }
    }
    // Children pushed in reverse so the walk is in document order.
    std::vector<const xmlNode*> kids;
    for (const xmlNode* c = n->children; c; c = c->next) kids.push_back(c);
    stack.insert(stack.end(), kids.rbegin(), kids.rend());
  }
  return out;
}

}  // namespace gleaner::feeds
