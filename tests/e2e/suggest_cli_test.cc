// `gleaner suggest` as a user runs it: two saved pages of a site in, a site file out, and
// that file must extract the site's other pages exactly as the bundled, hand-written site
// file does. The other pages are the fixture pages it was not given and variants of them
// (support/page_variants.h: the same markup, other words, other URLs).
#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/http_server.h"
#include "support/page_variants.h"
#include "support/run_binary.h"

namespace gleaner {
namespace {

using nlohmann::json;
using testing::HttpReply;
using testing::HttpServer;
using testing::Lines;
using testing::ReadFile;
using testing::RunGleaner;
using testing::RunResult;
using testing::TempDir;

const std::string kRoot = GLEANER_SOURCE_DIR;
const std::string kPages = kRoot + "/tests/fixtures/pages/";

// A page as suggest and extract are given it: a file, its URL, how it was served.
struct Page {
  std::string file;
  std::string url;
  std::string content_type;
};

// The fixture page `slug`, as saved.
Page Fixture(const std::string& slug) {
  json c = json::parse(ReadFile(kPages + slug + "/case.json"));
  return {kPages + slug + "/source.html", c["url"].get<std::string>(),
          c["http_headers"].value("Content-Type", "text/html")};
}

// Variant `shift` of the fixture page `slug`, saved as UTF-8 in `dir` (its charset
// declaration rewritten to match).
Page Variant(const TempDir& dir, const std::string& slug, int shift) {
  Page page = Fixture(slug);
  std::string name = slug + "-v" + std::to_string(shift) + ".html";
  return {dir.Write(name, testing::Utf8PageVariant(ReadFile(page.file), page.content_type, shift)),
          testing::VariantUrl(page.url, shift), "text/html; charset=utf-8"};
}

json Extract(const Page& page, const std::vector<std::string>& sites) {
  std::vector<std::string> args{"extract", "--url", page.url, "--content-type", page.content_type};
  args.insert(args.end(), sites.begin(), sites.end());
  args.push_back(page.file);
  RunResult r = RunGleaner(args, "", kRoot);
  REQUIRE(r.exit_code == 0);
  return json::parse(Lines(r.out).at(0));
}

// Drafts site `id` from `train` into dir/sites and returns what suggest printed on stderr.
std::string Draft(const TempDir& dir, const std::string& id, const std::vector<Page>& train) {
  std::vector<std::string> args{"suggest", "--id", id, "--write", dir.path() + "/sites"};
  for (const Page& p : train) args.push_back(p.file + "=" + p.url);
  RunResult r = RunGleaner(args, "", dir.path());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.empty());
  return r.err;
}

// Every field the bundled site file gives, the draft gives the same.
void ExpectSameRecord(const Page& page, const std::string& id, const std::string& draft_sites) {
  json bundled = Extract(page, {});
  json drafted = Extract(page, {"--sites", draft_sites});
  INFO(page.file << " " << page.url);
  REQUIRE(bundled["extractor"].get<std::string>().find("+generic") == std::string::npos);
  CHECK(drafted["extractor"].get<std::string>().rfind("rules:" + id + "/", 0) == 0);
  CHECK(drafted["extractor"].get<std::string>().find("+generic") == std::string::npos);
  for (const char* field :
       {"title", "published", "source", "source_url", "language", "body", "related", "ticker"}) {
    INFO(field);
    CHECK(drafted[field] == bundled[field]);
  }
  if (!bundled["author"].is_null()) CHECK(drafted["author"] == bundled["author"]);
}

struct Scenario {
  std::string site;
  std::vector<std::string> train;                     // fixture slugs, variant 1 of the last
  bool train_variant;                                 // the second sample is a variant
  std::vector<std::string> test;                      // fixture slugs to test as they are
  std::vector<std::pair<std::string, int>> variants;  // and variants of these
};

TEST_CASE("a draft from two pages extracts the site's other pages as the bundled file does",
          "[e2e][suggest]") {
  const std::string fr_a = "maghress-fr-2020-12-17-cooperation";
  const std::string fr_b = "maghress-fr-2022-10-31-onu-technologie";
  const std::string fr_new = "maghress-fr-2023-12-06-tanger-layout2";
  const std::string ar_1256 = "maghress-ar-2022-10-31-cp1256";
  const std::string ar = "maghress-ar-2022-10-31-technologie";
  const std::string assahifa = "publisher-ar-2022-10-31-assahifa";
  const std::string wordpress = "wordpress-fr-2017-09-20-internet-terroristes";
  const std::vector<Scenario> scenarios = {
      // Two designs in, two layouts out.
      {"maghress-fr", {fr_a, fr_new}, false, {fr_b}, {{fr_a, 2}, {fr_b, 3}, {fr_new, 4}}},
      {"maghress-fr", {fr_a, fr_b}, false, {}, {{fr_a, 5}, {fr_b, 6}}},
      // Arabic, one sample in windows-1256.
      {"maghress-ar", {ar_1256, ar}, false, {}, {{ar_1256, 2}, {ar, 3}}},
      // The WordPress publishers: one real page each, a variant as the second sample.
      {"assahifa", {assahifa}, true, {}, {{assahifa, 2}, {assahifa, 3}}},
      {"maroc-diplomatique", {wordpress}, true, {}, {{wordpress, 2}, {wordpress, 3}}},
  };
  for (const Scenario& s : scenarios) {
    DYNAMIC_SECTION(s.site << " from " << s.train.front()
                           << (s.train_variant ? " + variant" : "")) {
      TempDir dir;
      std::vector<Page> train;
      for (const std::string& slug : s.train) train.push_back(Fixture(slug));
      if (s.train_variant) train.push_back(Variant(dir, s.train.front(), 1));
      Draft(dir, s.site, train);
      RunResult check = RunGleaner({"check", "--sites", dir.path() + "/sites"}, "", dir.path());
      INFO(check.out << check.err);
      CHECK(check.exit_code == 0);
      for (const std::string& slug : s.test)
        ExpectSameRecord(Fixture(slug), s.site, dir.path() + "/sites");
      for (const auto& [slug, shift] : s.variants) {
        ExpectSameRecord(Variant(dir, slug, shift), s.site, dir.path() + "/sites");
      }
    }
  }
}

TEST_CASE("the draft says what each rule rests on and where it falls short", "[e2e][suggest]") {
  Page a = Fixture("maghress-fr-2020-12-17-cooperation");
  Page b = Fixture("maghress-fr-2022-10-31-onu-technologie");
  RunResult r = RunGleaner({"suggest", a.file + "=" + a.url, b.file + "=" + b.url}, "", kRoot);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("id: maghress-fr\n"));
  CHECK_THAT(r.out, Catch::Contains("urls:\n  - '^https?://(www\\.)?maghress\\.com/fr(/|$)'"));
  CHECK_THAT(r.out, Catch::Contains(
                        "articles: '^https?://(www\\.)?maghress\\.com/fr/[a-z0-9_-]+/[0-9]+/?$'"));
  CHECK_THAT(r.out, Catch::Contains("  - feed: 'https://www.maghress.com/fr/rss'"));
  CHECK_THAT(r.out, Catch::Contains("ticker: '.ticker a'"));
  CHECK_THAT(r.out, Catch::Contains("headline links: 48, 48"));
  CHECK_THAT(r.out, Catch::Contains("\"read also\" lines in the body: \"Lire aussi\""));
  CHECK_THAT(r.out, Catch::Contains("    body: '.articlecontent'"));
  CHECK_THAT(r.out, Catch::Contains("body token F1 against generic extraction: 1.000, 1.000"));
  CHECK_THAT(r.out, Catch::Contains("\"Barlamane\"\n    source: "));
  CHECK_THAT(r.err, Catch::Contains("rules:maghress-fr/main, body F1 1.000, every field as found"));
}

