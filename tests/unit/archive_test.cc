// The page archive: what is stored for a fetch, what is not stored twice, how a corrupt
// entry and a full disk are reported, and how old pages leave.
#include "daemon/store/archive.h"

#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "daemon/fetch/fake_fetcher.h"
#include "daemon/schedule/crawler.h"
#include "support/run_binary.h"

namespace gleaner::store {
namespace {

using namespace std::chrono_literals;

const Time kT0 = FromMillis(1700000000000);

NewCapture Page(const std::string& url, const std::string& body, Time fetched = kT0) {
  NewCapture c;
  c.url = url;
  c.final_url = url;
  c.site = "news";
  c.status = 200;
  c.head = "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=windows-1256\r\nX-A: 1\r\n";
  c.body = body;
  c.fetched = fetched;
  return c;
}

struct Fixture {
  testing::TempDir dir;
  Archive archive = *Archive::Open(dir.path() + "/var/g.archive.db", OpenMode::kCreate);
};

std::vector<Capture> All(Archive& archive, CaptureFilter filter = {}) {
  std::vector<Capture> all;
  REQUIRE(archive.ForEach(filter, [&](const Capture& c) {
    all.push_back(c);
    return true;
  }));
  return all;
}

int64_t Count(Archive& archive, const std::string& sql) {
  return *archive.database().QueryInt(sql);
}

TEST_CASE("the archive sits beside the database", "[archive]") {
  CHECK(ArchivePathFor("var/gleaner.db") == "var/gleaner.archive.db");
  CHECK(ArchivePathFor("/srv/corpus") == "/srv/corpus.archive.db");
}

TEST_CASE("an archived page comes back byte for byte, with its head", "[archive]") {
  Fixture f;
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);  // NUL, invalid UTF-8
  bytes += std::string(5000, '\xe3');
  REQUIRE(f.archive.Add({Page("https://news.example/a/1#top", bytes)}));
  auto latest = f.archive.Latest("HTTPS://NEWS.EXAMPLE/a/1");
  REQUIRE(latest);
  REQUIRE(*latest);
  const Capture& c = **latest;
  CHECK(c.url == "https://news.example/a/1#top");
  CHECK(c.status == 200);
  CHECK(c.site == "news");
  CHECK(c.fetched == kT0);
  CHECK(c.body_bytes == static_cast<int64_t>(bytes.size()));
  CHECK(HeadValue(c.head, "content-type") == "text/html; charset=windows-1256");
  CHECK(HeadValue(c.head, "x-missing") == std::nullopt);
  auto body = f.archive.Body(c);
  REQUIRE(body);
  CHECK(*body == bytes);
  CHECK(*f.archive.Latest("https://news.example/a/2") == std::nullopt);
}

TEST_CASE("a page fetched again unchanged is not archived twice, a body is stored once",
          "[archive]") {
  Fixture f;
  std::string html = "<html><body>" + std::string(20000, 'x') + "</body></html>";
  auto first = f.archive.Add({Page("https://news.example/a/1", html)});
  REQUIRE(first);
  CHECK(first->stored == 1);
  CHECK(first->new_bodies == 1);
  // Highly repetitive text compresses far below its size.
  CHECK(first->compressed_bytes * 10 < first->raw_bytes);
  NewCapture again = Page("https://news.example/a/1", html, kT0 + 1h);
  again.head = "HTTP/1.1 200 OK\r\nDate: another day\r\n";
  auto second = f.archive.Add({again});
  REQUIRE(second);
  CHECK(second->stored == 0);
  CHECK(second->unchanged == 1);
  // The same body under another URL: a capture of its own, the body shared.
  auto mirror = f.archive.Add({Page("https://mirror.example/a/1", html)});
  REQUIRE(mirror);
  CHECK(mirror->stored == 1);
  CHECK(mirror->new_bodies == 0);
  // A changed page is a new capture, and the latest one is the newest.
  REQUIRE(f.archive.Add({Page("https://news.example/a/1", html + "!", kT0 + 2h)}));
  auto stats = f.archive.Stats();
  REQUIRE(stats);
  CHECK(stats->captures == 3);
  CHECK(stats->bodies == 2);
  CHECK(*f.archive.Body(**f.archive.Latest("https://news.example/a/1")) == html + "!");
  CaptureFilter latest;
  latest.latest_only = true;
  CHECK(All(f.archive, latest).size() == 2);
  CHECK(All(f.archive).size() == 3);
}

// A news page: a template shared by every page of the host (menus, a ticker, a footer),
// and prose of its own.
std::string TemplatedPage(int n) {
  static const char* const kWords[] = {"le",      "gouvernement", "a",       "annoncé",  "une",
                                       "réforme", "des",          "écoles",  "dans",     "la",
                                       "région",  "selon",        "le",      "ministre", "qui",
                                       "prévoit", "budget",       "nouveau", "pour",     "année"};
  std::string chrome;
  for (int i = 0; i < 40; ++i) {
    chrome += "<li class='menu-item'><a href='/rubrique/" + std::to_string(i * 37) + "'>" +
              kWords[i % 20] + " " + kWords[(i * 7) % 20] + "</a><span class=count>" +
              std::to_string(i * i) + "</span></li>";
  }
  std::string text;
  uint32_t x = static_cast<uint32_t>(n) * 2654435761u + 1;
  for (int i = 0; i < 600; ++i) {
    x = x * 1664525u + 1013904223u;
    text += std::string(kWords[(x >> 16) % 20]) + (i % 12 == 11 ? ". " : " ");
  }
  return "<html><head><title>Article " + std::to_string(n) + "</title></head><body><nav><ul>" +
         chrome + "</ul></nav><article><p>" + text + "</p></article><footer>Tous droits " +
         "réservés, le journal du matin et du soir, édition régionale</footer></body></html>";
}

TEST_CASE("a host's pages are compressed with a dictionary made of its first ones", "[archive]") {
  Fixture f;
  int64_t before_dictionary = 0;
  int64_t with_dictionary = 0;
  const int pages = 80;
  for (int i = 0; i < pages; ++i) {
    auto added = f.archive.Add({Page("https://news.example/a/" + std::to_string(i),
                                     TemplatedPage(i), kT0 + std::chrono::minutes(i))});
    REQUIRE(added);
    (i < 8 ? before_dictionary : with_dictionary) += added->compressed_bytes;
  }
  CHECK(Count(f.archive, "SELECT count(*) FROM dictionaries WHERE host = 'news.example'") == 1);
  CHECK(Count(f.archive, "SELECT count(*) FROM bodies WHERE dictionary IS NOT NULL") == pages - 8);
  // The template costs next to nothing once the dictionary knows it.
  CHECK(with_dictionary / (pages - 8) < before_dictionary / 8 * 3 / 4);
  for (int i : {0, 7, 8, 79}) {
    auto c = f.archive.Latest("https://news.example/a/" + std::to_string(i));
    REQUIRE(c);
    REQUIRE(*c);
    CHECK(*f.archive.Body(**c) == TemplatedPage(i));
  }
  // Another host has no dictionary of its own yet, and the first host's is not used for it.
  REQUIRE(f.archive.Add({Page("https://other.example/a/1", TemplatedPage(1))}));
  CHECK(Count(f.archive, "SELECT count(*) FROM dictionaries") == 1);
  // A lost dictionary makes its pages corrupt entries, reported, not a crash.
  REQUIRE(f.archive.database().Exec("DELETE FROM dictionaries").has_value());
  Archive reopened = *Archive::Open(f.archive.path(), OpenMode::kReadOnly);
  auto lost = reopened.Body(**reopened.Latest("https://news.example/a/79"));
  REQUIRE_FALSE(lost);
  CHECK(lost.error().code == ErrorCode::kInput);
  CHECK(*reopened.Body(**reopened.Latest("https://news.example/a/0")) == TemplatedPage(0));
}

TEST_CASE("the walk filters by site, host and time, oldest first", "[archive]") {
  Fixture f;
  std::vector<NewCapture> pages;
  for (int i = 0; i < 600; ++i) {  // more than one page of the walk
    NewCapture c = Page("https://h" + std::to_string(i % 3) + ".example/a/" + std::to_string(i),
                        "body " + std::to_string(i), kT0 + std::chrono::minutes(600 - i));
    c.site = i % 2 ? "odd" : "even";
    pages.push_back(c);
  }
  REQUIRE(f.archive.Add(pages));
  auto all = All(f.archive);
  REQUIRE(all.size() == 600);
  for (size_t i = 1; i < all.size(); ++i) CHECK(all[i - 1].fetched <= all[i].fetched);
  CaptureFilter odd;
  odd.site = "odd";
  CHECK(All(f.archive, odd).size() == 300);
  CaptureFilter host;
  host.host = "h1.example";
  CHECK(All(f.archive, host).size() == 200);
  CaptureFilter since;
  since.since = kT0 + std::chrono::minutes(501);
  CHECK(All(f.archive, since).size() == 100);
  int seen = 0;
  REQUIRE(f.archive.ForEach({}, [&](const Capture&) { return ++seen < 10; }));
  CHECK(seen == 10);
}

TEST_CASE("a corrupt entry is reported with its URL, the others still read", "[archive]") {
  Fixture f;
  REQUIRE(f.archive.Add({Page("https://news.example/a/1", std::string(3000, 'a')),
                         Page("https://news.example/a/2", std::string(3000, 'b'))}));
  Capture one = **f.archive.Latest("https://news.example/a/1");
  REQUIRE(
      f.archive.database()
          .Exec("UPDATE bodies SET data = X'28b52ffd0000' WHERE sha256 = '" + one.body_sha256 + "'")
          .has_value());
  auto body = f.archive.Body(one);
  REQUIRE_FALSE(body);
  CHECK(body.error().code == ErrorCode::kInput);
  CHECK_THAT(body.error().message, Catch::Contains("https://news.example/a/1"));
  CHECK(*f.archive.Body(**f.archive.Latest("https://news.example/a/2")) == std::string(3000, 'b'));
  // A body whose bytes decompress but are not the page's is caught by its hash.
  Capture two = **f.archive.Latest("https://news.example/a/2");
  two.body_sha256 = one.body_sha256;
  REQUIRE(f.archive.database()
              .Exec("UPDATE bodies SET sha256 = 'x' WHERE sha256 = '" + one.body_sha256 + "'")
              .has_value());
  CHECK_FALSE(f.archive.Body(two));
}

TEST_CASE("a full disk leaves no half entry, and the connection goes on", "[archive]") {
  Fixture f;
  REQUIRE(f.archive.Add({Page("https://news.example/kept", "kept")}));
  int64_t pages = Count(f.archive, "PRAGMA page_count");
  REQUIRE(f.archive.database()
              .Exec("PRAGMA max_page_count = " + std::to_string(pages + 4))
              .has_value());
  std::vector<NewCapture> big;
  for (int i = 0; i < 50; ++i) {
    std::string noise;
    for (int j = 0; j < 4000; ++j) noise += static_cast<char>((i * 7919 + j * 104729) % 251);
    big.push_back(Page("https://news.example/big/" + std::to_string(i), noise));
  }
  auto result = f.archive.Add(big);
  REQUIRE_FALSE(result);
  CHECK(result.error().code == ErrorCode::kDatabase);
  CHECK(Count(f.archive, "SELECT count(*) FROM captures") == 1);
  CHECK(Count(f.archive, "SELECT count(*) FROM bodies") == 1);
  REQUIRE(f.archive.Add({Page("https://news.example/small", "small")}));
  CHECK(Count(f.archive, "SELECT count(*) FROM captures") == 2);
}

TEST_CASE("prune removes old captures and the bodies nobody else uses", "[archive]") {
  Fixture f;
  REQUIRE(f.archive.Add({Page("https://a.example/1", "shared", kT0),
                         Page("https://a.example/2", "shared", kT0 + 48h),
                         Page("https://a.example/3", "alone", kT0)}));
  auto pruned = f.archive.Prune(kT0 + 24h, 100);
  REQUIRE(pruned);
  CHECK(*pruned == 2);
  auto stats = f.archive.Stats();
  CHECK(stats->captures == 1);
  CHECK(stats->bodies == 1);
  CHECK(*f.archive.Body(**f.archive.Latest("https://a.example/2")) == "shared");
}

TEST_CASE("an archive refuses another program's file and a consumers' database", "[archive]") {
  testing::TempDir dir;
  std::string other = dir.path() + "/other.db";
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(other.c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, "CREATE TABLE t (x)", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  auto refused = Archive::Open(other, OpenMode::kCreate);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == ErrorCode::kDatabase);
  CHECK_THAT(refused.error().message, Catch::Contains("not a gleaner archive"));
  std::string corpus = dir.path() + "/g.db";
  REQUIRE(Store::Open(corpus, OpenMode::kCreate));
  CHECK_FALSE(Archive::Open(corpus, OpenMode::kCreate));
  auto missing = Archive::Open(dir.path() + "/none.db", OpenMode::kReadOnly);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == ErrorCode::kInput);
}

