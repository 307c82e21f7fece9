// Articles and the frontier: one article per normalised URL, idempotent writes, updates
// queued again, all-or-nothing batches.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "daemon/store/store.h"
#include "support/run_binary.h"

namespace gleaner::store {
namespace {

using namespace std::chrono_literals;
using testing::TempDir;

const Time kT0 = FromMillis(1'700'000'000'000);

Article MakeArticle(const std::string& url, const std::string& title,
                    const std::string& body = "First paragraph.\n\nSecond paragraph.") {
  Article a;
  a.url = url;
  a.site = "example";
  a.extractor = "rules:example/article";
  a.title = title;
  a.author = "A. Writer";
  a.published = "2024-05-01T09:30:00+01:00";
  a.language = "fr";
  a.body = body;
  a.related = {{"Lire aussi", "https://example.com/other"}};
  a.ticker = {{"Flash", "https://example.com/flash"}};
  a.warnings = {"a warning"};
  return a;
}

Result<WriteSummary> Put(Store& store, const std::vector<Article>& articles, Time now = kT0) {
  WriteBatch batch;
  for (const Article& a : articles) {
    auto ok = batch.PutArticle(a);
    if (!ok) return tl::unexpected(ok.error());
  }
  return store.Write(batch, now);
}

int64_t Count(Store& store, const std::string& sql) {
  auto n = store.database().QueryInt(sql);
  REQUIRE(n.has_value());
  return *n;
}

Store OpenStore(const std::string& path) {
  auto store = Store::Open(path, OpenMode::kCreate);
  REQUIRE(store.has_value());
  return std::move(*store);
}

struct Fixture {
  TempDir dir;
  Store store = OpenStore(dir.path() + "/g.db");
};

TEST_CASE("spellings of one URL are one article", "[store]") {
  Fixture f;
  // Each row: a spelling, all naming the same page as the first.
  const std::vector<std::string> spellings = {
      "https://www.example.com/news/2024/article-1?id=7",
      "HTTPS://WWW.Example.COM/news/2024/article-1?id=7",
      "https://www.example.com:443/news/2024/article-1?id=7",
      "https://www.example.com/news/2024/article-1?id=7#comments",
      "https://www.example.com/news/2024/article-1?utm_source=x&id=7&utm_medium=rss",
      "https://www.example.com/news/2024/article-1?id=7&fbclid=abc123",
      "https://www.example.com/news/2024/article-1?gclid=zz&id=7",
      "https://www.example.com/news/2024/article-1?id=7&mc_cid=1&mc_eid=2",
      "https://www.example.com/news/2024/%61rticle-1?id=7",
      "https://www.example.com/news/./2024/article-1?id=7",
  };
  for (const std::string& url : spellings) {
    INFO(url);
    auto summary = Put(f.store, {MakeArticle(url, "Same title")});
    REQUIRE(summary.has_value());
    CHECK(summary->articles_new + summary->articles_unchanged == 1);
  }
  CHECK(Count(f.store, "SELECT count(*) FROM articles") == 1);
  CHECK(Count(f.store, "SELECT count(*) FROM queue") == 1);
  // Different pages stay different.
  REQUIRE(Put(f.store, {MakeArticle("https://www.example.com/news/2024/article-1?id=8", "T"),
                        MakeArticle("http://www.example.com/news/2024/article-1?id=7", "T"),
                        MakeArticle("https://example.com/news/2024/article-1?id=7", "T")})
              .has_value());
  CHECK(Count(f.store, "SELECT count(*) FROM articles") == 4);
}

TEST_CASE("the record is stored as given and read back whole", "[store]") {
  Fixture f;
  Article a = MakeArticle("https://Example.com/a?utm_source=rss", "Titre « é »");
  REQUIRE(Put(f.store, {a}).has_value());
  auto found = f.store.FindArticle("https://example.com/a");
  REQUIRE(found.has_value());
  REQUIRE(found->has_value());
  CHECK((*found)->article == a);  // the URL as given, not the normalised key
  CHECK((*found)->url_key == "https://example.com/a");
  CHECK((*found)->first_seen == kT0);
  CHECK((*found)->updated == kT0);
}

TEST_CASE("storing the same article again changes nothing", "[store]") {
  Fixture f;
  Article a = MakeArticle("https://example.com/a", "Title");
  auto first = Put(f.store, {a});
  REQUIRE(first.has_value());
  CHECK(first->articles_new == 1);
  // Later, with a different ticker and warnings: still the same article.
  Article again = a;
  again.ticker = {{"Another flash", "https://example.com/flash2"}};
  again.warnings.clear();
  auto second = Put(f.store, {a, again}, kT0 + 1h);
  REQUIRE(second.has_value());
  CHECK(second->articles_unchanged == 2);
  CHECK(second->articles_new == 0);
  CHECK(second->articles_updated == 0);
  CHECK(Count(f.store, "SELECT count(*) FROM queue") == 1);
  auto found = f.store.FindArticle("https://example.com/a");
  REQUIRE(found.has_value());
  REQUIRE(found->has_value());
  CHECK((*found)->article == a);
  CHECK((*found)->updated == kT0);
}

TEST_CASE("a changed title or body updates the article and queues it again", "[store][queue]") {
  Fixture f;
  REQUIRE(Put(f.store, {MakeArticle("https://example.com/a", "Title")}).has_value());
  // The consumer has the first version.
  auto claimed = f.store.queue().Claim({}, kT0);
  REQUIRE(claimed.has_value());
  REQUIRE(claimed->size() == 1);
  CHECK_FALSE((*claimed)[0].update);
  REQUIRE(f.store.queue().Ack({(*claimed)[0].token}, kT0)->at(0).error == std::nullopt);

  auto changed_body =
      Put(f.store, {MakeArticle("https://example.com/a", "Title", "New body.")}, kT0 + 1h);
  REQUIRE(changed_body.has_value());
  CHECK(changed_body->articles_updated == 1);
  auto again = f.store.queue().Claim({}, kT0 + 1h);
  REQUIRE(again.has_value());
  REQUIRE(again->size() == 1);
  CHECK((*again)[0].update);
  CHECK((*again)[0].article.article.body == "New body.");
  CHECK((*again)[0].article.first_seen == kT0);
  CHECK((*again)[0].article.updated == kT0 + 1h);
  REQUIRE(f.store.queue().Ack({(*again)[0].token}, kT0 + 1h)->at(0).error == std::nullopt);

  auto changed_title =
      Put(f.store, {MakeArticle("https://example.com/a", "New title", "New body.")}, kT0 + 2h);
  REQUIRE(changed_title.has_value());
  CHECK(changed_title->articles_updated == 1);
  CHECK(Count(f.store, "SELECT count(*) FROM articles") == 1);
  CHECK(Count(f.store, "SELECT count(*) FROM queue WHERE state = 'ready'") == 1);
}

TEST_CASE("an update before the first delivery is delivered once, as the new version",
          "[store][queue]") {
  Fixture f;
  REQUIRE(Put(f.store, {MakeArticle("https://example.com/a", "Draft")}).has_value());
  REQUIRE(Put(f.store, {MakeArticle("https://example.com/a", "Final")}, kT0 + 1min).has_value());
  auto claimed = f.store.queue().Claim({}, kT0 + 2min);
  REQUIRE(claimed.has_value());
  REQUIRE(claimed->size() == 1);
  CHECK((*claimed)[0].article.article.title == "Final");
}

TEST_CASE("records that cannot be stored are refused before any write", "[store]") {
  Fixture f;
  WriteBatch batch;
  Article no_url = MakeArticle("", "T");
  no_url.url.reset();
  auto missing = batch.PutArticle(no_url);
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().code == ErrorCode::kInput);
  CHECK_THAT(missing.error().message, Catch::Contains("no url"));
  auto relative = batch.PutArticle(MakeArticle("/news/1", "T"));
  REQUIRE_FALSE(relative.has_value());
  CHECK_THAT(relative.error().message, Catch::Contains("/news/1"));
  CHECK_FALSE(batch.PutArticle(MakeArticle("ftp://example.com/a", "T")).has_value());
  CHECK(batch.empty());
}

TEST_CASE("a batch that fails (disk full) leaves nothing half-written", "[store]") {
  Fixture f;
  REQUIRE(Put(f.store, {MakeArticle("https://example.com/kept", "Kept")}).has_value());
  int64_t pages = Count(f.store, "PRAGMA page_count");
  // The file may not grow past 8 more pages: the batch below needs far more.
  REQUIRE(
      f.store.database().Exec("PRAGMA max_page_count = " + std::to_string(pages + 8)).has_value());
  std::vector<Article> big;
  for (int i = 0; i < 100; ++i) {
    big.push_back(
        MakeArticle("https://example.com/big/" + std::to_string(i), "Big", std::string(4000, 'x')));
  }
  auto result = Put(f.store, big);
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().code == ErrorCode::kDatabase);
  CHECK_THAT(result.error().message, Catch::Contains("full"));
  CHECK(Count(f.store, "SELECT count(*) FROM articles") == 1);
  CHECK(Count(f.store, "SELECT count(*) FROM queue") == 1);
  // The connection stays usable for smaller writes.
  REQUIRE(Put(f.store, {MakeArticle("https://example.com/small", "Small")}).has_value());
  CHECK(Count(f.store, "SELECT count(*) FROM articles") == 2);
}

