// A hand-written scanner over code points. The text is first folded (digits to ASCII,
// Latin lower-cased without accents, Arabic hamza/alef/taa-marbuta variants unified,
// diacritics and bidi marks dropped, white space collapsed) so that each form is matched by
// one simple rule; then every position where a number or a word starts is tried, and the
// first position that gives a valid date wins.
#include "extractors/text/dates.h"

#include <unicode/uchar.h>

#include <algorithm>
#include <array>
#include <vector>

#include "extractors/core/utf8.h"
#include "extractors/text/normalize.h"

namespace gleaner::text {
namespace {

// Years outside this range are page furniture ("© 1870", product numbers), not dates.
constexpr int kMinYear = 1900;
constexpr int kMaxYear = 2100;
// Connector words ("à", "-", "الساعة") allowed between a date and its time; more than this
// and the number is something else ("31 octobre 2022 : 14 personnes ...").
constexpr int kMaxTimeConnectors = 3;
// Largest UTC offset in use (Kiribati, +14:00).
constexpr int kMaxOffsetHours = 14;

// ---------------------------------------------------------------------------------------
// Folding

bool IsFoldedLetter(char32_t c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  if (c >= 0x0620 && c <= 0x064A) return true;  // Arabic letters: most of an Arabic page
  return u_isalpha(static_cast<UChar32>(c));
}

// Characters that carry nothing for date matching: Arabic harakat and tatweel, combining
// accents (decomposed input), zero-width and bidi controls, soft hyphen.
bool IsIgnorable(char32_t c) {
  return (c >= 0x064B && c <= 0x065F) || c == 0x0670 || c == 0x0640 ||
         (c >= 0x0300 && c <= 0x036F) || (c >= 0x200B && c <= 0x200F) ||
         (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) || c == 0x061C ||
         c == 0xFEFF || c == 0x00AD;
}

// Latin-1 letters without their accent, lower-cased; 0 when `c` is not one.
char32_t FoldLatin1(char32_t c) {
  static constexpr std::u32string_view kFrom = U"àáâãäåçèéêëìíîïñòóôõöùúûüýÿ";
  static constexpr std::u32string_view kTo = U"aaaaaaceeeeiiiinooooouuuuyy";
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) c += 0x20;
  size_t i = kFrom.find(c);
  return i == std::u32string_view::npos ? 0 : kTo[i];
}

char32_t FoldCodePoint(char32_t c) {
  if (c >= 'A' && c <= 'Z') return c - 'A' + 'a';
  if (c < 0x80 || (c >= 0x062A && c <= 0x0648)) return c;     // ASCII, most Arabic letters
  if (c >= 0x0660 && c <= 0x0669) return '0' + (c - 0x0660);  // Arabic-Indic digits
  if (c >= 0x06F0 && c <= 0x06F9) return '0' + (c - 0x06F0);  // Eastern Arabic-Indic
  if (c <= 0xFF) {
    if (char32_t latin = FoldLatin1(c)) return latin;
  }
  switch (c) {
    case 0x0622:  // آ
    case 0x0623:  // أ
    case 0x0625:  // إ
    case 0x0671:  // ٱ
      return 0x0627;
    case 0x0629:  // ة
      return 0x0647;
    case 0x0649:  // ى
      return 0x064A;
    case 0x060C:  // Arabic comma
      return ',';
    case 0x2044:
    case 0x2215:
      return '/';
    default:
      break;
  }
  if ((c >= 0x2010 && c <= 0x2015) || c == 0x2212) return '-';
  return c;
}

// The folded text: white space runs become one ' ', ignorable characters vanish.
std::u32string Fold(std::string_view utf8) {
  std::u32string out;
  out.reserve(utf8.size());
  for (size_t i = 0; i < utf8.size();) {
    auto d = DecodeUtf8(utf8, i);
    i += d.length;
    if (IsIgnorable(d.code_point)) continue;
    if (IsSpace(d.code_point)) {
      if (!out.empty() && out.back() != ' ') out += ' ';
      continue;
    }
    out += FoldCodePoint(d.code_point);
  }
  return out;
}

std::u32string Fold32(std::u32string_view s) {
  std::string utf8;
  for (char32_t c : s) AppendUtf8(utf8, c);
  return Fold(utf8);
}

// ---------------------------------------------------------------------------------------
// Month names, written as pages write them; folded once at start-up.

struct MonthName {
  std::u32string_view name;
  int month;
};

constexpr MonthName kMonthNames[] = {
    // French, with accents and the usual abbreviations (a trailing '.' is optional).
    {U"janvier", 1},
    {U"janv", 1},
    {U"février", 2},
    {U"févr", 2},
    {U"fév", 2},
    {U"mars", 3},
    {U"avril", 4},
    {U"avr", 4},
    {U"mai", 5},
    {U"juin", 6},
    {U"juillet", 7},
    {U"juil", 7},
    {U"août", 8},
    {U"septembre", 9},
    {U"sept", 9},
    {U"octobre", 10},
    {U"novembre", 11},
    {U"décembre", 12},
    {U"déc", 12},
    // English (the generic extractor meets English pages and metadata).
    {U"january", 1},
    {U"jan", 1},
    {U"february", 2},
    {U"feb", 2},
    {U"march", 3},
    {U"mar", 3},
    {U"april", 4},
    {U"apr", 4},
    {U"may", 5},
    {U"june", 6},
    {U"jun", 6},
    {U"july", 7},
    {U"jul", 7},
    {U"august", 8},
    {U"aug", 8},
    {U"september", 9},
    {U"sep", 9},
    {U"october", 10},
    {U"oct", 10},
    {U"november", 11},
    {U"nov", 11},
    {U"december", 12},
    {U"dec", 12},
    // Arabic, Middle-Eastern / Egyptian.
    {U"يناير", 1},
    {U"فبراير", 2},
    {U"مارس", 3},
    {U"أبريل", 4},
    {U"إبريل", 4},
    {U"مايو", 5},
    {U"يونيو", 6},
    {U"يونية", 6},
    {U"يوليو", 7},
    {U"يولية", 7},
    {U"أغسطس", 8},
    {U"سبتمبر", 9},
    {U"أكتوبر", 10},
    {U"نوفمبر", 11},
    {U"ديسمبر", 12},
    // Arabic, Levantine (and their forms without the article).
    {U"كانون الثاني", 1},
    {U"كانون ثاني", 1},
    {U"شباط", 2},
    {U"آذار", 3},
    {U"نيسان", 4},
    {U"أيار", 5},
    {U"حزيران", 6},
    {U"تموز", 7},
    {U"آب", 8},
    {U"أيلول", 9},
    {U"تشرين الأول", 10},
    {U"تشرين أول", 10},
    {U"تشرين الثاني", 11},
    {U"تشرين ثاني", 11},
    {U"كانون الأول", 12},
    {U"كانون أول", 12},
    // Arabic, Moroccan.
    {U"ماي", 5},
    {U"يوليوز", 7},
    {U"غشت", 8},
    {U"شتنبر", 9},
    {U"نونبر", 11},
    {U"دجنبر", 12},
    // Arabic, Algerian / Tunisian.
    {U"جانفي", 1},
    {U"فيفري", 2},
    {U"أفريل", 4},
    {U"جوان", 6},
    {U"جويلية", 7},
    {U"أوت", 8},
};

struct FoldedMonth {
  std::u32string name;
  int month;
};

// Sorted by name, so the candidates for a word are the range sharing its first letter.
const std::vector<FoldedMonth>& FoldedMonths() {
  static const auto* const months = [] {
    auto* v = new std::vector<FoldedMonth>();
    for (const MonthName& m : kMonthNames) v->push_back({Fold32(m.name), m.month});
    std::sort(v->begin(), v->end(),
              [](const FoldedMonth& a, const FoldedMonth& b) { return a.name < b.name; });
    return v;
  }();
  return *months;
}

// Words allowed between a date and its time (folded).
constexpr std::u32string_view kTimeConnectors[] = {U"a", U"at", U"vers", U"الساعه", U"علي", U"في"};

// ---------------------------------------------------------------------------------------
// Scanning

// Appends `value` (REQUIRES: 0 <= value < 10^width) zero-padded to `width` digits.
void AppendDigits(std::string& out, int value, int width) {
  std::string digits(static_cast<size_t>(width), '0');
  for (int i = width - 1; i >= 0 && value > 0; --i, value /= 10) {
    digits[static_cast<size_t>(i)] = static_cast<char>('0' + value % 10);
  }
  out += digits;
}

struct Date {
  int year = 0;
  int month = 0;
  int day = 0;
  size_t end = 0;           // position just after the date in the folded text
  bool year_first = false;  // an ISO-style date, which may carry an ISO time and offset
};

struct Time {
  int hour = 0;
  int minute = 0;
  int second = 0;
  std::string offset;  // "", "Z" or "+HH:MM"
};

class Scanner {
 public:
  explicit Scanner(std::u32string_view text) : text_(text) {}

