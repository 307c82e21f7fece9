// RFC 3986 URL handling: the generic split of Appendix B, reference resolution (5.2), and
// the syntax-based normalisation of 6.2.2 plus tracking-parameter removal for NormalizeUrl.
#include "extractors/core/url.h"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "extractors/core/ascii.h"

namespace gleaner {
namespace {

// Query parameters that only say where a click came from, never which article it is:
// dropped by NormalizeUrl so that one article shared on several channels is stored once.
// Keys are compared lower-cased, after percent-decoding of unreserved characters.
constexpr std::array<std::string_view, 24> kTrackingParams = {
    "fbclid",      "gclid",      "dclid",     "gbraid",   "wbraid", "msclkid",
    "mc_cid",      "mc_eid",     "_ga",       "_gl",      "igshid", "yclid",
    "twclid",      "ttclid",     "li_fat_id", "mkt_tok",  "_hsenc", "_hsmi",
    "oly_anon_id", "oly_enc_id", "vero_id",   "wickedid", "s_cid",  "at_medium"};
// Every parameter starting with this is a campaign tag (utm_source, utm_medium, ...).
constexpr std::string_view kTrackingPrefix = "utm_";

// A URI reference split per RFC 3986 Appendix B; absent parts are nullopt so that "?" with
// an empty query and no "?" at all stay different, as the resolution algorithm requires.
struct Reference {
  std::optional<std::string> scheme;
  std::optional<std::string> authority;
  std::string path;
  std::optional<std::string> query;
  std::optional<std::string> fragment;
};

bool IsValidScheme(std::string_view s) {
  if (s.empty() || !IsAsciiAlpha(s[0])) return false;
  for (char c : s) {
    if (!IsAsciiAlpha(c) && !IsAsciiDigit(c) && c != '+' && c != '-' && c != '.') return false;
  }
  return true;
}

// What a browser does with an href before parsing it: surrounding spaces and control
// characters go, and tabs/newlines inside (a wrapped attribute) are dropped.
std::string Clean(std::string_view raw) {
  size_t begin = 0;
  size_t end = raw.size();
  while (begin < end && static_cast<unsigned char>(raw[begin]) <= 0x20) ++begin;
  while (end > begin && static_cast<unsigned char>(raw[end - 1]) <= 0x20) --end;
  std::string out;
  out.reserve(end - begin);
  for (size_t i = begin; i < end; ++i) {
    if (raw[i] != '\t' && raw[i] != '\n' && raw[i] != '\r') out += raw[i];
  }
  return out;
}

// RFC 3986 Appendix B: ^(([^:/?#]+):)?(//([^/?#]*))?([^?#]*)(\?([^#]*))?(#(.*))?
// A "scheme" that is not a valid one ("1a:b", "a b:c") makes the whole string relative.
Reference Split(std::string_view s) {
  Reference ref;
  size_t colon = s.find_first_of(":/?#");
  if (colon != std::string_view::npos && s[colon] == ':' && IsValidScheme(s.substr(0, colon))) {
    ref.scheme = AsciiLower(s.substr(0, colon));
    s.remove_prefix(colon + 1);
  }
  if (s.substr(0, 2) == "//") {
    s.remove_prefix(2);
    size_t end = s.find_first_of("/?#");
    ref.authority = std::string(s.substr(0, end));
    s.remove_prefix(end == std::string_view::npos ? s.size() : end);
  }
  size_t hash = s.find('#');
  if (hash != std::string_view::npos) {
    ref.fragment = std::string(s.substr(hash + 1));
    s = s.substr(0, hash);
  }
  size_t question = s.find('?');
  if (question != std::string_view::npos) {
    ref.query = std::string(s.substr(question + 1));
    s = s.substr(0, question);
  }
  ref.path = std::string(s);
  return ref;
}

// RFC 3986 5.3.
std::string Recompose(const Reference& ref) {
  std::string out;
  if (ref.scheme) out += *ref.scheme + ":";
  if (ref.authority) out += "//" + *ref.authority;
  out += ref.path;
  if (ref.query) out += "?" + *ref.query;
  if (ref.fragment) out += "#" + *ref.fragment;
  return out;
}

// RFC 3986 5.2.4, written over whole segments: each step of the RFC's loop either copies
// one segment to the output or drops the last one, so this is linear in the path length.
std::string RemoveDotSegments(std::string_view path) {
  std::string out;
  out.reserve(path.size());
  while (!path.empty()) {
    if (path.substr(0, 3) == "../") {
      path.remove_prefix(3);
    } else if (path.substr(0, 2) == "./") {
      path.remove_prefix(2);
    } else if (path.substr(0, 3) == "/./") {
      path.remove_prefix(2);
    } else if (path == "/.") {
      path = "/";
    } else if (path.substr(0, 4) == "/../" || path == "/..") {
      path = path.size() == 3 ? std::string_view("/") : path.substr(3);
      size_t last = out.rfind('/');
      out.resize(last == std::string::npos ? 0 : last);
    } else if (path == "." || path == "..") {
      path = {};
    } else {
      size_t next = path.find('/', 1);
      if (next == std::string_view::npos) next = path.size();
      out.append(path.substr(0, next));
      path.remove_prefix(next);
    }
  }
  return out;
}

// RFC 3986 5.2.3.
std::string MergePaths(const Reference& base, std::string_view ref_path) {
  if (base.authority && base.path.empty()) return "/" + std::string(ref_path);
  size_t slash = base.path.rfind('/');
  if (slash == std::string::npos) return std::string(ref_path);
  return base.path.substr(0, slash + 1) + std::string(ref_path);
}

// RFC 3986 5.2.2 (strict: a reference with a scheme is always absolute).
Reference Resolve(const Reference& base, const Reference& ref) {
  Reference target;
  target.fragment = ref.fragment;
  if (ref.scheme) {
    target.scheme = ref.scheme;
    target.authority = ref.authority;
    target.path = RemoveDotSegments(ref.path);
    target.query = ref.query;
    return target;
  }
  target.scheme = base.scheme;
  if (ref.authority) {
    target.authority = ref.authority;
    target.path = RemoveDotSegments(ref.path);
    target.query = ref.query;
    return target;
  }
  target.authority = base.authority;
  if (ref.path.empty()) {
    target.path = base.path;
    target.query = ref.query ? ref.query : base.query;
  } else {
    target.path = RemoveDotSegments(ref.path[0] == '/' ? ref.path : MergePaths(base, ref.path));
    target.query = ref.query;
  }
  return target;
}

// Splits "userinfo@host:port" into `parts`; false when the port is not digits or an IPv6
// literal is not closed.
bool SplitAuthority(std::string_view authority, UrlParts& parts) {
  size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    parts.userinfo = std::string(authority.substr(0, at));
    authority.remove_prefix(at + 1);
  }
  size_t host_end = 0;
  if (!authority.empty() && authority[0] == '[') {
    host_end = authority.find(']');
    if (host_end == std::string_view::npos) return false;
    ++host_end;
  } else {
    host_end = std::min(authority.find(':'), authority.size());
  }
  parts.host = std::string(authority.substr(0, host_end));
  std::string_view rest = authority.substr(host_end);
  if (rest.empty()) return true;
  if (rest[0] != ':') return false;
  rest.remove_prefix(1);
  for (char c : rest) {
    if (!IsAsciiDigit(c)) return false;
  }
  parts.port = std::string(rest);
  return true;
}

bool IsUnreserved(unsigned char c) {
  return IsAsciiAlpha(static_cast<char>(c)) || IsAsciiDigit(static_cast<char>(c)) || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

// Bytes a URL cannot carry literally (RFC 3986 allows none of them anywhere): controls,
// space, non-ASCII, and the characters RFC 1738 called unsafe.
bool MustEscape(unsigned char c) {
  if (c <= 0x20 || c >= 0x7F) return true;
  return std::string_view("\"<>\\^`{|}").find(static_cast<char>(c)) != std::string_view::npos;
}

int HexValue(char c) {
  if (IsAsciiDigit(c)) return c - '0';
  c = AsciiLower(c);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

void AppendEscaped(std::string& out, unsigned char c) {
  constexpr std::string_view kHex = "0123456789ABCDEF";
  out += '%';
  out += kHex[c >> 4];
  out += kHex[c & 0xF];
}

// RFC 3986 6.2.2.2 plus escaping of what cannot appear literally: escapes of unreserved
// characters are decoded (%7e -> ~), other escapes get upper-case hex (%2f -> %2F), a
// stray '%' becomes %25, and non-ASCII or unsafe bytes are escaped. Idempotent.
std::string NormalizePercentEncoding(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '%') {
      int hi = i + 2 < s.size() ? HexValue(s[i + 1]) : -1;
      int lo = hi >= 0 ? HexValue(s[i + 2]) : -1;
      if (lo < 0) {
        out += "%25";
        continue;
      }
      auto decoded = static_cast<unsigned char>(hi * 16 + lo);
      if (IsUnreserved(decoded)) {
        out += static_cast<char>(decoded);
      } else {
        AppendEscaped(out, decoded);
      }
      i += 2;
    } else if (MustEscape(c)) {
      AppendEscaped(out, c);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

bool IsTrackingParam(std::string_view param) {
  std::string key = AsciiLower(param.substr(0, param.find('=')));
  if (key.rfind(kTrackingPrefix, 0) == 0) return true;
  for (std::string_view tracking : kTrackingParams) {
    if (key == tracking) return true;
  }
  return false;
}

// Keeps the non-tracking, non-empty parameters of an already percent-normalised query in
// their order; nullopt when none is left (so "?" disappears too).
std::optional<std::string> FilterQuery(std::string_view query) {
  std::string out;
  while (true) {
    size_t amp = query.find('&');
    std::string_view param = query.substr(0, amp);
    if (!param.empty() && !IsTrackingParam(param)) {
      if (!out.empty()) out += '&';
      out.append(param);
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  if (out.empty()) return std::nullopt;
  return out;
}

// "0080" -> "80"; nullopt for ports outside 0..65535.
std::optional<std::string> CanonicalPort(std::string_view port) {
  uint32_t value = 0;
  for (char c : port) {
    value = value * 10 + static_cast<uint32_t>(c - '0');
    if (value > 65535) return std::nullopt;
  }
  return std::to_string(value);
}

}  // namespace

std::optional<UrlParts> ParseUrl(std::string_view url) {
  std::string cleaned = Clean(url);
  if (cleaned.size() > kMaxUrlBytes) return std::nullopt;
  Reference ref = Split(cleaned);
  if (!ref.scheme) return std::nullopt;
  UrlParts parts;
  parts.scheme = *ref.scheme;
  parts.has_authority = ref.authority.has_value();
  if (ref.authority && !SplitAuthority(*ref.authority, parts)) return std::nullopt;
  parts.path = std::move(ref.path);
  parts.query = std::move(ref.query);
  parts.fragment = std::move(ref.fragment);
  return parts;
}

std::string FormatUrl(const UrlParts& parts) {
  std::string out = parts.scheme + ":";
  if (parts.has_authority) {
    out += "//";
    if (parts.userinfo) out += *parts.userinfo + "@";
    out += parts.host;
    if (parts.port) out += ":" + *parts.port;
  }
  out += parts.path;
  if (parts.query) out += "?" + *parts.query;
  if (parts.fragment) out += "#" + *parts.fragment;
  return out;
}

std::string ResolveUrl(std::string_view base, std::string_view reference) {
  std::string cleaned = Clean(reference);
  Reference base_ref = Split(Clean(base));
  if (!base_ref.scheme) return cleaned;
  // The base's fragment never reaches the target (5.2.2 takes it from the reference only).
  return Recompose(Resolve(base_ref, Split(cleaned)));
}

std::optional<std::string> NormalizeUrl(std::string_view url) {
  std::optional<UrlParts> parts = ParseUrl(url);
  if (!parts || !parts->has_authority) return std::nullopt;
  if (parts->scheme != "http" && parts->scheme != "https") return std::nullopt;
  if (parts->host.empty()) return std::nullopt;

  parts->host = AsciiLower(parts->host);
  if (parts->userinfo) parts->userinfo = NormalizePercentEncoding(*parts->userinfo);
  if (parts->port) {
    if (parts->port->empty()) {
      parts->port.reset();
    } else {
      parts->port = CanonicalPort(*parts->port);
      if (!parts->port) return std::nullopt;
      const char* default_port = parts->scheme == "http" ? "80" : "443";
      if (*parts->port == default_port) parts->port.reset();
    }
  }
  // 6.2.2 order: percent-encoding before dot segments, so "%2E%2E" counts as "..".
  parts->path = RemoveDotSegments(NormalizePercentEncoding(parts->path));
  if (parts->path.empty()) parts->path = "/";
  if (parts->query) parts->query = FilterQuery(NormalizePercentEncoding(*parts->query));
  parts->fragment.reset();
  std::string normal = FormatUrl(*parts);
  if (normal.size() > kMaxUrlBytes) return std::nullopt;
  return normal;
}

}  // namespace gleaner
