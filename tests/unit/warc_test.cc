// The WARC export's pieces (daemon/store/warc.h): what a WARC reader relies on, byte for
// byte: base32 digests, the record framing, the response block's honest headers, stable
// record ids, and one gzip member per record.
#include "daemon/store/warc.h"

#include <zlib.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace gleaner::store::warc {
namespace {

// Inflates one gzip member from the front of `data`; sets `used` to its compressed size.
std::string Gunzip(std::string_view data, size_t& used) {
  z_stream z{};
  REQUIRE(inflateInit2(&z, 15 + 16) == Z_OK);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buffer[4096];
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buffer);
    z.avail_out = sizeof buffer;
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buffer, sizeof buffer - z.avail_out);
  }
  CHECK(rc == Z_STREAM_END);
  used = z.total_in;
  inflateEnd(&z);
  return out;
}

TEST_CASE("base32 follows RFC 4648's test vectors", "[warc]") {
  CHECK(Base32("") == "");
  CHECK(Base32("f") == "MY======");
  CHECK(Base32("fo") == "MZXQ====");
  CHECK(Base32("foo") == "MZXW6===");
  CHECK(Base32("foob") == "MZXW6YQ=");
  CHECK(Base32("fooba") == "MZXW6YTB");
  CHECK(Base32("foobar") == "MZXW6YTBOI======");
  CHECK(Base32(std::string("\xff\x00\x10", 3)) == "74ABA===");
}

TEST_CASE("a SHA-1 digest is 32 base32 characters, as WARC tools write it", "[warc]") {
  // The well-known digest of the empty payload in every crawler's CDX files.
  CHECK(Sha1Digest("") == "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ");
  CHECK(Sha1Digest("abc").size() == 5 + 32);
  CHECK(Sha256("abc").size() == 32);
}

TEST_CASE("record ids are stable, distinct per type, and valid UUIDs", "[warc]") {
  Capture capture;
  capture.id = 7;
  capture.url = "https://example.com/a";
  capture.fetched = FromMillis(1714555800123);
  capture.body_sha256 = std::string(64, 'a');
  std::string response = CaptureRecordId(capture, kResponse);
  CHECK(response == CaptureRecordId(capture, kResponse));
  CHECK(response != CaptureRecordId(capture, kRequest));
  Capture other = capture;
  other.id = 8;
  CHECK(response != CaptureRecordId(other, kResponse));
  // <urn:uuid:xxxxxxxx-xxxx-8xxx-[89ab]xxx-xxxxxxxxxxxx>
  REQUIRE(response.size() == 47);
  CHECK(response.rfind("<urn:uuid:", 0) == 0);
  CHECK(response.back() == '>');
  std::string uuid = response.substr(10, 36);
  CHECK(uuid[8] == '-');
  CHECK(uuid[13] == '-');
  CHECK(uuid[14] == '8');
  CHECK(uuid[18] == '-');
  CHECK(std::string("89ab").find(uuid[19]) != std::string::npos);
  CHECK(uuid[23] == '-');
}

TEST_CASE("a framed record has its fields, length and digests, then the block", "[warc]") {
  Record record{.type = kResponse,
                .id = "<urn:uuid:00000000-0000-8000-8000-000000000000>",
                .date = FromMillis(1714555800123),
                .target_uri = "https://example.com/a",
                .content_type = kHttpResponseType};
  record.fields.emplace_back("WARC-Warcinfo-ID", "<urn:uuid:1>");
  record.block = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc";
  record.payload_offset = record.block.size() - 3;
  std::string framed = Frame(record);
  CHECK(framed ==
        "WARC/1.1\r\n"
        "WARC-Type: response\r\n"
        "WARC-Record-ID: <urn:uuid:00000000-0000-8000-8000-000000000000>\r\n"
        "WARC-Date: 2024-05-01T09:30:00.123Z\r\n"
        "WARC-Target-URI: https://example.com/a\r\n"
        "WARC-Warcinfo-ID: <urn:uuid:1>\r\n"
        "Content-Type: application/http;msgtype=response\r\n"
        "WARC-Block-Digest: " +
            Sha1Digest(record.block) +
            "\r\n"
            "WARC-Payload-Digest: " +
            Sha1Digest("abc") +
            "\r\n"
            "Content-Length: " +
            std::to_string(record.block.size()) + "\r\n\r\n" + record.block + "\r\n\r\n");

  record.payload_offset.reset();
  record.target_uri.reset();
  framed = Frame(record);
  CHECK(framed.find("WARC-Payload-Digest") == std::string::npos);
  CHECK(framed.find("WARC-Target-URI") == std::string::npos);
}

