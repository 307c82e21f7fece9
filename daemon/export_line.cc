#include "daemon/export_line.h"

#include "extractors/core/article.h"

namespace gleaner::cli {

std::string ExportJsonLine(const store::StoredArticle& stored) {
  // ArticleToJson always prints an object.
  return *ExportJsonLine(ArticleToJson(stored.article), stored.first_seen, stored.updated);
}

Result<std::string> ExportJsonLine(std::string_view record_json, store::Time first_seen,
                                   store::Time updated) {
  if (record_json.size() < 2 || record_json.front() != '{' || record_json.back() != '}') {
    return Fail(ErrorCode::kDatabase, "a stored record is not a JSON object");
  }
  // Without its closing brace: the store's times follow the record's keys.
  std::string line(record_json.substr(0, record_json.size() - 1));
  if (line.size() > 1) line += ',';
  line.append("\"first_seen\":\"").append(store::FormatTime(first_seen));
  line.append("\",\"updated\":\"").append(store::FormatTime(updated)).append("\"}\n");
  return line;
}

}  // namespace gleaner::cli
