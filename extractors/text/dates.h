// Publication dates as pages write them, in French, Arabic and ISO forms, turned into the
// record's form (docs/CONTRACT.md "published"): "YYYY-MM-DD" when only the date is known, ISO 8601
// with the page's own offset when the time is known ("2017-09-20T21:41:00+00:00"; never
// converted; without an offset the local time is written without one). Pure, thread-safe.
//
// Understood (anywhere inside longer text, first match wins):
// - ISO 8601: 2022-10-31, 2022-10-31T14:05, 2022-10-31T14:05:09+01:00, ...Z, 2022-10-31 14:05
// - numeric day first: 31 - 10 - 2022, 31/10/2022, 31.10.2022, 31-10-22 is NOT accepted
//   (two-digit years are ambiguous); optional time after: "31/10/2022 à 14h05", "14:05"
// - day month-name year: "31 octobre 2022", "1er janvier 2020", "lundi 31 oct. 2022";
//   Arabic month names in Middle-Eastern (أكتوبر), Levantine (تشرين الأول), Moroccan
//   (أكتوبر / نونبر / شتنبر / يوليوز / غشت ...) and Algerian/Tunisian (جانفي / جوان / أوت ...)
//   forms, tolerant of hamza/alef and taa-marbuta spellings, harakat and a leading "ال";
//   "31 أكتوبر 2022"
// - Arabic-Indic (٠-٩) and Eastern Arabic-Indic (۰-۹) digits anywhere
// - English month names ("October 31, 2022", "31 October 2022") for the generic extractor
// Times come out as HH:MM:SS (seconds added when the page gives none, fractions dropped);
// offsets as "Z" when written Z, otherwise "+HH:MM" ("+0100" -> "+01:00"; "14:05 GMT+1" ->
// "+01:00"). A bare "+01:00" is read only after an ISO time: in prose "10:00-12:00" is a
// range. Hijri dates are not read (their month names are not Gregorian ones).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace gleaner::text {

// Returns the first date found in `text` in the record's form, or nullopt. Rejects
// impossible dates (31 - 02 - 2022, month 13, year < 1900 or > 2100).
std::optional<std::string> ParseDate(std::string_view text);

}  // namespace gleaner::text