TEST_CASE("published is never drawn from a date that names a change", "[e2e][suggest]") {
  // The page was changed on the day it was published: both meta tags give the date, and
  // the one that dates the change comes first.
  std::string html =
      "<html lang=\"en\"><head><title>The council votes on the new harbour plan</title>"
      "<meta property=\"article:modified_time\" content=\"2024-05-07T10:00:00Z\">"
      "<meta property=\"article:published_time\" content=\"2024-05-07T10:00:00Z\">"
      "</head><body><h1 class=\"headline\">The council votes on the new harbour plan</h1>"
      "<div class=\"story-body\">";
  for (int i = 0; i < 6; ++i) {
    html +=
        "<p>The council met on Tuesday evening and, after a long debate about costs, "
        "jobs and the fishing fleet, voted on the plan for the harbour, paragraph " +
        std::to_string(i) + ".</p>";
  }
  html += "</div></body></html>";
  TempDir dir;
  std::string file = dir.Write("story.html", html);
  RunResult r = RunGleaner({"suggest", file + "=https://news.example/2024/05/07/harbour-plan"}, "",
                           dir.path());
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out,
             Catch::Contains("published: 'meta[property=\"article:published_time\"]@content'"));
  CHECK_THAT(r.out, !Catch::Contains("modified_time"));
  CHECK_THAT(r.out, Catch::Contains("title: '.headline'"));
  CHECK_THAT(r.out, Catch::Contains("body: '.story-body'"));
}

// A config that lets the fetcher reach the test server on loopback, without delays.
std::string LoopbackConfig(const TempDir& dir) {
  return dir.Write("gleaner.yaml", "fetch:\n  delay: 0s\n  jitter: 0s\n  retries: 0\n" +
                                       std::string(testing::kAllowLoopback));
}

