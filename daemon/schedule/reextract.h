// Extraction run again over archived pages (`gleaner reextract`), after a rule change: each
// URL's latest archived page is extracted with the current site files exactly as the
// crawler extracts a page it fetched, and the stored record is replaced when its title or
// body changed (queued once as an update: the store's own rule). Nothing else is written.
//
// Safe while the daemon runs (writes are short store transactions) and after a SIGKILL:
// records are written in batches of kReextractBatch, each all or nothing, and a rerun finds
// the records already updated unchanged, so nothing is queued twice.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "daemon/settings/config.h"
#include "daemon/store/archive.h"
#include "daemon/store/store.h"
#include "extractors/core/result.h"
#include "extractors/rules/site_rules.h"

namespace gleaner::schedule {

// Records written per store transaction: a killed run loses at most this many pages' work,
// and the daemon's writer never waits for more than one small batch.
inline constexpr size_t kReextractBatch = 64;

struct ReextractOptions {
  std::optional<std::string> site;   // only pages this site owns now (or was fetched for)
  std::optional<store::Time> since;  // only pages fetched at or after
  bool dry_run = false;              // compare and report; write nothing
};

// The record fields a re-extraction can change, in report order.
inline constexpr const char* kReextractFields[] = {"title",  "body",       "published", "author",
                                                   "source", "source_url", "language"};

// One site's figures ("" for pages no site owns).
struct SiteReextract {
  int64_t pages = 0;                      // archived pages extracted again
  int64_t changed = 0;                    // records updated (or, with dry_run, that would be)
  int64_t added = 0;                      // pages with no record before that now give one
  std::map<std::string, int64_t> fields;  // of the changed records: field -> how many differ
  int64_t fallbacks_before = 0;           // stored records that generic extraction had filled in
  int64_t fallbacks_after = 0;            // new extractions that needed generic extraction
  int64_t failed = 0;                     // no article now: the old record is kept
  int64_t corrupt = 0;                    // archive entry unreadable: skipped
  int64_t stale = 0;  // the record comes from another fetch than the archived page: skipped
};

// What happened to one page, as it happens (for `--dry-run` listings and error reports).
struct PageEvent {
  enum class Kind { kChanged, kAdded, kFailed, kCorrupt, kStale };
  Kind kind;
  std::string url;
  std::string site;
  std::vector<std::string> fields;  // kChanged: the fields that differ
  std::string reason;               // kFailed, kCorrupt, kStale
};

struct ReextractReport {
  std::map<std::string, SiteReextract> sites;
  int64_t pages = 0;
};

struct ReextractHooks {
  // Called for each page that changed, failed or was skipped. May be null.
  std::function<void(const PageEvent&)> on_event;
  // Called after each page with (done, total). May be null.
  std::function<void(int64_t done, int64_t total)> on_progress;
};

// Runs the re-extraction (see the file comment). kDatabase when the store or the archive
// fails (records written before stay written); per-page problems are reported through
// `hooks` and counted, never returned.
Result<ReextractReport> Reextract(const Config& config, const rules::SiteSet& sites,
                                  store::Store& store, store::Archive& archive,
                                  const ReextractOptions& options, const ReextractHooks& hooks);

}  // namespace gleaner::schedule
