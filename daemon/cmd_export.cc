// `gleaner export [--since TIME] [--site ID] [--format jsonl|csv]`: prints stored articles.
// Read-only: never claims, never writes the database.
#include <cstdio>
#include <string>

#include "daemon/commands.h"
#include "daemon/store/store.h"
#include "extractors/core/article.h"
#include "extractors/core/units.h"

namespace gleaner::cli {
namespace {

using store::StoredArticle;

constexpr std::string_view kExportHelp =
    "usage: gleaner export [--since TIME] [--site ID] [--format jsonl|csv] [--db PATH]\n"
    "                      [--config FILE]\n"
    "\n"
    "Prints the stored articles, oldest change first, without claiming them (the consumer\n"
    "queue is untouched; the database is opened read-only).\n"
    "\n"
    "  --since TIME   only articles stored or updated at or after TIME: ISO 8601\n"
    "                 (2024-05-01, 2024-05-01T09:30:00+02:00; no offset means UTC), or a\n"
    "                 duration back from now (30m, 24h, 7d)\n"
    "  --site ID      only articles extracted with that site's rules\n"
    "  --format jsonl one article record a line (the default), followed by the store's\n"
    "                 \"first_seen\" and \"updated\" times (ISO 8601, UTC)\n"
    "  --format csv   RFC 4180 with a header row, the same columns in the same order;\n"
    "                 related, ticker and warnings hold their JSON lists. A cell that\n"
    "                 starts with = + - @, a tab or a CR is written as '... (quoted, with\n"
    "                 a leading single quote) so that spreadsheets show it as text\n"
    "\n"
    "Articles are read in pages, each in a short read transaction, so a paused export\n"
    "(a pager) never holds the database's write-ahead log. An article stored or updated\n"
    "while the export runs is printed when the export reaches it (an updated one may\n"
    "appear twice, its newer version later).\n"
    "\n"
    "Exit codes: 0 ok (also when nothing matches); 2 usage; 3 the database does not exist;\n"
    "8 database error.\n";

// An ISO 8601 time, or a duration counted back from `now`.
Result<store::Time> ParseSince(const std::string& text, store::Time now) {
  if (auto time = store::ParseTime(text)) return *time;
  if (auto duration = ParseDuration(text)) return now - *duration;
  return Fail(ErrorCode::kUsage,
              "--since must be an ISO 8601 time or a duration such as 24h, not '" + text + "'");
}

// Appends the store's times after a record's keys.
void AppendTimes(std::string& line, const StoredArticle& stored) {
  line.append(",\"first_seen\":\"").append(store::FormatTime(stored.first_seen));
  line.append("\",\"updated\":\"").append(store::FormatTime(stored.updated)).append("\"");
}

void PrintJsonLine(const StoredArticle& stored) {
  std::string line = ArticleToJson(stored.article);
  line.pop_back();  // the closing brace: the store's times follow the record's keys
  AppendTimes(line, stored);
  line += "}\n";
  std::fwrite(line.data(), 1, line.size(), stdout);
}

constexpr const char* kCsvHeader =
    "url,site,extractor,title,author,published,source,source_url,language,body,related,"
    "ticker,warnings,first_seen,updated\r\n";

// A cell starting with one of these is a formula to a spreadsheet (OWASP "CSV Injection"):
// a hostile page's title such as =HYPERLINK(...) would run on the reader's machine.
constexpr std::string_view kFormulaStarts = "=+-@\t\r";

// RFC 4180: quoted when it holds a comma, a quote or a line break; quotes doubled. A cell a
// spreadsheet would read as a formula gets a leading single quote and is quoted (OWASP's
// rule), so it is shown as text; the quote is part of the exported value.
std::string CsvField(std::string_view value) {
  bool formula = !value.empty() && kFormulaStarts.find(value.front()) != std::string_view::npos;
  if (!formula && value.find_first_of(",\"\r\n") == std::string_view::npos)
    return std::string(value);
  std::string out = formula ? "\"'" : "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

void PrintCsvLine(const StoredArticle& stored) {
  const Article& a = stored.article;
  std::string line;
  auto add = [&line](std::string_view value) {
    if (!line.empty()) line += ',';
    line += CsvField(value);
  };
  add(a.url.value_or(""));
  add(a.site.value_or(""));
  add(a.extractor);
  for (const auto* field :
       {&a.title, &a.author, &a.published, &a.source, &a.source_url, &a.language, &a.body}) {
    add(field->value_or(""));
  }
  add(store::LinksToColumn(a.related));
  add(store::LinksToColumn(a.ticker));
  add(store::StringsToColumn(a.warnings));
  add(store::FormatTime(stored.first_seen));
  add(store::FormatTime(stored.updated));
  // CRLF ends a record in RFC 4180; fields may still hold bare LF (body paragraphs).
  line += "\r\n";
  std::fwrite(line.data(), 1, line.size(), stdout);
}

Result<void> CheckArguments(const Args& args) {
  if (!args.positional.empty())
    return Fail(ErrorCode::kUsage, "unexpected argument '" + args.positional[0] + "'");
  std::string format = args.Value("format").value_or("jsonl");
  if (format != "jsonl" && format != "csv")
    return Fail(ErrorCode::kUsage, "--format must be jsonl or csv, not '" + format + "'");
  if (auto since = args.Value("since")) {
    if (auto time = ParseSince(*since, store::Now()); !time) return tl::unexpected(time.error());
  }
  return {};
}

int Export(const Invocation& in) {
  const Args& args = in.args;
  bool csv = args.Value("format") == "csv";
  store::ArticleFilter filter;
  filter.site = args.Value("site");
  if (auto since = args.Value("since")) {
    auto time = ParseSince(*since, store::Now());  // checked by CheckArguments
    if (!time) return ReportError(in.name, time.error());
    filter.since = *time;
  }
  if (csv) std::fputs(kCsvHeader, stdout);
  auto ok = in.store->ForEachArticle(filter, [csv](const StoredArticle& stored) {
    if (csv) {
      PrintCsvLine(stored);
    } else {
      PrintJsonLine(stored);
    }
    return true;
  });
  if (!ok) return ReportError(in.name, ok.error());
  return kExitOk;
}

}  // namespace

const Command& ExportCommand() {
  static const Command command{
      .name = "export",
      .summary = "print stored articles (jsonl or csv), read-only",
      .help = kExportHelp,
      .flags = {{"db", true}, {"since", true}, {"site", true}, {"format", true}},
      .needs = {.database = DatabaseNeed::kReadOnly},
      .check_arguments = CheckArguments,
      .run = Export,
  };
  return command;
}

}  // namespace gleaner::cli
