// `gleaner export [--since TIME] [--site ID] [--format jsonl|csv|warc] [-o FILE]`: prints
// stored articles (jsonl, csv) or the archived pages with their records (warc, through
// store/warc.h). Read-only: never claims, never writes the database or the archive. With
// `cluster:` in the config, jsonl and csv read the cluster's PostgreSQL (every box's
// records); --local (and warc, which needs this box's archive) reads this box's SQLite.
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>

#include "daemon/cluster/pg.h"
#include "daemon/cluster/pg_schema.h"
#include "daemon/commands.h"
#include "daemon/export_line.h"
#include "daemon/fetch/curl_fetcher.h"
#include "daemon/store/archive.h"
#include "daemon/store/store.h"
#include "daemon/store/warc.h"
#include "extractors/core/article.h"
#include "extractors/core/units.h"

namespace gleaner::cli {
namespace {

using store::StoredArticle;

constexpr std::string_view kExportHelp =
    "usage: gleaner export [--since TIME] [--site ID] [--format jsonl|csv|warc]\n"
    "                      [-o FILE | --output FILE] [--local] [--db PATH] [--config FILE]\n"
    "\n"
    "Prints the stored articles, oldest change first, without claiming them (the consumer\n"
    "queue is untouched; the database is opened read-only); or, with --format warc, the\n"
    "archived pages (the raw responses kept beside the database) as a WARC file.\n"
    "\n"
    "  --since TIME   only articles stored or updated (warc: pages fetched) at or after\n"
    "                 TIME: ISO 8601 (2024-05-01, 2024-05-01T09:30:00+02:00; no offset\n"
    "                 means UTC), or a duration back from now (30m, 24h, 7d)\n"
    "  --site ID      only articles extracted with (warc: pages fetched for) that site\n"
    "  --format jsonl one article record a line (the default), followed by the store's\n"
    "                 \"first_seen\" and \"updated\" times (ISO 8601, UTC)\n"
    "  --format csv   RFC 4180 with a header row, the same columns in the same order;\n"
    "                 related, ticker and warnings hold their JSON lists. A cell that\n"
    "                 starts with = + - @, a tab or a CR is written as '... (quoted, with\n"
    "                 a leading single quote) so that spreadsheets show it as text\n"
    "  --format warc  WARC/1.1 (ISO 28500), each record its own gzip member (a .warc.gz):\n"
    "                 a warcinfo record, then for each archived page, oldest fetch first,\n"
    "                 a request record (rebuilt: GET, Host, User-Agent, Accept), a\n"
    "                 response record (the status line and headers as fetched, then the\n"
    "                 body as archived) and, when the URL has a stored article, a metadata\n"
    "                 record holding its JSON record. The archive keeps bodies decoded\n"
    "                 (gzip removed), so the response's Content-Encoding,\n"
    "                 Transfer-Encoding and Content-Length headers are renamed\n"
    "                 X-Archive-Orig-<Name> and a Content-Length for the archived body is\n"
    "                 added. Record ids derive from the pages' identity: exporting the\n"
    "                 same pages twice gives the same file. A corrupt archived page is\n"
    "                 reported on stderr and skipped, and the export exits 3 at the end\n"
    "  --local        with `cluster:` in the config, read this box's own database (and\n"
    "                 archive) instead of the cluster's PostgreSQL. Without `cluster:`,\n"
    "                 the box's database is always read. --format warc and --db need it\n"
    "                 when there is a cluster. PostgreSQL holds every box's records, each\n"
    "                 at its latest version, with the times of the box that stored it\n"
    "  -o FILE, --output FILE\n"
    "                 write to FILE instead of stdout: to a temporary file beside it,\n"
    "                 renamed onto FILE once complete, so a failed export never leaves a\n"
    "                 partial FILE\n"
    "\n"
    "Articles (and pages) are read in pages, each in a short read transaction, so a paused\n"
    "export (a pager) never holds the database's write-ahead log. An article stored or\n"
    "updated while the export runs is printed when the export reaches it (an updated one\n"
    "may appear twice, its newer version later).\n"
    "\n"
    "Exit codes: 0 ok (also when nothing matches); 2 usage; 3 the database (or, for warc,\n"
    "the archive) does not exist, FILE cannot be written, or a corrupt page was skipped;\n"
    "8 database error (PostgreSQL unreachable, or refusing the login).\n";

// --since: an ISO 8601 time, or a duration counted back from `now`.
Result<store::Time> ParseSince(const std::string& text, store::Time now) {
  if (auto time = store::ParseSince(text, now)) return *time;
  return Fail(ErrorCode::kUsage,
              "--since must be an ISO 8601 time or a duration such as 24h, not '" + text + "'");
}

// The jsonl export's record of `stored` (also the WARC metadata record's block), without
// the line end.
std::string JsonRecord(const StoredArticle& stored) {
  std::string line = ExportJsonLine(stored);
  line.pop_back();
  return line;
}

void PrintJsonLine(std::FILE* out, const StoredArticle& stored) {
  std::string line = JsonRecord(stored) + "\n";
  std::fwrite(line.data(), 1, line.size(), out);
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

void PrintCsvLine(std::FILE* out, const StoredArticle& stored) {
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
  std::fwrite(line.data(), 1, line.size(), out);
}

// Where an export goes: stdout, or (-o FILE) a temporary file beside FILE that Commit
// renames onto it. A temporary file not committed is removed, so a failed export never
// leaves a partial FILE nor a stray temporary one.
class Output {
 public:
  // stdout when `path` is empty. kInput naming the path when the temporary file cannot be
  // created (no such directory, no permission).
  static Result<std::unique_ptr<Output>> Open(const std::optional<std::string>& path) {
    auto output = std::unique_ptr<Output>(new Output());
    if (!path) {
      output->file_ = stdout;
      return output;
    }
    namespace fs = std::filesystem;
    fs::path target(*path);
    // Beside FILE, so that the rename stays on one file system and is atomic; the pid and
    // a counter keep two exports (or two calls) from choosing the same name, and O_EXCL
    // refuses a name that exists. The mode is 0666 less the umask, as for any new file.
    static std::atomic<int> counter{0};
    std::string name = "." + target.filename().string() + ".tmp-" + std::to_string(::getpid()) +
                       "-" + std::to_string(counter++);
    output->temporary_ = (target.parent_path() / name).string();
    int fd = ::open(output->temporary_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0) {
      output->temporary_.clear();
      return Fail(ErrorCode::kInput, *path + ": " + std::strerror(errno));
    }
    output->file_ = ::fdopen(fd, "wb");
    if (!output->file_) {
      ::close(fd);
      return Fail(ErrorCode::kInput, *path + ": " + std::strerror(errno));
    }
    output->path_ = *path;
    return output;
  }

  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;
  ~Output() {
    if (temporary_.empty()) return;
    if (file_) std::fclose(file_);
    ::unlink(temporary_.c_str());
  }

  std::FILE* file() const { return file_; }
  // The name messages give the output: FILE, or "stdout".
  std::string name() const { return path_.empty() ? "stdout" : path_; }

  // Writes all of `bytes`. kInput naming the output when they cannot be written (a full
  // disk, a closed pipe).
  Result<void> Write(std::string_view bytes) {
    if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) return WriteError();
    return {};
  }

  // Flushes; for a FILE, syncs it, closes it and renames it onto FILE. kInput naming the
  // output on failure (the temporary file is then removed).
  Result<void> Commit() {
    if (std::fflush(file_) != 0 || std::ferror(file_)) return WriteError();
    if (temporary_.empty()) return {};
    if (::fsync(::fileno(file_)) != 0) return WriteError();
    int closed = std::fclose(file_);
    file_ = nullptr;
    if (closed != 0) return WriteError();
    if (std::rename(temporary_.c_str(), path_.c_str()) != 0) return WriteError();
    temporary_.clear();
    return {};
  }

 private:
  Output() = default;
  Result<void> WriteError() const {
    return Fail(ErrorCode::kInput, "writing " + name() + ": " + std::strerror(errno));
  }

  std::FILE* file_ = nullptr;
  std::string path_;       // empty: stdout
  std::string temporary_;  // set until committed or removed
};

// A WARC export in progress: writes the records of one capture after another.
class WarcExport {
 public:
  WarcExport(const Invocation& in, store::Store& store, store::Archive& archive, Output& out)
      : in_(in),
        store_(store),
        archive_(archive),
        out_(out),
        user_agent_(fetch::UserAgentOf(in.config->fetch)) {
    sink_ = [this](std::string_view bytes) { return out_.Write(bytes); };
  }
  WarcExport(const WarcExport&) = delete;  // the sink points at this object
  WarcExport& operator=(const WarcExport&) = delete;

