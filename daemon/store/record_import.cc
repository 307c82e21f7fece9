#include "daemon/store/record_import.h"

#include <nlohmann/json.hpp>
#include <string>

#include "extractors/core/article.h"

namespace gleaner::store {
namespace {

// One record's text and where it starts.
struct RawRecord {
  std::string text;
  int line = 0;
};

// Splits a stream into records: a line that is exactly "{" opens a pretty-printed record that
// a line exactly "}" closes; any other non-blank line is a record of its own.
class RecordReader {
 public:
  explicit RecordReader(std::istream& in) : in_(in) {}

  bool Next(RawRecord& record) {
    std::string line;
    while (std::getline(in_, line)) {
      ++line_number_;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.find_first_not_of(" \t") == std::string::npos) continue;
      record = RawRecord{line, line_number_};
      if (line != "{") return true;
      while (std::getline(in_, line)) {
        ++line_number_;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        record.text += '\n';
        record.text += line;
        if (line == "}") break;
      }
      return true;
    }
    return false;
  }

 private:
  std::istream& in_;
  int line_number_ = 0;
};

// `gleaner extract`'s report of a page that failed: {"file", "error", "exit"}.
bool IsExtractFailure(const std::string& text) {
  if (text.find("\"error\"") == std::string::npos) return false;
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_object() && j.contains("error") && j.contains("file") && !j.contains("extractor");
}

// Stores what the batch holds and adds the outcome to `counts`; the batch is emptied.
Result<void> Flush(Store& store, WriteBatch& batch, ImportCounts& counts) {
  auto summary = store.Write(batch, Now());
  batch.Clear();
  if (!summary) return tl::unexpected(summary.error());
  counts.added += summary->articles_new;
  counts.updated += summary->articles_updated;
  counts.unchanged += summary->articles_unchanged;
  return {};
}

}  // namespace

Result<ImportCounts> ImportRecords(Store& store, std::istream& in, const BadRecordFn& on_bad) {
  ImportCounts counts;
  WriteBatch batch;
  RecordReader reader(in);
  RawRecord raw;
  while (reader.Next(raw)) {
    ++counts.records;
    if (IsExtractFailure(raw.text)) {
      ++counts.skipped;
      continue;
    }
    auto article = ArticleFromJson(raw.text);
    Result<void> added = article ? batch.PutArticle(std::move(*article))
                                 : Result<void>(tl::unexpected(article.error()));
    if (!added) {
      ++counts.bad;
      on_bad(raw.line, added.error());
    }
    if (batch.size() >= kRecordsPerBatch) {
      if (auto ok = Flush(store, batch, counts); !ok) return tl::unexpected(ok.error());
    }
  }
  if (auto ok = Flush(store, batch, counts); !ok) return tl::unexpected(ok.error());
  return counts;
}

}  // namespace gleaner::store