TEST_CASE("suggest fetches URL samples politely and lists the robots.txt sitemaps",
          "[e2e][suggest]") {
  HttpServer::Options options;
  options.address = "127.0.0.61";
  HttpServer server(options);
  server.Route("/robots.txt", HttpReply::Text("User-agent: *\nDisallow: /private/\n"
                                              "Sitemap: " +
                                              server.Url("/sitemap.xml") + "\n"));
  Page a = Fixture("maghress-fr-2020-12-17-cooperation");
  Page b = Fixture("maghress-fr-2022-10-31-onu-technologie");
  server.Route("/fr/barlamane/40377", HttpReply::Html(ReadFile(a.file)));
  server.Route("/fr/marocdiplomatique/58214", HttpReply::Html(ReadFile(b.file)));
  server.Route("/private/1", HttpReply::Html(ReadFile(b.file)));
  TempDir dir;
  std::string config = LoopbackConfig(dir);

  RunResult r = RunGleaner({"suggest", "--config", config, server.Url("/fr/barlamane/40377"),
                            server.Url("/fr/marocdiplomatique/58214")},
                           "", dir.path());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(server.CountFor("/robots.txt") == 1);
  CHECK_THAT(r.out, Catch::Contains("  - sitemap: '" + server.Url("/sitemap.xml") + "'"));
  CHECK_THAT(r.out, Catch::Contains("urls:\n  - '^https?://(www\\.)?127\\.0\\.0\\.61:" +
                                    std::to_string(server.port()) + "/fr(/|$)'"));
  CHECK_THAT(r.out, Catch::Contains("id: site-127-0-0-61-fr\n"));

  SECTION("a URL robots.txt refuses, or that fails, is named, exit 4") {
    RunResult refused = RunGleaner({"suggest", "--config", config,
                                    server.Url("/fr/barlamane/40377"), server.Url("/private/1")},
                                   "", dir.path());
    CHECK(refused.exit_code == 4);
    CHECK_THAT(refused.err, Catch::Contains(server.Url("/private/1") + ": cannot be fetched"));
    RunResult missing =
        RunGleaner({"suggest", "--config", config, server.Url("/gone")}, "", dir.path());
    CHECK(missing.exit_code == 4);
    CHECK_THAT(missing.err, Catch::Contains(server.Url("/gone") + ": cannot be fetched"));
    CHECK(r.out.size() > 0);
  }
}

TEST_CASE("bad samples are named and give no draft", "[e2e][suggest]") {
  Page fr = Fixture("maghress-fr-2020-12-17-cooperation");
  Page wp = Fixture("wordpress-fr-2017-09-20-internet-terroristes");
  TempDir dir;

  SECTION("samples of different sites: exit 4") {
    RunResult r =
        RunGleaner({"suggest", fr.file + "=" + fr.url, wp.file + "=" + wp.url}, "", kRoot);
    CHECK(r.exit_code == 4);
    CHECK(r.out.empty());
    CHECK_THAT(r.err, Catch::Contains(wp.file + ": its host maroc-diplomatique.net is not the "
                                                "first sample's (www.maghress.com)"));
  }
  SECTION("a page that is not an article: exit 4") {
    std::string listing = "<html><head><title>Actualités</title></head><body><ul>";
    for (int i = 0; i < 12; ++i) {
      listing += "<li><a href=\"/fr/a/" + std::to_string(i) + "\">Un titre de la rubrique numéro " +
                 std::to_string(i) + "</a></li>";
    }
    listing += "</ul></body></html>";
    std::string file = dir.Write("listing.html", listing);
    RunResult r = RunGleaner({"suggest", file + "=https://news.example/fr/"}, "", kRoot);
    CHECK(r.exit_code == 4);
    CHECK(r.out.empty());
    CHECK_THAT(r.err, Catch::Contains(file + ": not an article page"));
  }
  SECTION("a saved page that names no URL: exit 4, and the way out") {
    std::string html = ReadFile(wp.file);
    for (const char* key : {"rel=\"canonical\"", "og:url"}) {
      for (size_t at; (at = html.find(key)) != std::string::npos;)
        html.replace(at, std::string(key).size(), "x");
    }
    std::string file = dir.Write("bare.html", html);
    RunResult r = RunGleaner({"suggest", file}, "", kRoot);
    CHECK(r.exit_code == 4);
    CHECK_THAT(r.err, Catch::Contains(file + ": no URL") && Catch::Contains("FILE=URL"));
  }
  SECTION("a missing file: exit 3") {
    RunResult r =
        RunGleaner({"suggest", "/nonexistent/page.html=https://a.example/x/1"}, "", kRoot);
    CHECK(r.exit_code == 3);
    CHECK_THAT(r.err, Catch::Contains("/nonexistent/page.html"));
  }
  SECTION("--write never overwrites: exit 2, the file kept") {
    std::string out = dir.path() + "/sites";
    RunResult first = RunGleaner({"suggest", "--write", out, fr.file + "=" + fr.url}, "", kRoot);
    REQUIRE(first.exit_code == 0);
    std::string written = ReadFile(out + "/maghress-fr.yaml");
    RunResult again = RunGleaner(
        {"suggest", "--write", out, "--name", "Other", fr.file + "=" + fr.url}, "", kRoot);
    CHECK(again.exit_code == 2);
    CHECK_THAT(again.err, Catch::Contains(out + "/maghress-fr.yaml exists"));
    CHECK(ReadFile(out + "/maghress-fr.yaml") == written);
  }
}

}  // namespace
}  // namespace gleaner
