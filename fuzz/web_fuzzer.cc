// Fuzzes what the web server renders from text that came from the web: the metrics
// exposition and the status page. The input is split at NUL bytes into a site name, an
// article title, its URL, an error message and a broken-rule key (missing pieces are
// empty). Besides crashes, it checks the properties the escaping promises: escaped page
// text holds no markup character and is valid UTF-8, and a label value is valid UTF-8 with
// no raw newline and every double quote escaped.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/web/metrics_text.h"
#include "daemon/web/status_page.h"
#include "extractors/core/utf8.h"

namespace {

void Fail(const char* what, std::string_view text) {
  std::fprintf(stderr, "%s: %.*s\n", what, static_cast<int>(text.size()), text.data());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gleaner;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> parts;
  for (size_t start = 0; parts.size() < 5;) {
    size_t end = input.find('\0', start);
    parts.emplace_back(input.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  parts.resize(5);

  std::string escaped = web::EscapeHostile(parts[1]);
  if (escaped.find_first_of("<>\"'") != std::string::npos) Fail("markup survived", escaped);
  if (!IsValidUtf8(escaped)) Fail("page text is not UTF-8", escaped);
  std::string label = web::EscapeLabelValue(parts[4]);
  if (!IsValidUtf8(label) || label.find('\n') != std::string::npos) Fail("bad label value", label);
  for (size_t i = 0; i < label.size(); ++i) {
    if (label[i] != '"') continue;
    size_t slashes = 0;
    while (slashes < i && label[i - 1 - slashes] == '\\') ++slashes;
    if (slashes % 2 == 0) Fail("unescaped quote in a label value", label);
  }

  const store::Time now = store::FromMillis(1'800'000'000'000);
  web::Snapshot snapshot;
  snapshot.taken = now;
  snapshot.started = now;
  web::SiteView site;
  site.id = "site";
  site.name = parts[0];
  site.health.broken_rules[parts[4]] = 1;
  site.health.errors_by_kind[parts[3]] = 1;
  site.state = web::SiteState::kRulesBroken;
  snapshot.sites.push_back(site);
  snapshot.errors.push_back({now, parts[0], parts[2], parts[3]});
  web::DbFigures db;
  db.last_new["site"] = web::LastArticle{now, parts[1], parts[2]};
  (void)web::RenderMetrics(snapshot, &db);
  (void)web::RenderStatusPage(snapshot, &db, now);
  return 0;
}
