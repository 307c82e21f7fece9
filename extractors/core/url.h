// URLs: parsing, RFC 3986 reference resolution, and the one normalisation every stored
// URL goes through. Pure, thread-safe. (The page's rel=canonical is only a hint and is
// handled elsewhere; this is not it.)
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace gleaner {

// The longest URL gleaner parses, stores or fetches, in bytes. The sitemaps protocol caps
// its URLs at 2,048 characters and browsers and servers give up near 8 KB; 4 KiB keeps
// every real article URL while an endless generated one (a crawler trap, a link stuffed
// with a whole query string) is refused before it reaches the frontier or a request.
inline constexpr size_t kMaxUrlBytes = 4096;

struct UrlParts {
  std::string scheme;  // lower-case, e.g. "https"
  std::optional<std::string> userinfo;
  std::string host;                     // as written; IPv6 literals keep their brackets
  std::optional<std::string> port;      // digits, without ':'
  std::string path;                     // may be empty
  std::optional<std::string> query;     // without '?'
  std::optional<std::string> fragment;  // without '#'
  // False for URLs written without "//" (mailto:, urn:, javascript:): host, userinfo and
  // port are then empty and FormatUrl writes "scheme:path".
  bool has_authority = true;
};

// Splits an absolute URL (scheme required; "http", "https" and others). Surrounding white
// space is ignored. Returns nullopt for a relative reference, an unparsable string, or one
// longer than kMaxUrlBytes.
std::optional<UrlParts> ParseUrl(std::string_view url);

// Writes the parts back ("scheme://[userinfo@]host[:port]path[?query][#fragment]"; without
// "//" when !has_authority).
std::string FormatUrl(const UrlParts& parts);

// Resolves `reference` against the absolute URL `base` (RFC 3986 section 5.2, dot segments
// removed). An absolute reference is returned normalised only in its dot segments. When
// `base` is not absolute, `reference` is returned trimmed, as written. Like a browser, both
// drop tabs and line breaks inside (a wrapped href attribute). Never fails, and does not
// cap the length: a result over kMaxUrlBytes is returned as is so that the caller can count
// it, and ParseUrl and NormalizeUrl refuse it.
std::string ResolveUrl(std::string_view base, std::string_view reference);

// The identity of a page for storage: lower-case scheme and host, default port (80/443)
// dropped, empty path becomes "/", dot segments removed, fragment removed, tracking
// parameters dropped (utm_*, fbclid, gclid, dclid, msclkid, mc_cid, mc_eid, _ga, igshid,
// yclid ...), percent-encoding normalised (hex upper-case; unreserved characters decoded),
// remaining query parameters kept in their order. Returns nullopt for a URL that is not
// absolute http(s), or that is longer than kMaxUrlBytes (before or after normalisation).
std::optional<std::string> NormalizeUrl(std::string_view url);

}  // namespace gleaner
