#include "tests/support/news_web.h"

#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <utility>

#include "extractors/core/units.h"

namespace gleaner::testing {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

// Archive articles are dated this long before their host started, a minute apart, so that
// they read as old news to anyone who looks at the dates.
constexpr auto kArchiveAge = std::chrono::hours(24 * 30);
constexpr auto kArchiveSpacing = std::chrono::minutes(1);
// Articles out at the start are this far apart, the newest this long before the start.
constexpr auto kInitialSpacing = std::chrono::minutes(5);

// Words the article text is drawn from: ordinary news prose, so that extraction sees
// sentences with enough words and punctuation, not a repeated token.
constexpr const char* kWords[] = {
    "the",       "council",  "announced", "on",         "Tuesday",   "that",     "new",
    "measures",  "for",      "public",    "transport",  "would",     "take",     "effect",
    "next",      "month",    "after",     "a",          "long",      "debate",   "with",
    "residents", "and",      "local",     "businesses", "officials", "said",     "budget",
    "was",       "approved", "by",        "large",      "majority",  "while",    "critics",
    "warned",    "costs",    "could",     "rise",       "in",        "coming",   "years",
    "market",    "weather",  "report",    "minister",   "schools",   "hospital", "harbour",
    "festival",  "farmers",  "water",     "energy",     "prices",    "study",    "region"};
constexpr int kWordCount = sizeof kWords / sizeof kWords[0];
constexpr int kWordsPerSentence = 14;
constexpr int kSentencesPerParagraph = 4;
constexpr int kWordsPerTitle = 8;

// A small deterministic generator: the same article always reads the same.
uint32_t Mix(uint32_t x) {
  x ^= x >> 16;
  x *= 0x7feb352dU;
  x ^= x >> 15;
  x *= 0x846ca68bU;
  x ^= x >> 16;
  return x;
}

std::string Sentence(uint32_t seed, int words = kWordsPerSentence) {
  std::string out;
  for (int w = 0; w < words; ++w) {
    std::string word = kWords[Mix(seed * 131 + static_cast<uint32_t>(w)) % kWordCount];
    if (w == 0) word[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(word[0])));
    out += (w ? " " : "") + word;
  }
  return out + ".";
}

