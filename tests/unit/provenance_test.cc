// Provenance: each field of the record says which stage produced it and, when a site rule
// did, which selector; a generic fallback says why as an enum with its figures. The record's
// `extractor` and its fallback and "matched nothing" warnings are rendered from it, so what
// the record prints and what the provenance holds cannot disagree.
#include "extractors/core/provenance.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "extractors/core/article.h"
#include "extractors/pipeline.h"
#include "extractors/rules/site_rules.h"
#include "extractors/text/normalize.h"

namespace gleaner {
namespace {

constexpr const char* kUrl = "https://news.example/a/1";

// Four paragraphs of ordinary news prose: enough for the generic scoring to call it the
// article, and far longer (over three times) than a one-line lead.
const std::string kProse =
    "<p>The ministry announced on Monday, after weeks of talks with the regional councils, "
    "that the new water network will reach forty villages before the end of the year.</p>"
    "<p>Engineers said the pipes, pumps and reservoirs had been tested in the spring, and "
    "that the first villages, in the north of the province, would be connected in June.</p>"
    "<p>Residents, who have relied on wells and tanker trucks for decades, welcomed the "
    "news, although several farmers said the tariffs were still too high for them.</p>"
    "<p>The councils will meet again in the autumn, when the second part of the network, "
    "in the south, is to be put out to tender, the ministry said in its statement.</p>";

const std::string kLead = "A short lead that a body rule caught instead of the article.";

// One site, one layout "story": title by two selectors (the first one absent from every
// page), author, the body rule given (a YAML value: a selector or a list of them), and only
// the body required so that a title rule that matches nothing leaves the layout in use.
rules::SiteSet Site(const std::string& body_rule) {
  auto site = rules::ParseSiteRules(
      "id: news\nname: News\nlanguage: en\nurls: '^https://news\\.example/'\n"
      "ticker: '.ticker'\n"
      "layouts:\n"
      "  - name: story\n"
      "    title: ['h1.gone', 'h1.headline']\n"
      "    author: '.author'\n"
      "    body: " +
          body_rule + "\n    require: [body]\n",
      "news.yaml");
  REQUIRE(site.has_value());
  return *rules::SiteSet::Create({*site});
}

std::string Page(const std::string& body, const std::string& head = "") {
  return "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">" + head +
         "</head><body>" + body + "</body></html>";
}

Article Extract(const std::string& html, const rules::SiteSet* sites) {
  PageInput page{html, std::string(kUrl), std::string("text/html; charset=utf-8")};
  ExtractOptions options;
  auto article = ExtractPage(page, sites, options);
  INFO((article ? std::string() : article.error().message));
  REQUIRE(article.has_value());
  return *article;
}

bool HasWarning(const Article& a, const std::string& warning) {
  return std::find(a.warnings.begin(), a.warnings.end(), warning) != a.warnings.end();
}

// What every extracted record must satisfy: its printed strings are the provenance's.
void CheckRendered(const Article& a) {
  CHECK(a.extractor == RenderExtractor(a.provenance));
  if (a.provenance.fallback.reason != FallbackReason::kNone) {
    CHECK(HasWarning(a, RenderFallbackWarning(a.provenance)));
  }
  for (const RuleRef& miss : a.provenance.unmatched) {
    CHECK(HasWarning(a, RenderUnmatchedWarning(miss)));
  }
}

struct Row {
  std::string name;
  std::string body_rule;
  std::string page;
  bool with_rules = true;
  Stage winner;
  std::string extractor;
  FallbackReason reason;
  Stage title_stage;
  std::string title_rule;
  Stage body_stage;
  std::string body_rule_used;
};

TEST_CASE("each field records the stage and the rule that produced it", "[provenance]") {
  const std::string article_body = "<div class=story>" + kProse + "</div>";
  const std::vector<Row> rows = {
      {"the layout wins", "'.story'",
       "<h1 class=headline>Water for forty villages</h1>" + article_body, true, Stage::kRules,
       "rules:news/story", FallbackReason::kNone, Stage::kRules, "h1.headline", Stage::kRules,
       ".story"},
      {"the second body selector of a list", "['.gone', '.story']",
       "<h1 class=headline>Water for forty villages</h1>" + article_body, true, Stage::kRules,
       "rules:news/story", FallbackReason::kNone, Stage::kRules, "h1.headline", Stage::kRules,
       ".story"},
      {"the required body rule matched nothing", "'.redesigned-away'",
       "<h1 class=headline>Water for forty villages</h1>" + article_body, true, Stage::kGeneric,
       "rules:news+generic", FallbackReason::kRuleMatchedNothing, Stage::kGeneric, "",
       Stage::kGeneric, ""},
      {"the body far shorter than the page's text", "'.lead'",
       "<h1 class=headline>Water for forty villages</h1><p class=lead>" + kLead + "</p>" +
           article_body,
       true, Stage::kGeneric, "rules:news+generic", FallbackReason::kBodyFarShorter, Stage::kRules,
       "h1.headline", Stage::kGeneric, ""},
      {"the body rule matched only empty text", "'.empty'",
       "<h1 class=headline>Water for forty villages</h1><div class=empty> </div>" + article_body,
       true, Stage::kGeneric, "rules:news+generic", FallbackReason::kBodyEmptyText, Stage::kGeneric,
       "", Stage::kGeneric, ""},
      {"no site: generic only", "", "<h1>Water for forty villages</h1>" + article_body, false,
       Stage::kGeneric, "generic", FallbackReason::kNone, Stage::kGeneric, "", Stage::kGeneric, ""},
  };
  for (const Row& row : rows) {
    SECTION(row.name) {
      rules::SiteSet sites = row.with_rules ? Site(row.body_rule) : rules::SiteSet();
      Article a = Extract(Page(row.page), row.with_rules ? &sites : nullptr);
      const Provenance& p = a.provenance;
      CHECK(p.winner == row.winner);
      CHECK(a.extractor == row.extractor);
      CHECK(p.fallback.reason == row.reason);
      CHECK(p.title.stage == row.title_stage);
      CHECK(p.title.rule == row.title_rule);
      CHECK(p.body.stage == row.body_stage);
      CHECK(p.body.rule == row.body_rule_used);
      CHECK(p.site == (row.with_rules ? "news" : ""));
      CheckRendered(a);
    }
  }
}

TEST_CASE("the rules' fields, selectors and language when the layout wins", "[provenance]") {
  rules::SiteSet sites = Site("'.story'");
  Article a = Extract(Page("<div class=ticker><a href='/b/2'>Other news</a></div>"
                           "<h1 class=headline>Water for forty villages</h1>"
                           "<p class=author>Jane Doe</p><div class=story>" +
                           kProse + "</div>"),
                      &sites);
  const Provenance& p = a.provenance;
  CHECK(p.layout == "story");
  CHECK(p.author == FieldProvenance{Stage::kRules, ".author"});
  CHECK(p.language == FieldProvenance{Stage::kRules, ""});  // the site file's
  CHECK(p.ticker == FieldProvenance{Stage::kRules, ".ticker"});
  CHECK(p.published.stage == Stage::kNone);
  CHECK(p.source.stage == Stage::kNone);
  CHECK(p.related.stage == Stage::kNone);
  CHECK(p.unmatched.empty());
  CHECK(a.warnings.empty());
}

TEST_CASE("a rule that matched nothing: the reason, the field and the rule", "[provenance]") {
  rules::SiteSet sites = Site("'.redesigned-away'");
  Article a = Extract(
      Page("<h1 class=headline>Water for forty villages</h1><div class=story>" + kProse + "</div>"),
      &sites);
  const Fallback& f = a.provenance.fallback;
  CHECK(static_cast<int>(f.reason) == 1);
  CHECK(FallbackReasonName(f.reason) == "rule_matched_nothing");
  REQUIRE(f.rules.size() == 1);
  CHECK(f.rules[0] == RuleRef{"story", "body", ".redesigned-away"});
  CHECK(RenderFallbackWarning(a.provenance) ==
        "site 'news': no layout matched (layout 'story': body selector '.redesigned-away' "
        "matched nothing)");
  CHECK(FallbackKey(a.provenance) == RenderFallbackWarning(a.provenance));
  CHECK(a.site == "news");
  CheckRendered(a);
}

TEST_CASE("a declared field that matched nothing is recorded and warned about", "[provenance]") {
  rules::SiteSet sites = Site("'.story'");
  Article a = Extract(
      Page("<h1 class=headline>Water for forty villages</h1><div class=story>" + kProse + "</div>"),
      &sites);
  REQUIRE(a.provenance.unmatched.size() == 1);
  CHECK(a.provenance.unmatched[0] == RuleRef{"story", "author", ".author"});
  CHECK(RenderUnmatchedWarning(a.provenance.unmatched[0]) ==
        "author: rule '.author' matched nothing");
  CHECK(a.warnings == std::vector<std::string>{"author: rule '.author' matched nothing"});
  CHECK(a.provenance.fallback.reason == FallbackReason::kNone);
}

TEST_CASE("a body far shorter than the page's: the reason with both counts", "[provenance]") {
  rules::SiteSet sites = Site("'.lead'");
  Article a = Extract(Page("<h1 class=headline>Water for forty villages</h1><p class=lead>" +
                           kLead + "</p><div class=story>" + kProse + "</div>"),
                      &sites);
  const Provenance& p = a.provenance;
  CHECK(static_cast<int>(p.fallback.reason) == 2);
  CHECK(FallbackReasonName(p.fallback.reason) == "body_far_shorter");
  REQUIRE(p.fallback.rules.size() == 1);
  CHECK(p.fallback.rules[0] == RuleRef{"story", "body", ".lead"});
  CHECK(p.fallback.rules_chars == text::CodePointCount(kLead));
  REQUIRE(a.body.has_value());
  CHECK(p.fallback.generic_chars == text::CodePointCount(*a.body));
  CHECK(p.layout == "story");
  CHECK(a.extractor == "rules:news+generic");
  const std::string why = "site 'news': news/story body has " + std::to_string(kLead.size()) +
                          " characters, far shorter than the page's main text (" +
                          std::to_string(p.fallback.generic_chars) + ")";
  CHECK(RenderFallbackWarning(p) == why);
  CHECK(HasWarning(a, why));
  CHECK(FallbackKey(p) ==
        "site 'news': news/story body has # characters, far shorter than the page's main text "
        "(#)");
  // The fields the rules found stay, with their provenance; the body is the generic one.
  CHECK(p.title == FieldProvenance{Stage::kRules, "h1.headline"});
  CHECK(p.body.stage == Stage::kGeneric);
  CheckRendered(a);
}

TEST_CASE("a body rule that matched only empty text", "[provenance]") {
  rules::SiteSet sites = Site("'.empty'");
  Article a = Extract(Page("<h1 class=headline>Water for forty villages</h1><div class=empty> "
                           "</div><div class=story>" +
                           kProse + "</div>"),
                      &sites);
  CHECK(static_cast<int>(a.provenance.fallback.reason) == 3);
  CHECK(FallbackReasonName(a.provenance.fallback.reason) == "body_empty_text");
  CHECK(RenderFallbackWarning(a.provenance) ==
        "site 'news': layout 'story': body selector '.empty' matched only empty text");
  CheckRendered(a);
}

TEST_CASE("a title from the page's metadata is stage metadata", "[provenance]") {
  const std::string head = "<meta property=\"og:title\" content=\"Water for forty villages\">";
  SECTION("the rules' title rule matched nothing: metadata fallback") {
    rules::SiteSet sites = Site("'.story'");
    Article a = Extract(
        Page("<p class=author>Jane Doe</p><div class=story>" + kProse + "</div>", head), &sites);
    CHECK(a.title == "Water for forty villages");
    CHECK(a.provenance.title == FieldProvenance{Stage::kMetadata, ""});
    CHECK(a.provenance.unmatched == std::vector<RuleRef>{{"story", "title", "h1.gone"}});
    CHECK(HasWarning(a, "used metadata title as fallback"));
    CHECK(a.extractor == "rules:news/story");
    CheckRendered(a);
  }
  SECTION("generic extraction with no headline element") {
    Article a = Extract(Page("<div>" + kProse + "</div>", head), nullptr);
    CHECK(a.title == "Water for forty villages");
    CHECK(a.provenance.title.stage == Stage::kMetadata);
    CHECK(a.provenance.language.stage == Stage::kMetadata);  // <html lang>
    CHECK(a.provenance.body.stage == Stage::kGeneric);
    CHECK(a.extractor == "generic");
  }
}

TEST_CASE("provenance stays out of the record's JSON and out of equality", "[provenance]") {
  rules::SiteSet sites = Site("'.lead'");
  Article a = Extract(Page("<h1 class=headline>Water for forty villages</h1><p class=lead>" +
                           kLead + "</p><div class=story>" + kProse + "</div>"),
                      &sites);
  REQUIRE(a.provenance.fallback.reason == FallbackReason::kBodyFarShorter);
  std::string json = ArticleToJson(a);
  CHECK(json.find("provenance") == std::string::npos);
  auto back = ArticleFromJson(json);
  REQUIRE(back.has_value());
  CHECK(*back == a);
  CHECK(back->provenance == Provenance{});
  CHECK(ArticleToJson(*back) == json);
}

TEST_CASE("stage and reason names are stable", "[provenance]") {
  CHECK(StageName(Stage::kNone) == "none");
  CHECK(StageName(Stage::kRules) == "rules");
  CHECK(StageName(Stage::kMetadata) == "metadata");
  CHECK(StageName(Stage::kGeneric) == "generic");
  CHECK(FallbackReasonName(FallbackReason::kNone) == "none");
  CHECK(RenderFallbackWarning(Provenance{}).empty());
  CHECK(RenderExtractor(Provenance{}).empty());
}

}  // namespace
}  // namespace gleaner
