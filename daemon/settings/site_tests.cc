#include "daemon/settings/site_tests.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>

#include "daemon/settings/site_files.h"
#include "extractors/pipeline.h"

namespace gleaner::sitetests {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::string_view kJsonSuffix = ".json";
constexpr std::string_view kHtmlSuffix = ".html";

// ---------------------------------------------------------------------------------------------
// Reading a test

// The JSON types a record key may hold (docs/CONTRACT.md "The article record").
enum class FieldType {
  kText,          // string, or null when unknown
  kRequiredText,  // always a string (`extractor`)
  kLinks,         // list of {"title", "url"}; null stands for no entries
  kTexts,         // list of strings; null stands for no entries
};

struct RecordField {
  const char* key;
  FieldType type;
};

// Every key of the record, in its order: the order mismatches are reported in.
constexpr RecordField kRecordFields[] = {{"url", FieldType::kText},
                                         {"site", FieldType::kText},
                                         {"extractor", FieldType::kRequiredText},
                                         {"title", FieldType::kText},
                                         {"author", FieldType::kText},
                                         {"published", FieldType::kText},
                                         {"source", FieldType::kText},
                                         {"source_url", FieldType::kText},
                                         {"language", FieldType::kText},
                                         {"body", FieldType::kText},
                                         {"related", FieldType::kLinks},
                                         {"ticker", FieldType::kLinks},
                                         {"warnings", FieldType::kTexts}};

// The keys of a test file itself.
constexpr const char* kTestKeys[] = {"url", "content_type", "expected"};

// Nesting deeper than a record's (an object in a list in an object in an object) is no test;
// the cap keeps a hostile file from costing more than its bytes.
constexpr int kMaxJsonDepth = 16;

const RecordField* FindRecordField(std::string_view key) {
  for (const RecordField& field : kRecordFields) {
    if (key == field.key) return &field;
  }
  return nullptr;
}

bool IsLink(const json& j) {
  return j.is_object() && j.size() == 2 && j.contains("title") && j["title"].is_string() &&
         j.contains("url") && j["url"].is_string();
}

// What `value` should have been for a key of this type, or nullptr when it is fine.
const char* TypeProblem(const json& value, FieldType type) {
  switch (type) {
    case FieldType::kText:
      return value.is_null() || value.is_string() ? nullptr : "a string or null";
    case FieldType::kRequiredText:
      return value.is_string() ? nullptr : "a string";
    case FieldType::kLinks:
      if (value.is_null()) return nullptr;
      if (value.is_array() && std::all_of(value.begin(), value.end(), IsLink)) return nullptr;
      return "a list of {\"title\": ..., \"url\": ...}, or null";
    case FieldType::kTexts:
      if (value.is_null()) return nullptr;
      if (value.is_array() &&
          std::all_of(value.begin(), value.end(), [](const json& j) { return j.is_string(); }))
        return nullptr;
      return "a list of strings, or null";
  }
  return nullptr;
}

// The line of the byte at `position` (1-based, as nlohmann counts).
size_t LineOf(std::string_view text, size_t position) {
  size_t end = std::min(text.size(), position > 0 ? position - 1 : 0);
  return 1 + static_cast<size_t>(std::count(text.begin(), text.begin() + end, '\n'));
}

// nlohmann's message without its prefix "[json.exception.parse_error.101] parse error at
// line 3, column 5: ", since the caller names the line.
std::string ParseReason(const std::string& what) {
  size_t colon = what.find(": ");
  return colon == std::string::npos ? what : what.substr(colon + 2);
}

// Parses a test file's text. kConfig "FILE:LINE: message" for malformed JSON, "FILE: message"
// for a key repeated in an object (nlohmann would keep the last silently) or nesting past
// kMaxJsonDepth.
Result<json> ParseTestJson(const std::string& text, const std::string& file) {
  std::vector<std::set<std::string>> open_objects;
  std::optional<std::string> repeated;
  bool too_deep = false;
  auto callback = [&](int depth, json::parse_event_t event, json& parsed) {
    if (depth > kMaxJsonDepth) {
      too_deep = true;
      return false;  // drops the value: nothing that deep is kept
    }
    if (event == json::parse_event_t::object_start) open_objects.emplace_back();
    if (event == json::parse_event_t::object_end && !open_objects.empty()) open_objects.pop_back();
    if (event == json::parse_event_t::key && !open_objects.empty() &&
        !open_objects.back().insert(parsed.get<std::string>()).second && !repeated) {
      repeated = parsed.get<std::string>();
    }
    return true;
  };
  json doc;
  try {
    doc = json::parse(text, callback);
  } catch (const json::parse_error& e) {
    return Fail(ErrorCode::kConfig,
                file + ":" + std::to_string(LineOf(text, e.byte)) + ": " + ParseReason(e.what()));
  } catch (const json::exception& e) {  // a number too big for a double
    return Fail(ErrorCode::kConfig, file + ": " + ParseReason(e.what()));
  }
  if (too_deep) {
    return Fail(ErrorCode::kConfig,
                file + ": nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  }
  if (repeated) return Fail(ErrorCode::kConfig, file + ": key '" + *repeated + "' appears twice");
  return doc;
}

// Checks a parsed test file: its keys, their types, and that `site` owns its url.
Result<SiteTest> ValidateTest(const json& doc, const std::string& json_file,
                              const std::string& html_file, const rules::SiteRules& site) {
  auto fail = [&](const std::string& message) {
    return Fail(ErrorCode::kConfig, json_file + ": " + message);
  };
  if (!doc.is_object()) return fail("not a JSON object");
  for (const auto& [key, value] : doc.items()) {
    if (std::find(std::begin(kTestKeys), std::end(kTestKeys), key) == std::end(kTestKeys))
      return fail("unknown key '" + key + "' (a test has url, content_type and expected)");
  }
  if (!doc.contains("url")) return fail("no url: the page's URL is needed to extract it");
  if (!doc["url"].is_string() || doc["url"].get_ref<const std::string&>().empty())
    return fail("url must be a non-empty string");
  if (doc.contains("content_type") && !doc["content_type"].is_string())
    return fail("content_type must be a string");
  if (!doc.contains("expected")) return fail("no expected: the record fields to compare");
  const json& expected = doc["expected"];
  if (!expected.is_object()) return fail("expected must be an object of record fields");
  for (const auto& [key, value] : expected.items()) {
    const RecordField* field = FindRecordField(key);
    if (!field) return fail("unknown key '" + key + "' in expected (not a record field)");
    if (const char* want = TypeProblem(value, field->type))
      return fail("expected." + key + " must be " + want);
  }
  SiteTest test;
  test.url = doc["url"].get<std::string>();
  if (!site.Owns(test.url)) {
    return fail("url " + test.url + " is not owned by site '" + site.id + "' (its urls in " +
                site.file + " do not match it)");
  }
  test.json_file = json_file;
  test.html_file = html_file;
  test.site_id = site.id;
  if (doc.contains("content_type")) test.content_type = doc["content_type"].get<std::string>();
  test.expected = expected;
  return test;
}

Result<SiteTest> ReadTest(const std::string& json_file, const std::string& html_file,
                          const rules::SiteRules& site) {
  auto text = ReadFileCapped(json_file, kMaxTestJsonBytes);
  if (!text) return Fail(ErrorCode::kConfig, text.error().message);
  auto doc = ParseTestJson(*text, json_file);
  if (!doc) return tl::unexpected(doc.error());
  return ValidateTest(*doc, json_file, html_file, site);
}

// ---------------------------------------------------------------------------------------------
// Walking tests/

struct DirEntry {
  std::string name;
  bool is_directory;
};

// The entries of `dir` whose names do not begin with '.', sorted by name, each one taken from
// `*budget`. False when the budget runs out (the caller reports it); a directory that cannot
// be read is a problem.
bool ListDirectory(const fs::path& dir, size_t* budget, std::vector<DirEntry>* entries,
                   std::vector<Error>* problems) {
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.empty() || name[0] == '.') continue;
    if (*budget == 0) return false;
    --*budget;
    std::error_code type_ec;
    entries->push_back({std::move(name), it->is_directory(type_ec)});
  }
  if (ec) problems->push_back({ErrorCode::kConfig, dir.string() + ": " + ec.message()});
  std::sort(entries->begin(), entries->end(),
            [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
  return true;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() > suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// The tests of one site's directory. False when the file budget runs out.
bool LoadSiteDirectory(const fs::path& dir, const rules::SiteRules& site, size_t* budget,
                       std::vector<SiteTest>* tests, std::vector<Error>* problems) {
  std::vector<DirEntry> entries;
  if (!ListDirectory(dir, budget, &entries, problems)) return false;
  struct Pair {
    bool json = false;
    bool html = false;
  };
  std::map<std::string, Pair> names;  // by test name, so the tests run in name order
  for (const DirEntry& entry : entries) {
    std::string_view name = entry.name;
    if (!entry.is_directory && EndsWith(name, kJsonSuffix)) {
      names[std::string(name.substr(0, name.size() - kJsonSuffix.size()))].json = true;
    } else if (!entry.is_directory && EndsWith(name, kHtmlSuffix)) {
      names[std::string(name.substr(0, name.size() - kHtmlSuffix.size()))].html = true;
    } else {
      problems->push_back({ErrorCode::kConfig,
                           (dir / entry.name).string() +
                               ": not a site test (a test is NAME.json with its page NAME.html)"});
    }
  }
  for (const auto& [name, pair] : names) {
    std::string json_file = (dir / (name + std::string(kJsonSuffix))).string();
    std::string html_file = (dir / (name + std::string(kHtmlSuffix))).string();
    if (!pair.html) {
      problems->push_back(
          {ErrorCode::kConfig, json_file + ": its page " + name + ".html is missing"});
    } else if (!pair.json) {
      problems->push_back(
          {ErrorCode::kConfig, html_file + ": its test " + name + ".json is missing"});
    } else if (auto test = ReadTest(json_file, html_file, site); test) {
      tests->push_back(std::move(*test));
    } else {
      problems->push_back(test.error());
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Comparing and describing

// A string of at most this many characters is shown whole: every headline (the longest of
// the fixture pages has 135 characters), source, date and URL; a body is not.
constexpr size_t kWholeChars = 200;
// The excerpts around the first difference of two long strings: enough words on each side to
// find the spot in the page.
constexpr size_t kCharsBefore = 30;
constexpr size_t kCharsAfter = 40;

bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Characters (code points) of UTF-8 text: nlohmann has validated the expected strings, and
// the record's are well-formed.
size_t CountChars(std::string_view s) {
  return static_cast<size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return !IsContinuationByte(c); }));
}

// The byte offset `n` characters after `pos`, or the end.
size_t Forward(std::string_view s, size_t pos, size_t n) {
  for (; n > 0 && pos < s.size(); --n) {
    ++pos;
    while (pos < s.size() && IsContinuationByte(s[pos])) ++pos;
  }
  return pos;
}

// The byte offset `n` characters before `pos`, or 0.
size_t Backward(std::string_view s, size_t pos, size_t n) {
  for (; n > 0 && pos > 0; --n) {
    --pos;
    while (pos > 0 && IsContinuationByte(s[pos])) --pos;
  }
  return pos;
}

std::string Quote(std::string_view s) {
  return json(std::string(s)).dump(-1, ' ', false, json::error_handler_t::replace);
}

// s[from, to) quoted, with … outside the quotes where the string goes on.
std::string Excerpt(std::string_view s, size_t from, size_t to) {
  return (from > 0 ? "…" : "") + Quote(s.substr(from, to - from)) + (to < s.size() ? "…" : "");
}

// A value on one line: whole, or a long string's start and length; `none` for no value.
std::string Render(const json* value) {
  if (!value) return "none";
  if (value->is_string()) {
    const std::string& s = value->get_ref<const std::string&>();
    size_t chars = CountChars(s);
    if (chars <= kWholeChars) return Quote(s);
    return Excerpt(s, 0, Forward(s, 0, kCharsAfter)) + " (" + std::to_string(chars) +
           " characters)";
  }
  std::string text = value->dump(-1, ' ', false, json::error_handler_t::replace);
  if (CountChars(text) <= kWholeChars) return text;
  return text.substr(0, Forward(text, 0, kWholeChars)) + "…";
}

std::string DescribeStrings(const std::string& want, const std::string& got) {
  if (CountChars(want) <= kWholeChars && CountChars(got) <= kWholeChars)
    return "expected " + Quote(want) + " got " + Quote(got);
  size_t at = 0;
  while (at < want.size() && at < got.size() && want[at] == got[at]) ++at;
  while (at > 0 && at < want.size() && IsContinuationByte(want[at])) --at;  // a character's start
  auto excerpt = [at](const std::string& s) {
    return Excerpt(s, Backward(s, at, kCharsBefore), Forward(s, at, kCharsAfter));
  };
  return "expected " + excerpt(want) + " got " + excerpt(got) + " (first difference at character " +
         std::to_string(CountChars(want.substr(0, at))) + ")";
}

std::string DescribeValues(const json* want, const json* got) {
  if (want && got && want->is_string() && got->is_string())
    return DescribeStrings(want->get_ref<const std::string&>(), got->get_ref<const std::string&>());
  return "expected " + Render(want) + " got " + Render(got);
}

// An expected null matches a list with no entries: the record writes [] for those.
bool FieldMatches(const json& want, const json& got) {
  return want == got || (want.is_null() && got.is_array() && got.empty());
}

// ---------------------------------------------------------------------------------------------
// Writing a test

// A site test is as public as the site files beside it.
constexpr mode_t kTestFileMode = 0644;

std::string AlreadyExists(const std::string& file) {
  return file +
         ": already exists; a site test is never replaced (remove it, or choose "
         "another name)";
}

// WriteNewFile with the site test's mode and wording.
Result<void> WriteTestFile(const std::string& path, std::string_view content) {
  auto written = WriteNewFile(path, content, kTestFileMode);
  if (!written && written.error().code == ErrorCode::kUsage)
    return Fail(ErrorCode::kUsage, AlreadyExists(path));
  return written;
}

// Makes the new names in `dir` durable. Best effort: the files are in place already, and a
// crash that loses them loses them both or leaves a page without its test, which `check`
// reports.
void SyncDirectory(const fs::path& dir) {
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)::fsync(fd);
  ::close(fd);
}

std::string TestJson(const Article& record, const std::optional<std::string>& content_type) {
  // ordered_json keeps the order written here and the record's: a saved test reads like
  // the record, and two saves of a page diff line by line.
  auto full = nlohmann::ordered_json::parse(ArticleToJson(record), nullptr, false);
  nlohmann::ordered_json doc;
  doc["url"] = record.url.value_or("");
  if (content_type) doc["content_type"] = *content_type;
  nlohmann::ordered_json expected = nlohmann::ordered_json::object();
  for (const char* key : kSavedFields) expected[key] = full.is_object() ? full[key] : nullptr;
  doc["expected"] = std::move(expected);
  return doc.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace

std::vector<SiteTest> LoadSiteTests(const std::string& sites_dir, const rules::SiteSet& sites,
                                    std::vector<Error>* problems) {
  const fs::path root = fs::path(sites_dir) / "tests";
  std::error_code ec;
  fs::file_status status = fs::status(root, ec);
  if (!fs::exists(status)) return {};
  if (!fs::is_directory(status)) {
    problems->push_back(
        {ErrorCode::kConfig,
         root.string() + ": not a directory (site tests go in " + root.string() + "/<site-id>/)"});
    return {};
  }
  size_t budget = kMaxTestFiles;
  std::vector<SiteTest> tests;
  std::vector<Error> found;
  std::vector<DirEntry> site_dirs;
  bool within_cap = ListDirectory(root, &budget, &site_dirs, &found);
  for (size_t i = 0; within_cap && i < site_dirs.size(); ++i) {
    const DirEntry& entry = site_dirs[i];
    const fs::path dir = root / entry.name;
    const rules::SiteRules* site = sites.Find(entry.name);
    if (!entry.is_directory) {
      found.push_back({ErrorCode::kConfig, dir.string() +
                                               ": not a site's test directory (tests go in " +
                                               root.string() + "/<site-id>/)"});
    } else if (!site) {
      found.push_back({ErrorCode::kConfig, dir.string() + ": no site has the id '" + entry.name +
                                               "' (a test directory is named after its site)"});
    } else {
      within_cap = LoadSiteDirectory(dir, *site, &budget, &tests, &found);
    }
  }
  if (!within_cap) {
    problems->push_back({ErrorCode::kConfig, root.string() + ": more than " +
                                                 std::to_string(kMaxTestFiles) +
                                                 " files; no site test was run"});
    return {};
  }
  problems->insert(problems->end(), found.begin(), found.end());
  return tests;
}

Result<std::vector<Mismatch>> RunSiteTest(const SiteTest& test, const rules::SiteSet& sites,
                                          const ExtractLimits& limits) {
  auto page = ReadFileCapped(test.html_file, limits.max_page_bytes);
  if (!page) return Fail(ErrorCode::kConfig, page.error().message);
  ExtractOptions options;
  options.limits = DomLimitsFrom(limits);
  options.site_id = test.site_id;
  auto article = ExtractPage({*page, test.url, test.content_type}, &sites, options);
  if (!article) {
    return Fail(ErrorCode::kConfig,
                test.json_file + ": no record from its page: " + article.error().message);
  }
  const json got = json::parse(ArticleToJson(*article), nullptr, false);
  std::vector<Mismatch> mismatches;
  for (const RecordField& field : kRecordFields) {
    auto want = test.expected.find(field.key);
    if (want == test.expected.end()) continue;
    auto have = got.find(field.key);
    const json& value = have == got.end() ? json() : *have;
    if (!FieldMatches(*want, value)) mismatches.push_back({field.key, *want, value});
  }
  return mismatches;
}

std::string DescribeMismatch(const Mismatch& m) {
  const json no_entries = json::array();
  const json& want = m.expected.is_null() && m.got.is_array() ? no_entries : m.expected;
  if (!want.is_array() || !m.got.is_array()) return m.field + ": " + DescribeValues(&want, &m.got);
  size_t i = 0;
  while (i < want.size() && i < m.got.size() && want[i] == m.got[i]) ++i;
  std::string line =
      m.field + "[" + std::to_string(i) + "]: " +
      DescribeValues(i < want.size() ? &want[i] : nullptr, i < m.got.size() ? &m.got[i] : nullptr);
  if (want.size() != m.got.size()) {
    line += " (" + std::to_string(want.size()) + " entries expected, " +
            std::to_string(m.got.size()) + " got)";
  }
  return line;
}

Report RunSiteTests(const std::string& sites_dir, const rules::SiteSet& sites,
                    const ExtractLimits& limits) {
  Report report;
  for (const SiteTest& test : LoadSiteTests(sites_dir, sites, &report.problems)) {
    auto mismatches = RunSiteTest(test, sites, limits);
    if (!mismatches) {
      report.problems.push_back(mismatches.error());
      continue;
    }
    for (const Mismatch& m : *mismatches)
      report.problems.push_back({ErrorCode::kConfig, test.json_file + ": " + DescribeMismatch(m)});
    if (mismatches->empty()) ++report.passed;
  }
  return report;
}

Result<void> CheckNewSiteTest(const std::string& path) {
  for (std::string_view suffix : {kHtmlSuffix, kJsonSuffix}) {
    std::string file = path + std::string(suffix);
    std::error_code ec;
    if (fs::exists(fs::symlink_status(file, ec)))
      return Fail(ErrorCode::kUsage, AlreadyExists(file));
  }
  return {};
}

Result<void> SaveSiteTest(const std::string& path, std::string_view page, const Article& record,
                          const std::optional<std::string>& content_type) {
  if (!record.url) return Fail(ErrorCode::kUsage, path + ": a site test needs the page's URL");
  if (auto free = CheckNewSiteTest(path); !free) return free;
  const fs::path dir = fs::path(path).parent_path();
  std::error_code ec;
  if (!dir.empty()) fs::create_directories(dir, ec);
  if (ec) return Fail(ErrorCode::kInput, dir.string() + ": " + ec.message());
  const std::string html_file = path + std::string(kHtmlSuffix);
  if (auto placed = WriteTestFile(html_file, page); !placed) return placed;
  if (auto placed = WriteTestFile(path + std::string(kJsonSuffix), TestJson(record, content_type));
      !placed) {
    ::unlink(html_file.c_str());
    return placed;
  }
  SyncDirectory(dir);
  return {};
}

}  // namespace gleaner::sitetests