TEST_CASE("a read-only connection refuses writes and reports it", "[store]") {
  Fixture f;
  REQUIRE(Put(f.store, {MakeArticle("https://example.com/a", "A")}).has_value());
  auto reader = Store::Open(f.dir.path() + "/g.db", OpenMode::kReadOnly);
  REQUIRE(reader.has_value());
  WriteBatch batch;
  REQUIRE(batch.PutArticle(MakeArticle("https://example.com/b", "B")).has_value());
  auto result = reader->Write(batch, kT0);
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().code == ErrorCode::kDatabase);
  CHECK_THAT(result.error().message, Catch::Contains("readonly"));
  CHECK(Count(f.store, "SELECT count(*) FROM articles") == 1);
}

TEST_CASE("export reads articles by update time and site", "[store]") {
  Fixture f;
  REQUIRE(Put(f.store, {MakeArticle("https://example.com/1", "One")}, kT0).has_value());
  Article other = MakeArticle("https://other.org/2", "Two");
  other.site = "other";
  REQUIRE(Put(f.store, {other}, kT0 + 1h).has_value());
  REQUIRE(
      Put(f.store, {MakeArticle("https://example.com/1", "One, updated")}, kT0 + 2h).has_value());
  auto titles = [&](const ArticleFilter& filter) {
    std::vector<std::string> out;
    REQUIRE(f.store
                .ForEachArticle(filter,
                                [&](const StoredArticle& s) {
                                  out.push_back(s.article.title.value_or(""));
                                  return true;
                                })
                .has_value());
    return out;
  };
  CHECK(titles({}) == std::vector<std::string>{"Two", "One, updated"});
  CHECK(titles({kT0 + 90min, std::nullopt}) == std::vector<std::string>{"One, updated"});
  CHECK(titles({std::nullopt, "other"}) == std::vector<std::string>{"Two"});
  CHECK(titles({kT0 + 3h, std::nullopt}).empty());
}

