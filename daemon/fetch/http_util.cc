#include "daemon/fetch/http_util.h"

#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "extractors/core/ascii.h"
#include "extractors/core/url.h"

namespace gleaner::fetch {
namespace {

// Media types the extractors parse besides any "+xml" type.
constexpr std::array<std::string_view, 4> kPageTypes = {"text/html", "application/xhtml+xml",
                                                        "application/xml", "text/xml"};

struct Magic {
  std::string_view prefix;
  std::string_view type;
};
// Leading bytes of formats sites mislabel as text/html most often (images behind an HTML
// route, PDFs, archives). A gzip member here means the body was compressed twice or is a
// .gz file: either way not a page.
constexpr std::array<Magic, 9> kMagics = {{
    {"\x89PNG\r\n\x1a\n", "image/png"},
    {"\xFF\xD8\xFF", "image/jpeg"},
    {"GIF87a", "image/gif"},
    {"GIF89a", "image/gif"},
    {"%PDF-", "application/pdf"},
    {"PK\x03\x04", "application/zip"},
    {"\x1F\x8B", "application/gzip"},
    {"OggS", "audio/ogg"},
    {std::string_view("\x00\x00\x01\x00", 4), "image/x-icon"},
}};

}  // namespace

bool IsPageContentType(std::string_view content_type) {
  std::string_view media = TrimHttpSpace(content_type.substr(0, content_type.find(';')));
  if (media.empty()) return true;
  std::string lower(media);
  for (char& c : lower) c = AsciiLower(c);
  if (std::find(kPageTypes.begin(), kPageTypes.end(), lower) != kPageTypes.end()) return true;
  return lower.size() > 4 && lower.compare(lower.size() - 4, 4, "+xml") == 0;
}

std::optional<std::string_view> SniffBinary(std::string_view prefix) {
  prefix = prefix.substr(0, kSniffBytes);
  for (const Magic& m : kMagics) {
    if (prefix.substr(0, m.prefix.size()) == m.prefix) return m.type;
  }
  if (prefix.size() >= 12 && prefix.substr(0, 4) == "RIFF" && prefix.substr(8, 4) == "WEBP") {
    return "image/webp";
  }
  if (prefix.size() >= 8 && prefix.substr(4, 4) == "ftyp") return "video/mp4";
  bool utf16 = prefix.substr(0, 2) == "\xFF\xFE" || prefix.substr(0, 2) == "\xFE\xFF";
  if (!utf16 && prefix.find('\0') != std::string_view::npos) return "application/octet-stream";
  return std::nullopt;
}

std::optional<std::chrono::milliseconds> ParseRetryAfter(
    std::string_view value, std::chrono::system_clock::time_point now) {
  // Ten years: callers clamp long waits anyway; this only keeps the arithmetic far from
  // overflow for absurd values.
  constexpr int64_t kMaxSeconds = 10LL * 365 * 86400;
  value = TrimHttpSpace(value);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    int64_t seconds = 0;
    for (char c : value) {
      seconds = seconds * 10 + (c - '0');
      if (seconds > kMaxSeconds) seconds = kMaxSeconds;
    }
    return std::chrono::seconds(seconds);
  }
  std::string text(value);
  time_t when = curl_getdate(text.c_str(), nullptr);
  if (when == -1) return std::nullopt;
  auto delta = std::chrono::system_clock::from_time_t(when) - now;
  if (delta <= std::chrono::system_clock::duration::zero()) return std::chrono::milliseconds(0);
  return std::chrono::ceil<std::chrono::milliseconds>(delta);
}

std::chrono::milliseconds BackoffDelay(int retry, std::chrono::milliseconds base,
                                       std::chrono::milliseconds max, double unit) {
  int64_t delay = base.count();
  for (int i = 1; i < retry && delay < max.count(); ++i) delay *= 2;
  delay = std::min(delay, max.count());
  unit = std::clamp(unit, 0.0, 1.0);
  double half = static_cast<double>(delay) / 2.0;
  return std::chrono::milliseconds(static_cast<int64_t>(std::llround(half + half * unit)));
}

std::optional<UrlTarget> TargetOf(std::string_view url) {
  std::optional<UrlParts> parts = ParseUrl(url);
  if (!parts || (parts->scheme != "http" && parts->scheme != "https")) return std::nullopt;
  if (parts->host.empty()) return std::nullopt;
  UrlTarget t;
  t.scheme = parts->scheme;
  t.host = parts->host;
  for (char& c : t.host) c = AsciiLower(c);
  t.origin = t.scheme + "://" + t.host;
  const char* default_port = t.scheme == "http" ? "80" : "443";
  if (parts->port && !parts->port->empty() && *parts->port != default_port) {
    t.origin += ":" + *parts->port;
  }
  t.path_and_query = parts->path.empty() ? "/" : parts->path;
  if (parts->query) t.path_and_query += "?" + *parts->query;
  return t;
}

std::string SchemeOf(std::string_view url) {
  std::optional<UrlParts> parts = ParseUrl(url);
  return parts ? parts->scheme : std::string();
}

}  // namespace gleaner::fetch
