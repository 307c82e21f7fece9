#include "daemon/schedule/signals.h"

#include <csignal>

namespace gleaner::schedule {
namespace {

volatile std::sig_atomic_t g_stop = 0;
volatile std::sig_atomic_t g_reload = 0;

void OnStop(int) { g_stop = 1; }
void OnReload(int) { g_reload = 1; }

void Handle(int signal, void (*handler)(int)) {
  struct sigaction action {};
  action.sa_handler = handler;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(signal, &action, nullptr);
}

}  // namespace

void InstallSignalHandlers() {
  Handle(SIGTERM, OnStop);
  Handle(SIGINT, OnStop);
  Handle(SIGHUP, OnReload);
  Handle(SIGPIPE, SIG_IGN);
}

bool StopRequested() { return g_stop != 0; }

bool TakeReloadRequest() {
  if (!g_reload) return false;
  g_reload = 0;
  return true;
}

}  // namespace gleaner::schedule
