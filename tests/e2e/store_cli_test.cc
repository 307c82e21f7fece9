// `gleaner store`, `gleaner queue` and `gleaner export` as a consumer script runs them: the
// real binary and a real SQLite file in a temporary directory.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <future>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "daemon/store/db.h"
#include "extractors/core/article.h"
#include "support/run_binary.h"

namespace gleaner {
namespace {

using nlohmann::json;
using testing::Lines;
using testing::ReadFile;
using testing::RunGleaner;
using testing::RunResult;
using testing::TempDir;

Article MakeArticle(int i, const std::string& site = "example") {
  Article a;
  a.url = "https://" + site + ".com/news/" + std::to_string(i) + "?utm_source=rss";
  a.site = site;
  a.extractor = "rules:" + site + "/article";
  a.title = "Titre " + std::to_string(i) + ", « guillemets »";
  a.body = "Premier paragraphe, avec \"citation\".\n\nSecond paragraphe.";
  a.related = {{"Lire aussi", "https://" + site + ".com/other"}};
  return a;
}

std::string JsonLines(int first, int count, const std::string& site = "example") {
  std::string out;
  for (int i = first; i < first + count; ++i) out += ArticleToJson(MakeArticle(i, site)) + "\n";
  return out;
}

// Runs gleaner in the temporary directory (so no config from the source tree applies).
struct Box {
  TempDir dir;
  std::string db = dir.path() + "/var/gleaner.db";

