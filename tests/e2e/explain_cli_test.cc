// `gleaner extract --explain` as a person writing a site file runs it: the real binary on a
// real fixture page and the bundled site files, the explanation read line by line.
#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "support/run_binary.h"

namespace gleaner {
namespace {

using testing::Lines;
using testing::RunGleaner;
using testing::TempDir;

const std::string kRoot = GLEANER_SOURCE_DIR;
const std::string kPage =
    kRoot + "/tests/fixtures/pages/maghress-fr-2020-12-17-cooperation/source.html";
const std::string kUrl = "https://www.maghress.com/fr/barlamane/40377";
const std::string kTitle =
    "Le Maroc à l'avant-garde dans la coopération internationale pour la lutte contre le "
    "terrorisme";
const std::string kBodyStart =
    "La stratégie de sécurité intégrée et multidimensionnelle du Royaume continue de prouver sa "
    "réussite ...";

// The index of `line` in `lines`; fails the test when it is not there.
size_t IndexOf(const std::vector<std::string>& lines, const std::string& line) {
  auto it = std::find(lines.begin(), lines.end(), line);
  INFO("missing line: " << line);
  REQUIRE(it != lines.end());
  return static_cast<size_t>(it - lines.begin());
}

TEST_CASE("extract --explain tells, line by line, how the page was extracted",
          "[e2e][extract][explain]") {
  auto r = RunGleaner({"extract", "--explain", "--url", kUrl, kPage}, "", kRoot);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.empty());
  const std::vector<std::string> lines = Lines(r.out);
  // In the order a reader follows: page, layouts, fields, removals, decision, record.
  const std::vector<std::string> expected = {
      "file: " + kPage,
      "url: " + kUrl + " (given)",
      "site: maghress-fr (sites/maghress-fr.yaml): its urls regex "
      "'^https?://(www\\.)?maghress\\.com/fr(/|$)' matches the URL",
      "encoding: UTF-8 (from the page's <meta> charset), decoded without loss",
      "layouts, in the order tried:",
      "  classic: chosen",
      "    required body: '.articlecontent' matched",
      "    required title: '.articletitle' matched",
      "fields of layout 'classic':",
      "  title",
      "    selector '.articletitle': 1 node, first text \"" + kTitle + "\"",
      "    kept: \"" + kTitle + "\"",
      "  published",
      "    selector '.articlenewspaper': 1 node, first text \"Publié dans Barlamane le 17 - 12 - "
      "2020\"",
      "    kept: \"2020-12-17\"",
      "  source",
      "    selector '.articlenewspaper a': 1 node, first text \"Barlamane\"",
      "    kept: \"Barlamane\"",
      "  body",
      "    selector '.articlecontent': 1 node, first text \"" + kBodyStart + "\"",
      "    kept: 13 paragraphs, 5463 code points: \"" + kBodyStart + "\"",
      "  not declared: author, byline",
      "taken out of the page before the body was read:",
      "  ticker '.ticker a': 48 nodes, first \"Sahara marocain: L'Estonie considère l'initiative "
      "marocaine d'autonomie comme \"une bonne base sérieu...\"",
      "  ticker: 48 links captured",
      "  remove '.modal': 1 node, first \"Merci d'avoir signalé! Cette image sera "
      "automatiquement bloquée après qu'elle soit signalée par plus...\"",
      "  remove '.share': 1 node",
      "  regex '^(Lire aussi|À lire aussi|A lire aussi|Voir aussi)\\s*:': 0 paragraphs",
      "metadata fallbacks (fields the rules left empty):",
      "fallback decision:",
      "  rules body: 5463 code points, not under kSuspiciousBodyChars (400): generic extraction "
      "not consulted",
      "  decision: rules kept",
      "record:",
      "  extractor: rules:maghress-fr/classic",
      "  title: \"" + kTitle + "\" (rules '.articletitle')",
      "  published: \"2020-12-17\" (rules '.articlenewspaper')",
      "  source: \"Barlamane\" (rules '.articlenewspaper a')",
      "  author: none",
      "  body: 5463 code points (rules '.articlecontent'): \"" + kBodyStart + "\"",
      "  related: 0 links, ticker: 48 links",
  };
  size_t previous = 0;
  for (const std::string& line : expected) {
    size_t at = IndexOf(lines, line);
    INFO("out of order: " << line);
    CHECK(at >= previous);
    previous = at;
  }
  CHECK(lines.at(0) == "file: " + kPage);
  CHECK(lines.back() == "  related: 0 links, ticker: 48 links");  // no warnings on this page
  CHECK(r.out.find("{\"url\"") == std::string::npos);             // no JSON record
}

TEST_CASE("extract --explain shows generic extraction replacing a caption-only body",
          "[e2e][extract][explain]") {
  TempDir dir;
  std::string yaml = testing::ReadFile(kRoot + "/sites/maghress-fr.yaml");
  const std::string from = "body: '.articlecontent'";
  yaml.replace(yaml.find(from), from.size(), "body: '.articlenewspaper'");
  dir.Write("sites/maghress-fr.yaml", yaml);
  auto r = RunGleaner(
      {"extract", "--explain", "--sites", dir.path() + "/sites", "--url", kUrl, kPage}, "", kRoot);
  REQUIRE(r.exit_code == 0);
  const std::vector<std::string> lines = Lines(r.out);
  IndexOf(lines,
          "    kept: 1 paragraph, 39 code points: \"Publié dans Barlamane le 17 - 12 - 2020\"");
  IndexOf(lines,
          "  rules body: 39 code points, under kSuspiciousBodyChars (400): checked against generic "
          "extraction");
  IndexOf(lines, "  generic body: 5463 code points");
  IndexOf(lines, "  kFallbackLengthRatio (3) x 39 = 117: the generic body reaches it");
  IndexOf(lines, "  decision: generic replaced the body: reason body_far_shorter");
  IndexOf(lines, "  extractor: rules:maghress-fr+generic");
  IndexOf(lines, "  body: 5463 code points (generic): \"" + kBodyStart + "\"");
  IndexOf(lines,
          "  warning: site 'maghress-fr': maghress-fr/classic body has 39 characters, far shorter "
          "than the page's main text (5463)");
}

TEST_CASE("extract --explain --generic: no rules ran, and the generic result",
          "[e2e][extract][explain]") {
  auto r = RunGleaner({"extract", "--explain", "--generic", kPage}, "", kRoot);
  REQUIRE(r.exit_code == 0);
  const std::vector<std::string> lines = Lines(r.out);
  IndexOf(lines, "url: " + kUrl + " (the page's rel=canonical)");
  IndexOf(lines, "site: none: --generic, no site rules");
  IndexOf(lines, "  decision: no site rules ran: generic extraction only");
  IndexOf(lines, "  extractor: generic");
  CHECK(std::find(lines.begin(), lines.end(), "layouts, in the order tried:") == lines.end());
}

TEST_CASE("extract --explain on a page without an article: what was tried, then exit 4",
          "[e2e][extract][explain]") {
  TempDir dir;
  std::string path = dir.Write("empty.html", "<html><body><p>hi</p></body></html>");
  auto r = RunGleaner({"extract", "--explain", "--url", "https://www.maghress.com/fr/x/1", path},
                      "", kRoot);
  CHECK(r.exit_code == 4);
  const std::vector<std::string> lines = Lines(r.out);
  IndexOf(lines, "  classic: does not apply");
  IndexOf(lines, "    required body: '.articlecontent' matched nothing");
  IndexOf(lines, "    not checked: title");
  IndexOf(lines, "    required body: 'div.content' matched nothing");
  IndexOf(lines, "  rules body: none (no layout applies)");
  IndexOf(lines, "  decision: no article (neither the rules nor generic extraction gave one)");
  IndexOf(lines, "record: none");
  CHECK_THAT(r.out, Catch::Contains("  error (exit 4): site 'maghress-fr': no layout matched"));
  CHECK_THAT(r.err, Catch::Contains("gleaner extract: " + path + ": site 'maghress-fr'"));
}

TEST_CASE("extract --explain: an unreadable file exits 3", "[e2e][extract][explain]") {
  auto r = RunGleaner({"extract", "--explain", "/nonexistent/page.html"}, "", kRoot);
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.out, Catch::Contains("page: not parsed"));
  CHECK_THAT(r.err, Catch::Contains("/nonexistent/page.html"));
}

TEST_CASE("extract --explain usage errors exit 2", "[e2e][extract][explain]") {
  auto two = RunGleaner({"extract", "--explain", kPage, kPage}, "", kRoot);
  CHECK(two.exit_code == 2);
  CHECK_THAT(two.err, Catch::Contains("--explain applies to a single FILE"));
  CHECK(two.out.empty());
  CHECK(RunGleaner({"extract", "--explain"}, "", kRoot).exit_code == 2);
  CHECK(RunGleaner({"extract", "--explain", "--generic", "--site", "maghress-fr", kPage}, "", kRoot)
            .exit_code == 2);
  CHECK(RunGleaner({"extract", "--explain", "--site", "nosuchsite", kPage}, "", kRoot).exit_code ==
        2);
  auto help = RunGleaner({"extract", "--help"}, "", kRoot);
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.out, Catch::Contains("--explain"));
}

}  // namespace
}  // namespace gleaner