TEST_CASE("the response block renames the headers a decoded body would contradict", "[warc]") {
  std::string head =
      "HTTP/1.1 200 OK\r\n"
      "Content-Type: text/html; charset=windows-1256\r\n"
      "content-encoding: gzip\r\n"
      "Transfer-Encoding: chunked\r\n"
      "Content-Length : 99\r\n"
      "X-Content-Length-Note: kept\r\n";
  ResponseBlock r = MakeResponseBlock(head, 200, "body!");
  CHECK(r.block ==
        "HTTP/1.1 200 OK\r\n"
        "Content-Type: text/html; charset=windows-1256\r\n"
        "X-Archive-Orig-content-encoding: gzip\r\n"
        "X-Archive-Orig-Transfer-Encoding: chunked\r\n"
        "X-Archive-Orig-Content-Length : 99\r\n"
        "X-Content-Length-Note: kept\r\n"
        "Content-Length: 5\r\n"
        "\r\n"
        "body!");
  CHECK(r.block.substr(r.payload_offset) == "body!");
}

TEST_CASE("a response without its head gets a minimal one", "[warc]") {
  ResponseBlock r = MakeResponseBlock("", 404, std::string("\0x", 2));
  CHECK(r.block == std::string("HTTP/1.1 404 \r\nContent-Length: 2\r\n\r\n\0x", 38));
  CHECK(r.payload_offset == 36);
}

TEST_CASE("the request block rebuilds the GET the fetcher sent", "[warc]") {
  CHECK(RequestBlock("http://127.0.0.1:8080/news/a?id=3#top", "gleaner/0.1 (+ops@x)", "*/*") ==
        "GET /news/a?id=3 HTTP/1.1\r\n"
        "Host: 127.0.0.1:8080\r\n"
        "User-Agent: gleaner/0.1 (+ops@x)\r\n"
        "Accept: */*\r\n"
        "\r\n");
  CHECK(RequestBlock("https://example.com", "ua", "*/*")
            .rfind("GET / HTTP/1.1\r\nHost: example.com\r\n", 0) == 0);
}

TEST_CASE("each record is one complete gzip member handed to the sink", "[warc]") {
  std::vector<std::string> members;
  Sink sink = [&members](std::string_view bytes) -> Result<void> {
    members.emplace_back(bytes);
    return {};
  };
  Record first{.type = kMetadata, .id = "<urn:uuid:a>", .content_type = kJsonType};
  first.block = "{\"a\":1}";
  Record second = first;
  second.block = std::string(100000, 'x');
  REQUIRE(WriteRecord(first, sink));
  REQUIRE(WriteRecord(second, sink));
  REQUIRE(members.size() == 2);
  std::string file = members[0] + members[1];
  size_t used = 0;
  CHECK(Gunzip(file, used) == Frame(first));
  CHECK(used == members[0].size());
  CHECK(Gunzip(std::string_view(file).substr(used), used) == Frame(second));

  Sink full = [](std::string_view) -> Result<void> { return Fail(ErrorCode::kInput, "disk full"); };
  auto failed = WriteRecord(first, full);
  REQUIRE_FALSE(failed);
  CHECK(failed.error().message == "disk full");
}

}  // namespace
}  // namespace gleaner::store::warc
