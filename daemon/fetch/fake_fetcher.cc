#include "daemon/fetch/fake_fetcher.h"

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

void FakeFetcher::Submit(FetchRequest request, Callback done) {
  requests_.push_back(request);
  queue_.emplace_back(std::move(request), std::move(done));
}

FetchResult FakeFetcher::Answer(const FetchRequest& request) const {
  FetchResult r;
  if (auto it = responses_.find(request.url); it != responses_.end()) {
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
    FetchResult r = Answer(request);
    if (done) done(std::move(r));
  }
  return batch.size();
}

std::vector<std::string> FakeFetcher::Sitemaps(std::string_view url) const {
  for (const auto& [origin, list] : sitemaps_) {
    if (url.substr(0, origin.size()) == origin) return list;
  }
  return {};
}

}  // namespace gleaner::fetch
