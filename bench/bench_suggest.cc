// How good the site files `gleaner suggest` drafts are, on pages the draft never saw:
//   1. the bundled sites: each drafted from two pages (fixture pages, or a fixture page and
//      a variant of it: support/page_variants.h), then applied to the site's other pages
//      (the fixture pages it was not given and 10 variants per scenario). The truth is the
//      bundled, hand-written site file's record, which is exact on every fixture page.
//   2. WCXB-dev hosts with two or more article pages: drafted from all but the last page,
//      applied to the last; the truth is the benchmark's main content.
//   3. every WCXB-dev article page and every AEB page alone: does the draft reproduce the
//      generic body on its own page (token F1 >= 0.95, the check suggest runs itself)?
// Prints, per suite: pages, the draft's body token F1 against the truth (and generic
// extraction's on the same pages), the share of pages where every drafted field is exact
// (suite 1), how often the draft fell back to generic extraction, and the time per suggest.
//
//   build/bench/bench_suggest [SOURCE_DIR [WCXB_DIR [AEB_DIR]]]
//     defaults: . ../shared/data/wcxb-dev ../shared/data/aeb; a missing data set is skipped.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "daemon/settings/site_files.h"
#include "extractors/pipeline.h"
#include "extractors/suggest/suggest.h"
#include "extractors/suggest/url_shape.h"
#include "extractors/text/tokens.h"
#include "support/data_files.h"
#include "support/page_variants.h"
#include "support/run_binary.h"

namespace fs = std::filesystem;
using gleaner::Article;
using nlohmann::json;

