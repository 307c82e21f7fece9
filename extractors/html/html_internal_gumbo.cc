#include "extractors/html/html_internal_gumbo.h"

#include <csetjmp>
#include <csignal>
#include <cstdlib>
#include <mutex>

namespace gleaner::html::internal {
namespace {

// The jump target of the parse running on this thread, or null outside Gumbo.
thread_local sigjmp_buf* t_abort_target = nullptr;

// The SIGABRT disposition OnAbort replaced; written by EnsureAbortTrap, under its mutex,
// each time it (re)installs OnAbort.
struct sigaction g_previous_abort_action;

extern "C" void OnAbort(int signo, siginfo_t* info, void* context) {
  if (sigjmp_buf* target = t_abort_target) {
    t_abort_target = nullptr;
    siglongjmp(*target, 1);
  }
  // Not inside Gumbo: the abort keeps its meaning.
  const struct sigaction& previous = g_previous_abort_action;
  if ((previous.sa_flags & SA_SIGINFO) != 0) {
    if (previous.sa_sigaction != nullptr) previous.sa_sigaction(signo, info, context);
    return;
  }
  if (previous.sa_handler == SIG_IGN) return;
  if (previous.sa_handler != SIG_DFL) {
    previous.sa_handler(signo);
    return;
  }
  // Default action: die of SIGABRT, whether it came from abort() or from kill(1). The
  // signal is blocked while this handler runs, so it is delivered when the handler returns.
  signal(SIGABRT, SIG_DFL);
  raise(SIGABRT);
}

// Installs OnAbort unless it is the handler already. Checked on every parse, not once:
// whoever installed a handler since (a test framework does, around each test) keeps it as
// the one OnAbort hands other aborts to. If sigaction fails, Gumbo runs untrapped, as before.
void EnsureAbortTrap() {
  static std::mutex mutex;
  std::lock_guard<std::mutex> lock(mutex);
  struct sigaction current {};
  if (sigaction(SIGABRT, nullptr, &current) != 0) return;
  if ((current.sa_flags & SA_SIGINFO) != 0 && current.sa_sigaction == OnAbort) return;
  struct sigaction action {};
  action.sa_sigaction = OnAbort;
  action.sa_flags = SA_SIGINFO;
  sigemptyset(&action.sa_mask);
  sigaction(SIGABRT, &action, &g_previous_abort_action);
}

// Kept apart so that nothing in the caller's frame is live across the jump.
GumboOutput* ParseTrapped(const GumboOptions* options, std::string_view html) {
  sigjmp_buf target;
  if (sigsetjmp(target, /*savemask=*/1) != 0) return nullptr;  // Gumbo aborted
  t_abort_target = &target;
  GumboOutput* output = gumbo_parse_with_options(options, html.data(), html.size());
  t_abort_target = nullptr;
  return output;
}

}  // namespace

void* GumboArena::Allocate(void* arena, size_t size) {
  auto* self = static_cast<GumboArena*>(arena);
  auto* block = static_cast<Block*>(std::malloc(sizeof(Block) + size));
  if (block == nullptr) return nullptr;
  block->prev = &self->head_;
  block->next = self->head_.next;
  self->head_.next->prev = block;
  self->head_.next = block;
  return block + 1;
}

void GumboArena::Deallocate(void* /*arena*/, void* ptr) {
  if (ptr == nullptr) return;
  Block* block = static_cast<Block*>(ptr) - 1;
  block->prev->next = block->next;
  block->next->prev = block->prev;
  std::free(block);
}

void GumboArena::FreeAll() {
  Block* block = head_.next;
  while (block != &head_) {
    Block* next = block->next;
    std::free(block);
    block = next;
  }
  head_.prev = head_.next = &head_;
}

ContainedGumboParse::ContainedGumboParse(const GumboOptions& base, std::string_view html)
    : options_(base) {
  options_.allocator = &GumboArena::Allocate;
  options_.deallocator = &GumboArena::Deallocate;
  options_.userdata = &arena_;
  EnsureAbortTrap();
  output_ = ParseTrapped(&options_, html);
  if (output_ == nullptr) arena_.FreeAll();  // whatever the aborted parse left behind
}

ContainedGumboParse::~ContainedGumboParse() {
  if (output_ != nullptr) gumbo_destroy_output(&options_, output_);
}

}  // namespace gleaner::html::internal
