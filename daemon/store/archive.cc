#include "daemon/store/archive.h"

#include <spdlog/spdlog.h>
#include <zstd.h>

#include <algorithm>
#include <array>
#include <unordered_map>
#include <utility>

#include "daemon/store/digest.h"
#include "daemon/store/migrations.h"
#include "daemon/store/store.h"
#include "extractors/core/ascii.h"
#include "extractors/core/url.h"

namespace gleaner::store {
namespace {

// "glna" in ASCII: a gleaner archive, never mistaken for the consumers' database ("glnr").
constexpr int32_t kArchiveApplicationId = 0x676c6e61;

// Migration N takes the archive from version N-1 to N. Bodies are a table of their own,
// keyed by hash, so that a page fetched again unchanged, or served under several URLs,
// costs one row of metadata. `head` is a BLOB: header bytes need not be UTF-8.
constexpr const char* kArchiveMigrations[] = {
    // 1: dictionaries, bodies and captures.
    R"sql(
CREATE TABLE dictionaries (
  id   INTEGER PRIMARY KEY,
  host TEXT NOT NULL UNIQUE,               -- made of this host's pages
  data BLOB NOT NULL                       -- raw content, kDictionaryLead first
) STRICT;
CREATE TABLE bodies (
  id         INTEGER PRIMARY KEY,
  sha256     TEXT NOT NULL UNIQUE,         -- of the uncompressed body, lower-case hex
  raw_bytes  INTEGER NOT NULL,             -- uncompressed size
  dictionary INTEGER,                      -- dictionaries.id the frame needs; NULL: none
  data       BLOB NOT NULL                 -- one zstd frame
) STRICT;
CREATE TABLE captures (
  id          INTEGER PRIMARY KEY,
  url_key     TEXT NOT NULL,               -- NormalizeUrl(url)
  url         TEXT NOT NULL,               -- as requested
  final_url   TEXT NOT NULL,               -- after redirects
  site        TEXT,
  host        TEXT NOT NULL,               -- HostOf(url_key)
  status      INTEGER NOT NULL,
  head        BLOB NOT NULL,               -- status line and header lines, CRLF-ended
  fetched_ms  INTEGER NOT NULL,
  body_sha256 TEXT NOT NULL                -- bodies.sha256
) STRICT;
CREATE INDEX captures_by_url ON captures(url_key, fetched_ms, id);
CREATE INDEX captures_by_time ON captures(fetched_ms, id);
CREATE INDEX captures_by_site ON captures(site, fetched_ms, id);
CREATE INDEX captures_by_host ON captures(host, fetched_ms, id);
CREATE INDEX captures_by_body ON captures(body_sha256);
)sql",
};

const SchemaSpec& ArchiveSchema() {
  static const SchemaSpec spec{"archive", kArchiveApplicationId, kArchiveMigrations, nullptr,
                               "the daemon or gleaner fetch --store"};
  return spec;
}

// Captures read per page of ForEach: a short read transaction each, as the store's walks.
constexpr int64_t kCapturePageRows = 256;
// A host's pages share their template (navigation, ticker, footer), which one page alone
// cannot compress away: once kDictionaryPages of its pages are archived without one, its
// newest pages, up to kDictionaryBytes, become a zstd dictionary of raw content, and the
// host's later pages are compressed with it, their template then costing a few bytes. Raw
// pages rather than zstd's trained dictionaries: a template is found verbatim in them, and
// on news pages they compress better (about twice as well, measured on a site's pages with
// prose of their own) at no training cost. 64 KB holds a few pages, so the template of each
// of a site's layouts is likely to be among them.
constexpr int kDictionaryPages = 8;
constexpr size_t kDictionaryBytes = 64u << 10;
// The first byte of every dictionary: zstd reads a buffer that starts with its dictionary
// magic number as a trained dictionary, which a hostile page could imitate.
constexpr char kDictionaryLead = '\n';
// Memory bounds for months of uptime among hundreds of hosts: dictionaries loaded for
// compression and decompression (each well under a MB), and hosts tracked.
constexpr size_t kMaxLoadedDictionaries = 32;
constexpr size_t kMaxTrackedHosts = 4096;

// Free pages given back to the file system after a prune, at most, per prune: enough to
// keep up with the daily pruning of a busy box without a long write lock.
constexpr int kVacuumPagesPerPrune = 20000;

std::string Sha256Hex(std::string_view bytes) { return Hex(Sha256(bytes)); }

// Cuts `head` at the last line end within kMaxArchivedHead.
std::string CappedHead(const std::string& head) {
  if (head.size() <= kMaxArchivedHead) return head;
  size_t end = head.rfind('\n', kMaxArchivedHead - 1);
  return end == std::string::npos ? std::string() : head.substr(0, end + 1);
}

struct ZstdCCtxDeleter {
  void operator()(ZSTD_CCtx* cctx) const { ZSTD_freeCCtx(cctx); }
};
struct ZstdDCtxDeleter {
  void operator()(ZSTD_DCtx* dctx) const { ZSTD_freeDCtx(dctx); }
};
struct ZstdCDictDeleter {
  void operator()(ZSTD_CDict* dict) const { ZSTD_freeCDict(dict); }
};
struct ZstdDDictDeleter {
  void operator()(ZSTD_DDict* dict) const { ZSTD_freeDDict(dict); }
};
using CDictPtr = std::unique_ptr<ZSTD_CDict, ZstdCDictDeleter>;
using DDictPtr = std::unique_ptr<ZSTD_DDict, ZstdDDictDeleter>;

// A capture ready to store: validated, hashed and (when its body is new) compressed
// before the write transaction, so the write lock is held for inserts only.
struct Prepared {
  const NewCapture* capture = nullptr;
  std::string key;
  std::string head;
  std::string sha256;
  std::string host;
  int64_t dictionary = 0;  // dictionaries.id `compressed` needs; 0: none
  std::optional<std::string> compressed;
};

constexpr std::string_view kCaptureColumns =
    "id, url, url_key, final_url, site, status, head, fetched_ms, body_sha256, "
    "(SELECT raw_bytes FROM bodies b WHERE b.sha256 = c.body_sha256)";

Capture ReadCapture(const Statement& row) {
  Capture c;
  c.id = row.ColumnInt(0);
  c.url = row.ColumnText(1);
  c.url_key = row.ColumnText(2);
  c.final_url = row.ColumnText(3);
  c.site = row.ColumnOptionalText(4);
  c.status = static_cast<int>(row.ColumnInt(5));
  c.head = row.ColumnBlob(6);
  c.fetched = FromMillis(row.ColumnInt(7));
  c.body_sha256 = row.ColumnText(8);
  c.body_bytes = row.ColumnInt(9);
  return c;
}

}  // namespace

