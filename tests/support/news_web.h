// A synthetic news web for end-to-end tests and benchmarks: many news hosts, each on its own
// loopback address (127.0.0.2, 127.0.0.3 ... then 127.0.1.1 ...; to a crawler's politeness
// each is a distinct host), serving what a small news site serves: /robots.txt (allow
// all), a listing page `/` and an RSS feed `/rss` showing its newest articles, optionally a
// sitemap (or a sitemap index and its children) listing an archive backlog, and article
// pages `/a/<n>` in plain article HTML (h1, <time>, <article> with paragraphs).
//
// Publishing follows the clock rather than a thread: a host publishes a new article every
// `publish_every`, and every page is computed from the time of the request, so the listing,
// the feed and the article pages change together and each article's publication time is
// known exactly (system clock, the clock the store's timestamps use), for
// publication-to-stored latencies.
//
// Also writes each host's site file (sites/README.md schema) for the real daemon.
// Never talks to anything outside 127.0.0.0/8.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/http_server.h"

namespace gleaner::testing {

using SystemTime = std::chrono::system_clock::time_point;

// The n-th (n >= 1) loopback address of the news web: 127.0.0.<n+1> up to n = 253, then
// 127.0.1.1 ... (each third octet holds 254 hosts, .1 to .254), up to 127.0.255.254.
// REQUIRES: 1 <= n <= 256 * 254 - 1.
std::string LoopbackAddress(int n);

// url -> first_seen_ms (milliseconds since the epoch) of every article stored in the
// database at `db_path`, read through a read-only connection of its own while the daemon
// keeps writing. Empty until the daemon has created the database.
std::map<std::string, int64_t> StoredArticles(const std::string& db_path);

// Milliseconds since the epoch, the unit of the store's timestamps.
int64_t EpochMillis(SystemTime t);

// What one news host publishes and how its site file polls it.
struct NewsSiteOptions {
  std::string id;  // the site id and file name (<id>.yaml); lower-case, digits, '-'
  // Articles already out when the host starts (all older than its start time).
  int initial_articles = 3;
  // A new article this often after the start; 0: the host publishes nothing new.
  std::chrono::milliseconds publish_every{0};
  // When the first new article comes out, after the start (0: after `publish_every`).
  // Different offsets keep many hosts from publishing in the same instant.
  std::chrono::milliseconds first_publish{0};
  int newest = 20;           // articles the listing and the feed show, newest first
  int backlog = 0;           // archive articles only the sitemap lists (0: no sitemap)
  int sitemap_children = 0;  // > 0: /sitemap.xml is an index; each child lists this many
  int paragraphs = 5;        // of each article's body
  // `every:` of each source in the site file (0: the source is left out of the file).
  std::chrono::milliseconds listing_every{std::chrono::seconds(5)};
  std::chrono::milliseconds feed_every{std::chrono::seconds(5)};
  std::chrono::milliseconds sitemap_every{std::chrono::hours(1)};
};

// One article a host has put out.
struct PublishedArticle {
  int host = 0;     // index in the NewsWeb
  int number = 0;   // the page is /a/<number>
  std::string url;  // absolute
  SystemTime published;
  bool backlog = false;  // an archive article (listed only by the sitemap)
};

// One response of a NewsSite.
struct NewsPage {
  int status = 200;
  std::string content_type;
  std::string body;
  std::string etag;  // empty: none
};

// The pages of one host as a function of the path and the time; holds no server, so other
// servers (a benchmark's event loop) can serve it too. Immutable once built: thread-safe.
//
// Numbering: archive articles are 1..backlog (oldest first); the articles out at the start
// follow, then one per `publish_every`.
class NewsSite {
 public:
  // `origin` is "http://ADDRESS:PORT"; `start` is when the host begins publishing.
  NewsSite(NewsSiteOptions options, std::string origin, SystemTime start);

  // The reply for `path` (no query) at `now`; a 304 when `if_none_match` equals the page's
  // ETag (listing, feed and sitemaps carry one). Unknown paths and articles not yet
  // published are 404.
  NewsPage Serve(std::string_view path, std::string_view if_none_match, SystemTime now) const;

  // The number of non-archive articles published by `now` (the initial ones included).
  int PublishedCount(SystemTime now) const;
  // When article `number` was (or will be) published.
  SystemTime PublicationTime(int number) const;
  // Every article published by `now`, archive ones included, in number order; `host` is
  // set to `host_index`.
  std::vector<PublishedArticle> Published(SystemTime now, int host_index) const;
  // The article number of `path` ("/a/<n>"), or nullopt.
  static std::optional<int> ArticleNumber(std::string_view path);

  // The site file: id, urls, articles, the sources with their `every:` and one layout.
  std::string SiteFile() const;

  const NewsSiteOptions& options() const { return options_; }
  const std::string& origin() const { return origin_; }
  SystemTime start() const { return start_; }

 private:
  NewsPage Listing(SystemTime now) const;
  NewsPage Feed(SystemTime now) const;
  NewsPage Sitemap(std::string_view path) const;
  NewsPage Article(int number, SystemTime now) const;
  std::string Title(int number) const;

  NewsSiteOptions options_;
  std::string origin_;
  SystemTime start_;
};

// Many NewsSites, each served by its own HttpServer on its own loopback address. The
// servers share one port when they can (so URLs differ only by address) and fall back to
// an ephemeral port when that port is taken on an address. Hosts may be added while the web
// serves (a site that appears later); the servers stop when the web dies.
// Thread-safe, except that a host's index must come from AddHost before it is used.
class NewsWeb {
 public:
  // `record`: whether the servers keep every request (long benchmarks turn it off).
  explicit NewsWeb(bool record = true);
  ~NewsWeb();
  NewsWeb(const NewsWeb&) = delete;
  NewsWeb& operator=(const NewsWeb&) = delete;

  // Starts a host on the next loopback address, publishing from now on; returns its index
  // (0, 1, ...). Throws std::runtime_error when no socket can be bound.
  int AddHost(NewsSiteOptions options);

  int hosts() const;
  const NewsSite& site(int host) const;
  HttpServer& server(int host) const;

  // Writes host's site file as `dir`/<id>.yaml (creating `dir`); returns the file's path.
  // Throws std::runtime_error when it cannot be written.
  std::string WriteSiteFile(int host, const std::string& dir) const;

  // Every article published by now on every host, by host then number.
  std::vector<PublishedArticle> Published() const;
  // The host and article number of an article URL of this web, or nullopt.
  std::optional<std::pair<int, int>> Locate(std::string_view url) const;

 private:
  struct Host {
    std::unique_ptr<HttpServer> server;
    std::unique_ptr<NewsSite> site;
  };

  bool record_;
  mutable std::mutex mutex_;  // guards hosts_ (the vector; each Host is immutable once in)
  std::vector<std::unique_ptr<Host>> hosts_;
  uint16_t port_ = 0;  // the shared port, once the first server has one
};

}  // namespace gleaner::testing
