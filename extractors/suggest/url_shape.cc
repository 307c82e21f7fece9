#include "extractors/suggest/url_shape.h"

#include <algorithm>

#include "extractors/core/ascii.h"
#include "extractors/suggest/suggest_params.h"
#include "extractors/text/regex.h"

namespace gleaner::suggest {
namespace {

std::vector<std::string> Segments(std::string_view path) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (end > start) out.emplace_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool AllOf(const std::vector<std::string>& values, bool (*test)(char)) {
  return std::all_of(values.begin(), values.end(), [&](const std::string& v) {
    return !v.empty() && std::all_of(v.begin(), v.end(), test);
  });
}

bool IsSlugChar(char c) { return IsAsciiAlpha(c) || IsAsciiDigit(c) || c == '-' || c == '_'; }
bool IsLowerSlugChar(char c) { return IsSlugChar(c) && !IsAsciiUpper(c); }
bool IsDigitChar(char c) { return IsAsciiDigit(c); }

// A common file suffix of every value (".html"), or empty.
std::string CommonSuffix(const std::vector<std::string>& values) {
  std::string first = values.front();
  size_t dot = first.rfind('.');
  if (dot == std::string::npos || first.size() - dot > 6) return "";
  std::string suffix = first.substr(dot);
  for (const std::string& v : values) {
    if (v.size() <= suffix.size() || v.compare(v.size() - suffix.size(), suffix.size(), suffix))
      return "";
  }
  return suffix;
}

// The class of the values one path segment (or query value) takes across the samples.
std::string ClassOf(const std::vector<std::string>& values) {
  if (AllOf(values, IsDigitChar)) {
    bool years = std::all_of(values.begin(), values.end(), [](const std::string& v) {
      return v.size() == 4 && (v.rfind("19", 0) == 0 || v.rfind("20", 0) == 0);
    });
    if (years) return "[0-9]{4}";
    bool short_numbers = std::all_of(values.begin(), values.end(),
                                     [](const std::string& v) { return v.size() <= 2; });
    return short_numbers ? "[0-9]{1,2}" : "[0-9]+";
  }
  if (std::string suffix = CommonSuffix(values); !suffix.empty()) {
    return "[^/?#]+" + RegexEscape(suffix);
  }
  if (AllOf(values, IsLowerSlugChar)) return "[a-z0-9_-]+";
  if (AllOf(values, IsSlugChar)) return "[A-Za-z0-9_-]+";
  return "[^/?#]+";
}

// The values of segment `i` across URLs of one shape.
std::vector<std::string> Column(const std::vector<std::vector<std::string>>& rows, size_t i) {
  std::vector<std::string> out;
  for (const auto& row : rows) out.push_back(row[i]);
  return out;
}

// One shape: URLs with the same number of segments and the same query keys.
struct Shape {
  std::vector<std::vector<std::string>> segments;                       // per URL
  std::vector<std::vector<std::pair<std::string, std::string>>> query;  // per URL
};

std::vector<std::pair<std::string, std::string>> QueryPairs(const std::optional<std::string>& q) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!q) return out;
  size_t start = 0;
  while (start <= q->size()) {
    size_t end = q->find('&', start);
    if (end == std::string::npos) end = q->size();
    std::string pair = q->substr(start, end - start);
    size_t eq = pair.find('=');
    if (!pair.empty()) {
      out.emplace_back(pair.substr(0, eq), eq == std::string::npos ? "" : pair.substr(eq + 1));
    }
    start = end + 1;
  }
  return out;
}

std::string ShapeKey(const std::vector<std::string>& segments,
                     const std::vector<std::pair<std::string, std::string>>& query) {
  std::string key = std::to_string(segments.size());
  for (const auto& [k, v] : query) key += "&" + k;
  return key;
}

std::string ShapePattern(const Shape& shape, size_t literal_prefix) {
  std::string out;
  size_t n = shape.segments.front().size();
  for (size_t i = 0; i < n; ++i) {
    std::vector<std::string> values = Column(shape.segments, i);
    out += "/";
    out += i < literal_prefix ? RegexEscape(values.front()) : ClassOf(values);
  }
  out += "/?";
  const auto& first_query = shape.query.front();
  for (size_t i = 0; i < first_query.size(); ++i) {
    std::vector<std::string> values;
    for (const auto& q : shape.query) values.push_back(q[i].second);
    out += (i == 0 ? "\\?" : "&") + RegexEscape(first_query[i].first) + "=" + ClassOf(values);
  }
  return out;
}

}  // namespace

