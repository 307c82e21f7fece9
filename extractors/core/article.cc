#include "extractors/core/article.h"

#include <nlohmann/json.hpp>

namespace gleaner {
namespace {

using nlohmann::json;

json OptionalToJson(const std::optional<std::string>& value) {
  return value ? json(*value) : json(nullptr);
}

json LinksToJson(const std::vector<Link>& links) {
  json out = json::array();
  for (const Link& link : links) out.push_back({{"title", link.title}, {"url", link.url}});
  return out;
}

// Reads an optional string key; a present non-string, non-null value is an error.
Result<std::optional<std::string>> OptionalString(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string())
    return Fail(ErrorCode::kInput, std::string("key '") + key + "' is not a string");
  return std::optional<std::string>(it->get<std::string>());
}

Result<std::vector<Link>> Links(const json& object, const char* key) {
  std::vector<Link> links;
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return links;
  if (!it->is_array())
    return Fail(ErrorCode::kInput, std::string("key '") + key + "' is not a list");
  for (const json& item : *it) {
    if (!item.is_object() || !item.value("title", json()).is_string() ||
        !item.value("url", json()).is_string()) {
      return Fail(ErrorCode::kInput,
                  std::string("key '") + key + "' holds an entry without string title and url");
    }
    links.push_back({item["title"].get<std::string>(), item["url"].get<std::string>()});
  }
  return links;
}

}  // namespace

bool Article::operator==(const Article& o) const {
  return url == o.url && site == o.site && extractor == o.extractor && title == o.title &&
         author == o.author && published == o.published && source == o.source &&
         source_url == o.source_url && language == o.language && body == o.body &&
         related == o.related && ticker == o.ticker && warnings == o.warnings;
}

std::string ArticleToJson(const Article& a, bool pretty) {
  // nlohmann::ordered_json keeps the contract's key order, which people reading the
  // output expect; ordinary json would sort the keys.
  nlohmann::ordered_json j;
  j["url"] = OptionalToJson(a.url);
  j["site"] = OptionalToJson(a.site);
  j["extractor"] = a.extractor;
  j["title"] = OptionalToJson(a.title);
  j["author"] = OptionalToJson(a.author);
  j["published"] = OptionalToJson(a.published);
  j["source"] = OptionalToJson(a.source);
  j["source_url"] = OptionalToJson(a.source_url);
  j["language"] = OptionalToJson(a.language);
  j["body"] = OptionalToJson(a.body);
  j["related"] = LinksToJson(a.related);
  j["ticker"] = LinksToJson(a.ticker);
  j["warnings"] = a.warnings;
  // Replace, never throw, on invalid UTF-8 that slipped through.
  return j.dump(pretty ? 2 : -1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

Result<Article> ArticleFromJson(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Fail(ErrorCode::kInput, "not valid JSON");
  if (!j.is_object()) return Fail(ErrorCode::kInput, "not a JSON object");
  Article a;
  for (auto [field, key] : {std::pair{&a.url, "url"},
                            {&a.site, "site"},
                            {&a.title, "title"},
                            {&a.author, "author"},
                            {&a.published, "published"},
                            {&a.source, "source"},
                            {&a.source_url, "source_url"},
                            {&a.language, "language"},
                            {&a.body, "body"}}) {
    auto value = OptionalString(j, key);
    if (!value) return tl::unexpected(value.error());
    *field = std::move(*value);
  }
  auto extractor = OptionalString(j, "extractor");
  if (!extractor) return tl::unexpected(extractor.error());
  a.extractor = extractor->value_or("");
  auto related = Links(j, "related");
  if (!related) return tl::unexpected(related.error());
  a.related = std::move(*related);
  auto ticker = Links(j, "ticker");
  if (!ticker) return tl::unexpected(ticker.error());
  a.ticker = std::move(*ticker);
  if (auto it = j.find("warnings"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) return Fail(ErrorCode::kInput, "key 'warnings' is not a list");
    for (const json& w : *it) {
      if (!w.is_string()) return Fail(ErrorCode::kInput, "key 'warnings' holds a non-string");
      a.warnings.push_back(w.get<std::string>());
    }
  }
  return a;
}

}  // namespace gleaner
