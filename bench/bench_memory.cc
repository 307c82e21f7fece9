// bench_memory: the real `gleaner run`'s memory over time against thousands of distinct
// hosts and tens of thousands of URLs, with fast intervals. Every host is a NewsSite
// (tests/support/news_web) on its own loopback address 127.0.x.y (politeness is per host,
// so the hosts must be distinct addresses), all served by one epoll thread listening on
// every address: a thread per host and per connection, as the tests' HttpServer does,
// would cost this process more than the daemon being measured. Each host lists its newest
// articles on a listing page and a feed polled every second and publishes more as the run
// goes; every tenth host also has a sitemap backlog.
// Samples the daemon's resident memory (/proc/PID/status VmRSS) and prints the series,
// start, peak and end. Target: flat, and at most 40 MB.
//
//   build/bench/bench_memory [--seconds N] [--hosts N] [--initial N] [--publish SECONDS]
//                            [--backlog N] [--sample SECONDS] [--gleaner PATH]
// (defaults: 180 s, 2000 hosts, 10 articles each at the start, one more per host every
// 30 s, 200-article sitemaps on every tenth host, a sample every 5 s)
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "tests/support/news_web.h"
#include "tests/support/run_binary.h"

namespace {

using namespace std::chrono_literals;
using gleaner::testing::LoopbackAddress;
using gleaner::testing::NewsPage;
using gleaner::testing::NewsSite;
using gleaner::testing::NewsSiteOptions;

struct Args {
  int seconds = 180;
  int hosts = 2000;
  int initial = 10;
  int publish_seconds = 30;
  int backlog = 200;
  int sample_seconds = 5;
  std::string gleaner;
};

constexpr const char* kConfig =
    "log_level: warn\nfetch:\n  delay: 100ms\n  jitter: 0ms\n  retries: 1\n  connections: 16\n"
    "  allow_networks: [127.0.0.0/8]\n";  // the news web's hosts, refused by default
constexpr double kTargetMb = 40;
// Request heads larger than this close the connection: the daemon never sends them.
constexpr size_t kMaxHead = 16 * 1024;

bool ParseArgs(int argc, char** argv, Args* args) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (i + 1 >= argc) return false;
    std::string v = argv[++i];
    int n = std::atoi(v.c_str());
    if (a == "--seconds")
      args->seconds = n;
    else if (a == "--hosts")
      args->hosts = n;
    else if (a == "--initial")
      args->initial = n;
    else if (a == "--publish")
      args->publish_seconds = n;
    else if (a == "--backlog")
      args->backlog = n;
    else if (a == "--sample")
      args->sample_seconds = n;
    else if (a == "--gleaner")
      args->gleaner = v;
    else
      return false;
  }
  if (args->gleaner.empty()) {
    args->gleaner =
        (std::filesystem::path(argv[0]).parent_path().parent_path() / "gleaner").string();
  }
  return args->seconds > 0 && args->hosts > 0 && args->hosts < 250 * 254 && args->initial >= 0 &&
         args->publish_seconds >= 0 && args->backlog >= 0 && args->sample_seconds > 0;
}

// Every host's NewsSite served by one thread: one listening socket per loopback address,
// non-blocking keep-alive connections, replies computed at request time.
class EpollWeb {
 public:
  explicit EpollWeb(const std::vector<NewsSiteOptions>& hosts) {
    epoll_ = epoll_create1(EPOLL_CLOEXEC);
    if (epoll_ < 0) throw std::runtime_error("epoll_create1 failed");
    auto start = std::chrono::system_clock::now();
    uint16_t shared_port = 0;
    for (size_t h = 0; h < hosts.size(); ++h) {
      std::string address = LoopbackAddress(static_cast<int>(h) + 1);
      uint16_t port = shared_port;
      int fd = Listen(address, &port);
      if (fd < 0 && shared_port != 0)
        fd = Listen(address, &(port = 0));  // the shared port is taken here
      if (fd < 0)
        throw std::runtime_error("cannot listen on " + address + ": " + std::strerror(errno));
      if (shared_port == 0) shared_port = port;
      sites_.push_back(std::make_unique<NewsSite>(
          hosts[h], "http://" + address + ":" + std::to_string(port), start));
      listeners_[fd] = h;
      Watch(fd, EPOLLIN);
    }
    thread_ = std::thread([this] { Loop(); });
  }

