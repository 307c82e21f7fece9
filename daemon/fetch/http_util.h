// Small HTTP decisions the fetcher makes, kept apart so they can be tested without a
// network: which content types we parse, whether a body is binary despite its label,
// Retry-After values, backoff delays, and the host/origin keys of a URL.
// Pure except ParseRetryAfter's use of libcurl's date parser (no I/O). Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gleaner::fetch {

// Whether a Content-Type names something the extractors parse: HTML, XHTML, XML and XML
// feeds (any "+xml"). Parameters (charset) are ignored. A missing or empty type is accepted
// (the body is sniffed instead).
bool IsPageContentType(std::string_view content_type);

// How many leading body bytes are sniffed for binary content.
inline constexpr size_t kSniffBytes = 512;

// Names the binary format `prefix` starts with ("image/png", "application/pdf", ...), or
// "application/octet-stream" for NUL bytes in a body without a UTF-16 byte-order mark;
// nullopt when it may be text. Looks at most kSniffBytes bytes.
std::optional<std::string_view> SniffBinary(std::string_view prefix);

// Parses a Retry-After value: delay-seconds ("120") or an HTTP-date, relative to `now`.
// A date in the past gives 0. Returns nullopt when malformed.
std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value,
                                                         std::chrono::system_clock::time_point now);

// The wait before retry number `retry` (1-based): `base` doubled each retry, capped at
// `max`, then "equal jitter": a uniform draw in [delay/2, delay] from `unit` in [0, 1).
std::chrono::milliseconds BackoffDelay(int retry, std::chrono::milliseconds base,
                                       std::chrono::milliseconds max, double unit);

// Where a URL goes, for politeness (per host) and robots.txt (per origin).
struct UrlTarget {
  std::string scheme;          // "http" or "https" (lower-case)
  std::string host;            // lower-case
  std::string origin;          // "scheme://host[:port]", port only when not the default
  std::string path_and_query;  // "/a?b", never empty
};

// Splits an absolute URL. Returns nullopt when it is not absolute or not http(s).
std::optional<UrlTarget> TargetOf(std::string_view url);

// The scheme of an absolute URL ("file", "ftp"), lower-case, or "" when there is none.
std::string SchemeOf(std::string_view url);

}  // namespace gleaner::fetch
