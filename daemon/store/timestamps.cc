#include "daemon/store/timestamps.h"

#include <cstdio>

#include "extractors/core/ascii.h"
#include "extractors/core/units.h"

namespace gleaner::store {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

// Reads exactly `width` digits at `pos`, advancing it.
std::optional<int> Digits(std::string_view text, size_t& pos, size_t width) {
  if (pos + width > text.size()) return std::nullopt;
  int value = 0;
  for (size_t i = 0; i < width; ++i) {
    char c = text[pos + i];
    if (!IsAsciiDigit(c)) return std::nullopt;
    value = value * 10 + (c - '0');
  }
  pos += width;
  return value;
}

bool Consume(std::string_view text, size_t& pos, char expected) {
  if (pos < text.size() && text[pos] == expected) {
    ++pos;
    return true;
  }
  return false;
}

std::optional<days> ParseDate(std::string_view text, size_t& pos) {
  auto y = Digits(text, pos, 4);
  if (!y || !Consume(text, pos, '-')) return std::nullopt;
  auto m = Digits(text, pos, 2);
  if (!m || !Consume(text, pos, '-')) return std::nullopt;
  auto d = Digits(text, pos, 2);
  if (!d) return std::nullopt;
  std::chrono::year_month_day ymd{std::chrono::year(*y), std::chrono::month(*m),
                                  std::chrono::day(*d)};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days(ymd).time_since_epoch();
}

// "HH:MM[:SS[.fff...]]"
std::optional<milliseconds> ParseClock(std::string_view text, size_t& pos) {
  auto h = Digits(text, pos, 2);
  if (!h || *h > 23 || !Consume(text, pos, ':')) return std::nullopt;
  auto m = Digits(text, pos, 2);
  if (!m || *m > 59) return std::nullopt;
  milliseconds result = hours(*h) + minutes(*m);
  if (!Consume(text, pos, ':')) return result;
  auto s = Digits(text, pos, 2);
  if (!s || *s > 60) return std::nullopt;
  result += seconds(*s);
  if (!Consume(text, pos, '.') && !Consume(text, pos, ',')) return result;
  int fraction_digits = 0;
  int millis = 0;
  while (pos < text.size() && IsAsciiDigit(text[pos])) {
    if (fraction_digits < 3) millis = millis * 10 + (text[pos] - '0');
    ++fraction_digits;
    ++pos;
  }
  if (fraction_digits == 0) return std::nullopt;
  for (int i = fraction_digits; i < 3; ++i) millis *= 10;
  return result + milliseconds(millis);
}

// "Z", "+HH:MM", "+HHMM", "+HH" or nothing (UTC). Returns the offset east of UTC.
std::optional<minutes> ParseOffset(std::string_view text, size_t& pos) {
  if (pos == text.size() || Consume(text, pos, 'Z') || Consume(text, pos, 'z')) return minutes(0);
  int sign = text[pos] == '+' ? 1 : text[pos] == '-' ? -1 : 0;
  if (sign == 0) return std::nullopt;
  ++pos;
  auto h = Digits(text, pos, 2);
  if (!h || *h > 23) return std::nullopt;
  int m = 0;
  if (pos < text.size()) {
    Consume(text, pos, ':');
    auto mm = Digits(text, pos, 2);
    if (!mm || *mm > 59) return std::nullopt;
    m = *mm;
  }
  return minutes(sign * (*h * 60 + m));
}

}  // namespace

Time Now() { return std::chrono::floor<milliseconds>(std::chrono::system_clock::now()); }

int64_t ToMillis(Time time) { return time.time_since_epoch().count(); }

Time FromMillis(int64_t millis) { return Time(milliseconds(millis)); }

std::string LatestPageDay(Time now) {
  return FormatTime(now + std::chrono::hours(14)).substr(0, 10);
}

std::string FormatTime(Time time) {
  auto day = std::chrono::floor<days>(time);
  std::chrono::year_month_day ymd(day);
  std::chrono::hh_mm_ss<milliseconds> clock(time - day);
  char buffer[40];
  std::snprintf(
      buffer, sizeof buffer, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(ymd.year()),
      static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
      static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
      static_cast<int>(clock.seconds().count()), static_cast<int>(clock.subseconds().count()));
  return buffer;
}

std::optional<Time> ParseTime(std::string_view text) {
  size_t pos = 0;
  auto date = ParseDate(text, pos);
  if (!date) return std::nullopt;
  Time result{*date};
  if (pos == text.size()) return result;
  if (!Consume(text, pos, 'T') && !Consume(text, pos, 't') && !Consume(text, pos, ' ')) {
    return std::nullopt;
  }
  auto clock = ParseClock(text, pos);
  if (!clock) return std::nullopt;
  auto offset = ParseOffset(text, pos);
  if (!offset || pos != text.size()) return std::nullopt;
  return result + *clock - *offset;
}

std::optional<Time> ParseSince(std::string_view text, Time now) {
  if (auto time = ParseTime(text)) return time;
  if (auto duration = ParseDuration(text)) return now - *duration;
  return std::nullopt;
}

}  // namespace gleaner::store