namespace {

// A string member of `j`, or "" when it is missing or not a string.
std::string StringAt(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

constexpr int kVariantsPerScenario = 10;
constexpr uint64_t kMaxSiteFileBytes = 1 << 20;

struct Doc {
  std::string label, url, bytes, content_type;
};

std::optional<Article> Extract(const Doc& doc, const gleaner::rules::SiteSet* sites,
                               bool generic_only) {
  gleaner::ExtractOptions options;
  options.generic_only = generic_only;
  auto a = gleaner::ExtractPage(gleaner::PageInput{doc.bytes, doc.url, doc.content_type}, sites,
                                options);
  if (!a) return std::nullopt;
  return std::move(*a);
}

struct Drafted {
  std::optional<gleaner::rules::SiteSet> sites;
  double ms = 0;
  bool verified = false;
};

Drafted Draft(const std::vector<Doc>& train, const std::string& id) {
  std::vector<gleaner::suggest::Sample> samples;
  for (const Doc& d : train) samples.push_back({d.label, d.bytes, d.url, d.content_type});
  gleaner::suggest::Hints hints;
  if (!id.empty()) hints.id = id;
  auto start = std::chrono::steady_clock::now();
  auto draft = gleaner::suggest::Suggest(samples, hints, {});
  Drafted out;
  out.ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  if (!draft) return out;
  out.verified = draft->verified;
  auto rules = gleaner::rules::ParseSiteRules(draft->yaml, draft->id + ".yaml");
  if (!rules) return out;
  auto set = gleaner::rules::SiteSet::Create({std::move(*rules)});
  if (set) out.sites = std::move(*set);
  return out;
}

struct Tally {
  size_t pages = 0, exact = 0, fell_back = 0, drafts = 0, failed_drafts = 0;
  double draft_f1 = 0, generic_f1 = 0, ms = 0;
  void Print(const char* name, bool with_exact) const {
    double n = pages ? static_cast<double>(pages) : 1;
    std::printf("%-34s %4zu pages  draft body F1 %.3f  generic %.3f", name, pages, draft_f1 / n,
                generic_f1 / n);
    if (with_exact) std::printf("  all fields exact %5.1f %%", 100.0 * exact / n);
    std::printf("  fallback %4.1f %%  %zu drafts (%zu failed), %.0f ms per suggest\n",
                100.0 * fell_back / n, drafts, failed_drafts,
                drafts ? ms / static_cast<double>(drafts) : 0.0);
  }
};

Doc Fixture(const fs::path& pages, const std::string& slug) {
  json c = json::parse(gleaner::testing::ReadFile((pages / slug / "case.json").string()));
  return {slug, c["url"], gleaner::testing::ReadFile((pages / slug / "source.html").string()),
          c["http_headers"].value("Content-Type", "text/html")};
}

Doc Variant(const Doc& page, int shift) {
  return {page.label + "~" + std::to_string(shift), gleaner::testing::VariantUrl(page.url, shift),
          gleaner::testing::Utf8PageVariant(page.bytes, page.content_type, shift),
          "text/html; charset=utf-8"};
}

bool SameFields(const Article& a, const Article& b) {
  return a.title == b.title && a.published == b.published && a.source == b.source &&
         a.source_url == b.source_url && a.language == b.language && a.body == b.body &&
         (!b.author || a.author == b.author) && a.related.size() == b.related.size() &&
         a.ticker.size() == b.ticker.size();
}

void BundledSuite(const fs::path& source) {
  fs::path pages = source / "tests/fixtures/pages";
  auto bundled = gleaner::LoadSites((source / "sites").string(), kMaxSiteFileBytes);
  if (!bundled) {
    std::printf("bundled sites: %s\n", bundled.error().message.c_str());
    return;
  }
  struct Scenario {
    std::string site;
    std::vector<std::string> train;
    bool train_variant;
    std::vector<std::string> others;
  };
  const std::string fr_a = "maghress-fr-2020-12-17-cooperation",
                    fr_b = "maghress-fr-2022-10-31-onu-technologie",
                    fr_new = "maghress-fr-2023-12-06-tanger-layout2",
                    ar_1256 = "maghress-ar-2022-10-31-cp1256",
                    ar = "maghress-ar-2022-10-31-technologie",
                    as = "publisher-ar-2022-10-31-assahifa",
                    wp = "wordpress-fr-2017-09-20-internet-terroristes";
  std::vector<Scenario> scenarios = {
      {"maghress-fr", {fr_a, fr_new}, false, {fr_a, fr_b, fr_new}},
      {"maghress-fr", {fr_a, fr_b}, false, {fr_a, fr_b}},
      {"maghress-ar", {ar_1256, ar}, false, {ar_1256, ar}},
      {"assahifa", {as}, true, {as}},
      {"maroc-diplomatique", {wp}, true, {wp}},
  };
  Tally tally;
  for (const Scenario& s : scenarios) {
    std::vector<Doc> train;
    for (const std::string& slug : s.train) train.push_back(Fixture(pages, slug));
    if (s.train_variant) train.push_back(Variant(train.front(), 1));
    Drafted d = Draft(train, s.site);
    ++tally.drafts;
    tally.ms += d.ms;
    if (!d.sites) ++tally.failed_drafts;
    std::vector<Doc> tests;
    for (const std::string& slug : s.others) {
      bool trained = std::find(s.train.begin(), s.train.end(), slug) != s.train.end();
      if (!trained) tests.push_back(Fixture(pages, slug));
    }
    for (int v = 0; v < kVariantsPerScenario; ++v) {
      tests.push_back(
          Variant(Fixture(pages, s.others[static_cast<size_t>(v) % s.others.size()]), v + 2));
    }
    for (const Doc& t : tests) {
      auto truth = Extract(t, &*bundled, false);
      if (!truth || !truth->body) continue;
      auto generic = Extract(t, nullptr, true);
      auto drafted = d.sites ? Extract(t, &*d.sites, false) : std::nullopt;
      ++tally.pages;
      tally.generic_f1 +=
          generic ? gleaner::text::TokenF1(generic->body.value_or(""), *truth->body) : 0;
      tally.draft_f1 +=
          drafted ? gleaner::text::TokenF1(drafted->body.value_or(""), *truth->body) : 0;
      if (drafted && SameFields(*drafted, *truth)) ++tally.exact;
      if (drafted && drafted->extractor.find("+generic") != std::string::npos) ++tally.fell_back;
    }
  }
  tally.Print("bundled sites, unseen pages", true);
}

struct WcxbPage {
  std::string id, url, type, truth;
  fs::path html;
};

std::vector<WcxbPage> WcxbArticles(const fs::path& dir) {
  std::vector<WcxbPage> out;
  for (const auto& entry : fs::directory_iterator(dir / "ground-truth")) {
    if (entry.path().extension() != ".json") continue;
    json j = json::parse(gleaner::testing::ReadFile(entry.path().string()), nullptr, false);
    if (!j.is_object() || StringAt(j, "page_type") != "article") continue;
    std::string id = StringAt(j, "file_id");
    out.push_back({id, StringAt(j, "url"), "article",
                   j.contains("ground_truth") ? StringAt(j["ground_truth"], "main_content") : "",
                   dir / "html" / (id + ".html.gz")});
  }
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.id < b.id; });
  return out;
}

std::string HostOf(const std::string& url) {
  auto parts = gleaner::ParseUrl(url);
  return parts ? gleaner::suggest::BareHost(parts->host) : "";
}

