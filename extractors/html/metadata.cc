#include "extractors/html/metadata.h"

#include <array>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "extractors/core/ascii.h"
#include "extractors/text/normalize.h"

namespace gleaner::html {
namespace {

using Json = nlohmann::json;

// JSON-LD @types whose fields describe the article itself (a forum thread's opening post
// and a technical or scholarly article are articles too: their date is the page's).
constexpr std::array<std::string_view, 14> kArticleTypes = {"NewsArticle",
                                                            "Article",
                                                            "BlogPosting",
                                                            "ReportageNewsArticle",
                                                            "AnalysisNewsArticle",
                                                            "OpinionNewsArticle",
                                                            "BackgroundNewsArticle",
                                                            "ReviewNewsArticle",
                                                            "LiveBlogPosting",
                                                            "Report",
                                                            "TechArticle",
                                                            "ScholarlyArticle",
                                                            "DiscussionForumPosting",
                                                            "SocialMediaPosting"};

// Types that describe the page, not the article: their headline and date are used only when
// no article object exists (a WebPage's "name" is often the site's, not the story's).
constexpr std::array<std::string_view, 2> kPageTypes = {"WebPage", "ItemPage"};

// JSON-LD is walked without recursion; these bound the work a hostile script can cause.
constexpr size_t kMaxJsonDepth = 32;
constexpr size_t kMaxJsonObjects = 2000;

// <meta> keys of a modification date: never a publication date.
constexpr std::array<std::string_view, 4> kModifiedMetaKeys = {
    "article:modified_time", "og:updated_time", "datemodified", "dcterms.modified"};

// <meta> keys for the publication date after article:published_time and JSON-LD.
constexpr std::array<std::string_view, 8> kDateMetaKeys = {
    "date",           "pubdate",      "publishdate",    "dc.date",
    "dc.date.issued", "dcterms.date", "dcterms.issued", "datepublished"};

std::optional<std::string> Clean(std::string_view raw) {
  std::string cleaned = text::CleanText(raw);
  if (cleaned.empty()) return std::nullopt;
  return cleaned;
}

bool IsElement(const xmlNode* node, const char* name) {
  return node->type == XML_ELEMENT_NODE &&
         std::strcmp(reinterpret_cast<const char*>(node->name), name) == 0;
}

std::string RawText(const xmlNode* node) {
  xmlChar* content = xmlNodeGetContent(node);
  std::string out = content ? reinterpret_cast<const char*>(content) : "";
  xmlFree(content);
  return out;
}

bool LooksLikeUrl(std::string_view value) {
  return value.rfind("http://", 0) == 0 || value.rfind("https://", 0) == 0 ||
         value.rfind("//", 0) == 0 || value.rfind("/", 0) == 0;
}

// "fr-FR" -> "fr", "ar_AR" -> "ar"; nullopt for anything that is not a language subtag.
std::optional<std::string> PrimarySubtag(std::string_view tag) {
  std::string lower = AsciiLower(text::CleanText(tag));
  size_t end = lower.find_first_of("-_");
  std::string primary = lower.substr(0, end);
  if (primary.size() < 2 || primary.size() > 3) return std::nullopt;
  for (char c : primary) {
    if (c < 'a' || c > 'z') return std::nullopt;
  }
  return primary;
}

// ---------------------------------------------------------------------------------------
// The page's head-ish elements, gathered in one walk.

struct RawMetadata {
  std::unordered_map<std::string, std::string> meta;  // first content per lower-case key
  std::optional<std::string> title_element;
  std::optional<std::string> canonical;
  std::optional<std::string> html_lang;
  std::optional<std::string> first_time_datetime;
  std::vector<std::string> jsonld;
};

void ReadMeta(const xmlNode* node, RawMetadata* raw) {
  std::optional<std::string> content = Attribute(node, "content");
  if (!content) return;
  for (const char* key_attr : {"property", "name", "itemprop", "http-equiv"}) {
    if (auto key = Attribute(node, key_attr)) {
      raw->meta.emplace(AsciiLower(text::CleanText(*key)), *content);
    }
  }
}

bool IsCanonicalLink(const xmlNode* node) {
  std::optional<std::string> rel = Attribute(node, "rel");
  if (!rel) return false;
  std::string tokens = " " + AsciiLower(*rel) + " ";
  for (char& c : tokens) {
    if (c == '\t' || c == '\n' || c == '\r' || c == '\f') c = ' ';
  }
  return tokens.find(" canonical ") != std::string::npos;
}

bool IsJsonLdScript(const xmlNode* node) {
  std::optional<std::string> type = Attribute(node, "type");
  return type && AsciiLower(text::CleanText(*type)) == "application/ld+json";
}

void Visit(const xmlNode* node, RawMetadata* raw) {
  if (IsElement(node, "meta")) {
    ReadMeta(node, raw);
  } else if (IsElement(node, "title")) {
    if (!raw->title_element) raw->title_element = RawText(node);
  } else if (IsElement(node, "link")) {
    if (!raw->canonical && IsCanonicalLink(node)) {
      if (auto href = Attribute(node, "href")) raw->canonical = Clean(*href);
    }
  } else if (IsElement(node, "time")) {
    if (!raw->first_time_datetime) {
      if (auto when = Attribute(node, "datetime")) raw->first_time_datetime = Clean(*when);
    }
  } else if (IsElement(node, "script") && IsJsonLdScript(node)) {
    raw->jsonld.push_back(RawText(node));
  }
}

RawMetadata Gather(const Document& doc) {
  RawMetadata raw;
  const xmlNode* root = doc.root();
  if (root == nullptr) return raw;
  if (auto lang = Attribute(root, "lang")) raw.html_lang = *lang;
  // Iterative pre-order walk: the DOM may be hundreds of levels deep.
  const xmlNode* cur = root;
  while (cur != nullptr) {
    Visit(cur, &raw);
    if (cur->type == XML_ELEMENT_NODE && cur->children != nullptr) {
      cur = cur->children;
      continue;
    }
    while (cur != root && cur->next == nullptr) cur = cur->parent;
    cur = cur == root ? nullptr : cur->next;
  }
  return raw;
}

// ---------------------------------------------------------------------------------------
// JSON-LD.

// Sites wrap JSON-LD in HTML comments or CDATA markers and put raw line breaks inside
// strings; JSON allows neither, browsers' consumers (search engines) tolerate both.
std::string RepairJson(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    out.push_back(static_cast<unsigned char>(c) < 0x20 ? ' ' : c);  // raw controls
  }
  for (std::string_view marker : {"<!--", "-->", "//<![CDATA[", "//]]>", "<![CDATA[", "]]>"}) {
    size_t pos = out.find(marker);
    if (pos == std::string::npos) continue;
    // Only at the edges of the script: inside a string they are content.
    std::string_view before = std::string_view(out).substr(0, pos);
    std::string_view after = std::string_view(out).substr(pos + marker.size());
    bool at_start = before.find_first_not_of(' ') == std::string_view::npos;
    bool at_end = after.find_first_not_of(' ') == std::string_view::npos;
    if (at_start || at_end) out.replace(pos, marker.size(), marker.size(), ' ');
  }
  return out;
}

std::string BareType(std::string_view type) {
  size_t cut = type.find_last_of("/:#");
  return std::string(cut == std::string_view::npos ? type : type.substr(cut + 1));
}

template <size_t N>
bool HasType(const Json& object, const std::array<std::string_view, N>& types) {
  auto it = object.find("@type");
  if (it == object.end()) return false;
  auto matches = [&types](const Json& t) {
    if (!t.is_string()) return false;
    std::string bare = BareType(t.get_ref<const std::string&>());
    for (std::string_view want : types) {
      if (bare == want) return true;
    }
    return false;
  };
  if (it->is_array()) {
    for (const Json& t : *it) {
      if (matches(t)) return true;
    }
    return false;
  }
  return matches(*it);
}

struct JsonLdObjects {
  std::vector<const Json*> articles;  // in document order
  std::vector<const Json*> pages;
};

// Finds typed objects anywhere in the value: top level, arrays, "@graph", and nested
// properties (a WebPage's "mainEntity" may hold the NewsArticle).
void CollectTyped(const Json& value, JsonLdObjects* out) {
  std::vector<std::pair<const Json*, size_t>> stack{{&value, 0}};
  size_t visited = 0;
  while (!stack.empty() && visited < kMaxJsonObjects) {
    auto [node, depth] = stack.back();
    stack.pop_back();
    ++visited;
    if (depth > kMaxJsonDepth) continue;
    if (node->is_object()) {
      if (HasType(*node, kArticleTypes)) {
        out->articles.push_back(node);
      } else if (HasType(*node, kPageTypes)) {
        out->pages.push_back(node);
      }
    }
    if (node->is_object() || node->is_array()) {
      // Push in reverse so that the walk visits children in document order.
      std::vector<const Json*> children;
      for (const Json& child : *node) {
        if (child.is_object() || child.is_array()) children.push_back(&child);
      }
      for (auto it = children.rbegin(); it != children.rend(); ++it) {
        stack.push_back({*it, depth + 1});
      }
    }
  }
}

std::optional<std::string> StringField(const Json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end()) return std::nullopt;
  if (it->is_string()) return Clean(it->get_ref<const std::string&>());
  if (it->is_array() && !it->empty() && it->front().is_string()) {
    return Clean(it->front().get_ref<const std::string&>());
  }
  return std::nullopt;
}

