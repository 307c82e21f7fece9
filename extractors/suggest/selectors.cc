#include "extractors/suggest/selectors.h"

#include <algorithm>

#include "extractors/core/ascii.h"
#include "extractors/html/dom.h"
#include "extractors/suggest/suggest_params.h"

namespace gleaner::suggest {
namespace {

// Tags that say what an element is, so that the tag alone may be a selector.
constexpr std::string_view kSemanticTags[] = {"article", "main",    "h1",     "h2",
                                              "time",    "address", "marquee"};
// Attributes whose value names the element's role in the page.
constexpr std::string_view kTellingAttributes[] = {"itemprop", "role"};
// How far up an ancestor with a name is looked for.
constexpr int kAncestorLevels = 4;

// Generated names: CSS-module or styled-component prefixes, and BEM element names with
// hashes ("css-1x2y3z", "sc-bdVaJa", "jsx-123").
constexpr std::string_view kGeneratedPrefixes[] = {"css-", "sc-", "jsx-", "svelte-", "ng-"};

std::vector<std::string> SplitSpaces(std::string_view value) {
  std::vector<std::string> out;
  std::string token;
  for (char c : value) {
    if (IsHtmlSpace(c)) {
      if (!token.empty()) out.push_back(std::move(token));
      token.clear();
    } else {
      token += c;
    }
  }
  if (!token.empty()) out.push_back(std::move(token));
  return out;
}

std::string TagOf(const xmlNode* element) {
  return element->name ? reinterpret_cast<const char*>(element->name) : "";
}

// The simple selectors naming `element` by itself: "#id", ".class", "tag.class" ...
std::vector<std::string> OwnSelectors(const xmlNode* element) {
  std::vector<std::string> out;
  std::string tag = TagOf(element);
  if (auto id = MeaningfulId(element)) out.push_back("#" + *id);
  std::vector<std::string> classes = MeaningfulClasses(element);
  for (const std::string& c : classes) {
    out.push_back("." + c);
    out.push_back(tag + "." + c);
  }
  if (classes.size() >= 2) out.push_back(tag + "." + classes[0] + "." + classes[1]);
  for (std::string_view attribute : kTellingAttributes) {
    auto value = html::Attribute(element, std::string(attribute).c_str());
    if (value && IsMeaningfulName(*value)) {
      out.push_back("[" + std::string(attribute) + "=\"" + *value + "\"]");
    }
  }
  if (std::find(std::begin(kSemanticTags), std::end(kSemanticTags), tag) !=
      std::end(kSemanticTags)) {
    out.push_back(tag);
  }
  return out;
}

// The nearest ancestor (within kAncestorLevels) with a meaningful id or class, and its
// shortest own selector; nullopt when none.
std::optional<std::pair<const xmlNode*, std::string>> NamedAncestor(const xmlNode* element) {
  int level = 0;
  for (const xmlNode* p = element->parent;
       p && p->type == XML_ELEMENT_NODE && level < kAncestorLevels; p = p->parent, ++level) {
    if (auto id = MeaningfulId(p)) return std::pair{p, "#" + *id};
    std::vector<std::string> classes = MeaningfulClasses(p);
    if (!classes.empty()) return std::pair{p, "." + classes.front()};
  }
  return std::nullopt;
}

}  // namespace

bool IsMeaningfulName(std::string_view token) {
  if (token.size() < 2 || token.size() > kMaxNameChars || !IsAsciiAlpha(token.front()))
    return false;
  size_t digits = 0;
  for (size_t i = 0; i < token.size(); ++i) {
    char c = token[i];
    if (!IsAsciiAlpha(c) && !IsAsciiDigit(c) && c != '-' && c != '_') return false;
    if (IsAsciiDigit(c)) {
      ++digits;
      if (i > 0 && IsAsciiDigit(token[i - 1])) return false;  // a run of digits: an id
      if (i > 0 && token[i - 1] == '-') return false;         // a grid or spacing size: col-md-8
    }
  }
  if (digits > 1) return false;
  std::string lower = AsciiLower(token);
  for (std::string_view prefix : kGeneratedPrefixes) {
    if (lower.rfind(prefix, 0) == 0) return false;
  }
  return std::find(kLayoutNameTokens.begin(), kLayoutNameTokens.end(), lower) ==
         kLayoutNameTokens.end();
}

std::vector<std::string> MeaningfulClasses(const xmlNode* element) {
  std::vector<std::string> out;
  auto value = html::Attribute(element, "class");
  if (!value) return out;
  for (std::string& token : SplitSpaces(*value)) {
    if (IsMeaningfulName(token) && std::find(out.begin(), out.end(), token) == out.end())
      out.push_back(std::move(token));
  }
  return out;
}

std::optional<std::string> MeaningfulId(const xmlNode* element) {
  auto id = html::Attribute(element, "id");
  if (id && IsMeaningfulName(*id)) return id;
  return std::nullopt;
}

bool NameHasWord(const xmlNode* element, std::span<const std::string_view> words) {
  std::string names = AsciiLower(html::Attribute(element, "class").value_or("") + " " +
                                 html::Attribute(element, "id").value_or(""));
  return std::any_of(words.begin(), words.end(),
                     [&](std::string_view w) { return names.find(w) != std::string::npos; });
}

std::vector<std::string> SelectorsFor(const xmlNode* element, size_t max) {
  std::vector<std::string> out = OwnSelectors(element);
  if (auto ancestor = NamedAncestor(element)) {
    std::string tag = TagOf(element);
    bool child = ancestor->first == element->parent;
    out.push_back(ancestor->second + (child ? " > " : " ") + tag);
    for (const std::string& c : MeaningfulClasses(element)) {
      out.push_back(ancestor->second + " " + tag + "." + c);
    }
  }
  std::vector<std::string> unique;
  for (std::string& s : out) {
    if (std::find(unique.begin(), unique.end(), s) == unique.end()) unique.push_back(std::move(s));
    if (unique.size() == max) break;
  }
  return unique;
}

std::vector<std::string> RunSelectors(const xmlNode* parent) {
  std::vector<std::pair<std::string, int>> counts;  // "tag.class", children carrying it
  for (const xmlNode* c = parent->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    for (const std::string& token : MeaningfulClasses(c)) {
      std::string key = TagOf(c) + "." + token;
      auto it = std::find_if(counts.begin(), counts.end(),
                             [&](const auto& entry) { return entry.first == key; });
      if (it == counts.end()) {
        counts.emplace_back(key, 1);
      } else {
        ++it->second;
      }
    }
  }
  std::vector<std::string> out;
  for (const auto& [key, n] : counts) {
    if (n < 2) continue;
    out.push_back(key.substr(key.find('.')));
    out.push_back(key);
  }
  return out;
}

}  // namespace gleaner::suggest