TEST_CASE("the crawler archives what it fetches, and a full archive loses no record",
          "[archive][crawler]") {
  testing::TempDir dir;
  Store store = *Store::Open(dir.path() + "/g.db", OpenMode::kCreate);
  Archive archive = *Archive::Open(dir.path() + "/g.archive.db", OpenMode::kCreate);
  fetch::FakeFetcher fetcher;
  auto site = rules::ParseSiteRules(
      "id: news\nname: News\nlanguage: fr\nurls: '^https://news\\.example/'\n"
      "articles: '^https://news\\.example/a/[0-9]+$'\n"
      "sources:\n  - listing: https://news.example/\n    every: 1m\n"
      "layouts:\n  - title: h1\n    body: article\n",
      "news.yaml");
  REQUIRE(site);
  std::string links;
  for (int i = 0; i < 20; ++i) links += "<a href='/a/" + std::to_string(i) + "'>x</a>";
  fetcher.SetResponse("https://news.example/", fetch::FakePage(links));
  for (int i = 0; i < 20; ++i) {
    std::string text;
    for (int j = 0; j < 300; ++j) text += std::to_string(i * 1000 + j * 7) + " mots. ";
    fetcher.SetResponse(
        "https://news.example/a/" + std::to_string(i),
        fetch::FakePage("<html><body><h1>Titre " + std::to_string(i) + "</h1><article><p>" + text +
                        "</p></article></body></html>"));
  }
  Time now = kT0;
  schedule::Crawler crawler(Config{}, *rules::SiteSet::Create({*site}), store, fetcher,
                            [&] { return now; });
  crawler.SetArchive(&archive);
  REQUIRE(crawler.Seed());
  REQUIRE(crawler.Step(0ms));  // the listing
  REQUIRE(crawler.Step(0ms));  // the first articles
  int64_t archived = Count(archive, "SELECT count(*) FROM captures");
  CHECK(archived > 0);
  // The disk fills up: the records keep coming, the archive keeps whole entries only.
  int64_t pages = Count(archive, "PRAGMA page_count");
  REQUIRE(archive.database().Exec("PRAGMA max_page_count = " + std::to_string(pages)));
  for (int i = 0; i < 10; ++i) REQUIRE(crawler.Step(0ms));
  CHECK(crawler.health().at("news").new_articles == 20);
  CHECK(crawler.archive_failures() > 0);
  CHECK(Count(archive, "SELECT count(*) FROM captures") < 20);
  CHECK(Count(archive,
              "SELECT count(*) FROM captures c WHERE NOT EXISTS "
              "(SELECT 1 FROM bodies b WHERE b.sha256 = c.body_sha256)") == 0);
}

}  // namespace
}  // namespace gleaner::store
