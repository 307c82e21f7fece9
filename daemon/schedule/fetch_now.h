// One URL fetched now, outside the crawl (`gleaner fetch`): the request its site shapes,
// the error a failed fetch is reported as, and the extraction of the page received. No
// I/O: the caller fetches (fetcher.h) and prints.
#pragma once

#include <optional>
#include <string>

#include "daemon/fetch/fetcher.h"
#include "daemon/settings/config.h"
#include "extractors/core/article.h"
#include "extractors/core/result.h"
#include "extractors/rules/site_rules.h"

namespace gleaner::schedule {

// The request for `url`: with `site` (may be null), the site's id, language and delay.
fetch::FetchRequest RequestFor(const std::string& url, const rules::SiteRules* site);

// The error a failed fetch is reported as: the code of its kind (fetch::ErrorCodeFor), and
// a message saying the failure's class first, then the fetcher's detail.
// REQUIRES: !result.ok().
Error FetchFailure(const fetch::FetchResult& result);

// Extracts the page fetched from `given_url` with `sites` (forced to `site_id` when given).
// The record's URL is the URL given (docs/CONTRACT.md "The article record"), and a redirect
// is noted in its warnings. Errors as ExtractPage's (kNoArticle, kUsage for an unknown
// site id).
Result<Article> ExtractFetched(const std::string& given_url, const fetch::FetchResult& result,
                               const rules::SiteSet& sites,
                               const std::optional<std::string>& site_id,
                               const ExtractLimits& limits);

}  // namespace gleaner::schedule
