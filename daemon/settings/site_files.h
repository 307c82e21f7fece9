// Reading the sites directory: every `*.yaml` file in it (not recursive, sorted by name),
// each compiled by rules::ParseSiteRules. File I/O lives here so extractors/ stays pure.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "extractors/core/result.h"
#include "extractors/rules/site_rules.h"

namespace gleaner {

// Reads a whole file of at most `max_bytes`. kInput when it is missing or unreadable
// ("PATH: No such file or directory"); kNoArticle-free: a file over the cap is kInput too
// ("PATH: larger than N bytes"). `path` "-" reads standard input.
Result<std::string> ReadFileCapped(const std::string& path, uint64_t max_bytes);

// Creates the file `path` holding `content` with `mode`, whole or not at all, and never in
// place of an existing file: written to a temporary dot-file beside it (which the site
// loaders and `check` skip), synced, then moved to `path` only if that name is free. Returns
// kUsage ("PATH: already exists") when it is taken, kInput on an I/O error; no temporary
// file is left behind. For the files gleaner writes for people: drafts and site tests.
Result<void> WriteNewFile(const std::string& path, std::string_view content, mode_t mode);

// Compiles every site file of `dir`. Every problem found is appended to `problems`
// (kConfig "file:line:col: message"; kInput when `dir` is not a readable directory). Returns
// the sites that compiled (ids made unique) even when some failed, so `check` can report all.
rules::SiteSet LoadSitesLenient(const std::string& dir, uint64_t max_file_bytes,
                                std::vector<Error>* problems);

// Compiles every site file of `dir`; the first problem is the error.
Result<rules::SiteSet> LoadSites(const std::string& dir, uint64_t max_file_bytes);

// The sites for extracting single pages (`extract`, `fetch`): LoadSites(dir), except that a
// missing `dir` means no sites (generic extraction) unless `dir_required` (the directory
// was named on the command line), when it is the kInput error LoadSites returns.
Result<rules::SiteSet> LoadSitesIfPresent(const std::string& dir, uint64_t max_file_bytes,
                                          bool dir_required);

}  // namespace gleaner
