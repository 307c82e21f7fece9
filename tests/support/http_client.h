// A bare HTTP/1.1 client over one TCP connection per request, for tests and benchmarks that
// talk to a server the way an odd client would: from a chosen 127.x source address (each is
// a distinct client to a per-address limit), with hand-written or broken requests, or
// holding the connection without a word. Loopback only.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace gleaner::testing {

// A TCP connection from `from` (a 127.x.y.z address) to 127.0.0.1:`port`, with 5 s send
// and receive timeouts, or -1. The caller closes it.
int ConnectFrom(int port, const std::string& from = "127.0.0.1");

struct RawReply {
  int status = 0;
  std::string head;  // the status line and headers, without the blank line
  std::string body;
};

// Sends `request` as is and reads the reply until the server closes. nullopt when the
// connection is refused, fails, stays silent for 5 s, or the reply is not HTTP/1.x.
std::optional<RawReply> Exchange(int port, const std::string& request,
                                 const std::string& from = "127.0.0.1");

// GET `path` with Connection: close (Exchange's results).
std::optional<RawReply> HttpGet(int port, const std::string& path,
                                const std::string& from = "127.0.0.1");

// A port nothing listens on at the time of the call on 127.0.0.1 (the kernel's pick).
int UnusedPort();

}  // namespace gleaner::testing
