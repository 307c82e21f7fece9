#include "extractors/rules/site_rules.h"

#include <algorithm>
#include <set>

#include "extractors/core/ascii.h"
#include "extractors/core/url.h"
#include "extractors/core/yaml_strict.h"

namespace gleaner::rules {
namespace {

using yaml::ErrorAt;

// Default poll intervals when a source gives none: listings change fastest, sitemaps are
// large and slow to change.
constexpr std::chrono::minutes kDefaultListingEvery{10};
constexpr std::chrono::minutes kDefaultFeedEvery{15};
constexpr std::chrono::minutes kDefaultSitemapEvery{60};
// Below a second a poll interval is surely a typo (a bare "5" for "5m" is refused anyway);
// minutes are the norm for news sites, seconds are for one's own test servers.
constexpr std::chrono::seconds kMinPollEvery{1};
// A source polled less than monthly is not news; the bound also keeps "next poll = now +
// every" far from the clock's int64 nanoseconds.
constexpr std::chrono::days kMaxPollEvery{30};
// A site's own delay between requests, as the config's fetch.delay: 0 is none, a day is
// the most any politeness asks.
constexpr std::chrono::milliseconds kMinSiteDelay{0};
constexpr std::chrono::hours kMaxSiteDelay{24};

constexpr std::string_view kFieldNames[] = {"title",     "body",   "author",    "byline",
                                            "published", "source", "source_url"};

template <typename T>
tl::unexpected<Error> Forward(const Result<T>& r) {
  return tl::unexpected(r.error());
}

Result<html::Selector> CompileSelectorAt(const std::string& file, const YAML::Node& node,
                                         const std::string& css) {
  auto selector = html::CompileSelector(css);
  if (!selector) return ErrorAt(file, node, "selector '" + css + "': " + selector.error().message);
  return selector;
}

Result<std::vector<html::Selector>> SelectorList(const std::string& file, const YAML::Node& node,
                                                 std::string_view key) {
  auto texts = yaml::GetStringList(file, node, key);
  if (!texts) return Forward(texts);
  std::vector<html::Selector> out;
  for (size_t i = 0; i < texts->size(); ++i) {
    const YAML::Node& at = node.IsSequence() ? node[i] : node;
    auto s = CompileSelectorAt(file, at, (*texts)[i]);
    if (!s) return Forward(s);
    out.push_back(std::move(*s));
  }
  return out;
}

Result<text::Regex> RegexAt(const std::string& file, const YAML::Node& node,
                            const std::string& pattern) {
  auto re = text::Regex::Compile(pattern);
  if (!re) return ErrorAt(file, node, "regex '" + pattern + "': " + re.error().message);
  return re;
}

Result<std::vector<text::Regex>> RegexList(const std::string& file, const YAML::Node& node,
                                           std::string_view key) {
  auto texts = yaml::GetStringList(file, node, key);
  if (!texts) return Forward(texts);
  std::vector<text::Regex> out;
  for (size_t i = 0; i < texts->size(); ++i) {
    auto re = RegexAt(file, node.IsSequence() ? node[i] : node, (*texts)[i]);
    if (!re) return Forward(re);
    out.push_back(std::move(*re));
  }
  return out;
}

// A field is a selector, a list of selectors, or {selector: ..., pattern: ...}.
Result<FieldRule> ParseField(const std::string& file, const YAML::Node& node,
                             const std::string& key) {
  FieldRule field;
  if (!node.IsMap()) {
    auto selectors = SelectorList(file, node, key);
    if (!selectors) return Forward(selectors);
    field.selectors = std::move(*selectors);
    return field;
  }
  if (auto ok = yaml::CheckMap(file, node, "field '" + key + "'", {"selector", "pattern"}); !ok) {
    return Forward(ok);
  }
  if (!node["selector"]) return ErrorAt(file, node, "field '" + key + "' needs a 'selector'");
  auto selectors = SelectorList(file, node["selector"], "selector");
  if (!selectors) return Forward(selectors);
  field.selectors = std::move(*selectors);
  if (node["pattern"]) {
    auto text = yaml::GetString(file, node["pattern"], "pattern");
    if (!text) return Forward(text);
    auto re = RegexAt(file, node["pattern"], *text);
    if (!re) return Forward(re);
    field.pattern = std::move(*re);
  }
  return field;
}

std::optional<FieldRule>* FieldSlot(Layout* layout, std::string_view key) {
  if (key == "title") return &layout->title;
  if (key == "body") return &layout->body;
  if (key == "author") return &layout->author;
  if (key == "byline") return &layout->byline;
  if (key == "published") return &layout->published;
  if (key == "source") return &layout->source;
  if (key == "source_url") return &layout->source_url;
  return nullptr;
}

Result<Layout> ParseLayout(const std::string& file, const YAML::Node& node, size_t index) {
  std::string what = "layout " + std::to_string(index + 1);
  if (auto ok = yaml::CheckMap(file, node, what,
                               {"name", "title", "body", "author", "byline", "published", "source",
                                "source_url", "remove", "require"});
      !ok) {
    return Forward(ok);
  }
  Layout layout;
  layout.name = "layout" + std::to_string(index + 1);
  for (const auto& entry : node) {
    std::string key = entry.first.Scalar();
    const YAML::Node& value = entry.second;
    if (key == "name") {
      auto s = yaml::GetString(file, value, key);
      if (!s) return Forward(s);
      layout.name = *s;
    } else if (key == "remove") {
      auto s = SelectorList(file, value, key);
      if (!s) return Forward(s);
      layout.remove = std::move(*s);
    } else if (key == "require") {
      auto names = yaml::GetStringList(file, value, key);
      if (!names) return Forward(names);
      for (const std::string& n : *names) {
        if (std::find(std::begin(kFieldNames), std::end(kFieldNames), n) == std::end(kFieldNames)) {
          return ErrorAt(file, value, "'require' names unknown field '" + n + "'");
        }
      }
      layout.require = std::move(*names);
    } else {
      auto field = ParseField(file, value, key);
      if (!field) return Forward(field);
      *FieldSlot(&layout, key) = std::move(*field);
    }
  }
  if (!layout.body)
    return ErrorAt(file, node, what + " ('" + layout.name + "') needs a 'body' selector");
  if (layout.require.empty()) {
    // By default a layout applies when the selectors it declares for the headline and the
    // body both match: that is what tells one design of a site from another.
    layout.require.push_back("body");
    if (layout.title) layout.require.push_back("title");
  }
  for (const std::string& n : layout.require) {
    if (!*FieldSlot(&layout, n)) {
      return ErrorAt(file, node,
                     "'require' names field '" + n + "', which " + what + " does not declare");
    }
  }
  return layout;
}

Result<PollSource> ParseSource(const std::string& file, const YAML::Node& node) {
  if (auto ok = yaml::CheckMap(file, node, "source", {"listing", "feed", "sitemap", "every"});
      !ok) {
    return Forward(ok);
  }
  PollSource source{};
  int kinds = 0;
  for (auto [key, kind, every] :
       {std::tuple{"listing", SourceKind::kListing,
                   std::chrono::milliseconds(kDefaultListingEvery)},
        std::tuple{"feed", SourceKind::kFeed, std::chrono::milliseconds(kDefaultFeedEvery)},
        std::tuple{"sitemap", SourceKind::kSitemap,
                   std::chrono::milliseconds(kDefaultSitemapEvery)}}) {
    if (!node[key]) continue;
    ++kinds;
    auto url = yaml::GetString(file, node[key], key);
    if (!url) return Forward(url);
    if (url->rfind("http://", 0) != 0 && url->rfind("https://", 0) != 0) {
      return ErrorAt(file, node[key], std::string("'") + key + "' must be an http(s) URL");
    }
    source = PollSource{kind, *url, every};
  }
  if (kinds != 1)
    return ErrorAt(file, node, "a source needs exactly one of 'listing', 'feed', 'sitemap'");
  if (node["every"]) {
    auto every = yaml::GetDuration(file, node["every"], "every", kMinPollEvery, kMaxPollEvery);
    if (!every) return Forward(every);
    source.every = *every;
  }
  return source;
}

// A host as URLs write it: a DNS name, an IPv4 address or a bracketed IPv6 one. No scheme,
// port, path or wildcard: the list is compared with URLs' hosts exactly.
bool ValidHost(const std::string& host) {
  if (host.empty() || host.size() > 253) return false;
  if (host.front() == '[') {
    return host.size() > 2 && host.back() == ']' &&
           std::all_of(host.begin() + 1, host.end() - 1, [](char c) {
             return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == ':' || c == '.';
           });
  }
  if (host.front() == '.' || host.back() == '.' || host.front() == '-') return false;
  return std::all_of(host.begin(), host.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
  });
}

std::string HostOfUrl(std::string_view url) {
  std::optional<UrlParts> parts = ParseUrl(url);
  return parts ? AsciiLower(parts->host) : std::string();
}

bool ValidId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

bool ValidLanguage(const std::string& lang) {
  return lang.size() == 2 &&
         std::all_of(lang.begin(), lang.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}

// Reads one top-level key into `site`.
Result<void> ParseTopKey(const std::string& file, const std::string& key, const YAML::Node& value,
                         SiteRules* site) {
  if (key == "id" || key == "name" || key == "language") {
    auto s = yaml::GetString(file, value, key);
    if (!s) return Forward(s);
    if (key == "id" && !ValidId(*s))
      return ErrorAt(file, value, "'id' must be lower-case letters, digits, '-' or '_'");
    if (key == "language" && !ValidLanguage(*s))
      return ErrorAt(file, value, "'language' must be an ISO 639-1 code such as fr or ar");
    (key == "id" ? site->id : key == "name" ? site->name : site->language) = *s;
  } else if (key == "urls" || key == "related") {
    auto res = RegexList(file, value, key);
    if (!res) return Forward(res);
    (key == "urls" ? site->urls : site->related) = std::move(*res);
  } else if (key == "articles") {
    auto s = yaml::GetString(file, value, key);
    if (!s) return Forward(s);
    auto re = RegexAt(file, value, *s);
    if (!re) return Forward(re);
    site->articles = std::move(*re);
  } else if (key == "remove" || key == "ticker") {
    auto res = SelectorList(file, value, key);
    if (!res) return Forward(res);
    (key == "remove" ? site->remove : site->ticker) = std::move(*res);
  } else if (key == "delay") {
    auto d = yaml::GetDuration(file, value, key, kMinSiteDelay, kMaxSiteDelay);
    if (!d) return Forward(d);
    site->delay = *d;
  } else if (key == "sitemaps_from_robots") {
    auto b = yaml::GetBool(file, value, key);
    if (!b) return Forward(b);
    site->sitemaps_from_robots = *b;
  } else if (key == "sitemap_hosts") {
    if (!value.IsSequence())
      return ErrorAt(file, value, "'sitemap_hosts' must be a list of host names");
    for (const YAML::Node& item : value) {
      auto host = yaml::GetString(file, item, key);
      if (!host) return Forward(host);
      std::string lower = AsciiLower(*host);
      if (!ValidHost(lower)) {
        return ErrorAt(
            file, item,
            "'sitemap_hosts': '" + *host +
                "' is not a host name (write sitemaps.example.com, without scheme, port or path)");
      }
      site->sitemap_hosts.push_back(std::move(lower));
    }
  } else if (key == "examples") {
    auto list = yaml::GetStringList(file, value, key);
    if (!list) return Forward(list);
    site->examples = std::move(*list);
  } else if (key == "sources") {
    if (!value.IsSequence()) return ErrorAt(file, value, "'sources' must be a list");
    for (const YAML::Node& item : value) {
      auto source = ParseSource(file, item);
      if (!source) return Forward(source);
      site->sources.push_back(std::move(*source));
    }
  } else if (key == "layouts") {
    if (!value.IsSequence() || value.size() == 0)
      return ErrorAt(file, value, "'layouts' must be a non-empty list");
    for (size_t i = 0; i < value.size(); ++i) {
      auto layout = ParseLayout(file, value[i], i);
      if (!layout) return Forward(layout);
      site->layouts.push_back(std::move(*layout));
    }
  }
  return {};
}

}  // namespace

bool SiteRules::Owns(std::string_view url) const { return OwningPattern(url) != nullptr; }

const text::Regex* SiteRules::OwningPattern(std::string_view url) const {
  for (const text::Regex& re : urls) {
    if (re.Matches(url)) return &re;
  }
  return nullptr;
}

bool SiteRules::IsArticleUrl(std::string_view url) const {
  return Owns(url) && (!articles || articles->Matches(url));
}

bool SiteRules::MayReadSitemapAt(std::string_view url) const {
  const std::string host = HostOfUrl(url);
  if (host.empty()) return false;
  if (std::find(sitemap_hosts.begin(), sitemap_hosts.end(), host) != sitemap_hosts.end())
    return true;
  return std::any_of(sources.begin(), sources.end(),
                     [&](const PollSource& s) { return HostOfUrl(s.url) == host; });
}

Result<SiteRules> ParseSiteRules(std::string_view yaml_text, const std::string& file_name) {
  auto doc = yaml::Load(yaml_text, file_name);
  if (!doc) return Forward(doc);
  const YAML::Node& root = doc->root;
  if (!root.IsDefined() || root.IsNull())
    return Fail(ErrorCode::kConfig, file_name + ":1:1: the site file is empty");
  if (auto ok = yaml::CheckMap(
          file_name, root, "site file",
          {"id", "name", "language", "urls", "articles", "sources", "delay", "sitemaps_from_robots",
           "sitemap_hosts", "examples", "remove", "ticker", "related", "layouts"});
      !ok) {
    return Forward(ok);
  }
  SiteRules site;
  site.file = file_name;
  for (const auto& entry : root) {
    if (auto ok = ParseTopKey(file_name, entry.first.Scalar(), entry.second, &site); !ok)
      return Forward(ok);
  }
  for (const char* required : {"id", "name", "language", "urls", "layouts"}) {
    if (!root[required]) {
      return ErrorAt(file_name, root, std::string("the site file needs '") + required + "'");
    }
  }
  for (size_t i = 0; i < site.examples.size(); ++i) {
    if (!site.Owns(site.examples[i])) {
      return ErrorAt(file_name, root["examples"],
                     "example '" + site.examples[i] + "' is not matched by the site's 'urls'");
    }
  }
  return site;
}

Result<SiteSet> SiteSet::Create(std::vector<SiteRules> sites) {
  std::set<std::string> ids;
  for (const SiteRules& s : sites) {
    if (!ids.insert(s.id).second) {
      const SiteRules* first = nullptr;
      for (const SiteRules& t : sites) {
        if (t.id == s.id) {
          first = &t;
          break;
        }
      }
      return Fail(ErrorCode::kConfig,
                  s.file + ": site id '" + s.id + "' is already used by " + first->file);
    }
  }
  SiteSet set;
  set.sites_ = std::move(sites);
  return set;
}

const SiteRules* SiteSet::Find(std::string_view id) const {
  for (const SiteRules& s : sites_) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

Result<const SiteRules*> SiteSet::Match(std::string_view url) const {
  const SiteRules* found = nullptr;
  for (const SiteRules& s : sites_) {
    if (!s.Owns(url)) continue;
    if (found) {
      return Fail(ErrorCode::kConfig, "URL " + std::string(url) + " is owned by two sites: '" +
                                          found->id + "' (" + found->file + ") and '" + s.id +
                                          "' (" + s.file + ")");
    }
    found = &s;
  }
  return found;
}

std::vector<std::string> SiteSet::Overlaps() const {
  std::vector<std::string> out;
  for (const SiteRules& a : sites_) {
    std::vector<std::string> urls = a.examples;
    for (const PollSource& p : a.sources) urls.push_back(p.url);
    for (const std::string& url : urls) {
      for (const SiteRules& b : sites_) {
        if (&a == &b || !b.Owns(url)) continue;
        out.push_back(a.file + ": " + url + " of site '" + a.id + "' is also owned by site '" +
                      b.id + "' (" + b.file + ")");
      }
    }
  }
  return out;
}

}  // namespace gleaner::rules
