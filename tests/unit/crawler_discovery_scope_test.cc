// What discovery may add to the frontier: a sitemap named by a sitemap index or by
// robots.txt becomes a source polled for good, so only the site's own hosts (those of its
// sources, and its sitemap_hosts) are followed; URLs over kMaxUrlBytes are dropped. The
// fake fetcher sends nothing anywhere: the "internal" hosts are 127.x names in documents.
#include <catch2/catch.hpp>

#include "daemon/fetch/fake_fetcher.h"
#include "daemon/schedule/crawler.h"
#include "extractors/core/url.h"
#include "support/run_binary.h"

namespace gleaner::schedule {
namespace {

using namespace std::chrono_literals;
using fetch::FakePage;

const std::string kIndex = "https://news.example/sitemap.xml";
const std::string kOwnChild = "https://news.example/sitemap-1.xml";
const std::string kInternalChild = "http://127.0.0.2/internal.xml";
const std::string kCdnChild = "https://cdn.example/sm.xml";
const std::string kRobotsSitemap = "http://127.0.0.3:8080/latest/meta-data.xml";

rules::SiteSet Sites(const std::string& extra = "") {
  auto site = rules::ParseSiteRules(
      "id: news\nname: News\nlanguage: fr\nurls: '^https?://'\n"
      "sitemaps_from_robots: true\n" +
          extra + "sources:\n  - sitemap: " + kIndex +
          "\n    every: 1h\n"
          "layouts:\n  - body: article\n",
      "news.yaml");
  REQUIRE(site.has_value());
  return *rules::SiteSet::Create({*site});
}

std::string Index(const std::vector<std::string>& children) {
  std::string xml =
      "<?xml version='1.0'?><sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>";
  for (const std::string& c : children) xml += "<sitemap><loc>" + c + "</loc></sitemap>";
  return xml + "</sitemapindex>";
}

std::string UrlSet(const std::vector<std::string>& urls) {
  std::string xml =
      "<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>";
  for (const std::string& u : urls) xml += "<url><loc>" + u + "</loc></url>";
  return xml + "</urlset>";
}

struct Fixture {
  testing::TempDir dir;
  store::Store store = *store::Store::Open(dir.path() + "/g.db", store::OpenMode::kCreate);
  fetch::FakeFetcher fetcher;
  store::Time now = store::FromMillis(1700000000000);
  Config config;

