// A config value out of its range, sent by SIGHUP to a running daemon: the reload is refused
// with file:line:col and the allowed range, and the daemon goes on with its old settings.
#include <catch2/catch.hpp>
#include <csignal>
#include <thread>

#include "support/http_server.h"
#include "support/run_binary.h"

namespace gleaner {
namespace {

using namespace std::chrono_literals;
using testing::HttpReply;
using testing::HttpRequest;

// True when some request for `path` received so far carried a User-Agent starting with `agent`.
bool SawAgent(const testing::HttpServer& server, const std::string& path,
              const std::string& agent) {
  for (const HttpRequest& r : server.RequestsFor(path)) {
    if (r.Header("user-agent").value_or("").rfind(agent, 0) == 0) return true;
  }
  return false;
}

TEST_CASE("SIGHUP with an out-of-range config value keeps the running settings",
          "[e2e][daemon][config]") {
  testing::HttpServer server;
  server.Route("/robots.txt", HttpReply::Text("User-agent: *\nAllow: /\n"));
  server.Route("/fr/", HttpReply::Html("<html><body><p>nothing new</p></body></html>"));
  testing::TempDir dir;
  std::string origin = server.Origin();
  std::string escaped = origin;
  for (size_t at = 0; (at = escaped.find('.', at)) != std::string::npos; at += 2)
    escaped.replace(at, 1, "\\.");
  dir.Write("sites/local.yaml", "id: local\nname: Local\nlanguage: fr\nurls: '^" + escaped +
                                    "/'\nsources:\n  - listing: " + origin +
                                    "/fr/\n    every: 1s\n"
                                    "layouts:\n  - body: p\n");
  const std::string fetch =
      std::string("fetch:\n  delay: 10ms\n  jitter: 0ms\n  retries: 0\n") + testing::kAllowLoopback;
  dir.Write("gleaner.yaml", fetch + "  user_agent: first-agent/1\n");
  testing::Daemon daemon({"run", "--config", dir.path() + "/gleaner.yaml", "--sites",
                          dir.path() + "/sites", "--db", dir.path() + "/var/gleaner.db"},
                         dir.path());
  REQUIRE(server.WaitForCount("/fr/", 1, 20s));
  CHECK(SawAgent(server, "/fr/", "first-agent/1"));

  // `timeout: 0s` would mean "no timeout at all" to libcurl; the new agent must not leak in.
  dir.Write("gleaner.yaml", fetch + "  user_agent: second-agent/2\n  timeout: 0s\n");
  daemon.Signal(SIGHUP);
  bool refused = false;
  for (int i = 0; i < 100 && !refused; ++i) {
    std::this_thread::sleep_for(100ms);
    refused = daemon.Stderr().find("reload refused") != std::string::npos;
  }
  CHECK(refused);
  const int timeout_line =
      7;  // fetch:, delay, jitter, retries, allow_networks, user_agent, timeout
  CHECK_THAT(daemon.Stderr(),
             Catch::Contains("gleaner.yaml:" + std::to_string(timeout_line) +
                             ":12: 'timeout' must be a duration from 1s to 1h (got '0s')"));
  // The listing is polled every second: the next polls still carry the old agent.
  size_t polls = server.CountFor("/fr/");
  REQUIRE(server.WaitForCount("/fr/", polls + 2, 20s));
  CHECK_FALSE(SawAgent(server, "/fr/", "second-agent/2"));
  CHECK(daemon.Running());
  daemon.Signal(SIGTERM);
  CHECK(daemon.WaitFor(20s) == std::optional<int>(0));
}

}  // namespace
}  // namespace gleaner
