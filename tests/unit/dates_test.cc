// The record's "published" field (docs/CONTRACT.md): the date as the page states it, in the
// record's form. Rows come from the pages gleaner collects (maghress, assahifa, WordPress)
// and from the forms their neighbours use.
#include "extractors/text/dates.h"

#include <catch2/catch.hpp>
#include <optional>
#include <string>

namespace gleaner::text {
namespace {

struct Row {
  const char* text;
  const char* published;  // nullptr: no date
};

void CheckRows(const Row* begin, const Row* end) {
  for (const Row* row = begin; row != end; ++row) {
    INFO("text: " << row->text);
    std::optional<std::string> got = ParseDate(row->text);
    if (row->published == nullptr) {
      CHECK(got == std::nullopt);
    } else {
      CHECK(got == std::optional<std::string>(row->published));
    }
  }
}

TEST_CASE("dates from the fixture pages", "[dates]") {
  const Row rows[] = {
      {"Publié dans Maroc Diplomatique le 31 - 10 - 2022", "2022-10-31"},
      {"Publié dans Barlamane le 17 - 12 - 2020", "2020-12-17"},
      {"نشر في الصحيفة يوم 31 - 10 - 2022", "2022-10-31"},
      {"الإثنين 31 أكتوبر 2022", "2022-10-31"},
      {"06 - 12 - 2023", "2023-12-06"},
      {"2017-09-20T21:41:00+00:00", "2017-09-20T21:41:00+00:00"},
      {"Mis à jour le 3 nov. 2022 à 14h05", "2022-11-03T14:05:00"},
  };
  CheckRows(std::begin(rows), std::end(rows));
}

TEST_CASE("ISO 8601 dates and times keep the page's precision and offset", "[dates]") {
  const Row rows[] = {
      {"2022-10-31", "2022-10-31"},
      {"2022-10-31T14:05:00Z", "2022-10-31T14:05:00Z"},
      {"2022-10-31t14:05z", "2022-10-31T14:05:00Z"},
      {"2022-10-31T14:05", "2022-10-31T14:05:00"},
      {"2022-10-31T14:05:09+01:00", "2022-10-31T14:05:09+01:00"},
      {"2022-10-31T14:05:09-05:30", "2022-10-31T14:05:09-05:30"},
      {"2022-10-31T14:05:09+0100", "2022-10-31T14:05:09+01:00"},
      {"2022-10-31T14:05:09+01", "2022-10-31T14:05:09+01:00"},
      {"2022-10-31T14:05:09.123456Z", "2022-10-31T14:05:09Z"},
      {"2022-10-31 14:05", "2022-10-31T14:05:00"},
      {"2022-10-31 14:05:09 +01:00", "2022-10-31T14:05:09+01:00"},
      {"2022-10-31 10:00 - 12:00", "2022-10-31T10:00:00"},  // a range, not an offset
      {"datePublished: 2022-10-31T14:05:00+01:00, modified 2022-11-02",
       "2022-10-31T14:05:00+01:00"},
      {"2022/10/31", "2022-10-31"},
      {"2022.1.5", "2022-01-05"},
      {"2022-10-31T25:00:00Z", "2022-10-31"},                // an impossible time leaves the date
      {"2022-10-31T14:05:00+15:00", "2022-10-31T14:05:00"},  // no such offset
      {"2024-02-29", "2024-02-29"},
      {"2000-02-29", "2000-02-29"},
  };
  CheckRows(std::begin(rows), std::end(rows));
}

TEST_CASE("numeric day-first dates", "[dates]") {
  const Row rows[] = {
      {"31/10/2022", "2022-10-31"},
      {"31.10.2022", "2022-10-31"},
      {"1/2/2022", "2022-02-01"},
      {"le 31/10/2022 à 14h05", "2022-10-31T14:05:00"},
      {"31/10/2022 14:05", "2022-10-31T14:05:00"},
      {"31/10/2022 - 14:05:30", "2022-10-31T14:05:30"},
      {"31 - 10 - 2022 | 9h", "2022-10-31T09:00:00"},
      {"31/10/2022 à 14 h 05", "2022-10-31T14:05:00"},
      {"31/10/2022 10:00-12:00", "2022-10-31T10:00:00"},  // a range, not an offset
      {"31/10/2022 14:05 GMT", "2022-10-31T14:05:00+00:00"},
      {"31/10/2022 14:05 GMT+1", "2022-10-31T14:05:00+01:00"},
      {"31/10/2022 14:05 UTC-03:00", "2022-10-31T14:05:00-03:00"},
      {"٣١ - ١٠ - ٢٠٢٢", "2022-10-31"},  // Arabic-Indic digits
      {"۳۱/۱۰/۲۰۲۲", "2022-10-31"},      // Eastern Arabic-Indic digits
      {"31\u00A0-\u00A010\u00A0-\u00A02022", "2022-10-31"},
      {"31 \u2013 10 \u2013 2022", "2022-10-31"},  // en dashes
  };
  CheckRows(std::begin(rows), std::end(rows));
}

TEST_CASE("French dates with month names", "[dates]") {
  const Row rows[] = {
      {"31 octobre 2022", "2022-10-31"},
      {"1er janvier 2020", "2020-01-01"},
      {"lundi 31 oct. 2022", "2022-10-31"},
      {"le 5 janv. 2021", "2021-01-05"},
      {"5 janvier 2021", "2021-01-05"},
      {"14 février 2023", "2023-02-14"},
      {"14 fevrier 2023", "2023-02-14"},
      {"14 FÉVRIER 2023", "2023-02-14"},
      {"14 fe\u0301vrier 2023", "2023-02-14"},  // decomposed accent
      {"14 févr. 2023", "2023-02-14"},
      {"14 fév 2023", "2023-02-14"},
      {"3 mars 2023", "2023-03-03"},
      {"3 avr. 2023", "2023-04-03"},
      {"8 mai 2023", "2023-05-08"},
      {"21 juin 2023", "2023-06-21"},
      {"14 juil. 2023", "2023-07-14"},
      {"14 juillet 2023", "2023-07-14"},
      {"15 août 2023", "2023-08-15"},
      {"15 aout 2023", "2023-08-15"},
      {"20 sept. 2017", "2017-09-20"},
      {"20 septembre 2017", "2017-09-20"},
      {"2 nov 2022", "2022-11-02"},
      {"25 déc. 2022", "2022-12-25"},
      {"25 decembre 2022", "2022-12-25"},
      {"Mercredi 6 Décembre 2023 - 10:30", "2023-12-06T10:30:00"},
      {"publié le 31-oct-2022", "2022-10-31"},
      {"il y a 3 ans, le 31 octobre 2022", "2022-10-31"},
  };
  CheckRows(std::begin(rows), std::end(rows));
}

TEST_CASE("Arabic dates in every regional set of month names", "[dates]") {
  const Row rows[] = {
      // Middle-Eastern / Egyptian
      {"31 يناير 2022", "2022-01-31"},
      {"28 فبراير 2022", "2022-02-28"},
      {"1 مارس 2022", "2022-03-01"},
      {"1 أبريل 2022", "2022-04-01"},
      {"1 إبريل 2022", "2022-04-01"},
      {"1 ابريل 2022", "2022-04-01"},
      {"1 مايو 2022", "2022-05-01"},
      {"1 يونيو 2022", "2022-06-01"},
      {"1 يونية 2022", "2022-06-01"},
      {"1 يونيه 2022", "2022-06-01"},  // taa marbuta written as haa
      {"1 يوليو 2022", "2022-07-01"},
      {"1 يولية 2022", "2022-07-01"},
      {"1 أغسطس 2022", "2022-08-01"},
      {"1 اغسطس 2022", "2022-08-01"},
      {"1 سبتمبر 2022", "2022-09-01"},
      {"31 اكتوبر 2022", "2022-10-31"},
      {"1 نوفمبر 2022", "2022-11-01"},
      {"1 ديسمبر 2022", "2022-12-01"},
      {"31 الأكتوبر 2022", "2022-10-31"},  // with the article
      {"الاثنين، 31 أكتوبر، 2022", "2022-10-31"},
      {"٣١ أكتوبر ٢٠٢٢", "2022-10-31"},
      {"31 أكتوبر 2022م", "2022-10-31"},
      {"31 أكْتُوبَر 2022", "2022-10-31"},  // with harakat
      // Levantine
      {"31 كانون الثاني 2022", "2022-01-31"},
      {"1 شباط 2022", "2022-02-01"},
      {"1 آذار 2022", "2022-03-01"},
      {"1 اذار 2022", "2022-03-01"},
      {"1 نيسان 2022", "2022-04-01"},
      {"1 أيار 2022", "2022-05-01"},
      {"1 حزيران 2022", "2022-06-01"},
      {"1 تموز 2022", "2022-07-01"},
      {"1 آب 2022", "2022-08-01"},
      {"1 أيلول 2022", "2022-09-01"},
      {"31 تشرين الأول 2022", "2022-10-31"},
      {"31 تشرين  الاول 2022", "2022-10-31"},
      {"1 تشرين الثاني 2022", "2022-11-01"},
      {"1 تشرين ثاني 2022", "2022-11-01"},
      {"25 كانون الأول 2022", "2022-12-25"},
      // Maghrebi / Moroccan
      {"1 ماي 2022", "2022-05-01"},
      {"1 يوليوز 2022", "2022-07-01"},
      {"1 غشت 2022", "2022-08-01"},
      {"1 شتنبر 2022", "2022-09-01"},
      {"1 نونبر 2022", "2022-11-01"},
      {"1 دجنبر 2022", "2022-12-01"},
      // Algerian / Tunisian
      {"1 جانفي 2022", "2022-01-01"},
      {"1 فيفري 2022", "2022-02-01"},
      {"1 أفريل 2022", "2022-04-01"},
      {"1 جوان 2022", "2022-06-01"},
      {"1 جويلية 2022", "2022-07-01"},
      {"1 أوت 2022", "2022-08-01"},
      // with a time
      {"31 أكتوبر 2022 - 14:05", "2022-10-31T14:05:00"},
      {"31 أكتوبر 2022 على الساعة 14:05", "2022-10-31T14:05:00"},
      {"\u200F31 أكتوبر 2022\u200F", "2022-10-31"},  // bidi marks
      // a Hijri date first: its month is not a Gregorian one, so the Gregorian date wins
      {"الاثنين 6 ربيع الآخر 1444 هـ الموافق 31 أكتوبر 2022 م", "2022-10-31"},
  };
  CheckRows(std::begin(rows), std::end(rows));
}

TEST_CASE("English dates for the generic extractor", "[dates]") {
  const Row rows[] = {
      {"October 31, 2022", "2022-10-31"},
      {"Oct. 31st 2022", "2022-10-31"},
      {"Published Oct 31, 2022 at 2:05 pm", "2022-10-31T14:05:00"},
      {"Oct 31, 2022 12:30 am", "2022-10-31T00:30:00"},
      {"31 October 2022", "2022-10-31"},
      {"May 2, 2023", "2023-05-02"},
      {"2nd May 2023", "2023-05-02"},
  };
  CheckRows(std::begin(rows), std::end(rows));
}

TEST_CASE("what is not a date is refused", "[dates]") {
  const Row rows[] = {
      {"", nullptr},
      {"aucune date ici", nullptr},
      {"31-10-22", nullptr},          // two-digit year
      {"31/10/22 à 14h05", nullptr},  // two-digit year
      {"31 - 02 - 2022", nullptr},    // no 31 February
      {"29/02/2023", nullptr},        // not a leap year
      {"1900-02-29", nullptr},        // not a leap year either
      {"31/13/2022", nullptr},        // month 13
      {"00/10/2022", nullptr},        // day 0
      {"10/31/2022", nullptr},        // month-first US order is not read
      {"31/10/1899", nullptr},        // too old
      {"1/1/2101", nullptr},          // too far
      {"2022-13-01", nullptr},
      {"2022-10-32", nullptr},
      {"20222-10-31", nullptr},  // five-digit year
      {"2022-10-311", nullptr},
      {"31/10-2022", nullptr},    // mixed separators
      {"octobre 2022", nullptr},  // no day
      {"31 octobre", nullptr},    // no year
      {"31 octobre 22", nullptr},
      {"31 octobres 2022", nullptr},  // not a month name
      {"31 mar 2022", "2022-03-31"},  // (control: "mar" is March)
      {"le 12 mardi 2022", nullptr},
      {"385 ألف تأشيرة منذ 2022", nullptr},
      {"جميع الحقوق محفوظة © الصحيفة 2022", nullptr},
      {"6 ربيع الآخر 1444 هـ", nullptr},  // Hijri only
      {"Coupe du Monde de la FIFA 2022.", nullptr},
      {"3.14159", nullptr},
      {"version 1.2.3", nullptr},
      {"tel. 05 22 31 10 20", nullptr},
  };
  CheckRows(std::begin(rows), std::end(rows));
}

TEST_CASE("the first date in the text wins, with its own time only", "[dates]") {
  const Row rows[] = {
      {"Publié le 31/10/2022 à 14h05, mis à jour le 1er novembre 2022 à 9h", "2022-10-31T14:05:00"},
      {"Mis à jour le 1er novembre 2022. Publié le 31/10/2022", "2022-11-01"},
      {"31 octobre 2022 : 14 personnes arrêtées", "2022-10-31"},
      {"31 octobre 2022 12 personnes", "2022-10-31"},
      {"31 octobre 2022 à 14 heures", "2022-10-31"},
      {"31/02/2022 puis 01/03/2022", "2022-03-01"},  // an impossible date is skipped
  };
  CheckRows(std::begin(rows), std::end(rows));
}

TEST_CASE("invalid UTF-8 around a date does not hide it", "[dates]") {
  CHECK(ParseDate("\xFF\xFE le 31/10/2022 \xC3") == "2022-10-31");
}

}  // namespace
}  // namespace gleaner::text
