#include "daemon/fetch/fake_fetcher.h"

#include <algorithm>

#include "daemon/fetch/http_util.h"

namespace gleaner::fetch {

FetchResult FakePage(std::string body, std::string content_type) {
  FetchResult r;
  r.status = 200;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  r.attempts = 1;
  return r;
}

FetchResult FakeFailure(FetchErrorKind kind, std::string message, int status) {
  FetchResult r;
  r.status = status;
  r.error_kind = kind;
  r.error = std::move(message);
  r.attempts = 1;
  return r;
}

void FakeFetcher::SetResponse(std::string url, FetchResult result) {
  responses_[std::move(url)] = std::move(result);
}

void FakeFetcher::SetHandler(Handler handler) { handler_ = std::move(handler); }

void FakeFetcher::SetSitemaps(std::string origin, std::vector<std::string> sitemaps) {
  sitemaps_[std::move(origin)] = std::move(sitemaps);
}

void FakeFetcher::PauseHost(std::string host, std::chrono::milliseconds remaining,
                            std::string reason) {
  HostPause pause{host, remaining, std::move(reason)};
  paused_[std::move(host)] = std::move(pause);
}

void FakeFetcher::ResumeHost(const std::string& host) { paused_.erase(host); }

void FakeFetcher::Submit(FetchRequest request, Callback done) {
  requests_.push_back(request);
  CountQueued(request.url, +1);
  queue_.emplace_back(std::move(request), std::move(done));
}

void FakeFetcher::CountQueued(const std::string& url, int delta) {
  std::optional<UrlTarget> target = TargetOf(url);
  if (!target) return;
  int& count = queued_[target->host];
  count += delta;
  if (count <= 0) queued_.erase(target->host);
}

FetchResult FakeFetcher::Answer(const FetchRequest& request) const {
  FetchResult r;
  std::optional<UrlTarget> target = TargetOf(request.url);
  auto pause = target ? paused_.find(target->host) : paused_.end();
  if (pause != paused_.end()) {
    r = FakeFailure(FetchErrorKind::kHostPaused, "host " + pause->first + " paused (" +
                                                     pause->second.reason + "): " + request.url);
    r.attempts = 0;  // never sent
    r.retry_in = pause->second.remaining;
  } else if (auto it = responses_.find(request.url); it != responses_.end()) {
    r = it->second;
  } else if (handler_) {
    r = handler_(request);
  } else {
    r = FakeFailure(FetchErrorKind::kHttpStatus, "HTTP 404 from " + request.url, 404);
  }
  r.url = request.url;
  if (r.final_url.empty()) r.final_url = request.url;
  return r;
}

size_t FakeFetcher::Poll(std::chrono::milliseconds) {
  // Callbacks may Submit more: answer only what was queued when Poll began.
  std::deque<std::pair<FetchRequest, Callback>> batch;
  batch.swap(queue_);
  for (auto& [request, done] : batch) {
    CountQueued(request.url, -1);
    FetchResult r = Answer(request);
    if (done) done(std::move(r));
  }
  return batch.size();
}

HostRoom FakeFetcher::RoomFor(std::string_view url) const {
  std::optional<UrlTarget> target = TargetOf(url);
  if (!target) return HostRoom{1, std::chrono::milliseconds(0), false};
  if (auto pause = paused_.find(target->host); pause != paused_.end()) {
    return HostRoom{0, pause->second.remaining, true};
  }
  auto queued = queued_.find(target->host);
  int used = queued == queued_.end() ? 0 : queued->second;
  return HostRoom{std::max(0, room_per_host_ - used), std::chrono::milliseconds(0), false};
}

std::vector<HostPause> FakeFetcher::PausedHosts() const {
  std::vector<HostPause> pauses;
  for (const auto& [host, pause] : paused_) pauses.push_back(pause);
  std::stable_sort(pauses.begin(), pauses.end(), [](const HostPause& a, const HostPause& b) {
    return a.remaining > b.remaining;
  });
  return pauses;
}

std::vector<std::string> FakeFetcher::Sitemaps(std::string_view url) const {
  for (const auto& [origin, list] : sitemaps_) {
    if (url.substr(0, origin.size()) == origin) return list;
  }
  return {};
}

}  // namespace gleaner::fetch
