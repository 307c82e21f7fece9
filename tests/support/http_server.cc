#include "tests/support/http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace gleaner::testing {
namespace {

// Request heads larger than this are refused: tests never send them, and it bounds memory.
constexpr size_t kMaxHeadBytes = 64 * 1024;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

const char* Reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

bool ParseHead(std::string_view head, HttpRequest* request) {
  size_t line_end = head.find("\r\n");
  std::string_view line = head.substr(0, line_end);
  size_t sp1 = line.find(' ');
  size_t sp2 = line.find(' ', sp1 + 1);
  if (sp1 == std::string_view::npos || sp2 == std::string_view::npos) return false;
  request->method = std::string(line.substr(0, sp1));
  request->target = std::string(line.substr(sp1 + 1, sp2 - sp1 - 1));
  request->path = request->target.substr(0, request->target.find('?'));
  size_t pos = line_end + 2;
  while (pos < head.size()) {
    size_t end = head.find("\r\n", pos);
    if (end == std::string_view::npos) end = head.size();
    std::string_view header = head.substr(pos, end - pos);
    pos = end + 2;
    size_t colon = header.find(':');
    if (colon == std::string_view::npos) continue;
    request->headers.emplace_back(Lower(Trim(header.substr(0, colon))),
                                  std::string(Trim(header.substr(colon + 1))));
  }
  return true;
}

}  // namespace

std::optional<std::string> HttpRequest::Header(std::string_view name) const {
  std::string key = Lower(name);
  for (const auto& [k, v] : headers) {
    if (k == key) return v;
  }
  return std::nullopt;
}

HttpReply HttpReply::Html(std::string body, int status) {
  return Text(std::move(body), "text/html; charset=utf-8", status);
}

HttpReply HttpReply::Text(std::string body, std::string content_type, int status) {
  HttpReply r;
  r.status = status;
  r.body = std::move(body);
  r.headers.emplace_back("Content-Type", std::move(content_type));
  return r;
}

HttpReply HttpReply::Redirect(int status, std::string location) {
  HttpReply r;
  r.status = status;
  r.headers.emplace_back("Location", std::move(location));
  return r;
}

HttpReply& HttpReply::With(std::string name, std::string value) {
  headers.emplace_back(std::move(name), std::move(value));
  return *this;
}

// One accepted socket: blocking I/O, but every wait also watches the server's stop pipe.
class HttpServer::Connection {
 public:
  Connection(int fd, int stop_fd) : fd_(fd), stop_fd_(stop_fd) {}

  // Waits until the socket is readable (true) or the server stops / the peer hangs up.
  bool WaitReadable(int timeout_ms = -1) {
    pollfd fds[2] = {{fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    int n = ::poll(fds, 2, timeout_ms);
    if (n <= 0) return false;
    if (fds[1].revents) return false;
    return fds[0].revents != 0;
  }

  // Sleeps `ms` unless the server stops or the peer closes; returns false if interrupted.
  bool Pause(int ms) {
    pollfd fds[2] = {{fd_, POLLRDHUP, 0}, {stop_fd_, POLLIN, 0}};
    int n = ::poll(fds, 2, ms);
    return n == 0;
  }

  // Reads one request head; false on EOF, error, stop or an oversized head.
  bool ReadHead(std::string* head) {
    while (true) {
      size_t end = buffer_.find("\r\n\r\n");
      if (end != std::string::npos) {
        *head = buffer_.substr(0, end + 2);
        buffer_.erase(0, end + 4);
        return true;
      }
      if (buffer_.size() > kMaxHeadBytes || !WaitReadable()) return false;
      char chunk[16384];
      ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) return false;
      buffer_.append(chunk, static_cast<size_t>(n));
    }
  }

  // Discards a request body of `length` bytes (tests send none; keeps framing right).
  bool SkipBody(size_t length) {
    size_t have = std::min(length, buffer_.size());
    buffer_.erase(0, have);
    length -= have;
    char chunk[16384];
    while (length > 0) {
      if (!WaitReadable()) return false;
      ssize_t n = ::recv(fd_, chunk, std::min(sizeof chunk, length), 0);
      if (n <= 0) return false;
      length -= static_cast<size_t>(n);
    }
    return true;
  }

  bool Send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // An abortive close: the peer sees a TCP reset, not an orderly end of stream.
  void Reset() {
    linger hard{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
  }

 private:
  int fd_;
  int stop_fd_;
  std::string buffer_;
};

HttpServer::HttpServer() : HttpServer(Options{}) {}

HttpServer::HttpServer(Options options) : options_(options) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) throw std::runtime_error("socket failed");
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(options_.port);
  if (::inet_pton(AF_INET, options_.address.c_str(), &addr.sin_addr) != 1 ||
      (ntohl(addr.sin_addr.s_addr) >> 24) != 127) {
    ::close(listen_fd_);
    throw std::runtime_error("not a loopback IPv4 address: " + options_.address);
  }
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 128) != 0) {
    int error = errno;
    ::close(listen_fd_);
    throw std::runtime_error("bind/listen on " + options_.address + ":" +
                             std::to_string(options_.port) + " failed: " + std::strerror(error));
  }
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  // Made only once the socket is bound, so that a failed bind (callers may retry on another
  // port) leaks nothing.
  if (::pipe2(stop_pipe_, O_CLOEXEC) != 0) {
    ::close(listen_fd_);
    throw std::runtime_error("pipe2 failed");
  }
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

