// `gleaner show URL [--raw | --headers | --record] [--db PATH]`: what gleaner holds for one
// URL: the archived page as it was served (store/archive.h), its status line and headers,
// or the stored record. Read-only: the archive and the database are opened read-only, so
// it is safe while the daemon runs.
#include <cstdio>
#include <string>

#include "daemon/commands.h"
#include "daemon/export_line.h"
#include "daemon/store/archive.h"
#include "extractors/core/url.h"

namespace gleaner::cli {
namespace {

constexpr std::string_view kShowHelp =
    "usage: gleaner show [--raw | --headers | --record] [--db PATH] [--config FILE] URL\n"
    "\n"
    "Prints what gleaner holds for URL (any spelling of it: the URL is matched by its\n"
    "normalised form, so a #fragment, an upper-case host or a tracking parameter do not\n"
    "matter). The archive and the database are opened read-only: safe while the daemon runs.\n"
    "\n"
    "  --raw      the body of the URL's latest archived capture, byte for byte as it was\n"
    "             served after transfer and content decoding (gzip undone; the charset is\n"
    "             left as it was: a windows-1256 page comes out in windows-1256); no newline\n"
    "             is added (the default)\n"
    "  --headers  that capture's status line and header lines as received, each ending in\n"
    "             CRLF, nothing else: `show --headers`, a CRLF and `show --raw` make up the\n"
    "             HTTP response (but for Content-Encoding and Content-Length, which describe\n"
    "             the body on the wire, not the decoded one)\n"
    "  --record   the stored article record of URL, as one JSON line the way\n"
    "             `gleaner export` prints it\n"
    "  --db PATH  the database (default: the config's `database`); the archive is the file\n"
    "             beside it, its name ending in .archive.db instead of .db\n"
    "\n"
    "Only one of --raw, --headers and --record at a time.\n"
    "\n"
    "Exit codes: 0 ok; 2 usage; 3 the archive (--raw, --headers) or the database (--record)\n"
    "does not exist, or the archived entry is corrupt; 4 nothing is held for URL (no\n"
    "capture, or no record); 8 database error.\n";

// What `show` prints.
enum class Mode { kRaw, kHeaders, kRecord };

constexpr const char* kModeFlags[] = {"raw", "headers", "record"};

Mode ModeOf(const Args& args) {
  if (args.Has("headers")) return Mode::kHeaders;
  if (args.Has("record")) return Mode::kRecord;
  return Mode::kRaw;
}

Result<void> CheckArguments(const Args& args) {
  if (args.positional.size() != 1) return Fail(ErrorCode::kUsage, "exactly one URL expected");
  int modes = 0;
  for (const char* flag : kModeFlags) modes += args.Has(flag) ? 1 : 0;
  if (modes > 1)
    return Fail(ErrorCode::kUsage, "only one of --raw, --headers and --record at a time");
  const std::string& url = args.positional[0];
  if (url.size() > kMaxUrlBytes) {
    return Fail(ErrorCode::kInput, "the URL is " + std::to_string(url.size()) +
                                       " bytes long; gleaner keeps URLs of at most " +
                                       std::to_string(kMaxUrlBytes) + " bytes");
  }
  if (!NormalizeUrl(url))
    return Fail(ErrorCode::kUsage, "not an absolute http(s) URL: '" + url + "'");
  return {};
}

// Explains a missing file: what it is and what creates it.
Error Missing(Error error, const std::string& what, const std::string& path,
              const std::string& created_by) {
  if (error.code == ErrorCode::kInput)
    error.message = what + " " + path + " does not exist: " + created_by;
  return error;
}

int ShowRecord(const Invocation& in, const std::string& url) {
  const std::string& path = in.config->database;
  auto store = store::Store::Open(path, store::OpenMode::kReadOnly);
  if (!store) {
    return ReportError(in.name, Missing(store.error(), "database", path,
                                        "the daemon or `gleaner fetch --store` creates it"));
  }
  auto found = store->FindArticle(url);
  if (!found) return ReportError(in.name, found.error());
  if (!*found) {
    return ReportError(in.name,
                       Error{ErrorCode::kNoArticle, "no record of " + url + " in " + path});
  }
  std::string line = ExportJsonLine(**found);
  std::fwrite(line.data(), 1, line.size(), stdout);
  return kExitOk;
}

int ShowCapture(const Invocation& in, const std::string& url, Mode mode) {
  std::string path = store::ArchivePathFor(in.config->database);
  auto archive = store::Archive::Open(path, store::OpenMode::kReadOnly);
  if (!archive) {
    return ReportError(in.name, Missing(archive.error(), "archive", path,
                                        "pages are archived as they are fetched (by the daemon "
                                        "and `gleaner fetch --store`) while `archive: true` (the "
                                        "default)"));
  }
  auto latest = archive->Latest(url);
  if (!latest) return ReportError(in.name, latest.error());
  if (!*latest) {
    return ReportError(in.name,
                       Error{ErrorCode::kNoArticle, "no archived page of " + url + " in " + path});
  }
  const store::Capture& capture = **latest;
  if (mode == Mode::kHeaders) {
    if (capture.head.empty()) {
      std::fprintf(stderr, "gleaner %s: %s: its headers were not recorded\n",
                   std::string(in.name).c_str(), capture.url.c_str());
    }
    std::fwrite(capture.head.data(), 1, capture.head.size(), stdout);
    return kExitOk;
  }
  auto body = archive->Body(capture);
  if (!body) return ReportError(in.name, body.error());
  std::fwrite(body->data(), 1, body->size(), stdout);
  return kExitOk;
}

int Show(const Invocation& in) {
  const std::string& url = in.args.positional[0];
  Mode mode = ModeOf(in.args);
  int code = mode == Mode::kRecord ? ShowRecord(in, url) : ShowCapture(in, url, mode);
  std::fflush(stdout);
  return code;
}

}  // namespace

const Command& ShowCommand() {
  static const Command command{
      .name = "show",
      .summary = "print a URL's archived page, its headers or its record",
      .help = kShowHelp,
      .flags = {{"db", true}, {"raw", false}, {"headers", false}, {"record", false}},
      .needs = {.config = true},
      .check_arguments = CheckArguments,
      .run = Show,
  };
  return command;
}

}  // namespace gleaner::cli
