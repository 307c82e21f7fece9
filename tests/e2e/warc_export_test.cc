// `gleaner export --format warc` as an archivist uses it: pages fetched for real by
// `gleaner fetch --store` from a server on loopback, exported, and read back by an
// independent WARC reader (tests/warc/read_warc.mjs: Node with the warcio package, pinned
// in tests/warc/package-lock.json and installed by `bootstrap.sh test` with `npm ci`).
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/http_server.h"
#include "support/run_binary.h"

namespace gleaner {
namespace {

using json = nlohmann::json;
using testing::HttpReply;
using testing::RunGleaner;
using testing::RunResult;

const std::string kReaderDir = std::string(GLEANER_SOURCE_DIR) + "/tests/warc";

std::string Paragraphs(const std::string& sentence) {
  std::string out;
  for (int p = 0; p < 3; ++p) {
    out += "<p>";
    for (int i = 0; i < 12; ++i) out += sentence + " ";
    out += "</p>\n";
  }
  return out;
}

std::string Page(const std::string& title, const std::string& sentence) {
  return "<!doctype html><html><head><title>" + title + "</title></head><body><article><h1>" +
         title + "</h1>\n" + Paragraphs(sentence) + "</article></body></html>\n";
}

// "عاجل: الحكومة تعلن خطة جديدة" in windows-1256, as an old Arabic news site serves it.
const std::string kArabic1256 =
    "\xda\xc7\xcc\xe1\x3a\x20\xc7\xe1\xcd\xdf\xe6\xe3\xc9\x20\xca\xda\xe1\xe4\x20\xce\xd8\xc9\x20"
    "\xcc\xcf\xed\xcf\xc9";

// Bytes base64-decoded (the reader prints payloads as base64).
std::string FromBase64(const std::string& text) {
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    size_t v = kAlphabet.find(c);
    if (v == std::string::npos) continue;  // '=' padding
    buffer = (buffer << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      out += static_cast<char>((buffer >> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return out;
}

// Runs the independent reader on `file`: one JSON object per record, in file order.
std::vector<json> ReadWarc(const std::string& file) {
  if (!std::filesystem::exists(kReaderDir + "/node_modules/warcio/package.json")) {
    FAIL("warcio is not installed in " + kReaderDir +
         "/node_modules: run `npm ci --prefix tests/warc` (bootstrap.sh test does)");
  }
  std::string command = "node '" + kReaderDir + "/read_warc.mjs' '" + file + "'";
  testing::ShellResult read = testing::RunShell(command);
  INFO(read.out);
  REQUIRE(read.exit_code == 0);
  std::vector<json> records;
  for (const std::string& line : testing::Lines(read.out)) records.push_back(json::parse(line));
  return records;
}

// A loopback news site of four article pages (one served gzip-encoded, one in
// windows-1256, one under the "local" site's rules) and one page with no article, each
// fetched into a fresh database and archive by the real `gleaner fetch --store`.
struct Web {
  testing::HttpServer server;
  testing::TempDir dir;
  std::string db = dir.path() + "/var/gleaner.db";
  std::string config = dir.Write("gleaner.yaml", std::string("fetch:\n  delay: 0s\n  jitter: 0s\n"
                                                             "  retries: 0\n"
                                                             "  user_agent: warc-test/2\n"
                                                             "  contact: ops@example.org\n") +
                                                     testing::kAllowLoopback);
  std::string sites = dir.path() + "/sites";
  // What the server sent for each path, and what a reader must find archived.
  std::map<std::string, std::string> sent, archived;

  Web() {
    std::string escaped = server.Origin();
    for (size_t at = 0; (at = escaped.find('.', at)) != std::string::npos; at += 2)
      escaped.replace(at, 1, "\\.");
    dir.Write("sites/local.yaml", "id: local\nname: Local\nlanguage: fr\nurls: '^" + escaped +
                                      "/local/'\nlayouts:\n  - body: article p\n");
    server.Route("/robots.txt", HttpReply::Text(""));
    std::string plain = Page("Le marché ouvre en hausse", "Les échanges reprennent à Casablanca.");
    Serve("/news/plain", HttpReply::Html(plain), plain);
    std::string zipped = Page("Gzip page title", "This page travelled compressed over the wire.");
    Serve("/news/gzip", HttpReply::Html(testing::Gzip(zipped)).With("Content-Encoding", "gzip"),
          zipped);
    std::string legacy = Page(kArabic1256, kArabic1256 + ".");
    Serve("/news/legacy", HttpReply::Text(legacy, "text/html; charset=windows-1256"), legacy);
    std::string local = Page("Local site page", "A page the local site's rules extract.");
    Serve("/local/1", HttpReply::Html(local), local);
    std::string empty = "<html><body></body></html>";
    Serve("/empty", HttpReply::Html(empty), empty);
    for (const auto& [path, body] : archived) {
      RunResult r = RunGleaner(
          {"fetch", "--store", "--db", db, "--sites", sites, "--config", config, server.Url(path)},
          "", dir.path());
      INFO(path << ": " << r.err);
      REQUIRE(r.exit_code == (path == "/empty" ? 4 : 0));
    }
  }

  void Serve(const std::string& path, HttpReply reply, const std::string& decoded) {
    sent[path] = reply.body;
    archived[path] = decoded;
    server.Route(path, std::move(reply));
  }

  RunResult Export(std::vector<std::string> args) const {
    args.insert(args.begin(), {"export", "--format", "warc", "--db", db, "--config", config});
    return RunGleaner(args, "", dir.path());
  }
};

// The records of `records` for `url` by type.
std::map<std::string, json> ByType(const std::vector<json>& records, const std::string& url) {
  std::map<std::string, json> found;
  for (const json& r : records) {
    if (r["target_uri"] == url) {
      CHECK(found.count(r["type"]) == 0);
      found[r["type"]] = r;
    }
  }
  return found;
}

bool HasHeader(const json& record, const std::string& name, const std::string& value) {
  for (const json& pair : record["http_headers"]) {
    if (pair[0] == name && pair[1] == value) return true;
  }
  return false;
}

TEST_CASE("warc export: every page's request, response and record, readable by warcio",
          "[e2e][warc]") {
  Web web;
  std::string file = web.dir.path() + "/out/pages.warc.gz";
  std::filesystem::create_directories(web.dir.path() + "/out");
  RunResult r = web.Export({"-o", file});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.empty());
  // Only the finished file is left in the directory: the temporary one was renamed.
  CHECK(std::distance(std::filesystem::directory_iterator(web.dir.path() + "/out"),
                      std::filesystem::directory_iterator()) == 1);

  std::vector<json> records = ReadWarc(file);
  REQUIRE(records.size() == 1 + 4 * 3 + 2);  // warcinfo; 4 articles; the empty page
  const json& info = records[0];
  CHECK(info["type"] == "warcinfo");
  CHECK(info["filename"] == "pages.warc.gz");
  CHECK(info["content_type"] == "application/warc-fields");
  CHECK_THAT(info["block_text"].get<std::string>(), Catch::Contains("software: gleaner/"));
  CHECK_THAT(info["block_text"].get<std::string>(),
             Catch::Contains("http-header-user-agent: warc-test/2 (+ops@example.org)"));
  for (const json& record : records) {
    INFO(record.dump());
    CHECK(record["block_digest_ok"] == true);
    CHECK(record["content_length"] == record["block_bytes"]);
    CHECK(record["date"].get<std::string>().size() == 24);  // 2026-12-06T05:38:33.808Z
  }

  for (const auto& [path, body] : web.archived) {
    std::string url = web.server.Url(path);
    INFO(url);
    auto found = ByType(records, url);
    REQUIRE(found.count("request"));
    REQUIRE(found.count("response"));
    const json& response = found["response"];
    CHECK(response["content_type"] == "application/http;msgtype=response");
    CHECK(response["http_status"] == 200);
    CHECK(response["payload_digest_ok"] == true);
    CHECK(FromBase64(response["payload_b64"]) == body);
    // The headers say the truth about the archived body, so warcio decodes nothing.
    CHECK(response["decoded_same"] == true);
    CHECK(HasHeader(response, "Content-Length", std::to_string(body.size())));
    CHECK(response["warcinfo_id"] == info["record_id"]);

    const json& request = found["request"];
    CHECK(request["concurrent_to"] == response["record_id"]);
    CHECK(request["content_type"] == "application/http;msgtype=request");
    CHECK(HasHeader(request, "User-Agent", "warc-test/2 (+ops@example.org)"));
    CHECK(HasHeader(request, "Host", "127.0.0.1:" + std::to_string(web.server.port())));
    CHECK(request["date"] == response["date"]);

    if (path == "/empty") {
      CHECK(found.count("metadata") == 0);  // nothing was extracted, so no record
      continue;
    }
    REQUIRE(found.count("metadata"));
    const json& metadata = found["metadata"];
    CHECK(metadata["concurrent_to"] == response["record_id"]);
    CHECK(metadata["content_type"] == "application/json");
    json article = json::parse(metadata["block_text"].get<std::string>());
    CHECK(article["url"] == url);
    CHECK(article.contains("updated"));
  }
  // The gzip page's own headers, renamed: its archived body is the decoded page.
  const json gzip = ByType(records, web.server.Url("/news/gzip"))["response"];
  CHECK(HasHeader(gzip, "X-Archive-Orig-Content-Encoding", "gzip"));
  CHECK(FromBase64(gzip["payload_b64"]) != web.sent["/news/gzip"]);
  // The windows-1256 page is archived in its own bytes, not converted.
  const json legacy = ByType(records, web.server.Url("/news/legacy"))["response"];
  CHECK(HasHeader(legacy, "Content-Type", "text/html; charset=windows-1256"));
  CHECK(FromBase64(legacy["payload_b64"]) == web.sent["/news/legacy"]);
  const json arabic_record = json::parse(
      ByType(records, web.server.Url("/news/legacy"))["metadata"]["block_text"].get<std::string>());
  CHECK(arabic_record["title"] == "عاجل: الحكومة تعلن خطة جديدة");
}

TEST_CASE("warc export is deterministic, streams to stdout, and filters by site", "[e2e][warc]") {
  Web web;
  // Exported twice to the same name: the same bytes, record ids included.
  std::string file = web.dir.path() + "/pages.warc.gz";
  REQUIRE(web.Export({"--output", file}).exit_code == 0);
  std::string first = testing::ReadFile(file);
  REQUIRE(web.Export({"-o", file}).exit_code == 0);
  CHECK(testing::ReadFile(file) == first);
  std::vector<json> from_file = ReadWarc(file);
  // Without -o, streamed to stdout; twice, the same bytes.
  RunResult out1 = web.Export({});
  RunResult out2 = web.Export({});
  REQUIRE(out1.exit_code == 0);
  CHECK(out1.out == out2.out);
  CHECK(out1.out.substr(0, 2) == "\x1f\x8b");  // gzip
  std::vector<json> piped = ReadWarc(web.dir.Write("piped.warc.gz", out1.out));
  REQUIRE(piped.size() == from_file.size());
  CHECK(piped[0]["filename"].is_null());
  // The pages' records are the same whichever way they went; only warcinfo (which names
  // its file) and the responses' link to it differ.
  for (size_t i = 1; i < piped.size(); ++i) {
    if (piped[i]["type"] == "response") piped[i]["warcinfo_id"] = from_file[i]["warcinfo_id"];
    CHECK(piped[i] == from_file[i]);
  }

  std::string local = web.dir.path() + "/local.warc.gz";
  REQUIRE(web.Export({"--site", "local", "-o", local}).exit_code == 0);
  std::vector<json> only = ReadWarc(local);
  REQUIRE(only.size() == 4);
  CHECK(only[0]["type"] == "warcinfo");
  for (size_t i = 1; i < only.size(); ++i)
    CHECK(only[i]["target_uri"] == web.server.Url("/local/1"));

  // Nothing fetched since a day from now: the warcinfo record alone.
  std::string none = web.dir.path() + "/none.warc.gz";
  REQUIRE(web.Export({"--since", "2999-01-01", "-o", none}).exit_code == 0);
  std::vector<json> just_info = ReadWarc(none);
  REQUIRE(just_info.size() == 1);
  CHECK(just_info[0]["type"] == "warcinfo");
}

TEST_CASE("a corrupt archived page is reported and skipped, the rest is exported", "[e2e][warc]") {
  Web web;
  std::string broken_url = web.server.Url("/news/plain");
  {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open((web.dir.path() + "/var/gleaner.archive.db").c_str(), &db) == SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    REQUIRE(sqlite3_prepare_v2(db,
                               "UPDATE bodies SET data = X'28B52FFD00DEADBEEF' WHERE sha256 = "
                               "(SELECT body_sha256 FROM captures WHERE url = ?)",
                               -1, &stmt, nullptr) == SQLITE_OK);
    sqlite3_bind_text(stmt, 1, broken_url.c_str(), -1, SQLITE_TRANSIENT);
    CHECK(sqlite3_step(stmt) == SQLITE_DONE);
    CHECK(sqlite3_changes(db) == 1);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
  }
  std::string file = web.dir.path() + "/pages.warc.gz";
  RunResult r = web.Export({"-o", file});
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.err, Catch::Contains("gleaner export: " + broken_url + ": "));
  CHECK_THAT(r.err, Catch::Contains("corrupt"));
  std::vector<json> records = ReadWarc(file);
  REQUIRE(records.size() == 1 + 3 * 3 + 2);
  CHECK(ByType(records, broken_url).empty());
  for (const json& record : records) {
    CHECK(record["block_digest_ok"] == true);
    if (record["type"] == "response") CHECK(record["payload_digest_ok"] == true);
  }
  CHECK(FromBase64(ByType(records, web.server.Url("/news/gzip"))["response"]["payload_b64"]) ==
        web.archived["/news/gzip"]);
}

TEST_CASE("a failed warc export leaves no file behind", "[e2e][warc]") {
  Web web;
  std::string file = web.dir.path() + "/pages.warc.gz";
  std::filesystem::remove(web.dir.path() + "/var/gleaner.archive.db");
  RunResult r = web.Export({"-o", file});
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.err, Catch::Contains("gleaner.archive.db"));
  CHECK_FALSE(std::filesystem::exists(file));
  for (const auto& entry : std::filesystem::directory_iterator(web.dir.path()))
    CHECK(entry.path().filename().string().find("pages.warc.gz") == std::string::npos);

  RunResult nowhere = web.Export({"-o", web.dir.path() + "/no/such/dir/x.warc.gz"});
  CHECK(nowhere.exit_code == 3);
  CHECK_THAT(nowhere.err, Catch::Contains("no/such/dir/x.warc.gz"));
}

TEST_CASE("jsonl and csv exports take -o too", "[e2e][warc][export]") {
  Web web;
  std::string jsonl = web.dir.path() + "/a.jsonl";
  RunResult r = RunGleaner({"export", "--db", web.db, "-o", jsonl}, "", web.dir.path());
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.empty());
  CHECK(testing::Lines(testing::ReadFile(jsonl)).size() == 4);
  std::string csv = web.dir.path() + "/a.csv";
  REQUIRE(
      RunGleaner({"export", "--db", web.db, "--format", "csv", "--output", csv}, "", web.dir.path())
          .exit_code == 0);
  CHECK(testing::ReadFile(csv).rfind("url,site,extractor,", 0) == 0);
}

}  // namespace
}  // namespace gleaner
