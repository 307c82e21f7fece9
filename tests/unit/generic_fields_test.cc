// The generic extractor's fields other than the body, on small hand-written pages: the
// publication date (an article's, never a page's or a modification's, never one that
// belongs to a listed item), the headline as the reader sees it, and the byline's name.
#include <catch2/catch.hpp>
#include <optional>
#include <string>

#include "extractors/generic/generic.h"
#include "extractors/html/dom.h"
#include "extractors/html/metadata.h"

namespace gleaner::generic {
namespace {

using Opt = std::optional<std::string>;

// Enough prose for the scoring to find a body.
const std::string kProse =
    "<div class=\"entry-content\"><p>The ministry announced on Monday, after weeks of talks "
    "with the regional councils, that the new water network will reach forty villages before "
    "the end of the year.</p><p>Engineers said the pipes, pumps and reservoirs had been "
    "tested in the spring, and that the first villages, in the north of the province, would "
    "be connected in June.</p><p>Residents, who have relied on wells and tanker trucks for "
    "decades, welcomed the news, although several farmers said the tariffs were still too "
    "high for them.</p></div>";

std::string Page(const std::string& body, const std::string& head = "") {
  return "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">" + head +
         "</head><body>" + body + "</body></html>";
}

std::string JsonLd(const std::string& json) {
  return "<script type=\"application/ld+json\">" + json + "</script>";
}

Article Extract(const std::string& html, Opt url = "https://news.example/a/1",
                Opt today = std::nullopt) {
  auto doc = html::ParseHtml(html);
  REQUIRE(doc.has_value());
  GenericInput input{std::move(url), html::ReadMetadata(*doc), std::move(today)};
  auto article = ExtractGeneric(*doc, input);
  REQUIRE(article.has_value());
  return *article;
}

TEST_CASE("the date: an article's, never a page's or a modification's", "[generic]") {
  SECTION("a WebPage object's date that the page never shows is not a publication") {
    Article a = Extract(Page("<h1>Water network services</h1>" + kProse,
                             JsonLd(R"({"@type":"WebPage","datePublished":"2020-07-04"})")));
    CHECK(a.published == std::nullopt);
  }
  SECTION("the same date shown to the reader is") {
    Article a = Extract(
        Page("<h1>Water for forty villages</h1>" + kProse + "<p class=\"when\">July 4, 2020</p>",
             JsonLd(R"({"@type":"WebPage","datePublished":"2020-07-04"})")));
    CHECK(a.published == "2020-07-04");
  }
  SECTION("an article object's date needs no confirmation") {
    Article a = Extract(Page("<h1>Water for forty villages</h1>" + kProse,
                             JsonLd(R"({"@type":"BlogPosting","datePublished":"2020-07-04"})")));
    CHECK(a.published == "2020-07-04");
  }
  SECTION("a modification date alone gives none") {
    Article a = Extract(
        Page("<h1>Water for forty villages</h1>" + kProse,
             "<meta property=\"article:modified_time\" content=\"2021-04-15T00:07:20+00:00\">" +
                 JsonLd(R"({"@type":"Article","dateModified":"2021-04-15"})")));
    CHECK(a.published == std::nullopt);
  }
  SECTION("a <time> that dates an update is not the publication") {
    Article a = Extract(Page("<h1>Water for forty villages</h1>" + kProse +
                             "<p class=\"last-modified\">This page was last modified on "
                             "<time datetime=\"2025-08-20\">Aug 20, 2025</time></p>"));
    CHECK(a.published == std::nullopt);
  }
}

TEST_CASE("the date: lines around the headline, the URL, named elements", "[generic]") {
  SECTION("a date line just above the headline, in its heading block") {
    Article a =
        Extract(Page("<header><span class=\"info\">December 17, 2025</span>"
                     "<h1>Stop nesting database systems</h1></header>" +
                     kProse));
    CHECK(a.published == "2025-12-17");
  }
  SECTION("a listing: the date under a linked teaser heading is that item's") {
    Article a =
        Extract(Page("<h1>Latest news</h1><h2><a href=\"/a/2\">Forty villages get "
                     "water</a></h2><p>September 12, 2025</p>" +
                     kProse));
    CHECK(a.published == std::nullopt);
  }
  SECTION("the date a URL's path is filed under") {
    Article a = Extract(Page("<h1>Water for forty villages</h1>" + kProse),
                        "https://blog.example/2020/12/17/water-for-forty-villages/");
    CHECK(a.published == "2020-12-17");
  }
  SECTION("an element named like a date counts only on a page that says it is an article") {
    std::string body = kProse + "<div class=\"post-date\">March 3, 2024</div>";
    CHECK(Extract(Page("<h1>Our services</h1>" + body)).published == std::nullopt);
    CHECK(Extract(Page("<h1>Water for forty villages</h1>" + body,
                       "<meta property=\"og:type\" content=\"article\">"))
              .published == "2024-03-03");
  }
  SECTION("a date after today is no publication date") {
    std::string html = Page("<h1>Water for forty villages</h1>" + kProse,
                            JsonLd(R"({"@type":"NewsArticle","datePublished":"2027-01-05"})"));
    CHECK(Extract(html, std::nullopt, "2026-12-06").published == std::nullopt);
    CHECK(Extract(html, std::nullopt, "2027-02-01").published == "2027-01-05");
  }
}

TEST_CASE("the title is the headline the reader sees", "[generic]") {
  SECTION("an <h1> beats an og:title reworded for search engines") {
    Article a = Extract(Page("<h1>Top 10: best language learning apps</h1>" + kProse,
                             "<meta property=\"og:title\" content=\"Best Apps to Learn a "
                             "Language in 2025\"><title>Best Apps | Site</title>"));
    CHECK(a.title == "Top 10: best language learning apps");
  }
  SECTION("the logo's <h1>, a link to the front page, is not the headline") {
    Article a =
        Extract(Page("<h1><a href=\"/\">Engora Data Blog</a></h1>"
                     "<h1>Small adventures with small language models</h1>" +
                     kProse));
    CHECK(a.title == "Small adventures with small language models");
  }
  SECTION("a documentation heading's permalink mark is not part of it") {
    Article a = Extract(Page("<h1>Logging HOWTO\u00b6</h1>" + kProse));
    CHECK(a.title == "Logging HOWTO");
  }
}

TEST_CASE("the author is the byline's name alone", "[generic]") {
  auto author = [](const std::string& byline) {
    return Extract(Page("<h1>Water for forty villages</h1><div class=\"author\">" + byline +
                        "</div>" + kProse))
        .author;
  };
  CHECK(author("By Luke Kim December 17, 2025") == "Luke Kim");
  CHECK(author("Posted by: Idle Cartulary") == "Idle Cartulary");
  CHECK(author("Silverback Strategies | October 15, 2025") == "Silverback Strategies");
  CHECK(author("By X. Writer on 4 August 2021") == "X. Writer");
  CHECK(author("Brian Becker 7 min read") == "Brian Becker");
  CHECK(author("By Brett Cruz, Privacy and Digital Security Expert") == "Brett Cruz");
  CHECK(author("Angela Holliday-Bell, MD") == "Angela Holliday-Bell, MD");
  CHECK(author("paulb203") == "paulb203");
  CHECK(author("Author") == std::nullopt);
}

}  // namespace
}  // namespace gleaner::generic
