#include "daemon/web/server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "daemon/web/metrics_text.h"
#include "daemon/web/status_page.h"

namespace gleaner::web {
namespace {

// The page refuses everything but its own inline styles: no script, frame, form or fetch
// can run even if some hostile text slipped through the escaping.
constexpr char kPagePolicy[] =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'";

// libmicrohttpd's own complaints (a malformed request, a refused connection) are a
// client's doing: debug level, so a noisy client cannot flood the journal.
void LogFromMhd(void*, const char* format, va_list args) {
  char line[512];
  std::vsnprintf(line, sizeof line, format, args);
  std::string text(line);
  while (!text.empty() && text.back() == '\n') text.pop_back();
  spdlog::debug("metrics server: {}", text);
}

// A listening socket on `address`, or the reason there is none.
Result<int> Listen(const MetricsAddress& address, int* port) {
  auto fail = [&](int err) -> Result<int> {
    return tl::unexpected(
        Error{ErrorCode::kNetwork,
              "metrics: cannot listen on " + address.ToString() + ": " + std::strerror(err)});
  };
  sockaddr_storage storage{};
  socklen_t length = 0;
  bool v6 = address.host.find(':') != std::string::npos;
  if (v6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&storage);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(static_cast<uint16_t>(address.port));
    if (inet_pton(AF_INET6, address.host.c_str(), &a->sin6_addr) != 1) return fail(EINVAL);
    length = sizeof(sockaddr_in6);
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&storage);
    a->sin_family = AF_INET;
    a->sin_port = htons(static_cast<uint16_t>(address.port));
    if (inet_pton(AF_INET, address.host.c_str(), &a->sin_addr) != 1) return fail(EINVAL);
    length = sizeof(sockaddr_in);
  }
  int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return fail(errno);
  int one = 1;
  (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (v6) (void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  if (bind(fd, reinterpret_cast<sockaddr*>(&storage), length) != 0 || listen(fd, 64) != 0) {
    int err = errno;
    close(fd);
    return fail(err);
  }
  sockaddr_storage bound{};
  socklen_t bound_length = sizeof bound;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &bound_length) == 0) {
    *port = ntohs(v6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                     : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  }
  return fd;
}

MHD_Result Send(MHD_Connection* connection, unsigned status, const std::string& content_type,
                const std::string& body, bool page) {
  MHD_Response* response = MHD_create_response_from_buffer(
      body.size(), const_cast<char*>(body.data()), MHD_RESPMEM_MUST_COPY);
  if (response == nullptr) return MHD_NO;
  MHD_add_response_header(response, "Content-Type", content_type.c_str());
  MHD_add_response_header(response, "Cache-Control", "no-store");
  MHD_add_response_header(response, "X-Content-Type-Options", "nosniff");
  if (page) MHD_add_response_header(response, "Content-Security-Policy", kPagePolicy);
  if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
    MHD_add_response_header(response, "Allow", "GET, HEAD");
  MHD_Result queued = MHD_queue_response(connection, status, response);
  MHD_destroy_response(response);
  return queued;
}

}  // namespace

// libmicrohttpd calls Handle for each request, first with its headers. It is answered on
// that first call: GET and HEAD are served, anything else is refused before a body is read.
struct Access {
  static MHD_Result Handle(void* self, MHD_Connection* connection, const char* url,
                           const char* method, const char*, const char*, size_t*, void**) {
    auto* server = static_cast<WebServer*>(self);
    if (std::strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
        std::strcmp(method, MHD_HTTP_METHOD_HEAD) != 0) {
      return Send(connection, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain; charset=utf-8",
                  "only GET and HEAD\n", false);
    }
    std::string_view path(url);
    WebServer::Reply reply = server->Serve(path, store::Now());
    return Send(connection, reply.status, reply.content_type, reply.body, path == "/");
  }
};

Result<std::unique_ptr<WebServer>> WebServer::Start(const MetricsAddress& address,
                                                    std::string database) {
  std::unique_ptr<WebServer> server(new WebServer(address, std::move(database)));
  auto fd = Listen(address, &server->port_);
  if (!fd) return tl::unexpected(fd.error());
  server->mhd_ = MHD_start_daemon(
      MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0, nullptr, nullptr,
      &Access::Handle, server.get(), MHD_OPTION_LISTEN_SOCKET, *fd, MHD_OPTION_CONNECTION_LIMIT,
      kMaxConnections, MHD_OPTION_PER_IP_CONNECTION_LIMIT, kMaxConnectionsPerAddress,
      MHD_OPTION_CONNECTION_TIMEOUT, kConnectionTimeoutSeconds, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
      kConnectionMemory, MHD_OPTION_EXTERNAL_LOGGER, &LogFromMhd, nullptr, MHD_OPTION_END);
  if (server->mhd_ == nullptr) {
    close(*fd);
    return tl::unexpected(
        Error{ErrorCode::kNetwork, "metrics: cannot start the server on " + address.ToString()});
  }
  return server;
}

WebServer::~WebServer() {
  if (mhd_ != nullptr) MHD_stop_daemon(mhd_);
}

void WebServer::Publish(std::shared_ptr<const Snapshot> snapshot) {
  std::lock_guard lock(mu_);
  snapshot_ = std::move(snapshot);
}

const DbFigures* WebServer::Figures(Time now) {
  if (!figures_tried_ || now - *figures_tried_ >= kDbFiguresEvery || now < *figures_tried_) {
    figures_tried_ = now;
    auto read = reader_.Read(now);
    if (read) {
      figures_ = std::move(*read);
      db_error_.reset();
    } else {
      if (db_error_ != read.error().message)
        spdlog::warn("metrics server: {}", read.error().message);
      figures_.reset();
      db_error_ = read.error().message;
    }
  }
  return figures_ ? &*figures_ : nullptr;
}

WebServer::Reply WebServer::Serve(std::string_view path, Time now) {
  std::shared_ptr<const Snapshot> snapshot;
  {
    std::lock_guard lock(mu_);
    snapshot = snapshot_;
  }
  if (path != "/metrics" && path != "/")
    return {MHD_HTTP_NOT_FOUND, "text/plain; charset=utf-8", "not found: try / or /metrics\n"};
  if (!snapshot) {
    return {MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain; charset=utf-8",
            "gleaner is starting: no figures yet\n"};
  }
  const DbFigures* db = Figures(now);
  if (path == "/metrics") return {MHD_HTTP_OK, kMetricsContentType, RenderMetrics(*snapshot, db)};
  return {MHD_HTTP_OK, "text/html; charset=utf-8", RenderStatusPage(*snapshot, db, now)};
}

}  // namespace gleaner::web
