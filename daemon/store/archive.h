// The raw-page archive: every article response the crawler and `gleaner fetch --store`
// received (the body as served after transfer decoding, the requested and final URLs, the
// status line and headers, the fetch time), in a SQLite file of its own beside the
// consumers' database.
//
// A file of its own: pages are 10-100 times the size of their records, and the consumers'
// database must stay small (its pages cached, its WAL checkpointed quickly) for `queue
// claim` to stay fast; the archive can also be moved, pruned or deleted without touching
// the corpus. SQLite rather than WARC files on disk: an archived page must be written in
// one transaction (all of it or nothing, a full disk included), found by URL, deduplicated
// and pruned by age, which a database does and a directory of appended files does not.
// WARC is the export format (warc.h).
//
// Bodies are zstd-compressed and stored once per SHA-256, however many captures share
// them. A host's pages share a template that one page alone cannot compress away, so once
// a few of its pages are archived, they become a zstd dictionary and its later
// pages are compressed with it. A capture whose URL's latest capture has the same body and status
// is not stored again: headers such as Date change on every response and say nothing about the
// page. Writes come from one process at a time per batch (BEGIN IMMEDIATE); readers
// (`show`, `reextract`, `export`) use their own connections meanwhile (WAL).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/store/db.h"
#include "daemon/store/timestamps.h"
#include "extractors/core/result.h"

namespace gleaner::store {

// The archive file that goes with the consumers' database at `database`: beside it, its
// name with ".db" (if it ends so) replaced by ".archive.db" ("var/gleaner.db" ->
// "var/gleaner.archive.db").
std::string ArchivePathFor(const std::string& database);

// The value of the first header line named `name` (ASCII case-insensitive) in a capture's
// head, without surrounding space; nullopt when it has none. The status line is skipped.
std::optional<std::string> HeadValue(std::string_view head, std::string_view name);

// A response to archive.
struct NewCapture {
  std::string url;        // as requested; absolute http(s)
  std::string final_url;  // after redirects
  std::optional<std::string> site;
  int status = 0;
  // The response's status line and header lines as received (HTTP/1.x wire form, or the
  // HTTP/1.1 form libcurl gives for HTTP/2), each line ending "\r\n", without the blank
  // line that ends them. Empty when unknown.
  std::string head;
  std::string body;  // after transfer and content decoding, byte for byte
  Time fetched;
};

// An archived response, without its body (Body() reads it).
struct Capture {
  int64_t id = 0;
  std::string url;
  std::string url_key;  // NormalizeUrl(url)
  std::string final_url;
  std::optional<std::string> site;
  int status = 0;
  std::string head;  // as NewCapture::head
  Time fetched;
  std::string body_sha256;  // 64 lower-case hex digits of the uncompressed body
  int64_t body_bytes = 0;   // uncompressed
};

// What Add did.
struct ArchiveAddSummary {
  int stored = 0;                // new captures
  int unchanged = 0;             // same as the URL's latest capture: not stored again
  int64_t new_bodies = 0;        // bodies not in the archive before
  int64_t compressed_bytes = 0;  // of those new bodies, as stored
  int64_t raw_bytes = 0;         // of those new bodies, uncompressed
};

// Which captures a walk visits.
struct CaptureFilter {
  std::optional<Time> since;        // fetched at or after
  std::optional<std::string> site;  // captured for that site
  std::optional<std::string> host;  // HostOf(url) equals this (lower case, no port)
  bool latest_only = false;         // only each URL's latest capture
};

// How much the archive holds.
struct ArchiveStats {
  int64_t captures = 0;
  int64_t bodies = 0;
  int64_t raw_bytes = 0;         // of the distinct bodies, uncompressed
  int64_t compressed_bytes = 0;  // of the distinct bodies, as stored
};

// The body size Add accepts; a bigger one is refused (the fetcher's own cap is lower).
inline constexpr size_t kMaxArchivedBody = 64u << 20;
// The head size Add keeps; a longer one is cut at a line end (libcurl caps headers at
// 100 KB, and no real response comes near this).
inline constexpr size_t kMaxArchivedHead = 64u << 10;
// zstd's level: 3, its default, compresses HTML to about a fifth in well under a
// millisecond per page; higher levels cost several times the CPU for a few per cent.
inline constexpr int kArchiveZstdLevel = 3;

class Archive {
 public:
  // Opens (kCreate: creates, with its directory) the archive at `path` and brings its
  // schema up to date (kReadOnly only checks it). kInput when a kReadOnly/kReadWrite file
  // does not exist; kDatabase naming the path when it is not a gleaner archive, is newer
  // than this binary, or cannot be opened.
  static Result<Archive> Open(const std::string& path, OpenMode mode);

  Archive(Archive&&) noexcept;
  Archive& operator=(Archive&&) noexcept;
  ~Archive();

  // Compresses and stores the captures in one transaction: all or none (a full disk
  // leaves the archive as it was). kInput naming the URL for a capture without an
  // absolute http(s) URL or with a body over kMaxArchivedBody (nothing is stored then);
  // kDatabase on failure.
  Result<ArchiveAddSummary> Add(const std::vector<NewCapture>& captures);

  // The latest capture of the URL's normalised form; nullopt when none (or the URL is not
  // absolute http(s)). kDatabase on failure.
  Result<std::optional<Capture>> Latest(std::string_view url);

  // The capture's body, decompressed and checked against its SHA-256. kInput naming the
  // URL and the reason when the stored body is missing, does not decompress, or does not
  // match its hash (a corrupt entry); kDatabase on failure.
  Result<std::string> Body(const Capture& capture);

  // Calls `visit` for each capture matching `filter`, oldest fetch first (then by id);
  // stops early when `visit` returns false. Pages of captures are read in short read
  // transactions that end before `visit` sees them, as Store::ForEachArticle does, so a
  // slow visitor (a writer of a big export) holds no snapshot. kDatabase on failure.
  Result<void> ForEach(const CaptureFilter& filter,
                       const std::function<bool(const Capture&)>& visit);

  // Deletes up to `limit` captures fetched before `before` (oldest first) and the bodies
  // no capture uses any more, in one transaction. Returns the captures deleted.
  Result<int64_t> Prune(Time before, int limit);

  Result<ArchiveStats> Stats();

  const std::string& path() const;
  // The connection itself: for tests that need a pragma (a full disk).
  Database& database();

 private:
  struct Impl;
  explicit Archive(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace gleaner::store
