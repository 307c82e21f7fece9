// The fetcher seam: one request in, one FetchResult out, asynchronously, on the caller's
// thread. The daemon and `gleaner fetch` use CurlFetcher (curl_fetcher.h); tests of later
// components use FakeFetcher (fake_fetcher.h).
//
// Every implementation must: never request a URL robots.txt disallows, space requests to a
// host (politeness), cap every input (size, time, redirects, schemes, content types), and
// report failures as values (FetchErrorKind + message), never as exceptions.
// It must not parse pages (that is extractors/) nor store anything (that is daemon/store/).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "extractors/core/result.h"

namespace gleaner::fetch {

// FetchResult::head's cap: far above any real response's headers.
inline constexpr size_t kMaxHeadBytes = 64u << 10;

// Why a fetch failed. The fine kinds (kConnectTimeout, kStalled, kHostPaused) collapse to
// the contract's names (ErrorKindName) for `gleaner fetch --raw`.
enum class FetchErrorKind {
  kNone,
  kConnect,           // DNS failure, refused connection, TLS handshake failure
  kConnectTimeout,    // no connection within connect_timeout
  kTimeout,           // the whole transfer took longer than the total timeout
  kStalled,           // below the low-speed limit for stall_timeout
  kReset,             // reset, closed before the body was complete, corrupt encoding
  kTooLarge,          // body over the size cap (counted after decompression)
  kTooManyRedirects,  // over max_redirects, or a redirect loop
  kScheme,            // not http/https (as given or as a redirect target)
  kContentType,       // not HTML or an XML feed (by Content-Type or by the body's magic)
  kRobots,            // disallowed by robots.txt: never requested
  kHttpStatus,        // an HTTP error status (4xx, or 5xx/429 after the retries)
  kHostPaused,        // the host's circuit breaker is open, or its Retry-After is too far
  // Every address the host resolved to is loopback, private or otherwise special and not in
  // fetch.allow_networks (address_guard.h): refused before connecting. Permanent until the
  // configuration changes, so never retried and not counted against the host's breaker.
  kBlockedAddress,
};

// The contract's `error_kind` string (docs/CONTRACT.md "gleaner fetch --raw"), or "" for kNone.
std::string_view ErrorKindName(FetchErrorKind kind);

// The CLI exit-code class of a failure: kRobots -> kRobots (7), kHttpStatus -> kHttpStatus
// (6), every other failure -> kNetwork (5). REQUIRES: kind != kNone.
ErrorCode ErrorCodeFor(FetchErrorKind kind);

// What a request may bring back.
enum class AcceptContent {
  kPages,  // HTML, XHTML and XML feeds/sitemaps; anything else fails with kContentType
  kAny,    // whatever the server sends (robots.txt, diagnostics)
};

struct FetchRequest {
  std::string url;   // absolute http(s) URL
  std::string site;  // site id, for logs only; may be empty
  // Validators from a previous fetch: sent as If-None-Match / If-Modified-Since.
  std::optional<std::string> etag;
  std::optional<std::string> last_modified;
  // The site's language ("fr", "ar"): sent as Accept-Language. Empty: header not sent.
  std::string accept_language;
  // The site's minimum delay between requests to its host; nullopt: the fetcher's default.
  std::optional<std::chrono::milliseconds> delay;
  AcceptContent accept = AcceptContent::kPages;
};

struct FetchResult {
  std::string url;        // as requested
  std::string final_url;  // after redirects (== url without them)
  int status = 0;         // the last HTTP status received; 0 when none was
  // The headers we use, from the last response, when present.
  std::optional<std::string> content_type;
  std::optional<std::string> etag;
  std::optional<std::string> last_modified;
  std::optional<std::string> retry_after;
  std::string body;  // decoded (gzip/deflate/br removed); empty on a 304
  // The last response's status line and header lines as received, each ending "\r\n"
  // (HTTP/2 responses in libcurl's HTTP/1-style rendering), without the blank line that
  // ends them; at most kMaxHeadBytes. For the page archive. Empty when none came.
  std::string head;
  FetchErrorKind error_kind = FetchErrorKind::kNone;
  std::string error;                      // what went wrong, naming the URL; empty on success
  int attempts = 0;                       // requests made for the last hop (1 + retries)
  int redirects = 0;                      // redirects followed
  std::chrono::milliseconds elapsed{0};   // from Submit to completion, waits included
  std::chrono::milliseconds transfer{0};  // time spent in transfers (all hops and tries)
  // How long until the host takes requests again (the end of its Retry-After pause or of
  // its circuit breaker's rest). Always set with kHostPaused: the request was never sent,
  // so a caller should defer it to then rather than count a failed try. Set with another
  // failure when the host is paused after it (a 503 whose Retry-After is longer than the
  // fetcher waits, the failure that opened the breaker): the next try is pointless sooner.
  std::optional<std::chrono::milliseconds> retry_in;

