#include "daemon/store/article_rows.h"

#include <bit>
#include <cinttypes>
#include <cstdio>
#include <cstring>

namespace gleaner::store {
namespace {

// MurmurHash64A (Austin Appleby, public domain): 8 bytes a step, several times faster than
// a byte-at-a-time hash on 4 KB bodies, which matters when storing thousands a second. The
// seed and algorithm are part of the database format: changing them would make every stored
// article look changed and queue it again.
constexpr uint64_t kSeed = 0x676c6e72676c6e72ull;
constexpr uint64_t kMultiplier = 0xc6a4a7935bd1e995ull;
constexpr int kShift = 47;
static_assert(std::endian::native == std::endian::little,
              "stored hashes assume little-endian word reads");

uint64_t Mix(uint64_t k) {
  k *= kMultiplier;
  k ^= k >> kShift;
  return k * kMultiplier;
}

uint64_t Murmur64(uint64_t seed, std::string_view bytes) {
  uint64_t h = seed ^ (bytes.size() * kMultiplier);
  size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    uint64_t k;
    std::memcpy(&k, bytes.data() + i, 8);
    h ^= Mix(k);
    h *= kMultiplier;
  }
  size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint64_t tail = 0;
    for (size_t j = 0; j < rest; ++j) {
      tail |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[i + j])) << (8 * j);
    }
    h ^= tail;
    h *= kMultiplier;
  }
  h ^= h >> kShift;
  h *= kMultiplier;
  h ^= h >> kShift;
  return h;
}

// Chained over fields: a null field and an empty one hash differently, and the length in
// Murmur64's seed keeps ("ab", "c") apart from ("a", "bc").
uint64_t HashField(uint64_t hash, const std::optional<std::string>& field) {
  return field ? Murmur64(hash, *field) : Mix(hash ^ 0x6e756c6cull);
}

std::string Hex(uint64_t value) {
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016" PRIx64, value);
  return buffer;
}

Error RowError(const Error& error, int64_t id, const std::string& db_path) {
  return Error{ErrorCode::kDatabase,
               "database " + db_path + ": article " + std::to_string(id) + ": " + error.message};
}

}  // namespace

std::string ContentHash(std::string_view bytes) { return Hex(Murmur64(kSeed, bytes)); }

std::string ArticleContentHash(const Article& article) {
  return Hex(HashField(HashField(kSeed, article.title), article.body));
}

Result<StoredArticle> ReadArticleRow(const Statement& row, int first, const std::string& db_path) {
  StoredArticle stored;
  int c = first;
  stored.id = row.ColumnInt(c++);
  stored.url_key = row.ColumnText(c++);
  Article& a = stored.article;
  a.url = row.ColumnText(c++);
  a.site = row.ColumnOptionalText(c++);
  a.extractor = row.ColumnText(c++);
  for (std::optional<std::string>* field :
       {&a.title, &a.author, &a.published, &a.source, &a.source_url, &a.language, &a.body}) {
    *field = row.ColumnOptionalText(c++);
  }
  auto related = LinksFromColumn(row.ColumnText(c++));
  if (!related) return tl::unexpected(RowError(related.error(), stored.id, db_path));
  a.related = std::move(*related);
  auto ticker = LinksFromColumn(row.ColumnText(c++));
  if (!ticker) return tl::unexpected(RowError(ticker.error(), stored.id, db_path));
  a.ticker = std::move(*ticker);
  auto warnings = StringsFromColumn(row.ColumnText(c++));
  if (!warnings) return tl::unexpected(RowError(warnings.error(), stored.id, db_path));
  a.warnings = std::move(*warnings);
  stored.content_hash = row.ColumnText(c++);
  stored.first_seen = FromMillis(row.ColumnInt(c++));
  stored.updated = FromMillis(row.ColumnInt(c++));
  return stored;
}

}  // namespace gleaner::store
