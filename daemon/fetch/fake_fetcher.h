// A Fetcher for tests of the components above the fetcher (scheduler, store, CLI wiring):
// canned results by URL, no network, no clock. It records every request it was given, so
// a test can check what would have been fetched (validators, language, order).
// It does not model politeness, robots.txt or timing: those are CurlFetcher's tests. It
// models just enough of a host's room (RoomFor) and pauses for the crawler's tests: a
// fixed room per host less its unanswered requests, and pauses a test sets and lifts.
// Not thread-safe (like every Fetcher), except Wakeup().
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "daemon/fetch/fetcher.h"

namespace gleaner::fetch {

// A 200 result with `body` and `content_type` (url/final_url are filled in on delivery).
FetchResult FakePage(std::string body, std::string content_type = "text/html; charset=utf-8");
// A failed result of `kind` (status 0, or `status` for kHttpStatus).
FetchResult FakeFailure(FetchErrorKind kind, std::string message, int status = 0);

class FakeFetcher final : public Fetcher {
 public:
  using Handler = std::function<FetchResult(const FetchRequest&)>;

  // The answer for requests to exactly `url`. Later calls replace it.
  void SetResponse(std::string url, FetchResult result);
  // Answers every request no SetResponse covers. Default: kHttpStatus 404.
  void SetHandler(Handler handler);
  // Sitemaps reported for `url`'s origin ("http://host" prefix match).
  void SetSitemaps(std::string origin, std::vector<std::string> sitemaps);

  // RoomFor's room for each host not paused, before its unanswered requests are taken
  // off. Default: 2 (CurlFetcher's default per_host_connections).
  void SetRoom(int per_host) { room_per_host_ = per_host; }
  // Pauses `host` (lower-case, as in the URL) until ResumeHost: RoomFor reports it paused
  // with `remaining` as its wait, PausedHosts lists it with `reason`, and its requests are
  // answered kHostPaused with retry_in = `remaining` (decided when Poll answers them; they
  // are still recorded in requests()). There is no clock: `remaining` does not shrink.
  void PauseHost(std::string host, std::chrono::milliseconds remaining, std::string reason);
  void ResumeHost(const std::string& host);

  // Every request submitted so far, in order.
  const std::vector<FetchRequest>& requests() const { return requests_; }

  // Queues the request; Poll answers queued requests in submission order.
  void Submit(FetchRequest request, Callback done) override;
  // Answers every queued request (never waits). Returns how many.
  size_t Poll(std::chrono::milliseconds max_wait) override;
  size_t Pending() const override { return queue_.size(); }
  void Wakeup() override {}
  std::vector<std::string> Sitemaps(std::string_view url) const override;
  // Paused hosts: paused with their remaining time. Others: the room less the host's
  // queued requests (never below 0), wait 0. An unparsable URL: 1.
  HostRoom RoomFor(std::string_view url) const override;
  // The paused hosts, longest first.
  std::vector<HostPause> PausedHosts() const override;

 private:
  FetchResult Answer(const FetchRequest& request) const;
  void CountQueued(const std::string& url, int delta);

  std::map<std::string, FetchResult> responses_;
  Handler handler_;
  std::map<std::string, std::vector<std::string>> sitemaps_;
  std::vector<FetchRequest> requests_;
  std::deque<std::pair<FetchRequest, Callback>> queue_;
  int room_per_host_ = 2;
  std::map<std::string, int> queued_;        // host -> unanswered requests
  std::map<std::string, HostPause> paused_;  // host -> its pause
};

}  // namespace gleaner::fetch
