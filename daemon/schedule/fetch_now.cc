#include "daemon/schedule/fetch_now.h"

#include "daemon/store/timestamps.h"
#include "extractors/pipeline.h"

namespace gleaner::schedule {

fetch::FetchRequest RequestFor(const std::string& url, const rules::SiteRules* site) {
  fetch::FetchRequest request;
  request.url = url;
  if (site != nullptr) {
    request.site = site->id;
    request.accept_language = site->language;
    request.delay = site->delay;
  }
  return request;
}

Error FetchFailure(const fetch::FetchResult& r) {
  ErrorCode code = fetch::ErrorCodeFor(r.error_kind);
  switch (code) {
    case ErrorCode::kRobots:
      return {code, "refused by robots.txt: " + r.error};
    case ErrorCode::kHttpStatus:
      return {code, "HTTP error status: " + r.error};
    default:
      return {code, "network failure (" + std::string(fetch::ErrorKindName(r.error_kind)) +
                        "): " + r.error};
  }
}

Result<Article> ExtractFetched(const std::string& given_url, const fetch::FetchResult& r,
                               const rules::SiteSet& sites,
                               const std::optional<std::string>& site_id,
                               const ExtractLimits& limits) {
  PageInput page{r.body, given_url, r.content_type};
  ExtractOptions options;
  options.limits = DomLimitsFrom(limits);
  options.site_id = site_id;
  options.today = store::LatestPageDay(store::Now());
  auto article = ExtractPage(page, &sites, options);
  if (article && r.final_url != given_url) {
    article->warnings.push_back("redirected to " + r.final_url);
  }
  return article;
}

}  // namespace gleaner::schedule
