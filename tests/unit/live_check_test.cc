// `gleaner check --live`'s judgement with a fake fetcher: what is requested for each site,
// the cap on examples, the verdicts read from the records' provenance, the order sites are
// reported in, and the exit status.
#include "daemon/schedule/live_check.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "daemon/fetch/fake_fetcher.h"

namespace gleaner::schedule {
namespace {

using fetch::FakeFailure;
using fetch::FakePage;
using fetch::FetchErrorKind;

// A site of host `host` with `examples` example paths (/a/0, /a/1 ...), a one-second delay
// and one layout whose title is h1 and body is article.
rules::SiteRules Site(const std::string& id, const std::string& host, int examples) {
  std::string yaml = "id: " + id + "\nname: Site " + id + "\nlanguage: fr\nurls: '^https://" +
                     host + "/'\ndelay: 1s\n";
  if (examples > 0) yaml += "examples:\n";
  for (int i = 0; i < examples; ++i)
    yaml += "  - https://" + host + "/a/" + std::to_string(i) + "\n";
  yaml += "layouts:\n  - name: main\n    title: h1\n    byline: .by\n    body: article\n";
  auto site = rules::ParseSiteRules(yaml, id + ".yaml");
  REQUIRE(site.has_value());
  return *site;
}

rules::SiteSet Sites(std::vector<rules::SiteRules> sites) {
  auto set = rules::SiteSet::Create(std::move(sites));
  REQUIRE(set.has_value());
  return std::move(*set);
}

std::vector<const rules::SiteRules*> All(const rules::SiteSet& set) {
  std::vector<const rules::SiteRules*> all;
  for (const rules::SiteRules& s : set.sites()) all.push_back(&s);
  return all;
}

std::string Page(bool with_byline, const std::string& body_tag = "article") {
  std::string text;
  for (int i = 0; i < 30; ++i)
    text += "Une phrase de l'article, numéro " + std::to_string(i) + ". ";
  return "<html><body><h1>Titre</h1>" +
         std::string(with_byline ? "<p class=by>Par Samira</p>" : "") + "<" + body_tag + "><p>" +
         text + "</p></" + body_tag + "></body></html>";
}

TEST_CASE("live check: at most kMaxExamplesPerSite examples, requested as the site's",
          "[live_check]") {
  rules::SiteSet set = Sites({Site("many", "many.example", 25)});
  fetch::FakeFetcher fetcher;
  fetcher.SetHandler([](const fetch::FetchRequest&) { return FakePage(Page(true)); });
  auto checks = CheckSitesLive(fetcher, All(set), set, ExtractLimits{}, nullptr);
  REQUIRE(fetcher.requests().size() == kMaxExamplesPerSite);
  CHECK(fetcher.requests()[0].site == "many");
  CHECK(fetcher.requests()[0].accept_language == "fr");
  CHECK(fetcher.requests()[0].delay == std::chrono::milliseconds(1000));
  REQUIRE(checks.size() == 1);
  CHECK(checks[0].examples.size() == kMaxExamplesPerSite);
  CHECK(checks[0].examples_skipped == 5);
  CHECK(checks[0].verdict == SiteVerdict::kOk);
  CHECK_THAT(RenderSiteCheck(checks[0]),
             Catch::StartsWith("site many (Site many): the first 20 examples; 5 more not "
                               "checked (at most 20 per site)\n"));
  CHECK(LiveCheckExitStatus(checks) == 0);
}

TEST_CASE("live check: verdicts from provenance, reported in site order", "[live_check]") {
  rules::SiteSet set = Sites({Site("a-down", "down.example", 1), Site("b-gone", "gone.example", 1),
                              Site("c-fine", "fine.example", 1), Site("d-none", "none.example", 0),
                              Site("e-byline", "byline.example", 1)});
  fetch::FakeFetcher fetcher;
  fetcher.SetResponse("https://down.example/a/0",
                      FakeFailure(FetchErrorKind::kConnect, "https://down.example/a/0: refused"));
  fetcher.SetResponse("https://gone.example/a/0",
                      FakeFailure(FetchErrorKind::kHttpStatus, "HTTP 404", 404));
  fetcher.SetResponse("https://fine.example/a/0", FakePage(Page(true)));
  fetcher.SetResponse("https://byline.example/a/0", FakePage(Page(false)));
  std::vector<std::string> reported;
  auto checks = CheckSitesLive(fetcher, All(set), set, ExtractLimits{},
                               [&](const SiteCheck& s) { reported.push_back(s.id); });
  CHECK(reported == std::vector<std::string>{"a-down", "b-gone", "c-fine", "d-none", "e-byline"});
  REQUIRE(checks.size() == 5);
  CHECK(checks[0].verdict == SiteVerdict::kUnreachable);
  CHECK(checks[1].verdict == SiteVerdict::kUnreachable);
  CHECK(checks[2].verdict == SiteVerdict::kOk);
  CHECK(checks[3].verdict == SiteVerdict::kNoExamples);
  CHECK(checks[4].verdict == SiteVerdict::kBroken);  // a declared field matched nothing
  CHECK(checks[4].examples[0].provenance.unmatched.at(0).field == "byline");
  CHECK_THAT(RenderSiteCheck(checks[4]),
             Catch::Contains("    missing   byline ('.by' matched nothing)\n"));
  CHECK_THAT(RenderSiteCheck(checks[0]),
             Catch::EndsWith("    fetch     failed, connect: https://down.example/a/0: refused\n"
                             "a-down: unreachable (1 of 1 examples): connect: "
                             "https://down.example/a/0: refused\n"));
  CHECK(RenderLiveSummary(checks) == "5 sites: 1 ok, 1 broken, 2 unreachable, 1 without examples");
  CHECK(LiveCheckExitStatus(checks) == 1);  // broken outranks unreachable
  checks.pop_back();
  CHECK(LiveCheckExitStatus(checks) == 5);  // then the first failure: the network one
  checks.erase(checks.begin());
  CHECK(LiveCheckExitStatus(checks) == 6);
}

TEST_CASE("live check: a fallback to generic extraction, or no article, is broken",
          "[live_check]") {
  rules::SiteSet set = Sites({Site("moved", "moved.example", 2)});
  fetch::FakeFetcher fetcher;
  // The body moved out of <article>: the layout no longer applies.
  fetcher.SetResponse("https://moved.example/a/0", FakePage(Page(true, "section")));
  fetcher.SetResponse("https://moved.example/a/1", FakePage("<html><body></body></html>"));
  auto checks = CheckSitesLive(fetcher, All(set), set, ExtractLimits{}, nullptr);
  REQUIRE(checks.size() == 1);
  REQUIRE(checks[0].examples.size() == 2);
  const ExampleCheck& moved = checks[0].examples[0];
  CHECK(moved.verdict == ExampleVerdict::kBroken);
  CHECK(moved.provenance.fallback.reason == FallbackReason::kRuleMatchedNothing);
  const ExampleCheck& empty = checks[0].examples[1];
  CHECK(empty.verdict == ExampleVerdict::kBroken);
  CHECK(empty.no_article.has_value());
  CHECK(checks[0].verdict == SiteVerdict::kBroken);
  std::string text = RenderSiteCheck(checks[0]);
  CHECK_THAT(text, Catch::Contains("    layout    - (no layout applied)\n"));
  CHECK_THAT(text, Catch::Contains("    generic   yes, rule_matched_nothing: layout main: body "
                                   "'article' matched nothing\n"));
  CHECK_THAT(text, Catch::Contains("\n    article   none: "));
  CHECK_THAT(text, Catch::EndsWith("moved: broken (2 of 2 examples)\n"));
}

}  // namespace
}  // namespace gleaner::schedule
