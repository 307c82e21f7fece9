// The URL side of a drafted site file: the `urls` pattern that scopes the site to the
// samples' host (and edition), the `articles` pattern that generalises the samples' path
// shapes (dates, numeric ids, slugs), and the id drafted from the host. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "extractors/core/result.h"
#include "extractors/core/url.h"

namespace gleaner::suggest {

struct UrlScope {
  std::string host;  // lower-case, without a leading "www.", with ":port" when one is given
  std::optional<std::string> edition;  // the first path segment every sample shares, when
                                       // it reads as an edition ("fr")
  std::string pattern;                 // the `urls` regex
};

// The scope of `urls` (one per sample, `labels` naming them for messages). Returns
// kNoArticle naming the first sample whose host differs from the first sample's (samples
// of different sites).
Result<UrlScope> ScopeOf(const std::vector<UrlParts>& urls, const std::vector<std::string>& labels);

// A regex matching every URL of `urls` and others of the same shapes: each path segment
// becomes its class (a year, a number, a slug; a shared first segment stays literal), query
// values become their class, a trailing slash is optional. Several shapes give an
// alternation. Anchored at both ends.
std::string ArticlesPattern(const std::vector<UrlParts>& urls, const UrlScope& scope);

// A site id from the scope: the host's name without "www." and its public suffix
// ("maghress.com" -> "maghress"), then "-<edition>"; only [a-z0-9_-].
std::string DraftId(const UrlScope& scope);

// `host` lower-cased, without a leading "www.": two hosts are one site's when these agree.
std::string BareHost(std::string_view host);

// `text` with PCRE2's special characters escaped.
std::string RegexEscape(std::string_view text);

}  // namespace gleaner::suggest
