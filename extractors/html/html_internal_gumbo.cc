#include "extractors/html/html_internal_gumbo.h"

#include <errno.h>  // program_invocation_short_name

#include <csetjmp>
#include <cstdio>
#include <cstdlib>

namespace gleaner::html::internal {
namespace {

// The jump target of the parse running on this thread, or null outside Gumbo.
thread_local sigjmp_buf* t_assert_target = nullptr;

// Kept apart so that nothing in the caller's frame is live across the jump.
GumboOutput* ParseContained(const GumboOptions* options, std::string_view html) {
  sigjmp_buf target;
  // No signal mask is saved or restored: the jump leaves a plain function call, not a
  // signal handler.
  if (sigsetjmp(target, /*savemask=*/0) != 0) return nullptr;  // Gumbo's assertion failed
  t_assert_target = &target;
  GumboOutput* output = gumbo_parse_with_options(options, html.data(), html.size());
  t_assert_target = nullptr;
  return output;
}

}  // namespace
}  // namespace gleaner::html::internal

// glibc's assert() calls this on failure; see the header for why gleaner defines it.
extern "C" void __assert_fail(const char* assertion, const char* file, unsigned int line,
                              const char* function) noexcept {
  if (sigjmp_buf* target = gleaner::html::internal::t_assert_target) {
    gleaner::html::internal::t_assert_target = nullptr;
    siglongjmp(*target, 1);
  }
  // glibc's own message, then its abort.
  const char* program = program_invocation_short_name;
  std::fprintf(stderr, "%s%s%s:%u: %s%sAssertion `%s' failed.\n", program,
               program[0] != '\0' ? ": " : "", file, line, function != nullptr ? function : "",
               function != nullptr ? ": " : "", assertion);
  std::fflush(stderr);
  std::abort();
}

namespace gleaner::html::internal {

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
  output_ = ParseContained(&options_, html);
  if (output_ == nullptr) arena_.FreeAll();  // whatever the aborted parse left behind
}

ContainedGumboParse::~ContainedGumboParse() {
  if (output_ != nullptr) gumbo_destroy_output(&options_, output_);
}

}  // namespace gleaner::html::internal
