// A real HTTP/1.1 server on loopback for tests (and benchmarks): 127.0.0.1 or any other
// 127.x.y.z address (each one a distinct "host" to a crawler's politeness), an ephemeral or
// chosen port, routes registered by the test, every request recorded with its arrival time,
// and the ways real servers misbehave on demand: trickling a body, never answering,
// resetting mid-body, declaring more bytes than it sends, gzip bodies, huge streamed bodies.
//
// One thread accepts; each connection gets its own thread and is kept alive until the
// client closes it or a reply says `close`. Handlers run on connection threads, so they
// must be thread-safe if they share state. Stop() (and the destructor) interrupt every
// wait, so a test never hangs on a misbehaving route. Not for production use: no TLS, no
// request bodies beyond Content-Length, no pipelining guarantees.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace gleaner::testing {

// A `fetch:` line for the config files of tests and benchmarks: gleaner's address guard
// refuses loopback addresses unless `fetch.allow_networks` holds them, and every test
// server listens on one (HttpServer, the news web's 127.x hosts).
inline constexpr char kAllowLoopback[] = "  allow_networks: [127.0.0.0/8]\n";

struct HttpRequest {
  uint64_t connection = 0;  // serial number of the TCP connection (keep-alive checks)
  std::chrono::steady_clock::time_point arrival;  // when the request head was complete
  std::string method;
  std::string target;                                        // as sent: path and query
  std::string path;                                          // without the query
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased

  // The first header named `name` (case-insensitive), or nullopt.
  std::optional<std::string> Header(std::string_view name) const;
};

struct HttpReply {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // Misbehaviours (all off by default).
  std::optional<uint64_t> declared_length;        // Content-Length to send (e.g. more than body)
  bool never_answer = false;                      // read the request, then stay silent
  std::optional<size_t> reset_after;              // send this many body bytes, then RST
  std::chrono::milliseconds trickle_interval{0};  // > 0: send the body slowly ...
  size_t trickle_bytes = 1;                       // ... this many bytes per interval
  bool chunked = false;  // Transfer-Encoding: chunked instead of Content-Length
  bool close = false;    // Connection: close after this reply
  // A body too large to hold: called until it returns false, each call filling `chunk`.
  // `body` is ignored; Content-Length is `stream_length` when set, else chunked encoding.
  std::function<bool(std::string& chunk)> stream;
  std::optional<uint64_t> stream_length;

  static HttpReply Html(std::string body, int status = 200);
  static HttpReply Text(std::string body, std::string content_type = "text/plain",
                        int status = 200);
  static HttpReply Redirect(int status, std::string location);
  // Adds a header; returns *this for chaining.
  HttpReply& With(std::string name, std::string value);
};

using HttpHandler = std::function<HttpReply(const HttpRequest&)>;

class HttpServer {
 public:
  struct Options {
    bool record = true;  // keep every request (benchmarks turn it off)
    // The IPv4 address to listen on. Every 127.0.0.0/8 address is loopback on Linux, so
    // one process can play many hosts; anything else is refused, so that tests never
    // listen on a real network.
    std::string address = "127.0.0.1";
    uint16_t port = 0;  // 0: an ephemeral port
  };

  // Listens on `options.address` and `options.port` and starts serving. Throws
  // std::runtime_error when the address is not a 127.x.y.z address or the socket cannot be
  // set up (e.g. the port is taken): a test failure, not a library boundary.
  HttpServer();
  explicit HttpServer(Options options);
  ~HttpServer();

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  uint16_t port() const { return port_; }
  const std::string& address() const { return options_.address; }
  // "http://ADDRESS:PORT" and that followed by `path_and_query`.
  std::string Origin() const;
  std::string Url(std::string_view path_and_query) const;

  // Routes an exact path (no query). A later route for the same path replaces it.
  // Unrouted paths answer 404 text/plain. Thread-safe.
  void Route(std::string path, HttpHandler handler);
  void Route(std::string path, HttpReply reply);
  // Answers every unrouted path (instead of the 404) with `handler`: for sites whose paths
  // are too many, or not known in advance, to route one by one. Thread-safe.
  void Fallback(HttpHandler handler);

  // Requests received so far (all, or those for one path), in arrival order. Thread-safe.
  std::vector<HttpRequest> Requests() const;
  std::vector<HttpRequest> RequestsFor(std::string_view path) const;
  size_t CountFor(std::string_view path) const;
  // TCP connections accepted so far.
  uint64_t connections() const { return connections_.load(); }

  // Waits (up to `timeout`) until `path` has been requested `count` times. Returns whether
  // it has.
  bool WaitForCount(std::string_view path, size_t count, std::chrono::milliseconds timeout);

  // Stops accepting, interrupts every connection and joins all threads. Idempotent.
  void Stop();

 private:
  class Connection;
  void AcceptLoop();
  void Serve(int fd, uint64_t id);
  // Sends one reply; returns whether the connection may serve another request.
  static bool SendReply(Connection& conn, const HttpReply& reply, bool keep_alive);
  HttpHandler Find(const std::string& path) const;
  void Record(const HttpRequest& request);

  Options options_;
  int listen_fd_ = -1;
  int stop_pipe_[2] = {-1, -1};  // readable once Stop() has begun
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> connections_{0};
  std::thread acceptor_;

  mutable std::mutex mutex_;  // guards everything below
  std::condition_variable recorded_;
  std::map<std::string, HttpHandler> routes_;
  HttpHandler fallback_;  // empty: 404
  std::vector<HttpRequest> requests_;
  std::vector<std::thread> workers_;
  std::vector<int> open_fds_;
};

// gzip-compresses `data` (for Content-Encoding: gzip replies).
std::string Gzip(std::string_view data);
// gzip of `size` spaces, compressed in pieces so the plain text is never in memory: a gzip
// bomb (about 1000:1) whose content looks like text, so only a size cap can stop it.
std::string GzipBomb(uint64_t size);

}  // namespace gleaner::testing