// The "name" of a Person/Organization value, or the value itself when it is a string.
void CollectNames(const Json& value, std::vector<std::string>* names) {
  auto add = [names](std::optional<std::string> name) {
    if (!name || LooksLikeUrl(*name)) return;
    for (const std::string& existing : *names) {
      if (existing == *name) return;
    }
    names->push_back(std::move(*name));
  };
  if (value.is_string()) {
    add(Clean(value.get_ref<const std::string&>()));
  } else if (value.is_object()) {
    add(StringField(value, "name"));
  } else if (value.is_array()) {
    for (const Json& item : value) {
      if (item.is_string() || item.is_object()) CollectNames(item, names);
    }
  }
}

std::optional<std::string> JoinedNames(const Json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end()) return std::nullopt;
  std::vector<std::string> names;
  CollectNames(*it, &names);
  if (names.empty()) return std::nullopt;
  std::string joined;
  for (const std::string& name : names) {
    if (!joined.empty()) joined += ", ";
    joined += name;
  }
  return joined;
}

struct JsonLdFields {
  std::optional<std::string> headline;
  std::optional<std::string> published;          // an article's, else a page's
  std::optional<std::string> article_published;  // an article object's only
  std::optional<std::string> page_published;     // a page object's only
  std::optional<std::string> modified;
  bool has_article = false;
  std::optional<std::string> author;
  std::optional<std::string> publisher;
  std::optional<std::string> body;
};