std::optional<std::string> HeadValue(std::string_view head, std::string_view name) {
  size_t start = head.find('\n');  // past the status line
  while (start != std::string_view::npos && start + 1 < head.size()) {
    ++start;
    size_t end = head.find('\n', start);
    std::string_view line = head.substr(start, end == std::string_view::npos ? end : end - start);
    size_t colon = line.find(':');
    if (colon != std::string_view::npos && EqualsIgnoreCase(line.substr(0, colon), name)) {
      return std::string(TrimCSpace(line.substr(colon + 1)));
    }
    start = end;
  }
  return std::nullopt;
}

std::string ArchivePathFor(const std::string& database) {
  std::string_view base = database;
  if (base.size() > 3 && base.ends_with(".db")) base.remove_suffix(3);
  return std::string(base) + ".archive.db";
}

struct Archive::Impl {
  std::unique_ptr<Database> db;
  std::unique_ptr<ZSTD_CCtx, ZstdCCtxDeleter> cctx{ZSTD_createCCtx()};
  std::unique_ptr<ZSTD_DCtx, ZstdDCtxDeleter> dctx{ZSTD_createDCtx()};

  // Host -> its dictionary's id, 0 while it has none; and how many of its bodies were
  // stored without one since it was last looked at.
  std::unordered_map<std::string, int64_t> dictionary_of;
  std::unordered_map<std::string, int> plain_bodies;
  std::unordered_map<int64_t, CDictPtr> cdicts;
  std::unordered_map<int64_t, DDictPtr> ddicts;

  Result<std::string> Compress(std::string_view body, int64_t dictionary);
  Result<void> CompressFor(Prepared& p);
  Result<int64_t> DictionaryOf(const std::string& host);
  Result<std::string> DictionaryData(int64_t id);
  Result<const ZSTD_CDict*> CDictFor(int64_t id);
  Result<const ZSTD_DDict*> DDictFor(int64_t id);
  Result<void> MakeDictionary(const std::string& host);
  void NotePlainBodies(const std::vector<Prepared>& stored);
  Result<bool> SameAsLatest(const Prepared& p);
  Result<bool> HasBody(const std::string& sha256);
  Result<void> Insert(Prepared& p, ArchiveAddSummary& summary);
};