std::string BareHost(std::string_view host) {
  std::string h = AsciiLower(host);
  if (h.rfind("www.", 0) == 0) h.erase(0, 4);
  return h;
}

std::string RegexEscape(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

Result<UrlScope> ScopeOf(const std::vector<UrlParts>& urls,
                         const std::vector<std::string>& labels) {
  UrlScope scope;
  scope.host = BareHost(urls.front().host);
  for (size_t i = 1; i < urls.size(); ++i) {
    if (BareHost(urls[i].host) != scope.host || urls[i].port != urls.front().port) {
      return Fail(ErrorCode::kNoArticle, labels[i] + ": its host " + urls[i].host +
                                             " is not the first sample's (" + urls.front().host +
                                             "): samples of different sites");
    }
  }
  auto edition = text::Regex::Compile(kEditionSegmentPattern);
  std::vector<std::string> first = Segments(urls.front().path);
  bool shared = first.size() > 1 && std::all_of(urls.begin(), urls.end(), [&](const UrlParts& u) {
                  std::vector<std::string> s = Segments(u.path);
                  return s.size() > 1 && s.front() == first.front();
                });
  if (shared && edition && edition->Matches(first.front())) scope.edition = first.front();
  // A port (a test server, a staging host) is part of the origin.
  if (urls.front().port) scope.host += ":" + *urls.front().port;
  scope.pattern = "^https?://(www\\.)?" + RegexEscape(scope.host) +
                  (scope.edition ? "/" + RegexEscape(*scope.edition) + "(/|$)" : "/");
  return scope;
}

std::string ArticlesPattern(const std::vector<UrlParts>& urls, const UrlScope& scope) {
  std::vector<std::string> keys;
  std::vector<Shape> shapes;
  for (const UrlParts& u : urls) {
    std::vector<std::string> segments = Segments(u.path);
    auto query = QueryPairs(u.query);
    std::string key = ShapeKey(segments, query);
    auto it = std::find(keys.begin(), keys.end(), key);
    if (it == keys.end()) {
      keys.push_back(key);
      shapes.emplace_back();
      it = keys.end() - 1;
    }
    Shape& shape = shapes[static_cast<size_t>(it - keys.begin())];
    shape.segments.push_back(std::move(segments));
    shape.query.push_back(std::move(query));
  }
  std::vector<std::string> patterns;
  for (const Shape& shape : shapes) {
    std::string p = ShapePattern(shape, scope.edition ? 1 : 0);
    if (std::find(patterns.begin(), patterns.end(), p) == patterns.end()) patterns.push_back(p);
  }
  std::string body = patterns.front();
  if (patterns.size() > 1) {
    body = "(?:";
    for (size_t i = 0; i < patterns.size(); ++i) body += (i ? "|" : "") + patterns[i];
    body += ")";
  }
  return "^https?://(www\\.)?" + RegexEscape(scope.host) + body + "$";
}

std::string DraftId(const UrlScope& scope) {
  std::string host = scope.host.substr(0, scope.host.find(':'));
  std::vector<std::string> labels;
  size_t start = 0;
  while (start <= host.size()) {
    size_t dot = host.find('.', start);
    if (dot == std::string::npos) dot = host.size();
    labels.push_back(host.substr(start, dot - start));
    start = dot + 1;
  }
  bool address =
      std::all_of(host.begin(), host.end(), [](char c) { return IsAsciiDigit(c) || c == '.'; });
  // Drop the public suffix: the last label, and a short second-level one ("co.uk"). An IP
  // address keeps all its numbers.
  if (!address && labels.size() > 1) labels.pop_back();
  if (!address && labels.size() > 1 && labels.back().size() <= 3) labels.pop_back();
  std::string name = address ? "site-" + host : labels.back();
  std::string id;
  for (char c : name + (scope.edition ? "-" + *scope.edition : "")) {
    char l = AsciiLower(c);
    id += IsAsciiAlpha(l) || IsAsciiDigit(l) || l == '-' || l == '_' ? l : '-';
  }
  return id.empty() ? "site" : id;
}

}  // namespace gleaner::suggest