  ~EpollWeb() {
    stop_ = true;
    thread_.join();
    for (const auto& [fd, site] : listeners_) ::close(fd);
    for (const auto& [fd, conn] : connections_) ::close(fd);
    ::close(epoll_);
  }

  const NewsSite& site(size_t h) const { return *sites_[h]; }
  size_t size() const { return sites_.size(); }
  uint64_t requests() const { return requests_.load(); }

 private:
  struct Connection {
    size_t site = 0;
    std::string in;
    std::string out;
    bool close_after = false;
  };

  static int Listen(const std::string& address, uint16_t* port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(*port);
    ::inet_pton(AF_INET, address.c_str(), &addr.sin_addr);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 64) != 0) {
      int error = errno;
      ::close(fd);
      errno = error;
      return -1;
    }
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    *port = ntohs(addr.sin_port);
    return fd;
  }

  void Watch(int fd, uint32_t events, int op = EPOLL_CTL_ADD) {
    epoll_event ev{};
    ev.events = events;
    ev.data.fd = fd;
    ::epoll_ctl(epoll_, op, fd, &ev);
  }

  void Close(int fd) {
    ::epoll_ctl(epoll_, EPOLL_CTL_DEL, fd, nullptr);
    ::close(fd);
    connections_.erase(fd);
  }

  void Loop() {
    std::vector<epoll_event> events(256);
    while (!stop_) {
      int n = ::epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), 100);
      for (int i = 0; i < n; ++i) {
        int fd = events[static_cast<size_t>(i)].data.fd;
        if (auto l = listeners_.find(fd); l != listeners_.end()) {
          Accept(fd, l->second);
        } else if (connections_.count(fd)) {
          Serve(fd, events[static_cast<size_t>(i)].events);
        }
      }
    }
  }

  void Accept(int listener, size_t site) {
    while (true) {
      int fd = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) return;
      connections_[fd].site = site;
      Watch(fd, EPOLLIN | EPOLLRDHUP);
    }
  }

  void Serve(int fd, uint32_t events) {
    Connection& c = connections_[fd];
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
      char buf[16384];
      while (true) {
        ssize_t got = ::recv(fd, buf, sizeof buf, 0);
        if (got > 0) {
          c.in.append(buf, static_cast<size_t>(got));
          continue;
        }
        if (got == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
          if (c.out.empty()) return Close(fd);
          c.close_after = true;
        }
        break;
      }
    }
    for (size_t end; (end = c.in.find("\r\n\r\n")) != std::string::npos;) {
      Answer(c, c.in.substr(0, end + 2));
      c.in.erase(0, end + 4);
    }
    if (c.in.size() > kMaxHead) return Close(fd);
    while (!c.out.empty()) {
      ssize_t sent = ::send(fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
      if (sent <= 0) {
        if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        return Close(fd);
      }
      c.out.erase(0, static_cast<size_t>(sent));
    }
    if (c.out.empty() && c.close_after) return Close(fd);
    Watch(fd, EPOLLIN | EPOLLRDHUP | (c.out.empty() ? 0u : static_cast<uint32_t>(EPOLLOUT)),
          EPOLL_CTL_MOD);
  }

  // Appends the reply to the request `head` (request line and headers, CRLF-terminated).
  void Answer(Connection& c, const std::string& head) {
    ++requests_;
    size_t sp1 = head.find(' ');
    size_t sp2 = head.find(' ', sp1 + 1);
    std::string target = sp1 == std::string::npos || sp2 == std::string::npos
                             ? "/"
                             : head.substr(sp1 + 1, sp2 - sp1 - 1);
    std::string path = target.substr(0, target.find('?'));
    std::string if_none_match;
    for (size_t pos = head.find("\r\n"); pos != std::string::npos && pos + 2 < head.size();) {
      size_t end = head.find("\r\n", pos + 2);
      std::string line = head.substr(pos + 2, end - pos - 2);
      pos = end;
      size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char ch) { return std::tolower(ch); });
      size_t start = line.find_first_not_of(' ', colon + 1);
      std::string value = start == std::string::npos ? "" : line.substr(start);
      if (name == "if-none-match") if_none_match = value;
      if (name == "connection" && (value == "close" || value == "Close")) c.close_after = true;
    }
    NewsPage page = sites_[c.site]->Serve(path, if_none_match, std::chrono::system_clock::now());
    const char* reason = page.status == 200   ? "OK"
                         : page.status == 304 ? "Not Modified"
                                              : "Not Found";
    c.out += "HTTP/1.1 " + std::to_string(page.status) + " " + reason + "\r\n";
    if (!page.content_type.empty()) c.out += "Content-Type: " + page.content_type + "\r\n";
    if (!page.etag.empty()) c.out += "ETag: " + page.etag + "\r\n";
    if (page.status != 304) c.out += "Content-Length: " + std::to_string(page.body.size()) + "\r\n";
    c.out += c.close_after ? "Connection: close\r\n\r\n" : "Connection: keep-alive\r\n\r\n";
    c.out += page.body;
  }

  int epoll_ = -1;
  std::vector<std::unique_ptr<NewsSite>> sites_;
  std::unordered_map<int, size_t> listeners_;  // listening fd -> site
  std::unordered_map<int, Connection> connections_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> requests_{0};
  std::thread thread_;  // last: starts once everything above exists
};

