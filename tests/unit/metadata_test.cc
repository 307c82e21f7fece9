// Page metadata: Open Graph, meta tags, JSON-LD, canonical link, language.
#include "extractors/html/metadata.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <string>

#include "extractors/html/dom.h"

namespace gleaner::html {
namespace {

using Opt = std::optional<std::string>;

PageMetadata Read(const std::string& html) {
  auto doc = ParseHtml(html);
  REQUIRE(doc.has_value());
  return ReadMetadata(*doc);
}

std::string JsonLd(const std::string& json) {
  return "<script type=\"application/ld+json\">" + json + "</script>";
}

TEST_CASE("the WordPress fixture's metadata", "[metadata]") {
  std::ifstream in(
      std::string(GLEANER_SOURCE_DIR) +
      "/tests/fixtures/pages/wordpress-fr-2017-09-20-internet-terroristes/source.html");
  std::stringstream buffer;
  buffer << in.rdbuf();
  REQUIRE(!buffer.str().empty());
  PageMetadata meta = Read(buffer.str());
  CHECK(meta.published == Opt("2017-09-20T21:41:00+00:00"));
  CHECK(meta.author == Opt("R\u00e9daction"));
  CHECK(meta.canonical == Opt("https://maroc-diplomatique.net/"
                              "la-lutte-contre-lutilisation-dinternet-par-les-terroristes/"));
  CHECK(meta.language == Opt("fr"));
  CHECK(meta.site_name == Opt("Maroc Diplomatique"));
  REQUIRE(meta.title.has_value());
  CHECK(meta.title->rfind("La lutte contre l\u2019utilisation d\u2019Internet", 0) == 0);
}

TEST_CASE("Open Graph and meta tags, cleaned", "[metadata]") {
  PageMetadata meta = Read(
      "<html lang='AR-ma'><head><title>  Site |\n Story </title>"
      "<meta property='og:title' content=' The  story '>"
      "<meta name='twitter:title' content='Tweet title'>"
      "<meta property='article:published_time' content='2022-10-31T10:00:00+01:00'>"
      "<meta name='description' content='Desc'><meta property='og:description' content='OG'>"
      "<meta property='og:site_name' content='Maghress'>"
      "<link rel='Canonical' href=' https://example.com/a '>"
      "</head><body><time datetime='2001-01-01'>old</time></body></html>");
  CHECK(meta.title == Opt("The story"));
  CHECK(meta.html_title == Opt("Site | Story"));
  CHECK(meta.published == Opt("2022-10-31T10:00:00+01:00"));
  CHECK(meta.description == Opt("Desc"));
  CHECK(meta.site_name == Opt("Maghress"));
  CHECK(meta.canonical == Opt("https://example.com/a"));
  CHECK(meta.language == Opt("ar"));
  CHECK_FALSE(meta.author.has_value());
  CHECK_FALSE(meta.jsonld_body.has_value());
}

TEST_CASE("fallbacks: twitter title, meta date, <time>, og:locale", "[metadata]") {
  PageMetadata meta = Read(
      "<head><meta name='twitter:title' content='Tweet title'>"
      "<meta property='og:locale' content='ar_AR'>"
      "<meta property='og:description' content='OG'></head>"
      "<body><time>no attr</time><time datetime=' 2020-12-17 '>17</time></body>");
  CHECK(meta.title == Opt("Tweet title"));
  CHECK(meta.published == Opt("2020-12-17"));
  CHECK(meta.language == Opt("ar"));
  CHECK(meta.description == Opt("OG"));
  CHECK(Read("<meta name='DC.date' content='2019-05-01'><time datetime='2001-01-01'>").published ==
        Opt("2019-05-01"));
}

TEST_CASE("article:author that is a URL is not a name", "[metadata]") {
  CHECK_FALSE(
      Read("<meta property='article:author' content='https://facebook.com/x'>").author.has_value());
  CHECK(Read("<meta property='article:author' content='Jane Doe'>").author == Opt("Jane Doe"));
  CHECK(
      Read("<meta name='author' content='A'><meta property='article:author' content='B'>").author ==
      Opt("A"));
}

TEST_CASE("JSON-LD article fields, in @graph and arrays, authors of every shape", "[metadata]") {
  SECTION("@graph with a WebPage first") {
    PageMetadata meta = Read(JsonLd(R"({"@context":"https://schema.org","@graph":[
        {"@type":"WebPage","name":"Site","headline":"Page headline","datePublished":"1999"},
        {"@type":["NewsArticle"],"headline":"Story","datePublished":"2022-10-31",
         "author":[{"@type":"Person","name":"A. B."},"C D",{"@id":"#x"}],
         "publisher":{"@type":"Organization","name":"Pub"},
         "articleBody":"Body\ntext"}]})"));
    CHECK(meta.title == Opt("Story"));
    CHECK(meta.published == Opt("2022-10-31"));
    CHECK(meta.author == Opt("A. B., C D"));
    CHECK(meta.site_name == Opt("Pub"));
    CHECK(meta.jsonld_body == Opt("Body text"));
  }
  SECTION("a top-level array and a prefixed type") {
    PageMetadata meta = Read(JsonLd(
        R"([{"@type":"Organization","name":"Org"},
            {"@type":"http://schema.org/BlogPosting","headline":"Post","author":"Solo"}])"));
    CHECK(meta.title == Opt("Post"));
    CHECK(meta.author == Opt("Solo"));
  }
  SECTION("an article nested in a WebPage's mainEntity") {
    PageMetadata meta = Read(JsonLd(
        R"({"@type":"WebPage","mainEntity":{"@type":"ReportageNewsArticle","headline":"Deep",
            "author":{"name":"N"}}})"));
    CHECK(meta.title == Opt("Deep"));
    CHECK(meta.author == Opt("N"));
  }
  SECTION("WebPage only as a last resort") {
    PageMetadata meta =
        Read(JsonLd(R"({"@type":"WebPage","headline":"Only page","datePublished":"2021-01-02"})"));
    CHECK(meta.title == Opt("Only page"));
    CHECK(meta.published == Opt("2021-01-02"));
  }
  SECTION("meta tags win over JSON-LD for the title") {
    PageMetadata meta = Read("<meta property='og:title' content='OG'>" +
                             JsonLd(R"({"@type":"Article","headline":"LD"})"));
    CHECK(meta.title == Opt("OG"));
  }
}

