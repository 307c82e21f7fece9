#include "extractors/core/units.h"

#include <cmath>
#include <cstdlib>
#include <string>

#include "extractors/core/ascii.h"

namespace gleaner {
namespace {

// Splits "12.5ms" into 12.5 and "ms". Returns false unless a number leads.
bool SplitNumber(std::string_view text, double* number, std::string* unit) {
  text = TrimCSpace(text);
  size_t i = 0;
  bool digits = false, dot = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (IsAsciiDigit(c)) {
      digits = true;
    } else if (c == '.' && !dot) {
      dot = true;
    } else {
      break;
    }
  }
  if (!digits) return false;
  *number = std::strtod(std::string(text.substr(0, i)).c_str(), nullptr);
  std::string u;
  for (char c : TrimCSpace(text.substr(i))) u += AsciiLower(c);
  *unit = u;
  return std::isfinite(*number);
}

}  // namespace

std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  double n = 0;
  std::string unit;
  if (!SplitNumber(text, &n, &unit)) return std::nullopt;
  double ms_per_unit = 0;
  if (unit == "ms")
    ms_per_unit = 1;
  else if (unit == "s")
    ms_per_unit = 1000;
  else if (unit == "m")
    ms_per_unit = 60e3;
  else if (unit == "h")
    ms_per_unit = 3600e3;
  else if (unit == "d")
    ms_per_unit = 86400e3;
  else
    return std::nullopt;
  // Compared as a double, before any conversion: n may be as large as a double gets.
  double ms = n * ms_per_unit;
  if (!(ms <= static_cast<double>(kMaxDuration.count()))) return std::nullopt;
  return std::chrono::milliseconds(std::llround(ms));
}

std::string FormatDuration(std::chrono::milliseconds duration) {
  int64_t ms = duration.count();
  struct Unit {
    int64_t ms;
    const char* suffix;
  };
  for (Unit u : {Unit{86400000, "d"}, Unit{3600000, "h"}, Unit{60000, "m"}, Unit{1000, "s"}}) {
    if (ms != 0 && ms % u.ms == 0) return std::to_string(ms / u.ms) + u.suffix;
  }
  return std::to_string(ms) + "ms";
}

std::optional<uint64_t> ParseByteSize(std::string_view text) {
  double n = 0;
  std::string unit;
  if (!SplitNumber(text, &n, &unit) || n != std::floor(n)) return std::nullopt;
  double mult = 0;
  if (unit.empty() || unit == "b")
    mult = 1;
  else if (unit == "kb")
    mult = 1e3;
  else if (unit == "mb")
    mult = 1e6;
  else if (unit == "gb")
    mult = 1e9;
  else if (unit == "kib")
    mult = 1024.0;
  else if (unit == "mib")
    mult = 1024.0 * 1024;
  else if (unit == "gib")
    mult = 1024.0 * 1024 * 1024;
  else
    return std::nullopt;
  double bytes = n * mult;
  if (bytes > 9007199254740992.0) return std::nullopt;
  return static_cast<uint64_t>(bytes);
}

}  // namespace gleaner