  std::optional<std::string> FirstDate() const {
    for (size_t pos = 0; pos < text_.size(); ++pos) {
      std::optional<Date> date;
      if (IsDigit(pos) && !IsDigit(pos - 1)) {
        date = YearFirst(pos);
        if (!date) date = DayFirstNumeric(pos);
        if (!date) date = DayMonthNameYear(pos);
      } else if (IsLetter(pos) && !IsLetter(pos - 1)) {
        date = MonthNameDayYear(pos);
      }
      if (date && IsValidDate(*date)) return Format(*date, TimeAfter(*date));
    }
    return std::nullopt;
  }

 private:
  // Out-of-range positions (including size_t(-1) for "before the start") read as 0.
  char32_t At(size_t pos) const { return pos < text_.size() ? text_[pos] : 0; }
  bool IsDigit(size_t pos) const { return At(pos) >= '0' && At(pos) <= '9'; }
  bool IsLetter(size_t pos) const { return pos < text_.size() && IsFoldedLetter(text_[pos]); }
  size_t SkipSpaces(size_t pos) const {
    while (At(pos) == ' ') ++pos;
    return pos;
  }

  // A number of min..max digits at `pos`, not followed by another digit.
  std::optional<int> Number(size_t& pos, int min_digits, int max_digits) const {
    int value = 0;
    int digits = 0;
    size_t p = pos;
    while (IsDigit(p) && digits < max_digits) {
      value = value * 10 + static_cast<int>(At(p) - '0');
      ++digits;
      ++p;
    }
    if (digits < min_digits || IsDigit(p)) return std::nullopt;
    pos = p;
    return value;
  }