  // The warcinfo record, dated `date` (the first page's fetch time, so that the same pages
  // give the same file).
  Result<void> WriteWarcinfo(store::Time date, const std::optional<std::string>& filename) {
    namespace warc = store::warc;
    warc::Record record{
        .type = warc::kWarcinfo, .date = date, .content_type = warc::kWarcFieldsType};
    record.block = warc::WarcinfoBlock(std::string("gleaner/") + GLEANER_VERSION, user_agent_,
                                       "raw article pages archived by gleaner");
    std::string name;
    if (filename) {
      name = std::filesystem::path(*filename).filename().string();
      record.fields.emplace_back("WARC-Filename", name);
    }
    // Named by what it says and when: the same export gives the same id.
    record.id = warc::RecordIdFor(std::string("gleaner-warcinfo") + '\0' + warc::WarcDate(date) +
                                  '\0' + name + '\0' + record.block);
    warcinfo_id_ = record.id;
    return warc::WriteRecord(record, sink_);
  }

  // The records of `capture`. A corrupt archived page is reported and counted, not an
  // error; a database or write failure is.
  Result<void> WriteCapture(const store::Capture& capture) {
    auto body = archive_.Body(capture);
    if (!body) {
      if (body.error().code != ErrorCode::kInput) return tl::unexpected(body.error());
      std::fprintf(stderr, "gleaner %.*s: %s: %s; skipped\n", static_cast<int>(in_.name.size()),
                   in_.name.data(), capture.url.c_str(), body.error().message.c_str());
      ++skipped_;
      return {};
    }
    auto article = store_.FindArticle(capture.url);
    if (!article) return tl::unexpected(article.error());
    namespace warc = store::warc;
    std::string response_id = warc::CaptureRecordId(capture, warc::kResponse);
    warc::Record request = Base(capture, warc::kRequest, warc::kHttpRequestType);
    request.fields.emplace_back("WARC-Concurrent-To", response_id);
    request.block = warc::RequestBlock(capture.url, user_agent_, fetch::kAcceptPagesValue);
    if (auto ok = warc::WriteRecord(request, sink_); !ok) return ok;

    warc::Record response = Base(capture, warc::kResponse, warc::kHttpResponseType);
    response.fields.emplace_back("WARC-Warcinfo-ID", warcinfo_id_);
    warc::ResponseBlock block = warc::MakeResponseBlock(capture.head, capture.status, *body);
    body->clear();
    body->shrink_to_fit();  // one copy of the page at a time
    response.block = std::move(block.block);
    response.payload_offset = block.payload_offset;
    if (auto ok = warc::WriteRecord(response, sink_); !ok) return ok;
    if (!*article) return {};

    warc::Record metadata = Base(capture, warc::kMetadata, warc::kJsonType);
    metadata.fields.emplace_back("WARC-Concurrent-To", response_id);
    metadata.block = JsonRecord(**article);
    return warc::WriteRecord(metadata, sink_);
  }

