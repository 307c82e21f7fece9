#include "daemon/schedule/status_file.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <nlohmann/json.hpp>

#include "daemon/store/timestamps.h"

namespace gleaner::schedule {

namespace {

nlohmann::ordered_json OptionalTime(const std::optional<Time>& t) {
  return t ? nlohmann::ordered_json(store::FormatTime(*t)) : nlohmann::ordered_json(nullptr);
}

}  // namespace

std::string StatusFilePath(const std::string& database) { return database + ".status.json"; }

std::string StatusJson(int pid, Time started, Time now, const std::map<std::string, SiteHealth>& health,
                       const std::vector<fetch::HostPause>& paused) {
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
    hosts.push_back({{"host", p.host}, {"until", store::FormatTime(now + p.remaining)}, {"reason", p.reason}});
  }
  j["paused_hosts"] = std::move(hosts);
  return j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

Result<void> WriteStatusFile(const std::string& path, const std::string& json) {
  std::string tmp = path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "w");
  if (!f) return Fail(ErrorCode::kInput, tmp + ": " + std::strerror(errno));
  bool ok = std::fwrite(json.data(), 1, json.size(), f) == json.size();
  ok = (std::fclose(f) == 0) && ok;
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string why = std::strerror(errno);
    std::remove(tmp.c_str());
    return Fail(ErrorCode::kInput, path + ": " + why);
  }
  return {};
}

}  // namespace gleaner::schedule