HttpServer::~HttpServer() { Stop(); }

std::string HttpServer::Origin() const {
  return "http://" + options_.address + ":" + std::to_string(port_);
}

std::string HttpServer::Url(std::string_view path_and_query) const {
  return Origin() + std::string(path_and_query);
}

void HttpServer::Route(std::string path, HttpHandler handler) {
  std::lock_guard<std::mutex> lock(mutex_);
  routes_[std::move(path)] = std::move(handler);
}

void HttpServer::Route(std::string path, HttpReply reply) {
  Route(std::move(path), [reply](const HttpRequest&) { return reply; });
}

void HttpServer::Fallback(HttpHandler handler) {
  std::lock_guard<std::mutex> lock(mutex_);
  fallback_ = std::move(handler);
}

std::vector<HttpRequest> HttpServer::Requests() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_;
}

std::vector<HttpRequest> HttpServer::RequestsFor(std::string_view path) const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<HttpRequest> out;
  for (const HttpRequest& r : requests_) {
    if (r.path == path) out.push_back(r);
  }
  return out;
}

size_t HttpServer::CountFor(std::string_view path) const { return RequestsFor(path).size(); }

bool HttpServer::WaitForCount(std::string_view path, size_t count,
                              std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  return recorded_.wait_for(lock, timeout, [&] {
    return static_cast<size_t>(std::count_if(requests_.begin(), requests_.end(),
                                             [&](const auto& r) { return r.path == path; })) >=
           count;
  });
}

void HttpServer::Stop() {
  if (stopping_.exchange(true)) return;
  char byte = 1;
  (void)!::write(stop_pipe_[1], &byte, 1);
  ::shutdown(listen_fd_, SHUT_RDWR);
  if (acceptor_.joinable()) acceptor_.join();
  std::vector<std::thread> workers;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    // Unblocks a worker stuck in send() to a client that stopped reading.
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
    workers.swap(workers_);
  }
  for (std::thread& t : workers) t.join();
  ::close(listen_fd_);
  ::close(stop_pipe_[0]);
  ::close(stop_pipe_[1]);
}

void HttpServer::AcceptLoop() {
  while (!stopping_.load()) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) <= 0 || fds[1].revents) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    uint64_t id = ++connections_;
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_.load()) {
      ::close(fd);
      break;
    }
    open_fds_.push_back(fd);
    workers_.emplace_back([this, fd, id] { Serve(fd, id); });
  }
}

HttpHandler HttpServer::Find(const std::string& path) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = routes_.find(path);
  if (it != routes_.end()) return it->second;
  if (fallback_) return fallback_;
  return [](const HttpRequest&) { return HttpReply::Text("not found\n", "text/plain", 404); };
}

void HttpServer::Record(const HttpRequest& request) {
  if (!options_.record) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    requests_.push_back(request);
  }
  recorded_.notify_all();
}