  RunResult Run(std::vector<std::string> args, const std::string& input = "") const {
    args.push_back("--db");
    args.push_back(db);
    return RunGleaner(args, input, dir.path());
  }
  std::vector<json> Claim(std::vector<std::string> extra = {}) const {
    std::vector<std::string> args{"queue", "claim"};
    args.insert(args.end(), extra.begin(), extra.end());
    RunResult r = Run(args);
    REQUIRE(r.exit_code == 0);
    std::vector<json> records;
    for (const std::string& line : Lines(r.out)) records.push_back(json::parse(line));
    return records;
  }
  json Stats() const {
    RunResult r = Run({"queue", "stats", "--json"});
    REQUIRE(r.exit_code == 0);
    return json::parse(r.out);
  }
};

TEST_CASE("records stored are claimed once and acked", "[e2e][store]") {
  Box box;
  std::string file = box.dir.Write("pages.jsonl", JsonLines(0, 3));
  RunResult stored = box.Run({"store", file});
  REQUIRE(stored.exit_code == 0);
  json summary = json::parse(stored.out);
  CHECK(summary["new"] == 3);
  CHECK(summary["bad"] == 0);

  auto claimed = box.Claim({"--limit", "10"});
  REQUIRE(claimed.size() == 3);
  std::vector<std::string> ids;
  for (const json& record : claimed) {
    CHECK(record["attempt"] == 1);
    CHECK(record["update"] == false);
    CHECK(record.contains("body"));
    ids.push_back(record["id"].get<std::string>());
  }
  CHECK(claimed[0]["url"] == "https://example.com/news/0?utm_source=rss");  // as given
  CHECK(claimed[2]["title"] == "Titre 2, « guillemets »");
  CHECK(box.Claim().empty());  // all three are under lease

  std::vector<std::string> ack{"queue", "ack"};
  ack.insert(ack.end(), ids.begin(), ids.end());
  RunResult acked = box.Run(ack);
  CHECK(acked.exit_code == 0);
  CHECK(acked.err.empty());
  json stats = box.Stats();
  CHECK(stats["acked"] == 3);
  CHECK(stats["ready"] == 0);
  CHECK(stats["articles"] == 3);
}

TEST_CASE("store reads stdin: JSON Lines, pretty records, extract's error lines", "[e2e][store]") {
  Box box;
  std::string input = ArticleToJson(MakeArticle(1)) + "\n" +
                      R"({"file": "broken.html", "error": "no article found", "exit": 4})" +
                      "\n\n" + ArticleToJson(MakeArticle(2), /*pretty=*/true) + "\n";
  RunResult r = box.Run({"store", "-"}, input);
  REQUIRE(r.exit_code == 0);
  json summary = json::parse(r.out);
  CHECK(summary["file"] == "<stdin>");
  CHECK(summary["new"] == 2);
  CHECK(summary["skipped"] == 1);
  CHECK(summary["bad"] == 0);
  CHECK(box.Stats()["ready"] == 2);
}

TEST_CASE("a bad record is reported as file:line, the good ones are stored", "[e2e][store]") {
  Box box;
  Article no_url = MakeArticle(9);
  no_url.url.reset();
  std::string file = box.dir.Write(
      "mixed.jsonl", ArticleToJson(MakeArticle(1)) + "\n{not json\n" + ArticleToJson(no_url) +
                         "\n" + R"({"url": "https://example.com/x", "title": 5})" + "\n" +
                         ArticleToJson(MakeArticle(2)) + "\n");
  RunResult r = box.Run({"store", file});
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.err, Catch::Contains(file + ":2: ") && Catch::Contains(file + ":3: ") &&
                        Catch::Contains(file + ":4: ") && Catch::Contains("title"));
  CHECK_THAT(r.err, !Catch::Contains(file + ":1:") && !Catch::Contains(file + ":5:"));
  json summary = json::parse(r.out);
  CHECK(summary["new"] == 2);
  CHECK(summary["bad"] == 3);
  // Fixing the file and storing it again adds only what was missing.
  std::string fixed = box.dir.Write("fixed.jsonl", JsonLines(1, 3));
  RunResult again = box.Run({"store", fixed});
  CHECK(again.exit_code == 0);
  json second = json::parse(again.out);
  CHECK(second["new"] == 1);
  CHECK(second["unchanged"] == 2);
}

TEST_CASE("storing again changes nothing, a changed body is delivered as an update",
          "[e2e][store]") {
  Box box;
  REQUIRE(box.Run({"store", "-"}, JsonLines(0, 2)).exit_code == 0);
  for (const json& record : box.Claim()) {
    REQUIRE(box.Run({"queue", "ack", record["id"].get<std::string>()}).exit_code == 0);
  }
  RunResult same = box.Run({"store", "-"}, JsonLines(0, 2));
  REQUIRE(same.exit_code == 0);
  CHECK(json::parse(same.out)["unchanged"] == 2);
  CHECK(box.Claim().empty());

  Article changed = MakeArticle(1);
  changed.body = "Corrected body.";
  RunResult update = box.Run({"store", "-"}, ArticleToJson(changed) + "\n");
  REQUIRE(update.exit_code == 0);
  CHECK(json::parse(update.out)["updated"] == 1);
  auto claimed = box.Claim();
  REQUIRE(claimed.size() == 1);
  CHECK(claimed[0]["update"] == true);
  CHECK(claimed[0]["body"] == "Corrected body.");
}

TEST_CASE("an expired claim's ack exits 9 naming the id, unknown ids exit 2", "[e2e][store]") {
  Box box;
  REQUIRE(box.Run({"store", "-"}, JsonLines(0, 1)).exit_code == 0);
  auto claimed = box.Claim({"--lease", "1s"});
  REQUIRE(claimed.size() == 1);
  std::string id = claimed[0]["id"].get<std::string>();
  usleep(1'300'000);  // past the lease: the claim can only be older than it, never younger
  RunResult late = box.Run({"queue", "ack", id});
  CHECK(late.exit_code == 9);
  CHECK_THAT(late.err, Catch::Contains(id));
  auto again = box.Claim();
  REQUIRE(again.size() == 1);
  CHECK(again[0]["attempt"] == 2);
  CHECK(again[0]["id"] != id);

  RunResult unknown = box.Run({"queue", "ack", "99.1.0123456789abcdef"});
  CHECK(unknown.exit_code == 2);
  CHECK_THAT(unknown.err, Catch::Contains("99.1.0123456789abcdef"));
  // Ids can come from stdin; the valid one is settled even though the other is refused.
  RunResult mixed =
      box.Run({"queue", "ack", "-"}, id + "\n" + again[0]["id"].get<std::string>() + "\n");
  CHECK(mixed.exit_code == 9);
  CHECK(box.Stats()["acked"] == 1);
}

TEST_CASE("a nacked claim is delivered again", "[e2e][store]") {
  Box box;
  REQUIRE(box.Run({"store", "-"}, JsonLines(0, 1)).exit_code == 0);
  auto claimed = box.Claim();
  REQUIRE(claimed.size() == 1);
  REQUIRE(box.Run({"queue", "nack", claimed[0]["id"].get<std::string>()}).exit_code == 0);
  auto again = box.Claim();
  REQUIRE(again.size() == 1);
  CHECK(again[0]["url"] == claimed[0]["url"]);
  CHECK(again[0]["attempt"] == 2);
  REQUIRE(
      box.Run({"queue", "nack", "--delay", "1h", again[0]["id"].get<std::string>()}).exit_code ==
      0);
  CHECK(box.Claim().empty());
  CHECK(box.Stats()["delayed"] == 1);
}

TEST_CASE("concurrent claim processes never print the same article", "[e2e][store]") {
  Box box;
  REQUIRE(box.Run({"store", "-"}, JsonLines(0, 100)).exit_code == 0);
  std::vector<std::future<RunResult>> runs;
  for (int i = 0; i < 4; ++i) {
    runs.push_back(std::async(std::launch::async, [&box] {
      return box.Run({"queue", "claim", "--limit", "30"});
    }));
  }
  std::multiset<std::string> urls;
  for (auto& run : runs) {
    RunResult r = run.get();
    REQUIRE(r.exit_code == 0);
    for (const std::string& line : Lines(r.out)) {
      urls.insert(json::parse(line)["url"].get<std::string>());
    }
  }
  CHECK(urls.size() == 100);
  CHECK(std::set<std::string>(urls.begin(), urls.end()).size() == 100);
}

TEST_CASE("export prints every stored article without claiming any", "[e2e][store]") {
  Box box;
  REQUIRE(box.Run({"store", "-"}, JsonLines(0, 2) + JsonLines(0, 1, "other")).exit_code == 0);
  RunResult all = box.Run({"export"});
  REQUIRE(all.exit_code == 0);
  auto lines = Lines(all.out);
  REQUIRE(lines.size() == 3);
  auto record = nlohmann::ordered_json::parse(lines[0]);
  std::vector<std::string> keys;
  for (auto& [k, v] : record.items()) keys.push_back(k);
  CHECK(keys == std::vector<std::string>{"url", "site", "extractor", "title", "author", "published",
                                         "source", "source_url", "language", "body", "related",
                                         "ticker", "warnings", "first_seen", "updated"});
  CHECK(box.Stats()["ready"] == 3);  // export claimed nothing

  RunResult site = box.Run({"export", "--site", "other"});
  REQUIRE(site.exit_code == 0);
  CHECK(Lines(site.out).size() == 1);
  CHECK(box.Run({"export", "--since", "2999-01-01"}).out.empty());
  CHECK(Lines(box.Run({"export", "--since", "1h"}).out).size() == 3);

  RunResult csv = box.Run({"export", "--format", "csv"});
  REQUIRE(csv.exit_code == 0);
  CHECK(csv.out.rfind("url,site,extractor,title,", 0) == 0);
  // Quoted fields keep their commas, quotes and line breaks.
  CHECK_THAT(csv.out, Catch::Contains("\"Titre 0, « guillemets »\"") &&
                          Catch::Contains("\"Premier paragraphe, avec \"\"citation\"\".\n\n"
                                          "Second paragraphe.\""));
  size_t records = 0;
  for (size_t pos = 0; (pos = csv.out.find("\r\n", pos)) != std::string::npos; pos += 2) {
    ++records;
  }
  CHECK(records == 4);  // the header and three articles
}

TEST_CASE("a file that is not a database exits 8 and is left untouched", "[e2e][store]") {
  Box box;
  const std::string content = "not a database\n" + std::string(3000, 'z');
  std::string path = box.dir.Write("var/gleaner.db", content);
  const std::vector<std::vector<std::string>> commands = {
      {"store", "-"}, {"queue", "claim"}, {"queue", "stats"}, {"export"}};
  for (const auto& command : commands) {
    INFO(command[0]);
    RunResult r = box.Run(command, JsonLines(0, 1));
    CHECK(r.exit_code == 8);
    CHECK_THAT(r.err, Catch::Contains(path));
  }
  CHECK(ReadFile(path) == content);
}

TEST_CASE("a database from a newer gleaner exits 8", "[e2e][store]") {
  Box box;
  REQUIRE(box.Run({"store", "-"}, JsonLines(0, 1)).exit_code == 0);
  {
    auto db = store::Database::Open(box.db, store::OpenMode::kReadWrite);
    REQUIRE(db.has_value());
    REQUIRE((*db)->Exec("PRAGMA user_version = 999").has_value());
  }
  RunResult r = box.Run({"export"});
  CHECK(r.exit_code == 8);
  CHECK_THAT(r.err, Catch::Contains("newer"));
  CHECK(box.Run({"store", "-"}, JsonLines(1, 1)).exit_code == 8);
}

TEST_CASE("consumer commands do not create a missing database", "[e2e][store]") {
  Box box;
  for (const auto& command : std::vector<std::vector<std::string>>{
           {"queue", "claim"}, {"queue", "stats"}, {"export"}, {"queue", "ack", "1.1.00"}}) {
    INFO(command[0]);
    RunResult r = box.Run(command);
    CHECK(r.exit_code == 3);
    CHECK_THAT(r.err, Catch::Contains(box.db));
  }
  CHECK_FALSE(std::filesystem::exists(box.db));
}

TEST_CASE("the database commands explain themselves and refuse bad usage", "[e2e][store]") {
  Box box;
  for (const auto& command : std::vector<std::vector<std::string>>{{"store", "--help"},
                                                                   {"queue", "--help"},
                                                                   {"queue", "claim", "--help"},
                                                                   {"export", "--help"}}) {
    RunResult r = RunGleaner(command, "", box.dir.path());
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("usage: gleaner " + command[0]));
  }
  for (const auto& command :
       std::vector<std::vector<std::string>>{{"queue"},
                                             {"queue", "pop"},
                                             {"queue", "claim", "--limit", "0"},
                                             {"queue", "claim", "--lease", "5"},
                                             {"queue", "ack"},
                                             {"export", "--format", "xml"},
                                             {"export", "--since", "yesterday"},
                                             {"store"}}) {
    INFO(command.back());
    RunResult r = box.Run(command);
    CHECK(r.exit_code == 2);
    CHECK_FALSE(r.err.empty());
  }
}

}  // namespace
}  // namespace gleaner