Archive::Archive(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Archive::Archive(Archive&&) noexcept = default;
Archive& Archive::operator=(Archive&&) noexcept = default;
Archive::~Archive() = default;

const std::string& Archive::path() const { return impl_->db->path(); }
Database& Archive::database() { return *impl_->db; }

Result<Archive> Archive::Open(const std::string& path, OpenMode mode) {
  auto db = Database::Open(path, mode);
  if (!db) return tl::unexpected(db.error());
  if (mode == OpenMode::kReadOnly) {
    if (auto ok = CheckSchemaOf(**db, ArchiveSchema()); !ok) return tl::unexpected(ok.error());
  } else {
    // Pruned pages go back to the file system (Prune runs incremental_vacuum). The mode can
    // only be chosen before the first table exists; a no-op on an existing archive.
    auto version = SchemaVersion(**db);
    if (!version) return tl::unexpected(version.error());
    if (*version == 0) {
      if (auto ok = (*db)->Exec("PRAGMA auto_vacuum = INCREMENTAL"); !ok) {
        return tl::unexpected(ok.error());
      }
    }
    if (auto migrated = MigrateSchema(**db, ArchiveSchema()); !migrated) {
      return tl::unexpected(migrated.error());
    }
  }
  auto impl = std::make_unique<Impl>();
  impl->db = std::move(*db);
  if (!impl->cctx || !impl->dctx) {
    return Fail(ErrorCode::kDatabase, "archive " + path + ": zstd could not allocate a context");
  }
  return Archive(std::move(impl));
}

Result<std::string> Archive::Impl::Compress(std::string_view body, int64_t dictionary) {
  std::string out(ZSTD_compressBound(body.size()), '\0');
  size_t n = 0;
  if (dictionary != 0) {
    auto cdict = CDictFor(dictionary);
    if (!cdict) return tl::unexpected(cdict.error());
    n = ZSTD_compress_usingCDict(cctx.get(), out.data(), out.size(), body.data(), body.size(),
                                 *cdict);
  } else {
    n = ZSTD_compressCCtx(cctx.get(), out.data(), out.size(), body.data(), body.size(),
                          kArchiveZstdLevel);
  }
  if (ZSTD_isError(n)) {
    return Fail(ErrorCode::kDatabase, "archive " + db->path() + ": zstd: " + ZSTD_getErrorName(n));
  }
  out.resize(n);
  out.shrink_to_fit();
  return out;
}

Result<void> Archive::Impl::CompressFor(Prepared& p) {
  auto dictionary = DictionaryOf(p.host);
  if (!dictionary) return tl::unexpected(dictionary.error());
  auto compressed = Compress(p.capture->body, *dictionary);
  if (!compressed) return tl::unexpected(compressed.error());
  p.dictionary = *dictionary;
  p.compressed = std::move(*compressed);
  return {};
}

Result<int64_t> Archive::Impl::DictionaryOf(const std::string& host) {
  if (auto it = dictionary_of.find(host); it != dictionary_of.end()) return it->second;
  auto stmt = db->Prepare("SELECT id FROM dictionaries WHERE host = ?");
  if (!stmt) return tl::unexpected(stmt.error());
  (*stmt)->Bind(1, host);
  auto row = (*stmt)->Step();
  if (!row) return tl::unexpected(row.error());
  int64_t id = *row ? (*stmt)->ColumnInt(0) : 0;
  if (dictionary_of.size() >= kMaxTrackedHosts) dictionary_of.clear();
  dictionary_of[host] = id;
  return id;
}

Result<std::string> Archive::Impl::DictionaryData(int64_t id) {
  auto stmt = db->Prepare("SELECT data FROM dictionaries WHERE id = ?");
  if (!stmt) return tl::unexpected(stmt.error());
  (*stmt)->Bind(1, id);
  auto row = (*stmt)->Step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return Fail(ErrorCode::kInput, "dictionary " + std::to_string(id) + " is missing");
  return (*stmt)->ColumnBlob(0);
}

Result<const ZSTD_CDict*> Archive::Impl::CDictFor(int64_t id) {
  if (auto it = cdicts.find(id); it != cdicts.end()) return it->second.get();
  auto data = DictionaryData(id);
  if (!data) return tl::unexpected(data.error());
  CDictPtr dict(ZSTD_createCDict(data->data(), data->size(), kArchiveZstdLevel));
  if (!dict) return Fail(ErrorCode::kDatabase, "archive " + db->path() + ": bad dictionary");
  if (cdicts.size() >= kMaxLoadedDictionaries) cdicts.clear();
  return cdicts.emplace(id, std::move(dict)).first->second.get();
}

Result<const ZSTD_DDict*> Archive::Impl::DDictFor(int64_t id) {
  if (auto it = ddicts.find(id); it != ddicts.end()) return it->second.get();
  auto data = DictionaryData(id);
  if (!data) return tl::unexpected(data.error());
  DDictPtr dict(ZSTD_createDDict(data->data(), data->size()));
  if (!dict) return Fail(ErrorCode::kInput, "dictionary " + std::to_string(id) + " is not one");
  if (ddicts.size() >= kMaxLoadedDictionaries) ddicts.clear();
  return ddicts.emplace(id, std::move(dict)).first->second.get();
}

// Counts the host's bodies stored without a dictionary; at kDictionaryPages, makes one.
void Archive::Impl::NotePlainBodies(const std::vector<Prepared>& stored) {
  std::vector<std::string> due;
  for (const Prepared& p : stored) {
    if (!p.compressed || p.dictionary != 0) continue;
    if (plain_bodies.size() >= kMaxTrackedHosts) plain_bodies.clear();
    if (++plain_bodies[p.host] == kDictionaryPages) due.push_back(p.host);
  }
  for (const std::string& host : due) {
    plain_bodies.erase(host);
    // A failure (a locked file) is tried again after as many pages more; the pages stay
    // archived without a dictionary meanwhile.
    if (auto ok = MakeDictionary(host); !ok) {
      spdlog::debug("archive {}: no dictionary for {} yet: {}", db->path(), host,
                    ok.error().message);
    }
  }
}

Result<void> Archive::Impl::MakeDictionary(const std::string& host) {
  auto known = DictionaryOf(host);
  if (!known) return tl::unexpected(known.error());
  if (*known != 0) return {};
  auto stmt = db->Prepare(
      "SELECT b.raw_bytes, b.data FROM captures c JOIN bodies b ON b.sha256 = c.body_sha256 "
      "WHERE c.host = ? AND b.dictionary IS NULL ORDER BY c.fetched_ms DESC, c.id DESC LIMIT ?");
  if (!stmt) return tl::unexpected(stmt.error());
  (*stmt)->Bind(1, host).Bind(2, static_cast<int64_t>(kDictionaryPages));
  std::vector<std::string> newest_first;
  size_t bytes = 0;
  while (bytes < kDictionaryBytes) {
    auto row = (*stmt)->Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    int64_t raw_bytes = (*stmt)->ColumnInt(0);
    if (raw_bytes <= 0 || static_cast<uint64_t>(raw_bytes) > kMaxArchivedBody) continue;
    std::string data = (*stmt)->ColumnBlob(1);
    std::string body(static_cast<size_t>(raw_bytes), '\0');
    size_t n = ZSTD_decompressDCtx(dctx.get(), body.data(), body.size(), data.data(), data.size());
    if (ZSTD_isError(n) || n != body.size()) continue;
    bytes += body.size();
    newest_first.push_back(std::move(body));
  }
  (*stmt)->Reset();
  if (newest_first.empty()) return Fail(ErrorCode::kInput, "no readable page");
  // Newest last, where zstd finds matches at the shortest distances; cut to the newest
  // kDictionaryBytes.
  std::string content;
  for (auto it = newest_first.rbegin(); it != newest_first.rend(); ++it) content += *it;
  if (content.size() > kDictionaryBytes - 1)
    content.erase(0, content.size() - (kDictionaryBytes - 1));
  std::string dictionary = kDictionaryLead + content;
  auto insert = db->Prepare("INSERT OR IGNORE INTO dictionaries (host, data) VALUES (?, ?)");
  if (!insert) return tl::unexpected(insert.error());
  (*insert)->Bind(1, host).BindBlob(2, dictionary);
  if (auto ok = (*insert)->Run(); !ok) return ok;
  dictionary_of.erase(host);  // read back: another process may have won the race
  auto id = DictionaryOf(host);
  if (!id) return tl::unexpected(id.error());
  spdlog::info("archive {}: {} pages are compressed with a dictionary of {} bytes from now on",
               db->path(), host, dictionary.size());
  return {};
}

Result<bool> Archive::Impl::SameAsLatest(const Prepared& p) {
  auto stmt = db->Prepare(
      "SELECT body_sha256, status FROM captures WHERE url_key = ? "
      "ORDER BY fetched_ms DESC, id DESC LIMIT 1");
  if (!stmt) return tl::unexpected(stmt.error());
  (*stmt)->Bind(1, p.key);
  auto row = (*stmt)->Step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return false;
  return (*stmt)->ColumnText(0) == p.sha256 && (*stmt)->ColumnInt(1) == p.capture->status;
}

Result<bool> Archive::Impl::HasBody(const std::string& sha256) {
  auto stmt = db->Prepare("SELECT 1 FROM bodies WHERE sha256 = ?");
  if (!stmt) return tl::unexpected(stmt.error());
  (*stmt)->Bind(1, sha256);
  return (*stmt)->Step();
}

Result<void> Archive::Impl::Insert(Prepared& p, ArchiveAddSummary& summary) {
  auto same = SameAsLatest(p);  // again, under the write lock
  if (!same) return tl::unexpected(same.error());
  if (*same) {
    ++summary.unchanged;
    return {};
  }
  auto has = HasBody(p.sha256);
  if (!has) return tl::unexpected(has.error());
  if (!*has) {
    // Compressed before the transaction unless it was there then (and pruned since).
    if (!p.compressed) {
      if (auto ok = CompressFor(p); !ok) return ok;
    }
    auto body =
        db->Prepare("INSERT INTO bodies (sha256, raw_bytes, dictionary, data) VALUES (?, ?, ?, ?)");
    if (!body) return tl::unexpected(body.error());
    (*body)->Bind(1, p.sha256);
    (*body)->Bind(2, static_cast<int64_t>(p.capture->body.size()));
    if (p.dictionary != 0) {
      (*body)->Bind(3, p.dictionary);
    } else {
      (*body)->BindNull(3);
    }
    (*body)->BindBlob(4, *p.compressed);
    if (auto ok = (*body)->Run(); !ok) return ok;
    ++summary.new_bodies;
    summary.raw_bytes += static_cast<int64_t>(p.capture->body.size());
    summary.compressed_bytes += static_cast<int64_t>(p.compressed->size());
  }
  auto insert = db->Prepare(
      "INSERT INTO captures (url_key, url, final_url, site, host, status, head, fetched_ms, "
      "body_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!insert) return tl::unexpected(insert.error());
  const NewCapture& c = *p.capture;
  (*insert)->Bind(1, p.key).Bind(2, c.url).Bind(3, c.final_url).Bind(4, c.site);
  (*insert)->Bind(5, p.host).Bind(6, static_cast<int64_t>(c.status));
  (*insert)->BindBlob(7, p.head).Bind(8, ToMillis(c.fetched)).Bind(9, p.sha256);
  if (auto ok = (*insert)->Run(); !ok) return ok;
  ++summary.stored;
  return {};
}

Result<ArchiveAddSummary> Archive::Add(const std::vector<NewCapture>& captures) {
  ArchiveAddSummary summary;
  if (captures.empty()) return summary;
  std::vector<Prepared> prepared;
  prepared.reserve(captures.size());
  for (const NewCapture& capture : captures) {
    std::optional<std::string> key = NormalizeUrl(capture.url);
    if (!key)
      return Fail(ErrorCode::kInput, "cannot archive " + capture.url + ": not an http(s) URL");
    if (capture.body.size() > kMaxArchivedBody) {
      return Fail(ErrorCode::kInput, "cannot archive " + capture.url + ": its body of " +
                                         std::to_string(capture.body.size()) +
                                         " bytes is over the archive's cap");
    }
    Prepared p;
    p.capture = &capture;
    p.key = std::move(*key);
    p.head = CappedHead(capture.head);
    p.sha256 = Sha256Hex(capture.body);
    p.host = HostOf(p.key);
    // Read outside the transaction, to skip the compression of what is there already; the
    // insert checks again under the lock.
    auto same = impl_->SameAsLatest(p);
    if (!same) return tl::unexpected(same.error());
    if (!*same) {
      auto has = impl_->HasBody(p.sha256);
      if (!has) return tl::unexpected(has.error());
      if (!*has) {
        if (auto ok = impl_->CompressFor(p); !ok) return tl::unexpected(ok.error());
      }
    }
    prepared.push_back(std::move(p));
  }
  auto tx = Transaction::Begin(*impl_->db);
  if (!tx) return tl::unexpected(tx.error());
  for (Prepared& p : prepared) {
    if (auto ok = impl_->Insert(p, summary); !ok) return tl::unexpected(ok.error());
  }
  if (auto ok = tx->Commit(); !ok) return tl::unexpected(ok.error());
  impl_->NotePlainBodies(prepared);
  return summary;
}

Result<std::optional<Capture>> Archive::Latest(std::string_view url) {
  std::optional<std::string> key = NormalizeUrl(url);
  if (!key) return std::optional<Capture>();
  auto stmt = impl_->db->Prepare("SELECT " + std::string(kCaptureColumns) +
                                 " FROM captures c WHERE url_key = ? "
                                 "ORDER BY fetched_ms DESC, id DESC LIMIT 1");
  if (!stmt) return tl::unexpected(stmt.error());
  (*stmt)->Bind(1, *key);
  auto row = (*stmt)->Step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return std::optional<Capture>();
  return std::optional<Capture>(ReadCapture(**stmt));
}

Result<std::string> Archive::Body(const Capture& capture) {
  auto stmt = impl_->db->Prepare("SELECT raw_bytes, data, dictionary FROM bodies WHERE sha256 = ?");
  if (!stmt) return tl::unexpected(stmt.error());
  (*stmt)->Bind(1, capture.body_sha256);
  auto row = (*stmt)->Step();
  if (!row) return tl::unexpected(row.error());
  auto corrupt = [&](const std::string& reason) {
    return Fail(ErrorCode::kInput, "archived page of " + capture.url + " is corrupt: " + reason);
  };
  if (!*row) return corrupt("its body is missing from " + path());
  int64_t raw_bytes = (*stmt)->ColumnInt(0);
  std::string data = (*stmt)->ColumnBlob(1);
  int64_t dictionary = (*stmt)->ColumnInt(2);
  (*stmt)->Reset();
  unsigned long long declared = ZSTD_getFrameContentSize(data.data(), data.size());
  if (declared == ZSTD_CONTENTSIZE_ERROR || declared == ZSTD_CONTENTSIZE_UNKNOWN || raw_bytes < 0 ||
      declared != static_cast<unsigned long long>(raw_bytes) || declared > kMaxArchivedBody) {
    return corrupt("not a zstd frame of its recorded size");
  }
  std::string body(static_cast<size_t>(declared), '\0');
  size_t n = 0;
  if (dictionary != 0) {
    auto ddict = impl_->DDictFor(dictionary);
    if (!ddict) {
      if (ddict.error().code != ErrorCode::kInput) return tl::unexpected(ddict.error());
      return corrupt(ddict.error().message);
    }
    n = ZSTD_decompress_usingDDict(impl_->dctx.get(), body.data(), body.size(), data.data(),
                                   data.size(), *ddict);
  } else {
    n = ZSTD_decompressDCtx(impl_->dctx.get(), body.data(), body.size(), data.data(), data.size());
  }
  if (ZSTD_isError(n) || n != body.size()) {
    return corrupt(std::string("zstd: ") + (ZSTD_isError(n) ? ZSTD_getErrorName(n) : "short"));
  }
  if (Sha256Hex(body) != capture.body_sha256) return corrupt("its SHA-256 does not match");
  return body;
}

Result<void> Archive::ForEach(const CaptureFilter& filter,
                              const std::function<bool(const Capture&)>& visit) {
  std::string sql = "SELECT " + std::string(kCaptureColumns) +
                    " FROM captures c WHERE (fetched_ms, id) > (?1, ?2) AND fetched_ms >= ?3";
  if (filter.site) sql += " AND site = ?4";
  if (filter.host) sql += " AND host = ?5";
  if (filter.latest_only) {
    sql +=
        " AND NOT EXISTS (SELECT 1 FROM captures d WHERE d.url_key = c.url_key AND "
        "(d.fetched_ms, d.id) > (c.fetched_ms, c.id))";
  }
  sql += " ORDER BY fetched_ms, id LIMIT ?6";
  int64_t after_ms = INT64_MIN;
  int64_t after_id = INT64_MIN;
  while (true) {
    std::vector<Capture> page;
    {
      auto tx = Transaction::BeginRead(*impl_->db);
      if (!tx) return tl::unexpected(tx.error());
      auto stmt = impl_->db->Prepare(sql);
      if (!stmt) return tl::unexpected(stmt.error());
      (*stmt)->Bind(1, after_ms).Bind(2, after_id);
      (*stmt)->Bind(3, filter.since ? ToMillis(*filter.since) : INT64_MIN);
      if (filter.site) (*stmt)->Bind(4, *filter.site);
      if (filter.host) (*stmt)->Bind(5, *filter.host);
      (*stmt)->Bind(6, kCapturePageRows);
      while (true) {
        auto row = (*stmt)->Step();
        if (!row) return tl::unexpected(row.error());
        if (!*row) break;
        page.push_back(ReadCapture(**stmt));
      }
      if (auto ok = tx->Commit(); !ok) return ok;
    }
    for (const Capture& capture : page) {
      if (!visit(capture)) return {};
    }
    if (static_cast<int64_t>(page.size()) < kCapturePageRows) return {};
    after_ms = ToMillis(page.back().fetched);
    after_id = page.back().id;
  }
}

Result<int64_t> Archive::Prune(Time before, int limit) {
  if (limit <= 0) return int64_t{0};
  Database& db = *impl_->db;
  auto tx = Transaction::Begin(db);
  if (!tx) return tl::unexpected(tx.error());
  // The bodies of the captures going, checked afterwards for other users.
  auto hashes = db.Prepare(
      "SELECT DISTINCT body_sha256 FROM (SELECT body_sha256 FROM captures "
      "WHERE fetched_ms < ? ORDER BY fetched_ms, id LIMIT ?)");
  if (!hashes) return tl::unexpected(hashes.error());
  (*hashes)->Bind(1, ToMillis(before)).Bind(2, static_cast<int64_t>(limit));
  std::vector<std::string> bodies;
  while (true) {
    auto row = (*hashes)->Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    bodies.push_back((*hashes)->ColumnText(0));
  }
  (*hashes)->Reset();
  auto del = db.Prepare(
      "DELETE FROM captures WHERE id IN (SELECT id FROM captures WHERE fetched_ms < ? "
      "ORDER BY fetched_ms, id LIMIT ?)");
  if (!del) return tl::unexpected(del.error());
  (*del)->Bind(1, ToMillis(before)).Bind(2, static_cast<int64_t>(limit));
  if (auto ok = (*del)->Run(); !ok) return tl::unexpected(ok.error());
  int64_t deleted = sqlite3_changes64(db.handle());
  auto orphan = db.Prepare(
      "DELETE FROM bodies WHERE sha256 = ? AND NOT EXISTS "
      "(SELECT 1 FROM captures WHERE body_sha256 = ?)");
  if (!orphan) return tl::unexpected(orphan.error());
  for (const std::string& sha : bodies) {
    (*orphan)->Bind(1, sha).Bind(2, sha);
    if (auto ok = (*orphan)->Run(); !ok) return tl::unexpected(ok.error());
    (*orphan)->Reset();
  }
  if (auto ok = tx->Commit(); !ok) return tl::unexpected(ok.error());
  if (deleted > 0) {
    // Best effort: space not given back now is reused by the next captures anyway.
    (void)db.Exec("PRAGMA incremental_vacuum(" + std::to_string(kVacuumPagesPerPrune) + ")");
  }
  return deleted;
}

Result<ArchiveStats> Archive::Stats() {
  ArchiveStats stats;
  auto tx = Transaction::BeginRead(*impl_->db);
  if (!tx) return tl::unexpected(tx.error());
  auto captures = impl_->db->QueryInt("SELECT count(*) FROM captures");
  if (!captures) return tl::unexpected(captures.error());
  stats.captures = *captures;
  auto stmt = impl_->db->Prepare(
      "SELECT count(*), coalesce(sum(raw_bytes), 0), coalesce(sum(length(data)), 0) "
      "FROM bodies");
  if (!stmt) return tl::unexpected(stmt.error());
  auto row = (*stmt)->Step();
  if (!row) return tl::unexpected(row.error());
  stats.bodies = (*stmt)->ColumnInt(0);
  stats.raw_bytes = (*stmt)->ColumnInt(1);
  stats.compressed_bytes = (*stmt)->ColumnInt(2);
  return stats;
}

}  // namespace gleaner::store