// The first non-empty value of each field over the article objects, in document order; the
// page objects fill headline and date only when no article object gave one.
JsonLdFields ReadJsonLd(const std::vector<std::string>& scripts) {
  std::vector<Json> parsed;
  parsed.reserve(scripts.size());
  for (const std::string& script : scripts) {
    // allow_exceptions = false: malformed JSON yields a discarded value, never a throw.
    Json value = Json::parse(RepairJson(script), nullptr, false);
    if (!value.is_discarded()) parsed.push_back(std::move(value));
  }
  JsonLdObjects objects;
  for (const Json& value : parsed) CollectTyped(value, &objects);
  JsonLdFields fields;
  fields.has_article = !objects.articles.empty();
  for (const Json* article : objects.articles) {
    if (!fields.headline) fields.headline = StringField(*article, "headline");
    if (!fields.published) fields.published = StringField(*article, "datePublished");
    if (!fields.modified) fields.modified = StringField(*article, "dateModified");
    if (!fields.author) fields.author = JoinedNames(*article, "author");
    if (!fields.publisher) fields.publisher = JoinedNames(*article, "publisher");
    if (!fields.body) fields.body = StringField(*article, "articleBody");
  }
  fields.article_published = fields.published;
  for (const Json* page : objects.pages) {
    if (!fields.headline) fields.headline = StringField(*page, "headline");
    if (!fields.page_published) fields.page_published = StringField(*page, "datePublished");
  }
  if (!fields.published) fields.published = fields.page_published;
  return fields;
}