  bool ok() const { return error_kind == FetchErrorKind::kNone; }
  // A conditional request answered "304 Not Modified": a success without a body.
  bool not_modified() const { return ok() && status == 304; }
};

// How much work a host may be given now. The crawler asks before it takes a host's work
// from the frontier, so that requests never pile up inside the fetcher behind a slow,
// paused or polite host while other hosts wait.
struct HostRoom {
  // Requests that may be submitted for the host now: they start at once or after the
  // host's spacing, never behind more than `per_host_connections` requests of its own.
  int requests = 0;
  // When `requests` is 0: how long until the host can take one. Zero means "when one of
  // its requests completes" (all its slots are taken).
  std::chrono::milliseconds wait{0};
  // The host refuses work for `wait`: a Retry-After pause or an open circuit breaker.
  bool paused = false;
};

// A host that refuses work for now, for `gleaner status`.
struct HostPause {
  std::string host;
  std::chrono::milliseconds remaining{0};
  std::string reason;  // "Retry-After" or "circuit breaker"
};

// An asynchronous fetcher driven by its owner's loop. Not thread-safe except Wakeup():
// Submit, Poll, Pending, Sitemaps, RoomFor and PausedHosts must be called from one thread.
class Fetcher {
 public:
  // Receives the outcome of one request. Called from inside Poll(), on the polling thread,
  // exactly once per submitted request; it may Submit() more requests.
  using Callback = std::function<void(FetchResult&&)>;

  virtual ~Fetcher() = default;

  // Queues a request. Never calls `done` from inside Submit (even for an invalid URL, whose
  // failure is delivered by the next Poll).
  virtual void Submit(FetchRequest request, Callback done) = 0;

  // Runs transfers for up to `max_wait`, returning early once at least one request has
  // completed; runs the callbacks of completed requests. Returns how many completed.
  // REQUIRES: not called from inside a callback (nor is FetchOne).
  virtual size_t Poll(std::chrono::milliseconds max_wait) = 0;

  // Requests submitted and not yet completed.
  virtual size_t Pending() const = 0;

  // Makes a Poll() blocked in another thread return early. Thread-safe.
  virtual void Wakeup() = 0;

  // The `Sitemap:` URLs of the cached robots.txt of `url`'s origin (empty when none or not
  // fetched yet), for discovery.
  virtual std::vector<std::string> Sitemaps(std::string_view url) const = 0;

  // How much the host of `url` may be given now (see HostRoom). An unparsable URL gets
  // room for one request (its failure is reported through Submit).
  virtual HostRoom RoomFor(std::string_view url) const = 0;

  // Hosts that refuse work now (Retry-After, circuit breaker), longest pause first.
  virtual std::vector<HostPause> PausedHosts() const = 0;
};

// Submits `request` and polls `fetcher` until it has completed. Other requests already
// pending complete too (their callbacks run). Returns the request's result.
FetchResult FetchOne(Fetcher& fetcher, FetchRequest request);

}  // namespace gleaner::fetch
