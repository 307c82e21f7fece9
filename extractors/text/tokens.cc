#include "extractors/text/tokens.h"

#include <unordered_map>

#include "extractors/core/ascii.h"

namespace gleaner::text {
namespace {

// ASCII bytes other than letters and digits end a word; bytes >= 0x80 belong to words.
bool Separates(char c) {
  return static_cast<unsigned char>(c) < 0x80 && !IsAsciiAlpha(c) && !IsAsciiDigit(c);
}

}  // namespace

std::vector<std::string> Tokens(std::string_view utf8) {
  std::vector<std::string> out;
  std::string word;
  for (char c : utf8) {
    if (Separates(c)) {
      if (!word.empty()) out.push_back(std::move(word));
      word.clear();
      continue;
    }
    word.push_back(AsciiLower(c));
  }
  if (!word.empty()) out.push_back(std::move(word));
  return out;
}

double TokenF1(std::string_view got, std::string_view want) {
  std::vector<std::string> g = Tokens(got);
  std::vector<std::string> w = Tokens(want);
  if (g.empty() && w.empty()) return 1.0;
  if (g.empty() || w.empty()) return 0.0;
  std::unordered_map<std::string, long> counts;
  for (const std::string& t : w) ++counts[t];
  long common = 0;
  for (const std::string& t : g) {
    auto it = counts.find(t);
    if (it != counts.end() && it->second > 0) {
      --it->second;
      ++common;
    }
  }
  if (common == 0) return 0.0;
  double precision = static_cast<double>(common) / static_cast<double>(g.size());
  double recall = static_cast<double>(common) / static_cast<double>(w.size());
  return 2 * precision * recall / (precision + recall);
}

}  // namespace gleaner::text