std::string Iso8601(SystemTime t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string Rfc822(SystemTime t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[48];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

std::string EscapeRegex(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (std::string_view(".^$|()[]{}*+?\\").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

NewsPage Page(std::string content_type, std::string body, std::string etag = "") {
  return NewsPage{200, std::move(content_type), std::move(body), std::move(etag)};
}

NewsPage NotFound() { return NewsPage{404, "text/plain", "not found\n", ""}; }

}  // namespace

std::map<std::string, int64_t> StoredArticles(const std::string& db_path) {
  std::map<std::string, int64_t> out;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT url, first_seen_ms FROM articles", -1, &stmt, nullptr) ==
        SQLITE_OK) {
      while (sqlite3_step(stmt) == SQLITE_ROW) {
        out[reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0))] =
            sqlite3_column_int64(stmt, 1);
      }
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return out;
}

int64_t EpochMillis(SystemTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::string LoopbackAddress(int n) {
  // .0 and .255 are avoided as last octets: legal on loopback, but they look like network
  // and broadcast addresses to people reading logs.
  int third = n / 254;
  int fourth = n % 254 + 1;
  return "127.0." + std::to_string(third) + "." + std::to_string(fourth);
}

NewsSite::NewsSite(NewsSiteOptions options, std::string origin, SystemTime start)
    : options_(std::move(options)), origin_(std::move(origin)), start_(start) {
  if (options_.first_publish.count() == 0) options_.first_publish = options_.publish_every;
}

int NewsSite::PublishedCount(SystemTime now) const {
  int count = options_.initial_articles;
  if (options_.publish_every.count() <= 0) return count;
  auto since = duration_cast<milliseconds>(now - start_) - options_.first_publish;
  if (since.count() < 0) return count;
  return count + 1 + static_cast<int>(since / options_.publish_every);
}

SystemTime NewsSite::PublicationTime(int number) const {
  if (number <= options_.backlog) {
    return start_ - kArchiveAge + kArchiveSpacing * number;
  }
  int fresh = number - options_.backlog;  // 1-based among the non-archive articles
  if (fresh <= options_.initial_articles) {
    return start_ - kInitialSpacing * (options_.initial_articles - fresh + 1);
  }
  int k = fresh - options_.initial_articles - 1;  // 0 for the first published after start
  return start_ + options_.first_publish + options_.publish_every * k;
}

std::vector<PublishedArticle> NewsSite::Published(SystemTime now, int host_index) const {
  std::vector<PublishedArticle> out;
  int last = options_.backlog + PublishedCount(now);
  out.reserve(static_cast<size_t>(last));
  for (int n = 1; n <= last; ++n) {
    out.push_back(PublishedArticle{host_index, n, origin_ + "/a/" + std::to_string(n),
                                   PublicationTime(n), n <= options_.backlog});
  }
  return out;
}

std::optional<int> NewsSite::ArticleNumber(std::string_view path) {
  constexpr std::string_view kPrefix = "/a/";
  if (path.substr(0, kPrefix.size()) != kPrefix || path.size() == kPrefix.size() ||
      path.size() > kPrefix.size() + 9) {
    return std::nullopt;
  }
  int n = 0;
  for (char c : path.substr(kPrefix.size())) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  if (n <= 0) return std::nullopt;
  return n;
}

NewsPage NewsSite::Serve(std::string_view path, std::string_view if_none_match,
                         SystemTime now) const {
  NewsPage page;
  if (path == "/robots.txt") {
    page = Page("text/plain", "User-agent: *\nAllow: /\n");
  } else if (path == "/") {
    page = Listing(now);
  } else if (path == "/rss") {
    page = Feed(now);
  } else if (options_.backlog > 0 && path.substr(0, 8) == "/sitemap") {
    page = Sitemap(path);
  } else if (auto number = ArticleNumber(path)) {
    page = Article(*number, now);
  } else {
    page = NotFound();
  }
  if (page.status == 200 && !page.etag.empty() && page.etag == if_none_match) {
    return NewsPage{304, "", "", page.etag};
  }
  return page;
}

std::string NewsSite::Title(int number) const {
  std::string sentence = Sentence(static_cast<uint32_t>(number) * 7919U + 17U, kWordsPerTitle);
  sentence.pop_back();  // the full stop
  return sentence + " (" + options_.id + " #" + std::to_string(number) + ")";
}

NewsPage NewsSite::Listing(SystemTime now) const {
  int count = PublishedCount(now);
  int last = options_.backlog + count;
  int first = std::max(options_.backlog + 1, last - options_.newest + 1);
  std::string body = "<!doctype html><html lang=en><head><meta charset=utf-8><title>" +
                     options_.id + "</title></head><body><header><h1>" + options_.id +
                     "</h1><nav><a href='/'>Home</a> <a href='/rss'>RSS</a></nav></header>"
                     "<main><ul class=latest>";
  for (int n = last; n >= first; --n) {
    body += "<li><a href='/a/" + std::to_string(n) + "'>" + Title(n) + "</a> <time>" +
            Iso8601(PublicationTime(n)) + "</time></li>";
  }
  body += "</ul></main><footer>News from " + options_.id + "</footer></body></html>";
  return Page("text/html; charset=utf-8", std::move(body), "\"l" + std::to_string(count) + "\"");
}

NewsPage NewsSite::Feed(SystemTime now) const {
  int count = PublishedCount(now);
  int last = options_.backlog + count;
  int first = std::max(options_.backlog + 1, last - options_.newest + 1);
  std::string body = "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>" +
                     options_.id + "</title><link>" + origin_ + "/</link><description>" +
                     options_.id + " news</description>";
  for (int n = last; n >= first; --n) {
    std::string url = origin_ + "/a/" + std::to_string(n);
    body += "<item><title>" + Title(n) + "</title><link>" + url + "</link><guid>" + url +
            "</guid><pubDate>" + Rfc822(PublicationTime(n)) + "</pubDate></item>";
  }
  body += "</channel></rss>";
  return Page("application/rss+xml", std::move(body), "\"f" + std::to_string(count) + "\"");
}

NewsPage NewsSite::Sitemap(std::string_view path) const {
  const std::string urlset_open =
      "<?xml version='1.0' encoding='utf-8'?>"
      "<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>";
  auto urls = [&](int from, int to) {
    std::string body = urlset_open;
    for (int n = from; n <= to; ++n) {
      body += "<url><loc>" + origin_ + "/a/" + std::to_string(n) + "</loc><lastmod>" +
              Iso8601(PublicationTime(n)) + "</lastmod></url>";
    }
    return body + "</urlset>";
  };
  int per_child = options_.sitemap_children;
  if (per_child <= 0) {
    if (path != "/sitemap.xml") return NotFound();
    return Page("application/xml", urls(1, options_.backlog), "\"s\"");
  }
  int children = (options_.backlog + per_child - 1) / per_child;
  if (path == "/sitemap.xml") {
    std::string body =
        "<?xml version='1.0' encoding='utf-8'?>"
        "<sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>";
    for (int c = 1; c <= children; ++c) {
      body += "<sitemap><loc>" + origin_ + "/sitemap-" + std::to_string(c) + ".xml</loc></sitemap>";
    }
    return Page("application/xml", body + "</sitemapindex>", "\"si\"");
  }
  for (int c = 1; c <= children; ++c) {
    if (path == "/sitemap-" + std::to_string(c) + ".xml") {
      int from = (c - 1) * per_child + 1;
      int to = std::min(options_.backlog, c * per_child);
      return Page("application/xml", urls(from, to), "\"s" + std::to_string(c) + "\"");
    }
  }
  return NotFound();
}

NewsPage NewsSite::Article(int number, SystemTime now) const {
  if (number > options_.backlog + PublishedCount(now)) return NotFound();
  std::string url = origin_ + "/a/" + std::to_string(number);
  std::string title = Title(number);
  std::string when = Iso8601(PublicationTime(number));
  std::string body = "<!doctype html><html lang=en><head><meta charset=utf-8><title>" + title +
                     " - " + options_.id + "</title><link rel=canonical href='" + url +
                     "'><meta property='og:title' content='" + title +
                     "'><meta property='article:published_time' content='" + when +
                     "'><meta name=author content='Staff reporter'></head><body>"
                     "<header><a href='/'>" +
                     options_.id +
                     "</a><nav><a href='/'>Home</a> "
                     "<a href='/rss'>RSS</a></nav></header><main><article><h1>" +
                     title + "</h1><p class=meta>By Staff reporter, <time datetime='" + when +
                     "'>" + when + "</time></p><div class=body>";
  for (int p = 0; p < options_.paragraphs; ++p) {
    body += "<p>";
    for (int s = 0; s < kSentencesPerParagraph; ++s) {
      body += (s ? " " : "") +
              Sentence(static_cast<uint32_t>(number) * 1000U + static_cast<uint32_t>(p * 10 + s));
    }
    body += "</p>";
  }
  body +=
      "</div></article></main><footer><p>Copyright " + options_.id + "</p></footer></body></html>";
  return Page("text/html; charset=utf-8", std::move(body));
}

std::string NewsSite::SiteFile() const {
  std::string o = EscapeRegex(origin_);
  std::string yaml = "id: " + options_.id + "\nname: " + options_.id + "\nlanguage: en\nurls: '^" +
                     o + "/'\narticles: '^" + o + "/a/[0-9]+$'\nsources:\n";
  auto source = [&](const char* kind, const std::string& path, milliseconds every) {
    if (every.count() <= 0) return;
    yaml += std::string("  - ") + kind + ": " + origin_ + path +
            "\n    every: " + gleaner::FormatDuration(every) + "\n";
  };
  source("listing", "/", options_.listing_every);
  source("feed", "/rss", options_.feed_every);
  if (options_.backlog > 0) source("sitemap", "/sitemap.xml", options_.sitemap_every);
  yaml +=
      "layouts:\n  - name: article\n    title: 'article h1'\n"
      "    published: 'article time@datetime'\n    body: 'article .body p'\n";
  return yaml;
}

NewsWeb::NewsWeb(bool record) : record_(record) {}

NewsWeb::~NewsWeb() {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& host : hosts_) host->server->Stop();
}

int NewsWeb::AddHost(NewsSiteOptions options) {
  std::lock_guard<std::mutex> lock(mutex_);
  int index = static_cast<int>(hosts_.size());
  HttpServer::Options server_options;
  server_options.record = record_;
  server_options.address = LoopbackAddress(index + 1);
  server_options.port = port_;
  auto host = std::make_unique<Host>();
  try {
    host->server = std::make_unique<HttpServer>(server_options);
  } catch (const std::runtime_error&) {
    if (port_ == 0) throw;
    // Someone else holds the shared port on this address: any port will do.
    server_options.port = 0;
    host->server = std::make_unique<HttpServer>(server_options);
  }
  if (port_ == 0) port_ = host->server->port();
  host->site = std::make_unique<NewsSite>(std::move(options), host->server->Origin(),
                                          std::chrono::system_clock::now());
  const NewsSite* site = host->site.get();
  host->server->Fallback([site](const HttpRequest& request) {
    NewsPage page = site->Serve(request.path, request.Header("if-none-match").value_or(""),
                                std::chrono::system_clock::now());
    HttpReply reply;
    reply.status = page.status;
    if (!page.content_type.empty()) reply.headers.emplace_back("Content-Type", page.content_type);
    if (!page.etag.empty()) reply.headers.emplace_back("ETag", page.etag);
    reply.body = std::move(page.body);
    return reply;
  });
  hosts_.push_back(std::move(host));
  return index;
}

int NewsWeb::hosts() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return static_cast<int>(hosts_.size());
}