namespace {

std::string ReplyHead(const HttpReply& reply, bool keep_alive) {
  std::string head =
      "HTTP/1.1 " + std::to_string(reply.status) + " " + Reason(reply.status) + "\r\n";
  for (const auto& [name, value] : reply.headers) head += name + ": " + value + "\r\n";
  bool chunked = reply.chunked || (reply.stream && !reply.stream_length);
  if (chunked) {
    head += "Transfer-Encoding: chunked\r\n";
  } else if (reply.status != 304 && reply.status != 204) {
    uint64_t length = reply.declared_length ? *reply.declared_length
                      : reply.stream        ? *reply.stream_length
                                            : reply.body.size();
    head += "Content-Length: " + std::to_string(length) + "\r\n";
  }
  head += keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
  return head + "\r\n";
}

std::string Chunk(std::string_view data) {
  char size[32];
  std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  return size + std::string(data) + "\r\n";
}

}  // namespace

void HttpServer::Serve(int fd, uint64_t id) {
  Connection conn(fd, stop_pipe_[0]);
  std::string head;
  while (!stopping_.load() && conn.ReadHead(&head)) {
    HttpRequest request;
    request.connection = id;
    request.arrival = std::chrono::steady_clock::now();
    if (!ParseHead(head, &request)) break;
    if (auto length = request.Header("content-length")) {
      if (!conn.SkipBody(std::strtoull(length->c_str(), nullptr, 10))) break;
    }
    Record(request);
    HttpReply reply = Find(request.path)(request);
    if (reply.never_answer) {
      while (conn.WaitReadable()) {  // until the client gives up (EOF) or we stop
        char sink[4096];
        if (::recv(fd, sink, sizeof sink, 0) <= 0) break;
      }
      break;
    }
    std::optional<std::string> connection = request.Header("connection");
    bool keep_alive = !reply.close && !(connection && Lower(*connection) == "close");
    if (!SendReply(conn, reply, keep_alive) || !keep_alive) break;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    open_fds_.erase(std::remove(open_fds_.begin(), open_fds_.end(), fd), open_fds_.end());
  }
  ::close(fd);
}

bool HttpServer::SendReply(Connection& conn, const HttpReply& reply, bool keep_alive) {
  bool chunked = reply.chunked || (reply.stream && !reply.stream_length);
  if (!conn.Send(ReplyHead(reply, keep_alive))) return false;
  if (reply.stream) {
    std::string chunk;
    while (reply.stream(chunk)) {
      if (!conn.Send(chunked ? Chunk(chunk) : chunk)) return false;
      chunk.clear();
    }
    return !chunked || conn.Send("0\r\n\r\n");
  }
  std::string_view body = reply.body;
  if (reply.reset_after) {
    conn.Send(body.substr(0, *reply.reset_after));
    conn.Reset();
    return false;
  }
  if (reply.trickle_interval.count() > 0) {
    while (!body.empty()) {
      std::string_view piece = body.substr(0, std::max<size_t>(1, reply.trickle_bytes));
      if (!conn.Send(chunked ? Chunk(piece) : std::string(piece))) return false;
      body.remove_prefix(piece.size());
      if (!conn.Pause(static_cast<int>(reply.trickle_interval.count()))) return false;
    }
  } else if (!body.empty() && !conn.Send(chunked ? Chunk(body) : std::string(body))) {
    return false;
  }
  if (chunked && !conn.Send("0\r\n\r\n")) return false;
  // A declared length the body does not fill: the only way to end the reply is to close.
  return !(reply.declared_length && *reply.declared_length != reply.body.size());
}

std::string Gzip(std::string_view data) {
  z_stream zs{};
  // windowBits 15 + 16: a gzip wrapper rather than zlib's.
  deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, data.size()) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

std::string GzipBomb(uint64_t size) {
  z_stream zs{};
  deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  const std::string spaces(1 << 20, ' ');
  std::string out;
  char buffer[1 << 16];
  uint64_t left = size;
  int flush = Z_NO_FLUSH;
  do {
    size_t piece = static_cast<size_t>(std::min<uint64_t>(left, spaces.size()));
    left -= piece;
    flush = left == 0 ? Z_FINISH : Z_NO_FLUSH;
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(spaces.data()));
    zs.avail_in = static_cast<uInt>(piece);
    do {
      zs.next_out = reinterpret_cast<Bytef*>(buffer);
      zs.avail_out = sizeof buffer;
      deflate(&zs, flush);
      out.append(buffer, sizeof buffer - zs.avail_out);
    } while (zs.avail_out == 0);
  } while (flush != Z_FINISH);
  deflateEnd(&zs);
  return out;
}

}  // namespace gleaner::testing