// The pid of this process's child named `comm` (the daemon BackgroundProcess started), or 0.
int ChildPid(const std::string& comm) {
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    size_t open = line.find('('), close = line.rfind(')');
    if (open == std::string::npos || close == std::string::npos) continue;
    int ppid = 0;
    char state = 0;
    if (std::sscanf(line.c_str() + close + 1, " %c %d", &state, &ppid) != 2) continue;
    if (ppid == getpid() && line.substr(open + 1, close - open - 1) == comm)
      return std::atoi(name.c_str());
  }
  return 0;
}

// VmRSS of `pid` in KB, or -1 when it is gone.
long RssKb(int pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return -1;
}

int64_t Count(const std::string& db_path, const char* sql) {
  int64_t n = -1;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      n = sqlite3_column_int64(stmt, 0);
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!ParseArgs(argc, argv, &args)) {
    std::fprintf(stderr,
                 "usage: bench_memory [--seconds N] [--hosts N] [--initial N] [--publish SECONDS] "
                 "[--backlog N] "
                 "[--sample SECONDS] [--gleaner PATH]\n");
    return 2;
  }
  if (!std::filesystem::exists(args.gleaner)) {
    std::fprintf(stderr, "bench_memory: no gleaner binary at %s (use --gleaner PATH)\n",
                 args.gleaner.c_str());
    return 2;
  }
  std::vector<NewsSiteOptions> hosts;
  for (int h = 0; h < args.hosts; ++h) {
    NewsSiteOptions o;
    o.id = "host-" + std::to_string(h);
    o.initial_articles = args.initial;
    o.publish_every = std::chrono::seconds(args.publish_seconds);
    // Spread over the period so that publishing is a steady stream, not a wave.
    o.first_publish = std::chrono::milliseconds(1 + static_cast<int64_t>(h) * 7919 %
                                                        (args.publish_seconds * 1000 + 1));
    o.newest = 20;
    o.paragraphs = 3;
    o.listing_every = 1s;
    o.feed_every = 1s;
    o.backlog = h % 10 == 0 ? args.backlog : 0;
    o.sitemap_every = 1s;
    hosts.push_back(o);
  }
  EpollWeb web(hosts);
  gleaner::testing::TempDir dir;
  const std::string sites = dir.path() + "/sites";
  std::filesystem::create_directories(sites);
  for (size_t h = 0; h < web.size(); ++h) {
    dir.Write("sites/" + web.site(h).options().id + ".yaml", web.site(h).SiteFile());
  }
  dir.Write("gleaner.yaml", kConfig);
  const std::string db = dir.path() + "/gleaner.db";
  std::printf("bench_memory: gleaner %s\n", args.gleaner.c_str());
  std::printf(
      "  %d hosts (127.0.0.2 ... %s), %d articles each at the start, one more per host every %d s, "
      "a %d-article sitemap on every tenth host; sources every 1s; delay 100ms; %d s run\n",
      args.hosts, LoopbackAddress(args.hosts).c_str(), args.initial, args.publish_seconds,
      args.backlog, args.seconds);
  std::fflush(stdout);

  const auto started = std::chrono::steady_clock::now();
  gleaner::testing::BackgroundProcess daemon(
      args.gleaner, {"run", "--config", dir.path() + "/gleaner.yaml", "--sites", sites, "--db", db},
      dir.path());
  int pid = 0;
  for (int i = 0; i < 100 && pid == 0; ++i) {
    std::this_thread::sleep_for(20ms);
    pid = ChildPid("gleaner");
  }
  if (pid == 0) {
    std::fprintf(stderr, "bench_memory: cannot find the gleaner process\n");
    return 1;
  }
  std::printf("  %6s %9s %9s %9s %9s\n", "t (s)", "RSS (MB)", "articles", "frontier", "requests");
  std::vector<double> series;
  const auto end = started + std::chrono::seconds(args.seconds);
  for (auto next = started + 1s; next <= end; next += std::chrono::seconds(args.sample_seconds)) {
    std::this_thread::sleep_until(next);
    long rss = RssKb(pid);
    if (rss < 0 || !daemon.Running()) {
      std::printf("  gleaner exited early; stderr:\n%s\n", daemon.Stderr().c_str());
      return 1;
    }
    series.push_back(rss / 1024.0);
    std::printf("  %6.0f %9.1f %9lld %9lld %9llu\n",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(),
                series.back(), static_cast<long long>(Count(db, "SELECT count(*) FROM articles")),
                static_cast<long long>(Count(db, "SELECT count(*) FROM frontier")),
                static_cast<unsigned long long>(web.requests()));
    std::fflush(stdout);
  }
  daemon.Signal(SIGTERM);
  auto exit_code = daemon.WaitFor(30s);
  if (series.empty()) return 1;
  double peak = *std::max_element(series.begin(), series.end());
  // "Flat": the last third of the run holds no more than the middle third's peak plus 10 %.
  size_t third = series.size() / 3;
  double middle_peak = third ? *std::max_element(series.begin() + static_cast<long>(third),
                                                 series.begin() + static_cast<long>(2 * third))
                             : peak;
  double last_peak =
      third ? *std::max_element(series.begin() + static_cast<long>(2 * third), series.end()) : peak;
  bool flat = last_peak <= middle_peak * 1.1;
  std::printf(
      "\nresults: RSS start %.1f MB, peak %.1f MB, end %.1f MB; last third peak %.1f MB vs middle "
      "third "
      "%.1f MB (%s); target <= %.0f MB: %s; gleaner exit %s\n",
      series.front(), peak, series.back(), last_peak, middle_peak, flat ? "flat" : "GROWING",
      kTargetMb, peak <= kTargetMb ? "met" : "MISSED",
      exit_code ? std::to_string(*exit_code).c_str() : "none (killed)");
  std::printf("  %llu requests served, %lld articles stored, %lld URLs in the frontier\n",
              static_cast<unsigned long long>(web.requests()),
              static_cast<long long>(Count(db, "SELECT count(*) FROM articles")),
              static_cast<long long>(Count(db, "SELECT count(*) FROM frontier")));
  return 0;
}
