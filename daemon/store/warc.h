// WARC/1.1 (ISO 28500:2017) records for `gleaner export --format warc`: the blocks of the
// request, response and metadata records of an archived capture (archive.h), the record
// framing (headers, Content-Length, SHA-1 block and payload digests in base32), deterministic
// record ids, and each record compressed as its own gzip member, handed to a sink as soon as
// it is built.
//
// Pure but for the sink: no clock, no files, no database. A record is built whole in memory
// (one page at most, kMaxArchivedBody), so an export's memory does not grow with the
// archive. Must not read the archive or the store itself: cmd_export.cc walks them and hands
// the pieces in.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "daemon/store/archive.h"
#include "daemon/store/digest.h"
#include "daemon/store/timestamps.h"
#include "extractors/core/result.h"

namespace gleaner::store::warc {

// The WARC-Type values gleaner writes.
inline constexpr std::string_view kWarcinfo = "warcinfo";
inline constexpr std::string_view kRequest = "request";
inline constexpr std::string_view kResponse = "response";
inline constexpr std::string_view kMetadata = "metadata";

// Content-Types of the blocks (WARC/1.1 section 6.3 and annex).
inline constexpr std::string_view kWarcFieldsType = "application/warc-fields";
inline constexpr std::string_view kHttpRequestType = "application/http;msgtype=request";
inline constexpr std::string_view kHttpResponseType = "application/http;msgtype=response";
inline constexpr std::string_view kJsonType = "application/json";

// The prefix a response header that no longer describes the archived body is renamed with
// (pywb's and warcio's convention): `Content-Encoding: gzip` becomes
// `X-Archive-Orig-Content-Encoding: gzip`, since the archive keeps the body decoded.
inline constexpr std::string_view kOrigHeaderPrefix = "X-Archive-Orig-";

// A WARC digest value: "sha1:" + Base32(Sha1(bytes)). Thread-safe.
std::string Sha1Digest(std::string_view bytes);

// "<urn:uuid:xxxxxxxx-xxxx-8xxx-yxxx-xxxxxxxxxxxx>": the first 16 bytes of SHA-256(`name`)
// with the version bits set to 8 and the variant bits to RFC 9562's (10xx), which is how
// RFC 9562 lays out a name-based UUID from SHA-256. The same name gives the same id, so an
// export run twice gives the same ids. Thread-safe.
std::string RecordIdFor(std::string_view name);

// The record id of `type` ("request", ...) for an archived capture: RecordIdFor over the
// capture's identity (its id, URL, fetch time and body hash) and the type.
std::string CaptureRecordId(const Capture& capture, std::string_view type);

// "2024-05-01T09:30:00.123Z": WARC/1.1's WARC-Date with milliseconds, UTC.
std::string WarcDate(Time time);

// One WARC record before framing.
struct Record {
  std::string_view type;  // WARC-Type
  std::string id;         // WARC-Record-ID, with its angle brackets
  Time date;              // WARC-Date
  std::optional<std::string> target_uri;
  std::string_view content_type;
  // Further named fields, written in order after the above (WARC-Concurrent-To,
  // WARC-Warcinfo-ID, WARC-Filename). Values must hold no CR or LF.
  std::vector<std::pair<std::string, std::string>> fields;
  std::string block;
  // Where the payload starts in `block` (after an HTTP head's blank line): set, a
  // WARC-Payload-Digest over block[payload_offset...] is written too.
  std::optional<size_t> payload_offset;
};

// The record as WARC/1.1 text: "WARC/1.1", the header fields (WARC-Type, WARC-Record-ID,
// WARC-Date, WARC-Target-URI when set, the extra fields, Content-Type, WARC-Block-Digest,
// WARC-Payload-Digest when payload_offset is set, Content-Length), a blank line, the block,
// and the two CRLFs that end a record. REQUIRES: payload_offset <= block.size().
std::string Frame(const Record& record);

// The warcinfo block: application/warc-fields lines "software", "format",
// "http-header-user-agent", "description" (only when not empty).
std::string WarcinfoBlock(std::string_view software, std::string_view user_agent,
                          std::string_view description);

// The request gleaner sent for `url`, as far as it is known: "GET PATH HTTP/1.1" (the path
// and query, "/" when empty), Host (with the port when the URL has one), User-Agent and
// Accept, then the blank line. REQUIRES: `url` is an absolute http(s) URL.
std::string RequestBlock(std::string_view url, std::string_view user_agent,
                         std::string_view accept);

// A response block and where its payload starts.
struct ResponseBlock {
  std::string block;
  size_t payload_offset = 0;
};

// The archived response as an HTTP/1.1 message: `head` (status line and header lines as
// fetched) with Content-Encoding, Transfer-Encoding and Content-Length renamed to
// kOrigHeaderPrefix + name (the archived body is decoded, so they would lie), a
// Content-Length for `body` as archived, the blank line, and `body` byte for byte. An empty
// `head` becomes "HTTP/1.1 STATUS " and the Content-Length alone. A head line without a
// colon (a second status line after a 100 Continue) is kept as it is.
ResponseBlock MakeResponseBlock(std::string_view head, int status, std::string_view body);

// Where a compressed record goes: the bytes of one gzip member. Returns an error to stop
// the export (a full disk); the writer hands it back unchanged.
using Sink = std::function<Result<void>(std::string_view bytes)>;

// `data` as one complete gzip member (zlib, windowBits 15 + 16, default level). kInput
// when zlib fails (it runs out of memory only). Thread-safe.
Result<std::string> GzipMember(std::string_view data);

// Frames `record`, compresses it as its own gzip member and hands it to `sink`: a reader
// can seek to any record, and a record is on its way as soon as it is built. Returns the
// sink's error, or kInput when compression fails. Thread-compatible (the sink decides).
Result<void> WriteRecord(const Record& record, const Sink& sink);

}  // namespace gleaner::store::warc
