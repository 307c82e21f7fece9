#include "daemon/web/db_figures.h"

#include "daemon/store/queue.h"

namespace gleaner::web {
namespace {

constexpr int64_t kHourMs = 3600 * 1000;

// Articles first stored since ?1. An article's updated_ms is never before its first_seen_ms,
// so the range on the articles_by_update index holds every one of them: the scan reads the
// week's articles (and those updated in it), not the whole corpus.
constexpr const char* kNewArticlesSql =
    "SELECT site, first_seen_ms, id FROM articles WHERE updated_ms >= ?1 AND first_seen_ms >= ?1";
constexpr const char* kArticleSql = "SELECT title, url FROM articles WHERE id = ?1";
constexpr const char* kBacklogSql =
    "SELECT site, count(*) FROM frontier WHERE state = 'scheduled' AND kind = 'article' "
    "AND site IS NOT NULL GROUP BY site";

}  // namespace

Result<DbFigures> DbReader::Read(Time now) {
  if (!db_) {
    auto opened = store::Database::Open(path_, store::OpenMode::kReadOnly);
    if (!opened) return tl::unexpected(opened.error());
    db_ = std::move(*opened);
  }
  auto fail = [&](Error error) -> Result<DbFigures> {
    db_.reset();  // a fresh connection next time: the file may have been replaced
    return tl::unexpected(std::move(error));
  };
  DbFigures figures;
  figures.read_at = now;
  store::Queue queue(db_.get());
  auto stats = queue.Stats(now);
  if (!stats) return fail(stats.error());
  figures.queue = *stats;

  // The whole read in one snapshot, so the counts agree with each other.
  if (auto ok = db_->Exec("BEGIN"); !ok) return fail(ok.error());
  auto read = [&]() -> Result<void> {
    {
      auto backlog = db_->Prepare(kBacklogSql);
      if (!backlog) return tl::unexpected(backlog.error());
      for (;;) {
        auto row = (*backlog)->Step();
        if (!row) return tl::unexpected(row.error());
        if (!*row) break;
        figures.backlog[(*backlog)->ColumnText(0)] = (*backlog)->ColumnInt(1);
      }
    }
    int64_t end_ms = (store::ToMillis(now) / kHourMs + 1) * kHourMs;
    int64_t start_ms = end_ms - kChartHours * kHourMs;
    figures.chart_end = store::FromMillis(end_ms);
    std::map<std::string, std::pair<int64_t, int64_t>> newest;  // site -> (first_seen, id)
    {
      auto rows = db_->Prepare(kNewArticlesSql);
      if (!rows) return tl::unexpected(rows.error());
      (*rows)->Bind(1, start_ms);
      for (;;) {
        auto row = (*rows)->Step();
        if (!row) return tl::unexpected(row.error());
        if (!*row) break;
        std::string site = (*rows)->ColumnText(0);
        int64_t seen = (*rows)->ColumnInt(1);
        int64_t slot = (seen - start_ms) / kHourMs;
        if (slot < 0 || slot >= kChartHours) continue;  // stamped in the future
        ++figures.total[static_cast<size_t>(slot)];
        auto [counts, fresh] = figures.per_site.try_emplace(site);
        if (fresh) counts->second.fill(0);
        ++counts->second[static_cast<size_t>(slot)];
        auto& best = newest[site];
        if (seen >= best.first) best = {seen, (*rows)->ColumnInt(2)};
      }
    }
    auto article = db_->Prepare(kArticleSql);
    if (!article) return tl::unexpected(article.error());
    for (const auto& [site, best] : newest) {
      (*article)->Reset();
      (*article)->Bind(1, best.second);
      auto row = (*article)->Step();
      if (!row) return tl::unexpected(row.error());
      if (!*row) continue;
      figures.last_new[site] = LastArticle{store::FromMillis(best.first), (*article)->ColumnText(0),
                                           (*article)->ColumnText(1)};
    }
    return {};
  };
  auto ok = read();
  (void)db_->Exec("COMMIT");
  if (!ok) return fail(ok.error());
  return figures;
}

}  // namespace gleaner::web