  // One of `separators` at `pos`, with optional spaces around it; returns it or 0.
  char32_t Separator(size_t& pos, std::u32string_view separators) const {
    size_t p = SkipSpaces(pos);
    if (p >= text_.size() || separators.find(text_[p]) == std::u32string_view::npos) return 0;
    pos = SkipSpaces(p + 1);
    return text_[p];
  }

  bool StartsWith(size_t pos, std::u32string_view word) const {
    return text_.substr(std::min(pos, text_.size())).substr(0, word.size()) == word;
  }

  // A whole word (or two-word Levantine name) `word` at `pos`.
  bool WordAt(size_t pos, std::u32string_view word) const {
    return StartsWith(pos, word) && !IsLetter(pos + word.size());
  }

  // A month name at `pos` (optionally with the Arabic article "ال", optionally an
  // abbreviation's '.'); returns the month and moves `pos` past it.
  std::optional<int> MonthName(size_t& pos) const {
    static constexpr std::u32string_view kArticle = U"\u0627\u0644";  // ال
    for (size_t start : {pos, pos + kArticle.size()}) {
      if (start != pos && !StartsWith(pos, kArticle)) break;
      const auto& months = FoldedMonths();
      auto first =
          std::lower_bound(months.begin(), months.end(), At(start),
                           [](const FoldedMonth& m, char32_t c) { return m.name.front() < c; });
      for (auto it = first; it != months.end() && it->name.front() == At(start); ++it) {
        const FoldedMonth& m = *it;
        if (!WordAt(start, m.name)) continue;
        pos = start + m.name.size();
        if (At(pos) == '.') ++pos;
        return m.month;
      }
    }
    return std::nullopt;
  }

  // A day number with an optional ordinal suffix: "1er", "31st", "2nd", "3rd", "4th".
  std::optional<int> Day(size_t& pos) const {
    size_t p = pos;
    auto day = Number(p, 1, 2);
    if (!day) return std::nullopt;
    for (std::u32string_view suffix : {U"er", U"st", U"nd", U"rd", U"th"}) {
      if (WordAt(p, suffix)) {
        p += suffix.size();
        break;
      }
    }
    pos = p;
    return day;
  }

  // 2022-10-31, 2022/10/31, 2022.10.31 (the same separator twice).
  std::optional<Date> YearFirst(size_t pos) const {
    auto year = Number(pos, 4, 4);
    if (!year) return std::nullopt;
    char32_t sep = Separator(pos, U"-/.");
    if (sep == 0) return std::nullopt;
    auto month = Number(pos, 1, 2);
    if (!month || Separator(pos, std::u32string_view(&sep, 1)) == 0) return std::nullopt;
    auto day = Number(pos, 1, 2);
    if (!day) return std::nullopt;
    return Date{*year, *month, *day, pos, true};
  }

