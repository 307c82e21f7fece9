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
#include "daemon/store/record_import.h"

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

// A file of garbage should not flood the terminal: past this many, bad records are counted.
constexpr int kMaxReportedBadRecords = 20;

void PrintCounts(const std::string& name, const store::ImportCounts& c) {
  nlohmann::ordered_json j = {
      {"file", name},         {"records", c.records},     {"new", c.added},
      {"updated", c.updated}, {"unchanged", c.unchanged}, {"skipped", c.skipped},
      {"bad", c.bad}};
  std::printf("%s\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
}

// Stores one input and prints its counts. Returns the exit code for the input: 0, kInput
// when a record was bad, or kDatabase (the caller stops).
int StoreStream(Store& db, std::istream& in, const std::string& name) {
  int reported = 0;
  auto counts = store::ImportRecords(db, in, [&](int line, const Error& error) {
    if (++reported <= kMaxReportedBadRecords)
      std::fprintf(stderr, "%s:%d: %s\n", name.c_str(), line, error.message.c_str());
  });
  if (!counts) return ReportError("store", counts.error());
  if (counts->bad > kMaxReportedBadRecords) {
    std::fprintf(stderr, "gleaner store: %s: %d more bad records not shown\n", name.c_str(),
                 counts->bad - kMaxReportedBadRecords);
  }
  PrintCounts(name, *counts);
  return counts->bad > 0 ? ExitCode(ErrorCode::kInput) : kExitOk;
}

int StoreInputs(Store& db, const std::vector<std::string>& inputs) {
  int first_failure = kExitOk;
  for (const std::string& input : inputs) {
    int code = kExitOk;
    if (input == "-") {
      code = StoreStream(db, std::cin, "<stdin>");
    } else {
      std::error_code ec;
      std::ifstream file(input, std::ios::binary);
      if (!file || std::filesystem::is_directory(input, ec)) {
        code = ReportError("store", Error{ErrorCode::kInput, input + ": cannot read"});
      } else {
        code = StoreStream(db, file, input);
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