  int skipped() const { return skipped_; }

 private:
  static store::warc::Record Base(const store::Capture& capture, std::string_view type,
                                  std::string_view content_type) {
    return {.type = type,
            .id = store::warc::CaptureRecordId(capture, type),
            .date = capture.fetched,
            .target_uri = capture.url,
            .content_type = content_type};
  }

  const Invocation& in_;
  store::Store& store_;
  store::Archive& archive_;
  Output& out_;
  std::string user_agent_;
  std::string warcinfo_id_;
  store::warc::Sink sink_;
  int skipped_ = 0;
};

Result<void> CheckArguments(const Args& args) {
  if (!args.positional.empty())
    return Fail(ErrorCode::kUsage, "unexpected argument '" + args.positional[0] + "'");
  std::string format = args.Value("format").value_or("jsonl");
  if (format != "jsonl" && format != "csv" && format != "warc")
    return Fail(ErrorCode::kUsage, "--format must be jsonl, csv or warc, not '" + format + "'");
  if (auto since = args.Value("since")) {
    if (auto time = ParseSince(*since, store::Now()); !time) return tl::unexpected(time.error());
  }
  if (auto output = args.Value("output"); output && output->empty())
    return Fail(ErrorCode::kUsage, "--output needs a file name");
  return {};
}

// The stored articles, as jsonl or csv.
Result<void> ExportArticles(const Invocation& in, store::Store& store,
                            const std::optional<store::Time>& since, Output& out) {
  bool csv = in.args.Value("format") == "csv";
  store::ArticleFilter filter;
  filter.site = in.args.Value("site");
  filter.since = since;
  if (csv) std::fputs(kCsvHeader, out.file());
  return store.ForEachArticle(filter, [csv, &out](const StoredArticle& stored) {
    if (csv) {
      PrintCsvLine(out.file(), stored);
    } else {
      PrintJsonLine(out.file(), stored);
    }
    return true;
  });
}

// The cluster's records, oldest update first, in keyset pages like Store::ForEachArticle:
// each page is one statement (its own snapshot), so a paused export holds no transaction
// open on the server. The index on (updated_ms, url_key) serves the order.
constexpr char kPgArticlesSql[] = R"sql(
SELECT url_key, record, first_seen_ms, updated_ms FROM gleaner_articles
WHERE updated_ms >= $1 AND ($2::text IS NULL OR site = $2::text)
  AND (updated_ms, url_key) > ($3::bigint, $4::text)
ORDER BY updated_ms, url_key LIMIT $5)sql";

// One record of the cluster's: jsonl prints the record as the box printed it; csv reads it
// back into its fields.
Result<void> PrintPgRecord(Output& out, bool csv, const std::string& record, store::Time first_seen,
                           store::Time updated) {
  if (!csv) {
    auto line = ExportJsonLine(record, first_seen, updated);
    if (!line) return tl::unexpected(line.error());
    return out.Write(*line);
  }
  auto article = ArticleFromJson(record);
  if (!article) {
    return Fail(ErrorCode::kDatabase, "a stored record cannot be read: " + article.error().message);
  }
  StoredArticle stored;
  stored.article = std::move(*article);
  stored.first_seen = first_seen;
  stored.updated = updated;
  PrintCsvLine(out.file(), stored);
  return {};
}

Result<void> ExportPgArticles(const Invocation& in, cluster::PgConnection& pg,
                              const std::optional<store::Time>& since, Output& out) {
  bool csv = in.args.Value("format") == "csv";
  if (csv) std::fputs(kCsvHeader, out.file());
  std::string since_ms = std::to_string(since ? store::ToMillis(*since) : INT64_MIN);
  std::string after_ms = std::to_string(INT64_MIN);
  std::string after_key;
  while (true) {
    auto page = pg.Exec(kPgArticlesSql, {since_ms, in.args.Value("site"), after_ms, after_key,
                                         std::to_string(store::kExportPageRows)});
    if (!page) return tl::unexpected(page.error());
    if (page->rows() == 0) return {};
    for (int r = 0; r < page->rows(); ++r) {
      auto ok = PrintPgRecord(out, csv, page->Text(r, 1), store::FromMillis(page->Int(r, 2)),
                              store::FromMillis(page->Int(r, 3)));
      if (!ok) return ok;
    }
    after_key = page->Text(page->rows() - 1, 0);
    after_ms = page->Text(page->rows() - 1, 3);
  }
}

// The archived pages as WARC records; `skipped` counts the corrupt ones left out.
Result<void> ExportWarc(const Invocation& in, store::Store& store,
                        const std::optional<store::Time>& since, Output& out, int& skipped) {
  auto archive =
      store::Archive::Open(store::ArchivePathFor(in.config->database), store::OpenMode::kReadOnly);
  if (!archive) return tl::unexpected(archive.error());
  store::CaptureFilter filter;
  filter.site = in.args.Value("site");
  filter.since = since;
  // The warcinfo record goes first and is dated by the first page, looked up alone.
  std::optional<store::Time> first;
  auto found = archive->ForEach(filter, [&first](const store::Capture& capture) {
    first = capture.fetched;
    return false;
  });
  if (!found) return found;
  WarcExport exporter(in, store, *archive, out);
  if (auto ok = exporter.WriteWarcinfo(first.value_or(store::Now()), in.args.Value("output")); !ok)
    return ok;
  Result<void> failed;
  auto walked = archive->ForEach(filter, [&](const store::Capture& capture) {
    failed = exporter.WriteCapture(capture);
    return failed.has_value();
  });
  skipped = exporter.skipped();
  if (!failed) return failed;
  return walked;
}

// Where the records come from: the cluster's PostgreSQL, or this box's SQLite (and
// archive). Exactly one is set.
struct ExportSource {
  std::optional<cluster::PgConnection> pg;
  std::optional<store::Store> store;
};

// With `cluster:` and without --local, PostgreSQL, which holds no archive (warc) and is no
// file (--db): those are usage errors there. Else the box's database, read-only.
Result<ExportSource> OpenSource(const Invocation& in) {
  ExportSource source;
  if (in.config->cluster && !in.args.Has("local")) {
    std::string flag = in.args.Value("format") == "warc" ? "--format warc"
                       : in.args.Has("db")               ? "--db"
                                                         : "";
    if (!flag.empty()) {
      return Fail(ErrorCode::kUsage,
                  flag + " reads this box's own database and archive, not the cluster's " +
                      "PostgreSQL: add --local\n(see gleaner export --help)");
    }
    auto pg = cluster::OpenCluster(in.config->cluster->postgresql, "gleaner export");
    if (!pg) return tl::unexpected(pg.error());
    source.pg = std::move(*pg);
    return source;
  }
  auto store = store::Store::Open(in.config->database, store::OpenMode::kReadOnly);
  if (!store) return tl::unexpected(store.error());
  source.store = std::move(*store);
  return source;
}

int Export(const Invocation& in) {
  const Args& args = in.args;
  std::optional<store::Time> since;
  if (auto text = args.Value("since")) {
    auto time = ParseSince(*text, store::Now());  // checked by CheckArguments
    if (!time) return ReportError(in.name, time.error());
    since = *time;
  }
  auto source = OpenSource(in);
  if (!source) return ReportError(in.name, source.error());
  auto out = Output::Open(args.Value("output"));
  if (!out) return ReportError(in.name, out.error());
  int skipped = 0;
  Result<void> ok;
  if (source->pg) {
    ok = ExportPgArticles(in, *source->pg, since, **out);
  } else if (args.Value("format") == "warc") {
    ok = ExportWarc(in, *source->store, since, **out, skipped);
  } else {
    ok = ExportArticles(in, *source->store, since, **out);
  }
  if (ok) ok = (*out)->Commit();
  if (!ok) return ReportError(in.name, ok.error());
  if (skipped > 0) {
    std::fprintf(stderr, "gleaner %.*s: %d corrupt archived page%s skipped\n",
                 static_cast<int>(in.name.size()), in.name.data(), skipped,
                 skipped == 1 ? "" : "s");
    return ExitCode(ErrorCode::kInput);
  }
  return kExitOk;
}

}  // namespace

const Command& ExportCommand() {
  static const Command command{
      .name = "export",
      .summary = "print stored articles (jsonl, csv) or archived pages (warc), read-only",
      .help = kExportHelp,
      .flags = {{"db", true},
                {"since", true},
                {"site", true},
                {"format", true},
                {"output", true, 'o'},
                {"local", false}},
      .needs = {.config = true},
      .check_arguments = CheckArguments,
      .run = Export,
  };
  return command;
}

}  // namespace gleaner::cli
