// `gleaner status` against status files it did not write: the directory beside the database
// is writable by the daemon's group, so the file may be anything.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "daemon/store/timestamps.h"
#include "support/run_binary.h"

namespace gleaner {
namespace {

using testing::RunGleaner;
using testing::RunResult;
using testing::TempDir;

struct Box {
  TempDir dir;
  std::string db = dir.path() + "/gleaner.db";
  std::string status = db + ".status.json";

  RunResult Status(const std::string& content) {
    dir.Write("gleaner.db.status.json", content);
    return RunGleaner({"status", "--db", db}, "", dir.path());
  }
};

// A fresh status document from a live process (this test), with `site` as its one site.
std::string Document(const std::string& pid, const std::string& site) {
  std::string now = store::FormatTime(store::Now());
  return "{\"pid\": " + pid + ", \"started\": \"" + now + "\", \"updated\": \"" + now +
         "\", \"sites\": {\"news\": " + site + "}, \"paused_hosts\": []}";
}

const std::string kGoodSite =
    "{\"polls\": 3, \"poll_errors\": 0, \"discovered\": 5, \"fetched\": 5, \"new_articles\": 4, "
    "\"updated_articles\": 0, \"fetch_errors\": 1, \"extract_errors\": 0, \"rule_breakage\": 0, "
    "\"errors_by_kind\": {}, \"broken_rules\": {}, \"errors_last_hour\": 1, \"last_new_article\": "
    "null, "
    "\"last_success\": null}";

TEST_CASE("status reads a well-formed status file", "[e2e][status]") {
  Box box;
  RunResult r = box.Status(Document(std::to_string(::getpid()), kGoodSite));
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("daemon: running, pid " + std::to_string(::getpid())));
  CHECK_THAT(r.out, Catch::Contains("news"));
}

TEST_CASE("a malformed status file is an error naming the file, exit 3, never a crash",
          "[e2e][status]") {
  const std::string pid = std::to_string(::getpid());
  std::string good = Document(pid, kGoodSite);
  std::string polls_text = kGoodSite;
  polls_text.replace(polls_text.find("3"), 1, "\"many\"");
  std::string rules_text = kGoodSite;
  rules_text.replace(rules_text.find("\"broken_rules\": {}"), 18,
                     "\"broken_rules\": {\"x\": \"y\"}");
  std::string huge = good + std::string(5u << 20, ' ');  // valid JSON, but over the cap
  struct Case {
    const char* what;
    std::string content;
    const char* says;
  };
  const std::vector<Case> cases = {
      {"pid is a string", Document("\"1\"", kGoodSite), "pid"},
      {"pid is out of range", Document("99999999999", kGoodSite), "pid"},
      {"updated is a number",
       "{\"pid\": " + pid + ", \"started\": \"x\", \"updated\": 5, \"sites\": {}}", "started"},
      {"sites is a list",
       "{\"pid\": " + pid +
           ", \"started\": \"2024-01-01T00:00:00Z\", \"updated\": "
           "\"2024-01-01T00:00:00Z\", \"sites\": []}",
       "sites"},
      {"a counter is a string", Document(pid, polls_text), "sites.news.polls"},
      {"a site is a number", Document(pid, "7"), "sites.news"},
      {"a site lacks its counters", Document(pid, "{}"), "sites.news.polls"},
      {"a broken rule count is a string", Document(pid, rules_text), "broken_rules"},
      {"the document is a list", "[1, 2, 3]", "not an object"},
      {"truncated", good.substr(0, good.size() / 2), "not JSON"},
      {"empty", "", "not JSON"},
      {"deeply nested", std::string(100000, '[') + std::string(100000, ']'), "not an object"},
      {"huge", huge, "larger than"},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    Box box;
    RunResult r = box.Status(c.content);
    CHECK(r.exit_code == 3);
    CHECK(r.out.empty());
    CHECK_THAT(r.err, Catch::Contains(box.status) && Catch::Contains(c.says));
  }
}

TEST_CASE("a FIFO at the status file's path does not hang status", "[e2e][status]") {
  Box box;
  REQUIRE(::mkfifo(box.status.c_str(), 0600) == 0);
  RunResult r = RunGleaner({"status", "--db", box.db}, "", box.dir.path());
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.err, Catch::Contains(box.status) && Catch::Contains("not a regular file"));
}

}  // namespace
}  // namespace gleaner