  Crawler Make(rules::SiteSet sites) {
    CrawlerOptions options;
    options.seed = 7;
    return Crawler(
        config, std::move(sites), store, fetcher, [this] { return now; }, options);
  }
  int Count(const std::string& url) {
    int n = 0;
    for (const auto& r : fetcher.requests()) n += r.url == url;
    return n;
  }
  bool Known(const std::string& url) { return store.Known(url).value_or(true); }
  void Run(Crawler& crawler) {
    for (int i = 0; i < 4; ++i) REQUIRE(crawler.Step(0ms));
  }
};

TEST_CASE("discovery: sitemaps off the site's hosts are neither fetched nor made sources",
          "[crawler][guard]") {
  Fixture f;
  f.fetcher.SetResponse(kIndex,
                        FakePage(Index({kOwnChild, kInternalChild, kCdnChild}), "application/xml"));
  f.fetcher.SetResponse(kOwnChild, FakePage(UrlSet({}), "application/xml"));
  f.fetcher.SetSitemaps("https://news.example", {kRobotsSitemap});
  Crawler crawler = f.Make(Sites());
  REQUIRE(crawler.Seed());
  f.Run(crawler);
  CHECK(f.Count(kOwnChild) == 1);
  CHECK(f.Known(kOwnChild));
  for (const std::string& refused : {kInternalChild, kCdnChild, kRobotsSitemap}) {
    INFO(refused);
    CHECK(f.Count(refused) == 0);
    CHECK_FALSE(f.Known(refused));
  }
  CHECK(crawler.health().at("news").offsite_sitemaps >= 3);
}

TEST_CASE("discovery: sitemap_hosts lets a site read its sitemaps on another host",
          "[crawler][guard]") {
  Fixture f;
  f.fetcher.SetResponse(kIndex, FakePage(Index({kCdnChild, kInternalChild}), "application/xml"));
  f.fetcher.SetResponse(kCdnChild, FakePage(UrlSet({}), "application/xml"));
  Crawler crawler = f.Make(Sites("sitemap_hosts: [CDN.example]\n"));
  REQUIRE(crawler.Seed());
  f.Run(crawler);
  CHECK(f.Count(kCdnChild) == 1);
  CHECK(f.Count(kInternalChild) == 0);
  CHECK(crawler.health().at("news").offsite_sitemaps == 1);
}

TEST_CASE("discovery: URLs over kMaxUrlBytes are dropped and counted", "[crawler][guard]") {
  Fixture f;
  const std::string ok = "https://news.example/a/1";
  const std::string prefix = "https://news.example/a/";
  const std::string too_long = prefix + std::string(kMaxUrlBytes + 1 - prefix.size(), '9');
  f.fetcher.SetResponse(kIndex, FakePage(UrlSet({ok, too_long}), "application/xml"));
  f.fetcher.SetHandler(
      [](const fetch::FetchRequest&) { return FakePage("<article><p>x</p></article>"); });
  Crawler crawler = f.Make(Sites());
  REQUIRE(crawler.Seed());
  f.Run(crawler);
  CHECK(f.Count(ok) == 1);
  CHECK(f.Count(too_long) == 0);
  CHECK(crawler.health().at("news").long_urls == 1);
}

TEST_CASE("site files: sitemap_hosts is a list of plain host names", "[site_rules][guard]") {
  const std::string head = "id: s\nname: S\nlanguage: fr\nurls: x\nlayouts:\n  - body: p\n";
  auto good = rules::ParseSiteRules(
      head + "sitemap_hosts: [sitemaps.Example.com, 192.0.2.1, '[2001:db8::1]']\n", "s.yaml");
  REQUIRE(good.has_value());
  CHECK(good->sitemap_hosts ==
        std::vector<std::string>{"sitemaps.example.com", "192.0.2.1", "[2001:db8::1]"});
  CHECK(good->MayReadSitemapAt("https://SITEMAPS.example.com:8443/x.xml"));
  CHECK_FALSE(good->MayReadSitemapAt("https://example.com/x.xml"));
  for (const char* bad :
       {"sitemap_hosts: https://a.example/\n", "sitemap_hosts: [https://a.example/]\n",
        "sitemap_hosts: [a.example:80]\n", "sitemap_hosts: ['*.example.com']\n",
        "sitemap_hosts: ['']\n", "sitemap_hosts: [[a]]\n"}) {
    INFO(bad);
    auto r = rules::ParseSiteRules(head + bad, "s.yaml");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message.rfind("s.yaml:7:", 0) == 0);
  }
}

TEST_CASE("config: fetch.allow_networks takes CIDR blocks and bare addresses", "[config][guard]") {
  auto c = ParseConfig("fetch:\n  allow_networks: [10.1.0.0/16, 127.0.0.1, 'fd00::/8']\n", "g.yaml",
                       false);
  REQUIRE(c.has_value());
  REQUIRE(c->fetch.allow_networks.size() == 3);
  CHECK(fetch::FormatNetwork(c->fetch.allow_networks[1]) == "127.0.0.1/32");
  CHECK(
      ParseConfig("fetch:\n  allow_networks: []\n", "g.yaml", false)->fetch.allow_networks.empty());
  CHECK(ParseConfig("", "g.yaml", false)->fetch.allow_networks.empty());
  auto bad = ParseConfig("fetch:\n  allow_networks:\n    - 10.0.0.0/8\n    - 10.0.0.1/8\n",
                         "g.yaml", false);
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().message.rfind("g.yaml:4:7: ", 0) == 0);
  CHECK(bad.error().message.find("did you mean 10.0.0.0/8?") != std::string::npos);
  auto scalar = ParseConfig("fetch:\n  allow_networks: 10.0.0.0/8\n", "g.yaml", false);
  REQUIRE_FALSE(scalar.has_value());
  CHECK(scalar.error().message.rfind("g.yaml:2:", 0) == 0);
}

}  // namespace
}  // namespace gleaner::schedule
