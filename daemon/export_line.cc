#include "daemon/export_line.h"

#include "extractors/core/article.h"

namespace gleaner::cli {

std::string ExportJsonLine(const store::StoredArticle& stored) {
  std::string line = ArticleToJson(stored.article);
  line.pop_back();  // the closing brace: the store's times follow the record's keys
  line.append(",\"first_seen\":\"").append(store::FormatTime(stored.first_seen));
  line.append("\",\"updated\":\"").append(store::FormatTime(stored.updated)).append("\"}\n");
  return line;
}

}  // namespace gleaner::cli