  // 31 - 10 - 2022, 31/10/2022, 31.10.2022 (four-digit year only).
  std::optional<Date> DayFirstNumeric(size_t pos) const {
    auto day = Number(pos, 1, 2);
    if (!day) return std::nullopt;
    char32_t sep = Separator(pos, U"-/.");
    if (sep == 0) return std::nullopt;
    auto month = Number(pos, 1, 2);
    if (!month || Separator(pos, std::u32string_view(&sep, 1)) == 0) return std::nullopt;
    auto year = Number(pos, 4, 4);
    if (!year) return std::nullopt;
    return Date{*year, *month, *day, pos};
  }

  // 31 octobre 2022, 1er janv. 2020, 31-oct-2022, 31 أكتوبر 2022, 31 تشرين الأول 2022.
  std::optional<Date> DayMonthNameYear(size_t pos) const {
    auto day = Day(pos);
    if (!day) return std::nullopt;
    Separator(pos, U"-/.");
    pos = SkipSpaces(pos);
    auto month = MonthName(pos);
    if (!month) return std::nullopt;
    Separator(pos, U",-/.");
    pos = SkipSpaces(pos);
    auto year = Number(pos, 4, 4);
    if (!year) return std::nullopt;
    return Date{*year, *month, *day, pos};
  }

  // October 31, 2022; Oct. 31st 2022.
  std::optional<Date> MonthNameDayYear(size_t pos) const {
    auto month = MonthName(pos);
    if (!month) return std::nullopt;
    pos = SkipSpaces(pos);
    auto day = Day(pos);
    if (!day) return std::nullopt;
    Separator(pos, U",");
    pos = SkipSpaces(pos);
    auto year = Number(pos, 4, 4);
    if (!year) return std::nullopt;
    return Date{*year, *month, *day, pos};
  }

  // ---- time -----------------------------------------------------------------------------

  // The time written right after `date`: "T14:05:09Z" or " 14:05:09+01:00" for ISO dates,
  // and after connectors ("à", "-", ",", "الساعة") for all.
  std::optional<Time> TimeAfter(const Date& date) const {
    size_t pos = date.end;
    if (date.year_first) {
      if (At(pos) == 't') return Clock(pos + 1, /*iso=*/true);
      if (At(pos) == ' ' && IsDigit(pos + 1)) {
        if (auto time = Clock(pos + 1, /*iso=*/true)) return time;
      }
    }
    return Clock(SkipConnectors(pos), /*iso=*/false);
  }

  size_t SkipConnectors(size_t pos) const {
    for (int i = 0; i < kMaxTimeConnectors; ++i) {
      pos = SkipSpaces(pos);
      char32_t c = At(pos);
      if (c == ',' || c == '-' || c == '|' || c == '/' || c == '@' || c == ':') {
        ++pos;
        continue;
      }
      bool found = false;
      for (std::u32string_view word : kTimeConnectors) {
        if (WordAt(pos, word)) {
          pos += word.size();
          found = true;
          break;
        }
      }
      if (!found) break;
    }
    return SkipSpaces(pos);
  }

  // 14:05, 14:05:09(.123), 14h05, 14 h 05, 14h, 2:05 pm; then an offset if any. A bare
  // signed offset is only read in `iso` form: in prose "10:00-12:00" is a range.
  std::optional<Time> Clock(size_t pos, bool iso) const {
    auto hour = Number(pos, 1, 2);
    if (!hour) return std::nullopt;
    Time t;
    t.hour = *hour;
    bool read = At(pos) == ':' ? ColonMinutes(pos, t) : FrenchMinutes(pos, t);
    if (!read || !Meridiem(pos, t.hour)) return std::nullopt;
    if (t.hour > 23 || t.minute > 59 || t.second > 59) return std::nullopt;
    t.offset = Offset(pos, iso);
    return t;
  }

  // ":05" or ":05:09" with an optional fraction (dropped: seconds are the record's precision).
  bool ColonMinutes(size_t& pos, Time& t) const {
    size_t p = pos + 1;
    auto minute = Number(p, 2, 2);
    if (!minute) return false;
    t.minute = *minute;
    if (At(p) == ':' && IsDigit(p + 1)) {
      ++p;
      auto second = Number(p, 2, 2);
      if (!second) return false;
      t.second = *second;
      if ((At(p) == '.' || At(p) == ',') && IsDigit(p + 1)) {
        ++p;
        while (IsDigit(p)) ++p;
      }
    }
    pos = p;
    return true;
  }

