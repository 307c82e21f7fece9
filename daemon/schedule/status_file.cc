#include "daemon/schedule/status_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>

#include "daemon/store/timestamps.h"

namespace gleaner::schedule {

namespace {

// A process that exists, whether or not this user may signal it.
bool ProcessAlive(int pid) { return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM); }

// `gleaner status` runs as the daemon's user or a member of its group; others need not read
// the daemon's health.
constexpr mode_t kStatusFileMode = 0640;

nlohmann::ordered_json OptionalTime(const std::optional<Time>& t) {
  return t ? nlohmann::ordered_json(store::FormatTime(*t)) : nlohmann::ordered_json(nullptr);
}

}  // namespace

std::string StatusFilePath(const std::string& database) { return database + ".status.json"; }

std::string StatusJson(int pid, Time started, Time now,
                       const std::map<std::string, SiteHealth>& health,
                       const std::vector<fetch::HostPause>& paused,
                       const nlohmann::ordered_json& cluster) {
  nlohmann::ordered_json j;
  j["pid"] = pid;
  j["started"] = store::FormatTime(started);
  j["updated"] = store::FormatTime(now);
  nlohmann::ordered_json sites = nlohmann::ordered_json::object();
  for (const auto& [id, h] : health) {
    if (id.empty()) continue;
    nlohmann::ordered_json s;
    s["polls"] = h.polls;
    s["poll_errors"] = h.poll_errors;
    s["discovered"] = h.discovered;
    s["fetched"] = h.fetched;
    s["new_articles"] = h.new_articles;
    s["updated_articles"] = h.updated_articles;
    s["fetch_errors"] = h.fetch_errors;
    s["extract_errors"] = h.extract_errors;
    s["rule_breakage"] = h.rule_breakage;
    s["long_urls"] = h.long_urls;
    s["offsite_sitemaps"] = h.offsite_sitemaps;
    s["errors_by_kind"] = h.errors_by_kind;
    s["broken_rules"] = h.broken_rules;
    s["errors_last_hour"] = h.recent_errors.CountSince(now);
    s["last_new_article"] = OptionalTime(h.last_new_article);
    s["last_success"] = OptionalTime(h.last_success);
    sites[id] = std::move(s);
  }
  j["sites"] = std::move(sites);
  nlohmann::ordered_json hosts = nlohmann::ordered_json::array();
  for (const fetch::HostPause& p : paused) {
    hosts.push_back(
        {{"host", p.host}, {"until", store::FormatTime(now + p.remaining)}, {"reason", p.reason}});
  }
  j["paused_hosts"] = std::move(hosts);
  if (!cluster.is_null()) j["cluster"] = cluster;
  return j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

Result<void> WriteStatusFile(const std::string& path, const std::string& json) {
  // A name no one can guess or plant a symlink at beforehand: mkstemp creates it (O_EXCL),
  // and rename replaces whatever is at `path` (a planted link too, never its target).
  std::string tmp = path + ".XXXXXX";
  int fd = ::mkostemp(tmp.data(), O_CLOEXEC);
  if (fd < 0) return Fail(ErrorCode::kInput, path + ": " + std::strerror(errno));
  bool ok = ::fchmod(fd, kStatusFileMode) == 0;
  for (size_t done = 0; ok && done < json.size();) {
    ssize_t n = ::write(fd, json.data() + done, json.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  ok = (::close(fd) == 0) && ok;
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    return Fail(ErrorCode::kInput, path + ": " + why);
  }
  return {};
}

namespace {

using nlohmann::json;

constexpr int kMaxStatusDepth = 8;

// The counters `gleaner status` prints for each site.
constexpr const char* kSiteCounters[] = {"polls",         "poll_errors",     "discovered",
                                         "new_articles",  "fetch_errors",    "extract_errors",
                                         "rule_breakage", "errors_last_hour"};

bool IsCount(const json& j) {
  return j.is_number_integer() &&
         (!j.is_number_unsigned() || j.get<uint64_t>() <= static_cast<uint64_t>(INT64_MAX));
}

// The first field of the document that is missing or has the wrong type, as a path
// ("sites.news.polls"); nullopt when it is a status document.
std::optional<std::string> FirstBadField(const json& j) {
  if (!j.is_object()) return "(the document is not an object)";
  if (!j.contains("pid") || !j["pid"].is_number_integer() || j["pid"].get<int64_t>() <= 0 ||
      j["pid"].get<int64_t>() > INT32_MAX) {
    return "pid";
  }
  for (const char* key : {"started", "updated"}) {
    if (!j.contains(key) || !j[key].is_string() || !store::ParseTime(j[key].get<std::string>()))
      return key;
  }
  if (!j.contains("sites") || !j["sites"].is_object()) return "sites";
  for (const auto& [id, site] : j["sites"].items()) {
    std::string at = "sites." + id;
    if (!site.is_object()) return at;
    for (const char* key : kSiteCounters) {
      if (!site.contains(key) || !IsCount(site[key])) return at + "." + key;
    }
    for (const char* key : {"last_new_article", "last_success"}) {
      if (!site.contains(key) || (!site[key].is_null() && !site[key].is_string()))
        return at + "." + key;
    }
    if (!site.contains("broken_rules") || !site["broken_rules"].is_object())
      return at + ".broken_rules";
    for (const auto& [why, n] : site["broken_rules"].items()) {
      if (!IsCount(n)) return at + ".broken_rules." + why;
    }
  }
  if (j.contains("paused_hosts") && !j["paused_hosts"].is_array()) return "paused_hosts";
  return std::nullopt;
}

}  // namespace

Result<std::optional<nlohmann::json>> ReadStatusFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<json>();
    return Fail(ErrorCode::kInput, "status file " + path + ": " + std::strerror(errno));
  }
  struct stat st {};
  std::string text;
  std::string problem;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    problem = "not a regular file";
  } else {
    // One byte more than the cap tells a file at the cap from a larger one.
    text.resize(kMaxStatusFileBytes + 1);
    size_t got = 0;
    while (got < text.size()) {
      ssize_t n = ::read(fd, text.data() + got, text.size() - got);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) problem = std::strerror(errno);
      if (n <= 0) break;
      got += static_cast<size_t>(n);
    }
    text.resize(got);
    if (got > kMaxStatusFileBytes)
      problem = "larger than " + std::to_string(kMaxStatusFileBytes) + " bytes";
  }
  ::close(fd);
  if (problem.empty()) {
    // Deeper values are dropped as they are read: a document of nested brackets builds
    // nothing (a status document is 4 levels deep).
    json::parser_callback_t shallow = [](int depth, json::parse_event_t, json&) {
      return depth <= kMaxStatusDepth;
    };
    json j = json::parse(text, shallow, /*allow_exceptions=*/false);
    if (j.is_discarded()) {
      problem = "not JSON (truncated?)";
    } else if (auto bad = FirstBadField(j)) {
      problem = "not a gleaner status document: " + *bad + " is missing or has the wrong type";
    } else {
      return std::optional<json>(std::move(j));
    }
  }
  return Fail(ErrorCode::kInput, "status file " + path + ": " + problem);
}

Result<std::optional<nlohmann::json>> ReadLiveStatus(const std::string& database, Time now) {
  auto read = ReadStatusFile(StatusFilePath(database));
  if (!read || !*read) return read;
  nlohmann::json& j = **read;
  auto updated = store::ParseTime(j["updated"].get<std::string>());
  if (!updated || now - *updated > kStatusStaleAfter || !ProcessAlive(j["pid"].get<int>()))
    return std::nullopt;
  return read;
}

}  // namespace gleaner::schedule