void WcxbHostsSuite(const std::vector<WcxbPage>& articles) {
  std::map<std::string, std::vector<const WcxbPage*>> hosts;
  for (const WcxbPage& p : articles) hosts[HostOf(p.url)].push_back(&p);
  Tally tally;
  for (const auto& [host, pages] : hosts) {
    if (pages.size() < 2 || host.empty()) continue;
    std::vector<Doc> train;
    for (size_t i = 0; i + 1 < pages.size(); ++i)
      train.push_back(
          {pages[i]->id, pages[i]->url, gleaner::testing::GunzipFile(pages[i]->html.string()), ""});
    Doc test{pages.back()->id, pages.back()->url,
             gleaner::testing::GunzipFile(pages.back()->html.string()), ""};
    Drafted d = Draft(train, "");
    ++tally.drafts;
    tally.ms += d.ms;
    if (!d.sites) ++tally.failed_drafts;
    auto generic = Extract(test, nullptr, true);
    auto drafted = d.sites ? Extract(test, &*d.sites, false) : generic;
    ++tally.pages;
    const std::string& truth = pages.back()->truth;
    double g = generic ? gleaner::text::TokenF1(generic->body.value_or(""), truth) : 0;
    double f = drafted ? gleaner::text::TokenF1(drafted->body.value_or(""), truth) : 0;
    tally.generic_f1 += g;
    tally.draft_f1 += f;
    if (std::getenv("BENCH_PAGES")) {
      std::printf("  %-40s %s draft %.3f generic %.3f %s\n", host.c_str(), pages.back()->id.c_str(),
                  f, g, drafted ? drafted->extractor.c_str() : "-");
    }
    if (drafted && drafted->extractor.find("+generic") != std::string::npos) ++tally.fell_back;
  }
  tally.Print("WCXB hosts, unseen page", false);
}

void SinglePagesSuite(const char* name, const std::vector<Doc>& docs) {
  Tally tally;
  size_t verified = 0, own_f1_ok = 0;
  for (const Doc& doc : docs) {
    Drafted d = Draft({doc}, "");
    ++tally.drafts;
    tally.ms += d.ms;
    if (!d.sites) {
      ++tally.failed_drafts;
      continue;
    }
    if (d.verified) ++verified;
    auto generic = Extract(doc, nullptr, true);
    auto drafted = Extract(doc, &*d.sites, false);
    if (!generic || !drafted) continue;
    double f1 = gleaner::text::TokenF1(drafted->body.value_or(""), generic->body.value_or(""));
    if (f1 >= 0.95) ++own_f1_ok;
  }
  std::printf(
      "%-34s %4zu pages  draft reproduces the generic body (F1 >= 0.95): %5.1f %%  "
      "verified %5.1f %%  no draft %zu  %.0f ms per suggest\n",
      name, docs.size(), 100.0 * own_f1_ok / std::max<size_t>(1, docs.size()),
      100.0 * verified / std::max<size_t>(1, docs.size()), tally.failed_drafts,
      tally.ms / std::max<size_t>(1, tally.drafts));
}

}  // namespace

int main(int argc, char** argv) {
  fs::path source = argc > 1 ? argv[1] : ".";
  fs::path wcxb = argc > 2 ? argv[2] : "../shared/data/wcxb-dev";
  fs::path aeb = argc > 3 ? argv[3] : "../shared/data/aeb";
  BundledSuite(source);
  if (fs::exists(wcxb / "ground-truth")) {
    std::vector<WcxbPage> articles = WcxbArticles(wcxb);
    WcxbHostsSuite(articles);
    std::vector<Doc> docs;
    for (const WcxbPage& p : articles)
      docs.push_back({p.id, p.url, gleaner::testing::GunzipFile(p.html.string()), ""});
    SinglePagesSuite("WCXB-dev articles, one page each", docs);
  } else {
    std::printf("WCXB-dev: %s not found, skipped\n", wcxb.c_str());
  }
  if (fs::exists(aeb / "ground-truth.json")) {
    json truth = json::parse(gleaner::testing::ReadFile((aeb / "ground-truth.json").string()));
    std::vector<Doc> docs;
    for (auto it = truth.begin(); it != truth.end(); ++it) {
      std::string url = StringAt(it.value(), "url");
      if (url.empty()) url = "https://aeb.invalid/" + it.key();
      docs.push_back(
          {it.key(), url,
           gleaner::testing::GunzipFile((aeb / "html" / (it.key() + ".html.gz")).string()), ""});
    }
    SinglePagesSuite("AEB, one page each", docs);
  } else {
    std::printf("AEB: %s not found, skipped\n", aeb.c_str());
  }
  return 0;
}
