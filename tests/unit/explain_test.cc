// The trace behind `gleaner extract --explain`: ExtractPage and ApplyRules record, step by
// step, what they did with a page (rules/explain.h). Checked field by field on real fixture
// pages with the bundled site files, on altered copies of them, and on small pages; and the
// record must be the same whether a trace is asked for or not.
#include "extractors/rules/explain.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "daemon/settings/site_files.h"
#include "extractors/pipeline.h"
#include "extractors/text/normalize.h"
#include "support/run_binary.h"

namespace gleaner {
namespace {

namespace fs = std::filesystem;
using rules::ExplainTrace;
using rules::FallbackTrace;
using rules::RemovalTrace;
using rules::SiteTrace;

const std::string kPagesDir = std::string(GLEANER_SOURCE_DIR) + "/tests/fixtures/pages";
const std::string kSitesDir = std::string(GLEANER_SOURCE_DIR) + "/sites";
const std::string kCooperation = "maghress-fr-2020-12-17-cooperation";
const std::string kCooperationUrl = "https://www.maghress.com/fr/barlamane/40377";
const std::string kTanger = "maghress-fr-2023-12-06-tanger-layout2";
const std::string kTangerUrl = "https://www.maghress.com/fr/barlamane/66702";
const std::string kCooperationTitle =
    "Le Maroc à l'avant-garde dans la coopération internationale pour la lutte contre le "
    "terrorisme";

std::string PageHtml(const std::string& slug) {
  return testing::ReadFile(kPagesDir + "/" + slug + "/source.html");
}

rules::SiteSet BundledSites() {
  auto sites = LoadSites(kSitesDir, 1 << 20);
  REQUIRE(sites.has_value());
  return std::move(*sites);
}

// The bundled maghress-fr site file with `from` replaced by `to`, alone in a set.
rules::SiteSet AlteredMaghressFr(const std::string& from, const std::string& to) {
  std::string yaml = testing::ReadFile(kSitesDir + "/maghress-fr.yaml");
  size_t at = yaml.find(from);
  REQUIRE(at != std::string::npos);
  yaml.replace(at, from.size(), to);
  auto site = rules::ParseSiteRules(yaml, "maghress-fr.yaml");
  REQUIRE(site.has_value());
  return *rules::SiteSet::Create({*site});
}

struct Traced {
  ExplainTrace trace;
  Result<Article> result;
};

Traced Explain(const std::string& html, const std::optional<std::string>& url,
               const rules::SiteSet* sites, ExtractOptions options = {}) {
  Traced out{ExplainTrace{}, Fail(ErrorCode::kNoArticle, "not run")};
  options.trace = &out.trace;
  out.result = ExtractPage(PageInput{html, url, std::string("text/html")}, sites, options);
  return out;
}

const rules::RemovalTrace* Removal(const ExplainTrace& t, const std::string& selector) {
  for (const RemovalTrace& r : t.rules.removals) {
    if (r.selector == selector) return &r;
  }
  return nullptr;
}

TEST_CASE("explain: the cooperation page, layout 'classic' chosen, field by field", "[explain]") {
  rules::SiteSet sites = BundledSites();
  Traced run = Explain(PageHtml(kCooperation), kCooperationUrl, &sites);
  REQUIRE(run.result.has_value());
  const Article& a = *run.result;
  const ExplainTrace& t = run.trace;

  CHECK(t.url == kCooperationUrl);
  CHECK(t.url_origin == ExplainTrace::UrlOrigin::kGiven);
  CHECK(t.site.choice == SiteTrace::Choice::kOwned);
  CHECK(t.site.id == "maghress-fr");
  CHECK(t.site.url_regex == "^https?://(www\\.)?maghress\\.com/fr(/|$)");
  CHECK(t.encoding == "UTF-8");
  CHECK(t.charset_source == html::CharsetSource::kMeta);
  CHECK_FALSE(t.lossy);

  REQUIRE(t.rules_ran);
  const rules::ApplyTrace& r = t.rules;
  REQUIRE(r.layouts.size() == 1);
  CHECK(r.layouts[0].name == "classic");
  CHECK(r.layouts[0].chosen);
  REQUIRE(r.layouts[0].required.size() == 2);
  CHECK(r.layouts[0].required[0].field == "body");
  CHECK(r.layouts[0].required[0].selector == ".articlecontent");
  CHECK(r.layouts[0].required[0].matched);
  CHECK(r.layouts[0].required[1].field == "title");
  CHECK(r.layouts[0].required[1].matched);

  SECTION("single fields: selector, node count, first text, value kept") {
    REQUIRE(r.title.selectors.size() == 1);
    CHECK(r.title.selectors[0].selector == ".articletitle");
    CHECK(r.title.selectors[0].nodes == 1);
    CHECK(r.title.selectors[0].first_text == kCooperationTitle);
    CHECK(r.title.kept == kCooperationTitle);
    REQUIRE(r.published.selectors.size() == 1);
    CHECK(r.published.selectors[0].selector == ".articlenewspaper");
    CHECK(r.published.selectors[0].first_text == "Publié dans Barlamane le 17 - 12 - 2020");
    CHECK(r.published.value == "Publié dans Barlamane le 17 - 12 - 2020");
    CHECK(r.published.kept == "2020-12-17");
    CHECK(r.source.selectors.at(0).selector == ".articlenewspaper a");
    CHECK(r.source.kept == "Barlamane");
    CHECK(r.source_url.selectors.at(0).selector == "a.articlesource@href");
    CHECK(r.source_url.kept == "https://www.barlamane.com/fr/?p=5521");
    CHECK_FALSE(r.author.declared);
    CHECK_FALSE(r.byline.declared);
    CHECK(r.metadata.empty());  // the layout found title, date and source itself
  }
  SECTION("the body: its selector, the paragraphs kept, the record's body") {
    REQUIRE(r.body.selectors.size() == 1);
    CHECK(r.body.selectors[0].selector == ".articlecontent");
    CHECK(r.body.selectors[0].nodes == 1);
    CHECK(r.body.selectors[0].first_text.rfind("La stratégie de sécurité intégrée", 0) == 0);
    CHECK(r.body.kept == a.body);
    CHECK(r.body.paragraphs == 13);
  }
  SECTION("what the ticker, remove and related took out") {
    const RemovalTrace* ticker = Removal(t, ".ticker a");
    REQUIRE(ticker);
    CHECK(ticker->kind == RemovalTrace::Kind::kTicker);
    CHECK(ticker->nodes == 48);
    CHECK(ticker->first_text.rfind("Sahara marocain: L'Estonie considère", 0) == 0);
    CHECK(r.ticker_links == 48);
    CHECK(r.ticker_links == a.ticker.size());
    const RemovalTrace* modal = Removal(t, ".modal");
    REQUIRE(modal);
    CHECK(modal->kind == RemovalTrace::Kind::kSiteRemove);
    CHECK(modal->nodes == 1);
    CHECK(modal->first_text.rfind("Merci d'avoir signalé!", 0) == 0);
    REQUIRE(Removal(t, ".share"));
    CHECK(Removal(t, ".share")->nodes == 1);
    REQUIRE(r.related.size() == 1);
    CHECK(r.related[0].regex == "^(Lire aussi|À lire aussi|A lire aussi|Voir aussi)\\s*:");
    CHECK(r.related[0].paragraphs == 0);
  }
  SECTION("the decision: a long rules body is kept without consulting generic extraction") {
    const FallbackTrace& f = t.fallback;
    CHECK(f.verdict == FallbackTrace::Verdict::kRulesLong);
    CHECK(f.rules_article);
    CHECK(f.rules_chars == text::CodePointCount(*a.body));
    CHECK(f.rules_chars == 5463);
    CHECK(f.suspicious_below == 400);
    CHECK(f.length_ratio == 3);
    CHECK_FALSE(f.generic_chars.has_value());
    CHECK(a.extractor == "rules:maghress-fr/classic");
  }
}

TEST_CASE("explain: the Tanger page, 'classic' misses its body, 'content' chosen", "[explain]") {
  rules::SiteSet sites = BundledSites();
  Traced run = Explain(PageHtml(kTanger), std::nullopt, &sites);
  REQUIRE(run.result.has_value());
  const ExplainTrace& t = run.trace;
  CHECK(t.url == kTangerUrl);
  CHECK(t.url_origin == ExplainTrace::UrlOrigin::kCanonical);
  const auto& layouts = t.rules.layouts;
  REQUIRE(layouts.size() == 2);
  CHECK(layouts[0].name == "classic");
  CHECK_FALSE(layouts[0].chosen);
  REQUIRE(layouts[0].required.size() == 1);
  CHECK(layouts[0].required[0].field == "body");
  CHECK(layouts[0].required[0].selector == ".articlecontent");
  CHECK_FALSE(layouts[0].required[0].matched);
  CHECK(layouts[0].unchecked == std::vector<std::string>{"title"});
  CHECK(layouts[1].name == "content");
  CHECK(layouts[1].chosen);
  REQUIRE(layouts[1].required.size() == 2);
  CHECK(layouts[1].required[0].selector == "div.content");
  CHECK(layouts[1].required[1].selector == "h1");
  CHECK(layouts[1].required[1].matched);

  const rules::ApplyTrace& r = t.rules;
  CHECK(r.title.selectors.at(0).selector == "h1");
  CHECK(r.title.kept == run.result->title);
  CHECK(r.published.selectors.at(0).selector == ".meta .date");
  CHECK(r.published.selectors.at(0).first_text == "06 - 12 - 2023");
  CHECK(r.published.kept == "2023-12-06");
  CHECK(r.body.selectors.at(0).selector == "div.content");
  CHECK(r.body.kept == run.result->body);
  CHECK(r.body.paragraphs == 21);
  CHECK(run.result->extractor == "rules:maghress-fr/content");
}

TEST_CASE("explain: a body rule that caught only a caption, replaced by generic extraction",
          "[explain]") {
  // The date line ("Publié dans Barlamane le 17 - 12 - 2020") as the body: 39 code points.
  rules::SiteSet sites = AlteredMaghressFr("body: '.articlecontent'", "body: '.articlenewspaper'");
  Traced run = Explain(PageHtml(kCooperation), kCooperationUrl, &sites);
  REQUIRE(run.result.has_value());
  const Article& a = *run.result;
  const FallbackTrace& f = run.trace.fallback;
  CHECK(run.trace.rules.body.selectors.at(0).selector == ".articlenewspaper");
  CHECK(run.trace.rules.body.kept == "Publié dans Barlamane le 17 - 12 - 2020");
  CHECK(f.verdict == FallbackTrace::Verdict::kGenericReplaced);
  CHECK(f.reason == FallbackReason::kBodyFarShorter);
  CHECK(f.rules_chars == 39);
  REQUIRE(f.generic_chars.has_value());
  CHECK(*f.generic_chars == text::CodePointCount(*a.body));
  CHECK(*f.generic_chars >= f.length_ratio * f.rules_chars);
  // The trace's figures are the record's.
  CHECK(a.provenance.fallback.rules_chars == f.rules_chars);
  CHECK(a.provenance.fallback.generic_chars == *f.generic_chars);
  CHECK(a.extractor == "rules:maghress-fr+generic");

  const std::string text = rules::RenderExplanation(run.trace, run.result);
  CHECK_THAT(text, Catch::Contains("  rules body: 39 code points, under kSuspiciousBodyChars "
                                   "(400): checked against generic extraction\n"));
  CHECK_THAT(text, Catch::Contains("  generic body: " + std::to_string(*f.generic_chars) +
                                   " code points\n"));
  CHECK_THAT(text, Catch::Contains("  kFallbackLengthRatio (3) x 39 = 117: the generic body "
                                   "reaches it\n"));
  CHECK_THAT(text,
             Catch::Contains("  decision: generic replaced the body: reason body_far_shorter\n"));
  CHECK_THAT(text, Catch::Contains("  extractor: rules:maghress-fr+generic\n"));
}

TEST_CASE("explain: no layout applies, generic extraction gives the body", "[explain]") {
  rules::SiteSet sites = AlteredMaghressFr("body: 'div.content'", "body: 'div.gone'");
  Traced run = Explain(PageHtml(kTanger), kTangerUrl, &sites);
  REQUIRE(run.result.has_value());
  const FallbackTrace& f = run.trace.fallback;
  REQUIRE(run.trace.rules.layouts.size() == 2);
  CHECK_FALSE(run.trace.rules.layouts[1].chosen);
  CHECK(run.trace.rules.layouts[1].required.at(0).selector == "div.gone");
  CHECK_FALSE(f.rules_article);
  CHECK(f.verdict == FallbackTrace::Verdict::kGenericReplaced);
  CHECK(f.reason == FallbackReason::kRuleMatchedNothing);
  CHECK(f.generic_chars == text::CodePointCount(*run.result->body));
  CHECK_FALSE(run.trace.rules.title.declared);  // no layout chosen: no field read
}

TEST_CASE("explain: a page with no article still tells what was tried", "[explain]") {
  rules::SiteSet sites = BundledSites();
  Traced run =
      Explain("<html><body><p>hi</p></body></html>", "https://www.maghress.com/fr/x/1", &sites);
  REQUIRE_FALSE(run.result.has_value());
  CHECK(run.result.error().code == ErrorCode::kNoArticle);
  const ExplainTrace& t = run.trace;
  CHECK(t.site.id == "maghress-fr");
  REQUIRE(t.rules.layouts.size() == 2);
  CHECK_FALSE(t.rules.layouts[0].required.at(0).matched);
  CHECK_FALSE(t.rules.layouts[1].required.at(0).matched);
  CHECK(t.fallback.verdict == FallbackTrace::Verdict::kNoArticle);
  CHECK_FALSE(t.fallback.generic_failure.empty());
  const std::string text = rules::RenderExplanation(t, run.result);
  CHECK_THAT(text, Catch::Contains("    required body: 'div.content' matched nothing\n"));
  CHECK_THAT(text, Catch::Contains("record: none\n  error (exit 4): site 'maghress-fr': "));
}

// A small site: title by a pattern over a line, author and byline, related paragraphs.
rules::SiteSet SmallSite() {
  auto site = rules::ParseSiteRules(
      "id: news\nname: News\nlanguage: en\nurls: ['^https://other\\.example/', "
      "'^https://news\\.example/']\n"
      "related: '^Read also:'\n"
      "layouts:\n"
      "  - name: story\n"
      "    source:\n"
      "      selector: ['.src-gone', '.line']\n"
      "      pattern: 'Published by (?<value>\\w+) on'\n"
      "    author: '.author'\n"
      "    byline: '.byline'\n"
      "    published: '.when'\n"
      "    body: '.story'\n",
      "news.yaml");
  REQUIRE(site.has_value());
  return *rules::SiteSet::Create({*site});
}

// Five paragraphs of prose, over kSuspiciousBodyChars: the rules' body is kept as is.
std::string Prose() {
  std::string p;
  for (int i = 0; i < 5; ++i) {
    p += "<p>Paragraph " + std::to_string(i) +
         " of the story, which tells at some length what the council decided on Monday.</p>";
  }
  return p;
}

TEST_CASE("explain: patterns, a byline, metadata fallbacks and related paragraphs", "[explain]") {
  rules::SiteSet sites = SmallSite();
  const std::string page =
      "<html><head><meta property='og:title' content='Council decides'>"
      "<meta property='article:published_time' content='2024-03-04T10:00:00+01:00'></head>"
      "<body><p class=line>Published by Herald on Monday</p><p class=byline>By Jane Doe</p>"
      "<div class=story>" +
      Prose() + "<p>Read also: <a href='/b/2'>Another story</a></p></div></body></html>";
  Traced run = Explain(page, "https://news.example/a/1", &sites);
  REQUIRE(run.result.has_value());
  const rules::ApplyTrace& r = run.trace.rules;
  CHECK(run.trace.site.url_regex == "^https://news\\.example/");  // the second of its urls

  CHECK(r.source.pattern == "Published by (?<value>\\w+) on");
  REQUIRE(r.source.selectors.size() == 2);
  CHECK(r.source.selectors[0].selector == ".src-gone");
  CHECK(r.source.selectors[0].nodes == 0);
  CHECK(r.source.selectors[1].first_text == "Published by Herald on Monday");
  CHECK(r.source.selectors[1].pattern_result == "Herald");
  CHECK(r.source.kept == "Herald");

  CHECK_FALSE(r.author.kept.has_value());
  CHECK(r.author.not_kept == "matched nothing");
  CHECK(r.byline.value == "By Jane Doe");
  CHECK(r.byline.kept == "Jane Doe");
  CHECK(run.result->author == "Jane Doe");

  CHECK_FALSE(r.published.kept.has_value());  // '.when' matched nothing: metadata's date
  REQUIRE(r.metadata.size() == 2);
  CHECK(r.metadata[0].field == "title");
  CHECK(r.metadata[0].kept == "Council decides");
  CHECK(r.metadata[1].field == "published");
  CHECK(r.metadata[1].value == "2024-03-04T10:00:00+01:00");
  CHECK(r.metadata[1].kept == run.result->published);

  REQUIRE(r.related.size() == 1);
  CHECK(r.related[0].paragraphs == 1);
  CHECK(r.related[0].first_text == "Read also: Another story");
  CHECK(run.result->related.size() == 1);
  CHECK(r.body.paragraphs == 5);
  CHECK(run.trace.fallback.verdict == FallbackTrace::Verdict::kRulesLong);

  const std::string text = rules::RenderExplanation(run.trace, run.result);
  CHECK_THAT(text, Catch::Contains("    selector '.line': 1 node, first text \"Published by Herald "
                                   "on Monday\" -> pattern gave \"Herald\"\n"));
  CHECK_THAT(text, Catch::Contains("    kept: nothing (matched nothing)\n"));
  CHECK_THAT(text, Catch::Contains("  title: \"Council decides\" from the page's metadata\n"));
  CHECK_THAT(text, Catch::Contains("  regex '^Read also:': 1 paragraph, first \"Read also: "
                                   "Another story\"\n"));
}

TEST_CASE("explain: a short rules body checked against generic extraction and kept", "[explain]") {
  rules::SiteSet sites = SmallSite();
  const std::string brief = "A short brief of two lines, all the page says.";
  Traced run = Explain("<html><body><div class=story><p>" + brief + "</p></div></body></html>",
                       "https://news.example/a/2", &sites);
  REQUIRE(run.result.has_value());
  const FallbackTrace& f = run.trace.fallback;
  CHECK(f.verdict == FallbackTrace::Verdict::kRulesKept);
  CHECK(f.rules_chars == text::CodePointCount(brief));
  // Generic extraction either found nothing or nothing three times longer.
  CHECK((!f.generic_chars || *f.generic_chars < f.length_ratio * f.rules_chars));
  CHECK(f.generic_chars.has_value() == f.generic_failure.empty());
  CHECK(run.result->extractor == "rules:news/story");
}

TEST_CASE("explain: how the site was chosen, or why none was", "[explain]") {
  rules::SiteSet sites = BundledSites();
  const std::string html = PageHtml(kCooperation);
  SECTION("--site for a URL the site does not own") {
    ExtractOptions options;
    options.site_id = "maghress-fr";
    Traced run = Explain(html, "https://elsewhere.example/a", &sites, options);
    CHECK(run.trace.site.choice == SiteTrace::Choice::kGiven);
    CHECK(run.trace.site.id == "maghress-fr");
    CHECK(run.trace.site.url_regex.empty());
  }
  SECTION("--generic") {
    ExtractOptions options;
    options.generic_only = true;
    Traced run = Explain(html, kCooperationUrl, &sites, options);
    CHECK(run.trace.site.choice == SiteTrace::Choice::kGenericOnly);
    CHECK_FALSE(run.trace.rules_ran);
    CHECK(run.trace.fallback.verdict == FallbackTrace::Verdict::kNotRun);
    CHECK(run.result->extractor == "generic");
  }
  SECTION("a URL no site owns") {
    Traced run = Explain(html, "https://elsewhere.example/a", &sites);
    CHECK(run.trace.site.choice == SiteTrace::Choice::kNoOwner);
    CHECK(run.trace.site.sites == sites.sites().size());
  }
  SECTION("no URL and no canonical link") {
    Traced run = Explain("<html><body>" + Prose() + "</body></html>", std::nullopt, &sites);
    CHECK(run.trace.url_origin == ExplainTrace::UrlOrigin::kNone);
    CHECK(run.trace.site.choice == SiteTrace::Choice::kNoUrl);
  }
}

TEST_CASE("explain: the record is the same with and without a trace, on every fixture page",
          "[explain]") {
  rules::SiteSet sites = BundledSites();
  for (const auto& entry : fs::directory_iterator(kPagesDir)) {
    const std::string slug = entry.path().filename().string();
    auto spec = nlohmann::json::parse(testing::ReadFile(entry.path().string() + "/case.json"));
    const std::string html = PageHtml(slug);
    for (bool generic : {false, true}) {
      INFO("case " << slug << (generic ? " --generic" : ""));
      ExtractOptions options;
      options.generic_only = generic;
      PageInput page{html, spec["url"].get<std::string>(), std::string("text/html")};
      auto plain = ExtractPage(page, &sites, options);
      Traced traced = Explain(html, page.url, &sites, options);
      REQUIRE(plain.has_value());
      REQUIRE(traced.result.has_value());
      CHECK(ArticleToJson(*traced.result) == ArticleToJson(*plain));
      CHECK(traced.result->provenance == plain->provenance);
    }
  }
}

TEST_CASE("explain: page texts are shown on one line, cut, without control characters",
          "[explain]") {
  rules::SiteSet sites = SmallSite();
  std::string long_title(300, 'x');
  Traced run = Explain("<html><head><meta property='og:title' content='\x1b[31m" + long_title +
                           "'></head><body><div class=story>" + Prose() + "</div></body></html>",
                       "https://news.example/a/3", &sites);
  REQUIRE(run.result.has_value());
  const std::string text = rules::RenderExplanation(run.trace, run.result);
  CHECK(text.find('\x1b') == std::string::npos);
  // The parser turned the escape character into U+FFFD: 1 + 4 + 95 code points, then the cut.
  CHECK_THAT(text, Catch::Contains("title: \"\xEF\xBF\xBD[31m" +
                                   std::string(rules::kExplainTextChars - 5, 'x') + "...\""));
  CHECK(text.find(std::string(rules::kExplainTextChars, 'x')) == std::string::npos);
}

TEST_CASE("explain: control characters in a recorded text never reach the reader's terminal",
          "[explain]") {
  ExplainTrace t;
  t.parsed = true;
  t.rules_ran = true;
  t.rules.layouts.push_back({"main", {}, {}, true});
  t.rules.title.declared = true;
  t.rules.title.selectors.push_back({"h1", 1, "Breaking\x1b[2J news\nof the day", std::nullopt});
  const std::string text = rules::RenderExplanation(t, Fail(ErrorCode::kNoArticle, "none"));
  CHECK(text.find('\x1b') == std::string::npos);
  CHECK_THAT(text, Catch::Contains("    selector 'h1': 1 node, first text \"Breaking [2J news of "
                                   "the day\"\n"));
}

}  // namespace
}  // namespace gleaner
