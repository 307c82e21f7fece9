// An independent reader for gleaner's WARC export: parses FILE with warcio (the Webrecorder
// project's reader, pinned in package-lock.json) and prints one JSON line per record:
//   type, target_uri, record_id, concurrent_to, warcinfo_id, date, content_type,
//   content_length, block_bytes (bytes actually read), block_digest_ok,
//   payload_digest_ok (null when the record has no WARC-Payload-Digest), http_status,
//   http_headers (responses and requests: [name, value] pairs as warcio parsed them),
//   payload_b64 (responses: the HTTP payload as stored, base64), decoded_same (responses:
//   whether warcio's decoded payload, after any transfer/content decoding it chooses to
//   apply, equals the stored one), block_text (other records: the block as UTF-8).
//
// The file is read twice: once without HTTP parsing, for the raw block the
// WARC-Block-Digest covers; once with it, for warcio's own view of the HTTP message.
// Digests are recomputed here with node:crypto and compared in RFC 4648 base32.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { WARCParser } from "warcio";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

function base32(bytes) {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  while (out.length % 8 !== 0) out += "=";
  return out;
}

function sha1Digest(bytes) {
  return "sha1:" + base32(createHash("sha1").update(bytes).digest());
}

function digestMatches(declared, bytes) {
  if (declared == null) return null;
  return declared.toUpperCase() === sha1Digest(bytes).toUpperCase();
}

async function rawBlocks(file) {
  const blocks = [];
  const parser = new WARCParser(createReadStream(file), { parseHttp: false });
  for await (const record of parser) {
    blocks.push(Buffer.from(await record.readFully(false)));
  }
  return blocks;
}

async function main() {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write("usage: node read_warc.mjs FILE\n");
    process.exit(2);
  }
  const blocks = await rawBlocks(file);
  const parser = new WARCParser(createReadStream(file), { keepHeadersCase: true });
  let index = 0;
  for await (const record of parser) {
    const block = blocks[index++];
    const h = (name) => record.warcHeader(name) ?? null;
    const line = {
      type: record.warcType,
      target_uri: h("WARC-Target-URI"),
      record_id: h("WARC-Record-ID"),
      concurrent_to: h("WARC-Concurrent-To"),
      warcinfo_id: h("WARC-Warcinfo-ID"),
      filename: h("WARC-Filename"),
      date: h("WARC-Date"),
      content_type: h("Content-Type"),
      content_length: Number(h("Content-Length")),
      block_bytes: block.length,
      block_digest_ok: digestMatches(h("WARC-Block-Digest"), block),
      payload_digest_ok: null,
    };
    if (record.httpHeaders) {
      line.http_status = record.httpHeaders.statusCode ?? null;
      line.http_status_line = record.httpHeaders.statusline;
      line.http_headers = [...record.httpHeaders.headers.entries()];
    }
    if (record.warcType === "response") {
      // The payload as stored (no decoding), then warcio's decoded view of a second read.
      const payload = Buffer.from(await record.readFully(false));
      line.payload_digest_ok = digestMatches(h("WARC-Payload-Digest"), payload);
      line.payload_b64 = payload.toString("base64");
      const again = new WARCParser(createReadStream(file));
      let decoded = null;
      let i = 0;
      for await (const r of again) {
        if (i++ === index - 1) {
          decoded = Buffer.from(await r.readFully(true));
          break;
        }
      }
      line.decoded_same = decoded !== null && decoded.equals(payload);
    } else {
      line.payload_digest_ok = digestMatches(h("WARC-Payload-Digest"), block);
      line.block_text = block.toString("utf8");
    }
    process.stdout.write(JSON.stringify(line) + "\n");
  }
  if (index !== blocks.length) {
    process.stderr.write(`record counts differ: ${index} vs ${blocks.length}\n`);
    process.exit(1);
  }
}

main().catch((error) => {
  process.stderr.write(`read_warc: ${error.stack ?? error}\n`);
  process.exit(1);
});