TEST_CASE("malformed JSON-LD is skipped or repaired, never fatal", "[metadata]") {
  PageMetadata meta =
      Read(JsonLd("{not json") + JsonLd("") + JsonLd("[[[[[[[[") +
           JsonLd("<!--\n{\"@type\":\"NewsArticle\",\"headline\":\"Line\nbreak\"}\n-->"));
  CHECK(meta.title == Opt("Line break"));
  std::string deep;
  for (int i = 0; i < 5000; ++i) deep += "[";
  CHECK_FALSE(Read(JsonLd(deep)).title.has_value());
  std::string nested = "{\"@type\":\"Article\",\"headline\":\"Top\"";
  for (int i = 0; i < 200; ++i) nested += ",\"a\":{\"b\":1";
  for (int i = 0; i < 200; ++i) nested += "}";
  nested += "}";
  CHECK(Read(JsonLd(nested)).title == Opt("Top"));
}

TEST_CASE("an article's date is kept apart from a page's and a modification's", "[metadata]") {
  SECTION("a WebPage object's date is the rules' fallback, not an article's") {
    PageMetadata meta = Read(JsonLd(R"({"@type":"WebPage","datePublished":"2020-07-04"})"));
    CHECK(meta.published == Opt("2020-07-04"));
    CHECK(meta.page_published == Opt("2020-07-04"));
    CHECK_FALSE(meta.article_published.has_value());
    CHECK_FALSE(meta.declares_article);
  }
  SECTION("an article object's date, its modification apart") {
    PageMetadata meta = Read(JsonLd(
        R"({"@graph":[{"@type":"WebPage","datePublished":"2019-01-01"},)"
        R"({"@type":"BlogPosting","datePublished":"2020-07-04","dateModified":"2021-01-02"}]})"));
    CHECK(meta.article_published == Opt("2020-07-04"));
    CHECK(meta.page_published == Opt("2019-01-01"));
    CHECK(meta.modified == Opt("2021-01-02"));
    CHECK(meta.declares_article);
  }
  SECTION("article:modified_time is a modification, a first <time> no article's date") {
    PageMetadata meta = Read(
        "<meta property='article:modified_time' content='2021-04-15'>"
        "<meta property='og:type' content='article'><time datetime='2001-01-01'>x</time>");
    CHECK(meta.modified == Opt("2021-04-15"));
    CHECK_FALSE(meta.article_published.has_value());
    CHECK(meta.published == Opt("2001-01-01"));
    CHECK(meta.declares_article);
  }
  SECTION("a forum thread's opening post is an article") {
    PageMetadata meta =
        Read(JsonLd(R"({"@type":"DiscussionForumPosting","datePublished":"2024-09-05",)"
                    R"("author":{"@type":"Person","name":"DaleJack"}})"));
    CHECK(meta.article_published == Opt("2024-09-05"));
    CHECK(meta.author == Opt("DaleJack"));
  }
}

TEST_CASE("an empty page has no metadata", "[metadata]") {
  PageMetadata meta = Read("");
  CHECK_FALSE(meta.title.has_value());
  CHECK_FALSE(meta.html_title.has_value());
  CHECK_FALSE(meta.published.has_value());
  CHECK_FALSE(meta.language.has_value());
  CHECK_FALSE(Read("<html lang='x-klingon-1'>").language.has_value());
}

}  // namespace
}  // namespace gleaner::html