  // "h05", " h 05" or a lone "h" (on the hour), as French pages write times.
  bool FrenchMinutes(size_t& pos, Time& t) const {
    size_t p = SkipSpaces(pos);
    if (At(p) != 'h' || IsLetter(p + 1)) return false;
    ++p;
    size_t q = SkipSpaces(p);
    if (IsDigit(q)) {
      auto minute = Number(q, 2, 2);
      if (!minute) return false;
      t.minute = *minute;
      p = q;
    }
    pos = p;
    return true;
  }

  // "am"/"pm" after the time adjusts `hour`; false for an hour that cannot carry one.
  bool Meridiem(size_t& pos, int& hour) const {
    size_t p = SkipSpaces(pos);
    bool pm = WordAt(p, U"pm");
    if (!pm && !WordAt(p, U"am")) return true;
    if (hour < 1 || hour > 12) return false;
    hour = (hour % 12) + (pm ? 12 : 0);
    pos = p + 2;
    return true;
  }

  // "Z", "+01:00", "+0100", "+01" (ISO only), " GMT", " UTC+1" -> "Z" or "+HH:MM"; "" when
  // there is none.
  std::string Offset(size_t pos, bool iso) const {
    if (iso && At(pos) == 'z' && !IsLetter(pos + 1)) return "Z";
    size_t p = SkipSpaces(pos);
    // ISO-like stamps from some CMSs put one space before the offset.
    if (iso && (At(p) == '+' || At(p) == '-') && p <= pos + 1) {
      return SignedOffset(p, /*short_hours=*/false).value_or("");
    }
    if (!StartsWith(p, U"gmt") && !StartsWith(p, U"utc")) return "";
    size_t q = p + 3;
    if (At(q) == '+' || At(q) == '-') return SignedOffset(q, /*short_hours=*/true).value_or("");
    return IsLetter(q) ? "" : "+00:00";
  }

  // ±HH:MM, ±HHMM, ±HH (and ±H after GMT/UTC), written back as ±HH:MM.
  std::optional<std::string> SignedOffset(size_t pos, bool short_hours) const {
    char sign = At(pos) == '-' ? '-' : '+';
    ++pos;
    size_t start = pos;
    while (IsDigit(pos)) ++pos;
    size_t digits = pos - start;
    int hours = 0;
    int minutes = 0;
    auto value = [&](size_t from, size_t n) {
      int v = 0;
      for (size_t i = 0; i < n; ++i) v = v * 10 + static_cast<int>(At(from + i) - '0');
      return v;
    };
    if (digits == 4) {
      hours = value(start, 2);
      minutes = value(start + 2, 2);
    } else if (digits == 2 || (digits == 1 && short_hours)) {
      hours = value(start, digits);
      if (At(pos) == ':' && IsDigit(pos + 1) && IsDigit(pos + 2) && !IsDigit(pos + 3)) {
        minutes = value(pos + 1, 2);
      }
    } else {
      return std::nullopt;
    }
    if (hours > kMaxOffsetHours || minutes > 59) return std::nullopt;
    std::string out(1, sign);
    AppendDigits(out, hours, 2);
    out += ':';
    AppendDigits(out, minutes, 2);
    return out;
  }

  static bool IsLeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

  static bool IsValidDate(const Date& d) {
    static constexpr std::array<int, 12> kDays = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (d.year < kMinYear || d.year > kMaxYear || d.month < 1 || d.month > 12) return false;
    if (d.day < 1 || d.day > kDays[d.month - 1]) return false;
    return d.month != 2 || d.day < 29 || IsLeapYear(d.year);
  }

  static std::string Format(const Date& d, const std::optional<Time>& t) {
    std::string out;
    AppendDigits(out, d.year, 4);
    out += '-';
    AppendDigits(out, d.month, 2);
    out += '-';
    AppendDigits(out, d.day, 2);
    if (!t) return out;
    out += 'T';
    AppendDigits(out, t->hour, 2);
    out += ':';
    AppendDigits(out, t->minute, 2);
    out += ':';
    AppendDigits(out, t->second, 2);
    return out + t->offset;
  }

  std::u32string_view text_;
};

}  // namespace

std::optional<std::string> ParseDate(std::string_view text) {
  std::u32string folded = Fold(text);
  return Scanner(folded).FirstDate();
}

}  // namespace gleaner::text