TEST_CASE("the frontier keeps one entry per URL and records fetches", "[store]") {
  Fixture f;
  WriteBatch discover;
  REQUIRE(discover.AddUrl({"https://example.com/feed.xml", "example", UrlKind::kFeed, kT0})
              .has_value());
  REQUIRE(discover
              .AddUrl({"https://example.com/a?utm_source=feed", "example", UrlKind::kArticle,
                       kT0 + 10s})
              .has_value());
  REQUIRE(
      discover.AddUrl({"https://EXAMPLE.com/a", "example", UrlKind::kArticle, kT0}).has_value());
  auto added = f.store.Write(discover, kT0);
  REQUIRE(added.has_value());
  CHECK(added->urls_added == 2);

  auto due = f.store.DueForHost("example.com", kT0, 10);
  REQUIRE(due.has_value());
  REQUIRE(due->size() == 1);
  CHECK((*due)[0].url == "https://example.com/feed.xml");
  CHECK((*due)[0].kind == UrlKind::kFeed);
  due = f.store.DueForHost("example.com", kT0 + 10s, 10);
  REQUIRE(due.has_value());
  CHECK(due->size() == 2);
  CHECK(f.store.DueForHost("nobody.example", kT0 + 10s, 10)->empty());

  // A failure counts an attempt and keeps the validators; a success resets both.
  WriteBatch fetched;
  FetchOutcome ok;
  ok.url = "https://example.com/feed.xml";
  ok.ok = true;
  ok.status = 200;
  ok.etag = "\"v1\"";
  ok.last_modified = "Wed, 01 May 2024 09:00:00 GMT";
  ok.content_hash = ContentHash("<rss/>");
  ok.next_fetch = kT0 + 15min;
  REQUIRE(fetched.RecordFetch(ok).has_value());
  FetchOutcome failed;
  failed.url = "https://example.com/feed.xml";
  failed.kind = UrlKind::kFeed;
  failed.status = 503;
  failed.error = "HTTP 503";
  failed.next_fetch = kT0 + 30min;
  REQUIRE(fetched.RecordFetch(failed).has_value());
  REQUIRE(f.store.Write(fetched, kT0 + 1s).has_value());
  auto entry = f.store.FindUrl("https://example.com/feed.xml");
  REQUIRE(entry.has_value());
  REQUIRE(entry->has_value());
  const FrontierEntry& e = **entry;
  CHECK(e.attempts == 1);
  CHECK(e.last_status == 503);
  CHECK(e.last_error == "HTTP 503");
  CHECK(e.etag == "\"v1\"");
  CHECK(e.content_hash == ContentHash("<rss/>"));
  CHECK(e.next_fetch == kT0 + 30min);
  CHECK(e.fetched == kT0 + 1s);

  WriteBatch done;
  FetchOutcome article;
  article.url = "https://example.com/a";
  article.ok = true;
  article.status = 200;
  article.state = FrontierState::kDone;
  article.next_fetch = kT0;
  REQUIRE(done.RecordFetch(article).has_value());
  REQUIRE(done.PutArticle(MakeArticle("https://example.com/a", "A")).has_value());
  REQUIRE(f.store.Write(done, kT0 + 20s).has_value());
  due = f.store.DueForHost("example.com", kT0 + 1h, 10);
  REQUIRE(due.has_value());
  REQUIRE(due->size() == 1);
  CHECK((*due)[0].url == "https://example.com/feed.xml");
}

TEST_CASE("timestamps are written and read as ISO 8601", "[store]") {
  CHECK(FormatTime(FromMillis(0)) == "1970-01-01T00:00:00.000Z");
  CHECK(FormatTime(kT0 + 123ms) == "2023-11-14T22:13:20.123Z");
  CHECK(ParseTime("2023-11-14T22:13:20.123Z") == kT0 + 123ms);
  CHECK(ParseTime("2023-11-14T23:13:20+01:00") == kT0);
  CHECK(ParseTime("2023-11-14 17:13:20-0500") == kT0);
  CHECK(ParseTime("2023-11-14") == ParseTime("2023-11-14T00:00:00Z"));
  CHECK(ParseTime("2023-11-14T22:13") == kT0 - 20s);
  CHECK_FALSE(ParseTime("2023-02-30").has_value());
  CHECK_FALSE(ParseTime("yesterday").has_value());
  CHECK_FALSE(ParseTime("2023-11-14T25:00").has_value());
  CHECK_FALSE(ParseTime("2023-11-14T10:00Zjunk").has_value());
}

}  // namespace
}  // namespace gleaner::store
