#include "daemon/store/warc.h"

#include <zlib.h>

#include <array>
#include <memory>

#include "daemon/store/digest.h"
#include "extractors/core/ascii.h"
#include "extractors/core/url.h"

namespace gleaner::store::warc {
namespace {

constexpr char kCrlf[] = "\r\n";
// gzip framing for deflateInit2: 15 is zlib's largest window (the default), + 16 asks for
// a gzip header and trailer instead of zlib's.
constexpr int kGzipWindowBits = 15 + 16;
// zlib's default memory level: the speed/memory balance its own tools use.
constexpr int kGzipMemLevel = 8;
// The headers that describe how the body travelled, not the body as archived (decoded):
// left as they were, a reader would gunzip plain bytes or cut the body short.
constexpr std::array<std::string_view, 3> kTransferHeaders = {
    "content-encoding", "transfer-encoding", "content-length"};

void AddField(std::string& out, std::string_view name, std::string_view value) {
  out.append(name).append(": ").append(value).append(kCrlf);
}

// Whether the head line `line` (without its CRLF) is a header named one of kTransferHeaders.
bool IsTransferHeader(std::string_view line) {
  size_t name_end = line.find(':');
  if (name_end == std::string_view::npos) return false;
  std::string_view name = line.substr(0, name_end);
  while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
  for (std::string_view h : kTransferHeaders) {
    if (EqualsIgnoreCase(name, h)) return true;
  }
  return false;
}

}  // namespace

std::string Sha1Digest(std::string_view bytes) { return "sha1:" + Base32(Sha1(bytes)); }

std::string RecordIdFor(std::string_view name) {
  std::string hash = Sha256(name);
  hash.resize(16);
  hash[6] = static_cast<char>((hash[6] & 0x0f) | 0x80);  // version 8
  hash[8] = static_cast<char>((hash[8] & 0x3f) | 0x80);  // variant 10xx
  std::string hex = Hex(hash);
  return "<urn:uuid:" + hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20) + ">";
}

std::string CaptureRecordId(const Capture& capture, std::string_view type) {
  // NUL separates the parts: none of them can hold one, so two captures never share a name.
  std::string name = "gleaner-capture";
  for (const std::string& part :
       {std::to_string(capture.id), capture.url, std::to_string(ToMillis(capture.fetched)),
        capture.body_sha256, std::string(type)}) {
    name.append(1, '\0').append(part);
  }
  return RecordIdFor(name);
}

std::string WarcDate(Time time) { return FormatTime(time); }

std::string Frame(const Record& record) {
  std::string out = "WARC/1.1\r\n";
  AddField(out, "WARC-Type", record.type);
  AddField(out, "WARC-Record-ID", record.id);
  AddField(out, "WARC-Date", WarcDate(record.date));
  if (record.target_uri) AddField(out, "WARC-Target-URI", *record.target_uri);
  for (const auto& [name, value] : record.fields) AddField(out, name, value);
  AddField(out, "Content-Type", record.content_type);
  AddField(out, "WARC-Block-Digest", Sha1Digest(record.block));
  if (record.payload_offset) {
    AddField(out, "WARC-Payload-Digest",
             Sha1Digest(std::string_view(record.block).substr(*record.payload_offset)));
  }
  AddField(out, "Content-Length", std::to_string(record.block.size()));
  out.append(kCrlf).append(record.block).append(kCrlf).append(kCrlf);
  return out;
}

std::string WarcinfoBlock(std::string_view software, std::string_view user_agent,
                          std::string_view description) {
  std::string out;
  AddField(out, "software", software);
  AddField(out, "format", "WARC File Format 1.1");
  AddField(out, "conformsTo",
           "http://iipc.github.io/warc-specifications/specifications/"
           "warc-format/warc-1.1/");
  AddField(out, "http-header-user-agent", user_agent);
  if (!description.empty()) AddField(out, "description", description);
  return out;
}

std::string RequestBlock(std::string_view url, std::string_view user_agent,
                         std::string_view accept) {
  std::optional<UrlParts> parts = ParseUrl(url);
  std::string target = "/";
  std::string host;
  if (parts) {
    if (!parts->path.empty()) target = parts->path;
    if (parts->query) target.append("?").append(*parts->query);
    host = parts->host;
    if (parts->port) host.append(":").append(*parts->port);
  }
  std::string out = "GET " + target + " HTTP/1.1\r\n";
  AddField(out, "Host", host);
  AddField(out, "User-Agent", user_agent);
  AddField(out, "Accept", accept);
  out.append(kCrlf);
  return out;
}

ResponseBlock MakeResponseBlock(std::string_view head, int status, std::string_view body) {
  std::string out;
  if (head.empty()) {
    out = "HTTP/1.1 " + std::to_string(status) + " \r\n";
  }
  while (!head.empty()) {
    size_t end = head.find('\n');
    std::string_view line = head.substr(0, end);
    head = end == std::string_view::npos ? std::string_view() : head.substr(end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;  // a blank line would end the head early
    if (IsTransferHeader(line)) out.append(kOrigHeaderPrefix);
    out.append(line).append(kCrlf);
  }
  AddField(out, "Content-Length", std::to_string(body.size()));
  out.append(kCrlf);
  ResponseBlock result{std::move(out), 0};
  result.payload_offset = result.block.size();
  result.block.append(body);
  return result;
}

Result<std::string> GzipMember(std::string_view data) {
  z_stream z{};
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kGzipWindowBits, kGzipMemLevel,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    return Fail(ErrorCode::kInput, "gzip: cannot start zlib");
  }
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&z, deflateEnd);
  std::string out(deflateBound(&z, data.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  if (deflate(&z, Z_FINISH) != Z_STREAM_END) return Fail(ErrorCode::kInput, "gzip: zlib failed");
  out.resize(z.total_out);
  return out;
}

Result<void> WriteRecord(const Record& record, const Sink& sink) {
  auto member = GzipMember(Frame(record));
  if (!member) return tl::unexpected(member.error());
  return sink(*member);
}

}  // namespace gleaner::store::warc
