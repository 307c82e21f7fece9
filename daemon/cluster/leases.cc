#include "daemon/cluster/leases.h"

#include <nlohmann/json.hpp>

#include "daemon/cluster/pg_schema.h"

namespace gleaner::cluster {
namespace {

std::string JsonList(const std::set<std::string>& items) {
  return nlohmann::json(items).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::set<std::string> SiteColumn(const PgResult& rows) {
  std::set<std::string> sites;
  for (int i = 0; i < rows.rows(); ++i) sites.insert(rows.Text(i, 0));
  return sites;
}

}  // namespace

uint64_t RendezvousScore(const std::string& site, const std::string& box) {
  uint64_t h = 14695981039346656037ull;  // FNV-1a 64
  auto mix = [&h](unsigned char c) {
    h ^= c;
    h *= 1099511628211ull;
  };
  for (unsigned char c : site) mix(c);
  mix(0);
  for (unsigned char c : box) mix(c);
  // splitmix64's finaliser: FNV alone leaves names that differ in a last letter close.
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebull;
  h ^= h >> 31;
  return h;
}

std::string OwnerOf(const std::string& site, const std::vector<std::string>& boxes) {
  std::string best;
  uint64_t best_score = 0;
  for (const std::string& box : boxes) {
    uint64_t score = RendezvousScore(site, box);
    if (best.empty() || score > best_score || (score == best_score && box < best)) {
      best = box;
      best_score = score;
    }
  }
  return best;
}

std::set<std::string> SitesOwnedBy(const std::string& box, const std::vector<std::string>& sites,
                                   const std::vector<std::string>& boxes) {
  std::set<std::string> owned;
  for (const std::string& site : sites) {
    if (OwnerOf(site, boxes) == box) owned.insert(site);
  }
  return owned;
}

Result<int64_t> Heartbeat(PgConnection& conn, const std::string& box, int64_t connected_ms,
                          int64_t backlog) {
  static const std::string sql = std::string(
                                     "INSERT INTO gleaner_boxes (box, heartbeat_ms, connected_ms,"
                                     " backlog) VALUES ($1, ") +
                                 kNowMs +
                                 ", $2, $3) ON CONFLICT (box) DO UPDATE SET"
                                 " heartbeat_ms = EXCLUDED.heartbeat_ms,"
                                 " connected_ms = EXCLUDED.connected_ms,"
                                 " backlog = EXCLUDED.backlog RETURNING heartbeat_ms";
  auto result = conn.Exec(sql, {box, std::to_string(connected_ms), std::to_string(backlog)});
  if (!result) return tl::unexpected(result.error());
  return result->Int(0, 0);
}

Result<std::vector<std::string>> LiveBoxes(PgConnection& conn, std::chrono::milliseconds lease) {
  static const std::string sql =
      std::string("SELECT box FROM gleaner_boxes WHERE heartbeat_ms >= ") + kNowMs +
      " - $1 ORDER BY box";
  auto result = conn.Exec(sql, {std::to_string(lease.count())});
  if (!result) return tl::unexpected(result.error());
  std::vector<std::string> boxes;
  for (int i = 0; i < result->rows(); ++i) boxes.push_back(result->Text(i, 0));
  return boxes;
}

Result<std::set<std::string>> AcquireLeases(PgConnection& conn, const std::string& box,
                                            const std::set<std::string>& sites,
                                            std::chrono::milliseconds lease, bool take_expired) {
  static const std::string sql =
      std::string(
          "INSERT INTO gleaner_leases AS l (site, box, expires_ms)"
          " SELECT value, $2, ") +
      kNowMs +
      " + $3 FROM json_array_elements_text($1::json)"
      " ON CONFLICT (site) DO UPDATE SET box = EXCLUDED.box, expires_ms = EXCLUDED.expires_ms"
      " WHERE l.box = EXCLUDED.box OR ($4 AND l.expires_ms < " +
      kNowMs + ") RETURNING site";
  if (sites.empty()) return std::set<std::string>();
  auto result = conn.Exec(sql, {JsonList(sites), box, std::to_string(lease.count()),
                                std::string(take_expired ? "true" : "false")});
  if (!result) return tl::unexpected(result.error());
  return SiteColumn(*result);
}

Result<void> ReleaseLeases(PgConnection& conn, const std::string& box,
                           const std::set<std::string>& sites) {
  if (sites.empty()) return {};
  return conn.Run(
      "DELETE FROM gleaner_leases WHERE box = $2"
      " AND site IN (SELECT value FROM json_array_elements_text($1::json))",
      {JsonList(sites), box});
}

Result<std::vector<std::string>> KnownUrls(PgConnection& conn, const std::set<std::string>& sites) {
  std::vector<std::string> urls;
  if (sites.empty()) return urls;
  auto result = conn.Exec(
      "SELECT url_key FROM gleaner_articles"
      " WHERE site IN (SELECT value FROM json_array_elements_text($1::json))",
      {JsonList(sites)});
  if (!result) return tl::unexpected(result.error());
  urls.reserve(static_cast<size_t>(result->rows()));
  for (int i = 0; i < result->rows(); ++i) urls.push_back(result->Text(i, 0));
  return urls;
}

Result<std::vector<BoxRow>> Boxes(PgConnection& conn, std::chrono::milliseconds lease) {
  static const std::string sql =
      std::string("SELECT b.box, b.heartbeat_ms, b.backlog, b.heartbeat_ms >= ") + kNowMs +
      " - $1, l.site FROM gleaner_boxes b LEFT JOIN gleaner_leases l"
      " ON l.box = b.box AND l.expires_ms >= " +
      kNowMs + " ORDER BY b.box, l.site";
  auto result = conn.Exec(sql, {std::to_string(lease.count())});
  if (!result) return tl::unexpected(result.error());
  std::vector<BoxRow> boxes;
  for (int i = 0; i < result->rows(); ++i) {
    std::string name = result->Text(i, 0);
    if (boxes.empty() || boxes.back().box != name) {
      BoxRow row;
      row.box = name;
      row.heartbeat_ms = result->Int(i, 1);
      row.backlog = result->Int(i, 2);
      row.live = result->Text(i, 3) == "t";
      boxes.push_back(std::move(row));
    }
    if (!result->IsNull(i, 4)) boxes.back().sites.push_back(result->Text(i, 4));
  }
  return boxes;
}

}  // namespace gleaner::cluster
