// Site tests: pages kept beside the site files with the record their site's rules must give
// (sites/README.md "Site tests"):
//   <sites_dir>/tests/<site-id>/<name>.html  the page's bytes as served, in any encoding
//   <sites_dir>/tests/<site-id>/<name>.json  {"url": URL, "content_type": CT (optional),
//                                             "expected": {record fields}}
// `expected` holds any subset of the record's keys in the record's JSON form
// (docs/CONTRACT.md "The article record"); each one present is compared exactly with the
// extraction of the page, null meaning absent (or no entries, for a list).
// `gleaner check` loads and runs them (RunSiteTests); `gleaner extract --save-test` writes one
// (SaveSiteTest). The files are read and written here; extraction is the pure pipeline's.
// Nothing here keeps state: calls are safe from any thread on distinct files.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/settings/config.h"
#include "extractors/core/article.h"
#include "extractors/core/result.h"
#include "extractors/rules/site_rules.h"

namespace gleaner::sitetests {

// The cap on one test's .json. The record's biggest field is the body: a few hundred KB for
// the longest articles, up to six times that once JSON escapes it (\uXXXX); 4 MiB holds that
// and keeps a stray big file from being parsed. The page (.html) has the config's cap,
// `limits.page_bytes`, like any page extracted.
inline constexpr uint64_t kMaxTestJsonBytes = 4u << 20;
// The cap on the files (and directories) looked at under tests/ in one run. A sites directory
// holds a handful of tests per site for at most hundreds of sites; ten thousand files is a
// mistake (a crawl saved in the wrong place), and reading as many pages of up to
// `limits.page_bytes` each would keep `check` busy for many minutes.
inline constexpr size_t kMaxTestFiles = 10000;

// One site test, validated by LoadSiteTests.
struct SiteTest {
  std::string json_file;  // <sites_dir>/tests/<site-id>/<name>.json as found: messages name it
  std::string html_file;  // the page beside it
  std::string site_id;    // the name of its directory: the id of a loaded site
  std::string url;        // the page's URL, owned by that site
  std::optional<std::string> content_type;  // the Content-Type it was served with, if known
  nlohmann::json expected;  // an object: record keys only, each with a value of its type
};

// Loads the tests under `sites_dir`/tests against `sites`, the sites loaded from that
// directory. No tests directory means no tests. Each problem is appended to `problems` as
// kConfig "FILE: message" ("FILE:LINE: message" for malformed JSON) and that file is skipped:
// a directory named after no site's id; a .json without its .html, or the reverse; a file of
// another kind; a .json over kMaxTestJsonBytes, malformed, with a key repeated, without `url`
// or `expected`, with an unknown key or a value of the wrong type; a url the site does not
// own. Past kMaxTestFiles files the one problem says so and no test is returned. Names
// beginning with '.' (editors' and SaveSiteTest's temporary files) are ignored. Returns the
// valid tests in file name order; their pages are read by RunSiteTest.
std::vector<SiteTest> LoadSiteTests(const std::string& sites_dir, const rules::SiteSet& sites,
                                    std::vector<Error>* problems);

// One expected field the extraction did not give, both sides in the record's JSON form.
struct Mismatch {
  std::string field;  // a record key: "title", "body", "ticker"
  nlohmann::json expected;
  nlohmann::json got;
};

// Extracts the test's page (capped at `limits.max_page_bytes`) with its site's rules, its URL
// and its content type, and compares each expected field. Returns the mismatches in the
// record's key order, none when the test passes; kConfig "FILE: message" (FILE the .json)
// when the page cannot be read or yields no article. REQUIRES: `test` comes from
// LoadSiteTests with these `sites`.
Result<std::vector<Mismatch>> RunSiteTest(const SiteTest& test, const rules::SiteSet& sites,
                                          const ExtractLimits& limits);

// The mismatch for people, as `check` prints it after "FILE: ":
//   title: expected "A" got "B"
// A string longer than a line shows each side's excerpt around the first difference and the
// offset of that difference in characters (code points, from 0):
//   body: expected …"le Maroc a"… got …"le Maroc e"… (first difference at character 1234)
// A list names its first differing entry (from 0), `none` standing for a missing one:
//   ticker[57]: expected {"title":"A","url":"u"} got none (58 entries expected, 57 got)
std::string DescribeMismatch(const Mismatch& mismatch);

// What `gleaner check` reports on the site tests of a sites directory.
struct Report {
  size_t passed = 0;  // tests whose every expected field matched
  // kConfig, one line each: LoadSiteTests's, then each test's in file order.
  std::vector<Error> problems;
};

// LoadSiteTests, then RunSiteTest on each test: each mismatch is the problem
// "FILE: DescribeMismatch(...)". REQUIRES: `sites` were loaded from `sites_dir` without error
// (a test of a broken site file would only repeat that file's error).
Report RunSiteTests(const std::string& sites_dir, const rules::SiteSet& sites,
                    const ExtractLimits& limits);

// The record keys `extract --save-test` pins, in the order it writes them. Not `url` (the
// test's own key), `site` (`extractor` names it) nor `warnings` (written for people: their
// wording may change, docs/CONTRACT.md).
inline constexpr const char* kSavedFields[] = {"extractor", "title",      "author",   "published",
                                               "source",    "source_url", "language", "body",
                                               "related",   "ticker"};

// kUsage naming the file when `path`.html or `path`.json exists: a site test is never
// replaced. `extract --save-test` asks before extracting; SaveSiteTest asks again.
Result<void> CheckNewSiteTest(const std::string& path);

// Writes the site test `path`.html (`page`, unchanged) and `path`.json: the record's url,
// `content_type` when given, and `expected` holding the kSavedFields of `record` (null, or
// [] for a list, when absent, so that the test pins them), pretty-printed UTF-8 in that key
// order, so that the diff between two saves of a page reads line by line. Creates the
// directory of `path`. Returns kUsage when `record` has no url, or when either file exists
// (nothing is replaced: the files are moved into place only if their names are free); kInput
// naming the file on an I/O error, leaving neither file behind. Each file appears whole or
// not at all (written to a temporary file, then moved); the page comes first, so that a
// crash between the two leaves a page without its test, which `check` reports.
Result<void> SaveSiteTest(const std::string& path, std::string_view page, const Article& record,
                          const std::optional<std::string>& content_type);

}  // namespace gleaner::sitetests