const NewsSite& NewsWeb::site(int host) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return *hosts_.at(static_cast<size_t>(host))->site;
}

HttpServer& NewsWeb::server(int host) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return *hosts_.at(static_cast<size_t>(host))->server;
}

std::string NewsWeb::WriteSiteFile(int host, const std::string& dir) const {
  const NewsSite& s = site(host);
  std::filesystem::create_directories(dir);
  std::string path = dir + "/" + s.options().id + ".yaml";
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << s.SiteFile();
  if (!out.flush()) throw std::runtime_error("cannot write " + path);
  return path;
}

std::vector<PublishedArticle> NewsWeb::Published() const {
  auto now = std::chrono::system_clock::now();
  std::vector<PublishedArticle> out;
  for (int h = 0, n = hosts(); h < n; ++h) {
    auto articles = site(h).Published(now, h);
    out.insert(out.end(), std::make_move_iterator(articles.begin()),
               std::make_move_iterator(articles.end()));
  }
  return out;
}

std::optional<std::pair<int, int>> NewsWeb::Locate(std::string_view url) const {
  std::lock_guard<std::mutex> lock(mutex_);
  for (size_t h = 0; h < hosts_.size(); ++h) {
    const std::string& origin = hosts_[h]->site->origin();
    if (url.substr(0, origin.size()) != origin) continue;
    std::string_view path = url.substr(origin.size());
    if (path.empty() || path.front() != '/') continue;
    if (auto number = NewsSite::ArticleNumber(path))
      return std::make_pair(static_cast<int>(h), *number);
  }
  return std::nullopt;
}

}  // namespace gleaner::testing
