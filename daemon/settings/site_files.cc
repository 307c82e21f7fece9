#include "daemon/settings/site_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <set>

namespace gleaner {
namespace {

namespace fs = std::filesystem;

struct FileCloser {
  void operator()(std::FILE* f) const {
    if (f && f != stdin) std::fclose(f);
  }
};

bool WriteAll(int fd, std::string_view data) {
  for (size_t done = 0; done < data.size();) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

// Moves `from` to `to` unless `to` exists: a rename that never replaces, or on a file system
// that has none, a hard link (which never replaces either). Returns 0 or the errno.
int MoveWithoutReplacing(const std::string& from, const std::string& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return 0;
  if (errno != EINVAL && errno != ENOSYS) return errno;
  if (::link(from.c_str(), to.c_str()) != 0) return errno;
  ::unlink(from.c_str());
  return 0;
}

}  // namespace

Result<void> WriteNewFile(const std::string& path, std::string_view content, mode_t mode) {
  fs::path target(path);
  std::string tmp =
      (target.parent_path() / ("." + target.filename().string() + ".XXXXXX")).string();
  int fd = ::mkostemp(tmp.data(), O_CLOEXEC);
  if (fd < 0) return Fail(ErrorCode::kInput, path + ": " + std::strerror(errno));
  bool ok = ::fchmod(fd, mode) == 0 && WriteAll(fd, content) && ::fsync(fd) == 0;
  int error = ok ? 0 : errno;
  if (::close(fd) != 0 && ok) {
    ok = false;
    error = errno;
  }
  if (ok) error = MoveWithoutReplacing(tmp, path);
  if (error == 0) return {};
  ::unlink(tmp.c_str());
  if (error == EEXIST) return Fail(ErrorCode::kUsage, path + ": already exists");
  return Fail(ErrorCode::kInput, path + ": " + std::strerror(error));
}

Result<std::string> ReadFileCapped(const std::string& path, uint64_t max_bytes) {
  std::unique_ptr<std::FILE, FileCloser> file(path == "-" ? stdin : std::fopen(path.c_str(), "rb"));
  if (!file) return Fail(ErrorCode::kInput, path + ": " + std::strerror(errno));
  std::error_code ec;
  if (path != "-" && fs::is_directory(path, ec))
    return Fail(ErrorCode::kInput, path + ": is a directory");
  std::string data;
  char buffer[1 << 16];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) {
    if (data.size() + n > max_bytes) {
      return Fail(ErrorCode::kInput,
                  path + ": larger than " + std::to_string(max_bytes) + " bytes");
    }
    data.append(buffer, n);
  }
  if (std::ferror(file.get()))
    return Fail(ErrorCode::kInput, path + ": read error: " + std::strerror(errno));
  return data;
}

rules::SiteSet LoadSitesLenient(const std::string& dir, uint64_t max_file_bytes,
                                std::vector<Error>* problems) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    problems->push_back({ErrorCode::kInput, dir + ": sites directory not found"});
    return {};
  }
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".yaml" || entry.path().extension() == ".yml") {
      files.push_back(entry.path().string());
    }
  }
  if (ec) problems->push_back({ErrorCode::kInput, dir + ": " + ec.message()});
  std::sort(files.begin(), files.end());
  std::vector<rules::SiteRules> sites;
  std::set<std::string> ids;
  for (const std::string& file : files) {
    auto text = ReadFileCapped(file, max_file_bytes);
    if (!text) {
      problems->push_back(text.error());
      continue;
    }
    auto site = rules::ParseSiteRules(*text, file);
    if (!site) {
      problems->push_back(site.error());
      continue;
    }
    if (!ids.insert(site->id).second) {
      problems->push_back({ErrorCode::kConfig,
                           file + ":1:1: site id '" + site->id + "' is used by another site file"});
      continue;
    }
    sites.push_back(std::move(*site));
  }
  auto set = rules::SiteSet::Create(std::move(sites));  // ids are unique by now
  return set ? std::move(*set) : rules::SiteSet{};
}

Result<rules::SiteSet> LoadSites(const std::string& dir, uint64_t max_file_bytes) {
  std::vector<Error> problems;
  rules::SiteSet set = LoadSitesLenient(dir, max_file_bytes, &problems);
  if (!problems.empty()) return tl::unexpected(problems.front());
  return set;
}

Result<rules::SiteSet> LoadSitesIfPresent(const std::string& dir, uint64_t max_file_bytes,
                                          bool dir_required) {
  std::error_code ec;
  if (!dir_required && !fs::is_directory(dir, ec)) return rules::SiteSet{};
  return LoadSites(dir, max_file_bytes);
}

}  // namespace gleaner
