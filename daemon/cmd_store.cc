// `gleaner store PAGE.json... | -`: puts extract records into the database (and so into the
// consumer queue), e.g. `gleaner extract --url URL page.html | gleaner store -`.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "daemon/commands.h"
#include "daemon/store/store.h"
#include "extractors/core/article.h"

namespace gleaner::cli {
namespace {

using store::Store;

constexpr std::string_view kStoreHelp =
    "usage: gleaner store [--db PATH] [--config FILE] PAGE.json... | -\n"
    "\n"
    "Stores article records (as printed by `gleaner extract`) in the database and queues\n"
    "new or changed ones for consumers. `-` reads standard input:\n"
    "  gleaner extract --url URL page.html | gleaner store -\n"
    "\n"
    "Each file holds JSON Lines (one record a line) or records printed with --pretty (a\n"
    "record starts at a line `{` and ends at a line `}`). Articles are identified by their\n"
    "normalised `url`, which every record must have. Storing a record again changes nothing;\n"
    "a record whose title or body changed replaces the stored one and is queued again as an\n"
    "update. The error lines `gleaner extract` prints for pages that failed\n"
    "({\"file\", \"error\", \"exit\"}) are skipped and counted, not treated as bad records.\n"
    "\n"
    "A bad record (not JSON, wrong types, no URL) is reported as FILE:LINE: message and\n"
    "skipped; the file's other records are still stored, and the exit status is 3. Running\n"
    "the same input again after fixing it is safe: records already stored are unchanged.\n"
    "Records are written in transactions of 500: an interrupted run keeps whole batches.\n"
    "\n"
    "Prints one JSON line per input: {\"file\", \"records\", \"new\", \"updated\",\n"
    "\"unchanged\", \"skipped\", \"bad\"}. --db PATH overrides the config's `database`; the\n"
    "database is created if missing.\n"
    "Exit codes: 0 ok; 2 usage; 3 a file missing or unreadable, or a bad record; 8 database\n"
    "error (nothing of the failing batch is stored).\n";

// Records per transaction: one fsync per batch keeps a long pipe fast, and a batch holds the
// write lock only for milliseconds, so the daemon and consumers are not kept waiting.
constexpr size_t kRecordsPerBatch = 500;

// A file of garbage should not flood the terminal: past this many, bad records are counted.
constexpr int kMaxReportedBadRecords = 20;

struct FileCounts {
  int records = 0;
  int added = 0;
  int updated = 0;
  int unchanged = 0;
  int skipped = 0;
  int bad = 0;
};

// One record's text and where it starts.
struct RawRecord {
  std::string text;
  int line = 0;
};

// Splits a stream into records: a line that is exactly "{" opens a pretty-printed record that
// a line exactly "}" closes; any other non-blank line is a record of its own.
class RecordReader {
 public:
  explicit RecordReader(std::istream& in) : in_(in) {}

  bool Next(RawRecord& record) {
    std::string line;
    while (std::getline(in_, line)) {
      ++line_number_;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.find_first_not_of(" \t") == std::string::npos) continue;
      record = RawRecord{line, line_number_};
      if (line != "{") return true;
      while (std::getline(in_, line)) {
        ++line_number_;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        record.text += '\n';
        record.text += line;
        if (line == "}") break;
      }
      return true;
    }
    return false;
  }

 private:
  std::istream& in_;
  int line_number_ = 0;
};

// `gleaner extract`'s report of a page that failed: {"file", "error", "exit"}.
bool IsExtractFailure(const std::string& text) {
  if (text.find("\"error\"") == std::string::npos) return false;
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_object() && j.contains("error") && j.contains("file") && !j.contains("extractor");
}

class Storer {
 public:
  explicit Storer(Store& db) : db_(db) {}

  // Stores one input. Returns the exit code for the file (0, 3) or 8 on a database error,
  // after which the caller stops.
  int StoreStream(std::istream& in, const std::string& name) {
    FileCounts counts;
    RecordReader reader(in);
    RawRecord raw;
    int exit = kExitOk;
    while (reader.Next(raw)) {
      ++counts.records;
      if (IsExtractFailure(raw.text)) {
        ++counts.skipped;
        continue;
      }
      if (auto ok = Add(raw, name, counts); !ok) exit = ok.error().ExitCode();
      if (batch_.size() >= kRecordsPerBatch && !Flush(counts))
        return ExitCode(ErrorCode::kDatabase);
    }
    if (!Flush(counts)) return ExitCode(ErrorCode::kDatabase);
    if (counts.bad > kMaxReportedBadRecords) {
      std::fprintf(stderr, "gleaner store: %s: %d more bad records not shown\n", name.c_str(),
                   counts.bad - kMaxReportedBadRecords);
    }
    PrintCounts(name, counts);
    return exit;
  }

 private:
  Result<void> Add(const RawRecord& raw, const std::string& name, FileCounts& counts) {
    auto article = ArticleFromJson(raw.text);
    Result<void> ok = article ? batch_.PutArticle(std::move(*article))
                              : Result<void>(tl::unexpected(article.error()));
    if (ok) return ok;
    if (++counts.bad <= kMaxReportedBadRecords) {
      std::fprintf(stderr, "%s:%d: %s\n", name.c_str(), raw.line, ok.error().message.c_str());
    }
    return Fail(ErrorCode::kInput, ok.error().message);
  }

  bool Flush(FileCounts& counts) {
    auto summary = db_.Write(batch_, store::Now());
    batch_.Clear();
    if (!summary) {
      ReportError("store", summary.error());
      return false;
    }
    counts.added += summary->articles_new;
    counts.updated += summary->articles_updated;
    counts.unchanged += summary->articles_unchanged;
    return true;
  }

  static void PrintCounts(const std::string& name, const FileCounts& c) {
    nlohmann::ordered_json j = {
        {"file", name},         {"records", c.records},     {"new", c.added},
        {"updated", c.updated}, {"unchanged", c.unchanged}, {"skipped", c.skipped},
        {"bad", c.bad}};
    std::printf("%s\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  }

  Store& db_;
  store::WriteBatch batch_;
};

int StoreInputs(Store& db, const std::vector<std::string>& inputs) {
  Storer storer(db);
  int first_failure = kExitOk;
  for (const std::string& input : inputs) {
    int code = kExitOk;
    if (input == "-") {
      code = storer.StoreStream(std::cin, "<stdin>");
    } else {
      std::error_code ec;
      std::ifstream file(input, std::ios::binary);
      if (!file || std::filesystem::is_directory(input, ec)) {
        code = ReportError("store", Error{ErrorCode::kInput, input + ": cannot read"});
      } else {
        code = storer.StoreStream(file, input);
      }
    }
    if (code == ExitCode(ErrorCode::kDatabase)) return code;
    if (first_failure == kExitOk) first_failure = code;
  }
  return first_failure;
}

Result<void> CheckArguments(const Args& args) {
  if (args.positional.empty())
    return Fail(ErrorCode::kUsage, "no input (give files, or - for stdin)");
  return {};
}

int StoreCommandRun(const Invocation& in) { return StoreInputs(*in.store, in.args.positional); }

}  // namespace

const Command& StoreCommand() {
  static const Command command{
      .name = "store",
      .summary = "store article records in the database and queue them",
      .help = kStoreHelp,
      .flags = {{"db", true}},
      .needs = {.database = DatabaseNeed::kCreate},
      .check_arguments = CheckArguments,
      .run = StoreCommandRun,
  };
  return command;
}

}  // namespace gleaner::cli