// ---------------------------------------------------------------------------------------

std::optional<std::string> MetaValue(const RawMetadata& raw, std::string_view key) {
  auto it = raw.meta.find(std::string(key));
  if (it == raw.meta.end()) return std::nullopt;
  return Clean(it->second);
}

template <typename... Candidates>
std::optional<std::string> FirstOf(Candidates&&... candidates) {
  std::optional<std::string> result;
  ((result ? void() : void(result = std::forward<Candidates>(candidates))), ...);
  return result;
}

std::optional<std::string> MetaDate(const RawMetadata& raw) {
  for (std::string_view key : kDateMetaKeys) {
    if (auto value = MetaValue(raw, key)) return value;
  }
  return std::nullopt;
}

std::optional<std::string> MetaModified(const RawMetadata& raw) {
  for (std::string_view key : kModifiedMetaKeys) {
    if (auto value = MetaValue(raw, key)) return value;
  }
  return std::nullopt;
}

std::optional<std::string> MetaAuthor(const RawMetadata& raw) {
  if (auto author = MetaValue(raw, "author"); author && !LooksLikeUrl(*author)) return author;
  // article:author is often the author's profile URL, which is not a name.
  if (auto author = MetaValue(raw, "article:author"); author && !LooksLikeUrl(*author)) {
    return author;
  }
  return std::nullopt;
}

std::optional<std::string> Language(const RawMetadata& raw) {
  if (raw.html_lang) {
    if (auto lang = PrimarySubtag(*raw.html_lang)) return lang;
  }
  for (std::string_view key : {"og:locale", "content-language", "language", "dc.language"}) {
    if (auto value = MetaValue(raw, key)) {
      if (auto lang = PrimarySubtag(*value)) return lang;
    }
  }
  return std::nullopt;
}

}  // namespace

PageMetadata ReadMetadata(const Document& doc) {
  RawMetadata raw = Gather(doc);
  JsonLdFields jsonld = ReadJsonLd(raw.jsonld);
  PageMetadata meta;
  meta.title =
      FirstOf(MetaValue(raw, "og:title"), MetaValue(raw, "twitter:title"), jsonld.headline);
  if (raw.title_element) meta.html_title = Clean(*raw.title_element);
  meta.published = FirstOf(MetaValue(raw, "article:published_time"), jsonld.published,
                           MetaDate(raw), raw.first_time_datetime);
  meta.author = FirstOf(MetaAuthor(raw), jsonld.author);
  meta.canonical = raw.canonical;
  meta.language = Language(raw);
  meta.site_name = FirstOf(MetaValue(raw, "og:site_name"), jsonld.publisher);
  meta.description = FirstOf(MetaValue(raw, "description"), MetaValue(raw, "og:description"));
  meta.jsonld_body = jsonld.body;
  meta.article_published =
      FirstOf(MetaValue(raw, "article:published_time"), jsonld.article_published, MetaDate(raw));
  meta.page_published = jsonld.page_published;
  meta.modified = FirstOf(MetaModified(raw), jsonld.modified);
  std::optional<std::string> og_type = MetaValue(raw, "og:type");
  meta.declares_article = jsonld.has_article || (og_type && AsciiLower(*og_type) == "article");
  return meta;
}

}  // namespace gleaner::html
