// Private to extractors/html: runs Gumbo so that its assertion failures cannot kill us.
//
// Debian 12's Gumbo (0.10.1, built with assertions on) aborts on some malformed markup:
// `<table><math><select><mi><select><td>` ends in "parser.c:714: node_qualified_tag_is:
// Assertion `node' failed" and abort(). One such page would take the daemon down, and
// because the page is still due after the restart, keep it down. ContainedGumboParse runs
// gumbo_parse_with_options with every allocation in an arena of its own, and this module
// defines `__assert_fail`, glibc's entry point for a failed assert(). The executable's
// definition interposes on libc's for every caller, libgumbo.so included (the linker
// exports it because the shared library refers to it; `nm -D gleaner` lists it). When the
// failing thread is inside ContainedGumboParse, control jumps back there, the arena frees
// what Gumbo had allocated, and the caller gets no output instead of a dead process.
//
// Only a failed assertion during a parse is recovered. Any other assertion prints glibc's
// line ("prog: file:line: function: Assertion `x' failed.") and aborts, as glibc's would;
// and no signal is trapped: a SIGABRT from a heap-corruption check, the stack protector or
// a watchdog ends the process even in the middle of a parse.
#pragma once

#include <gumbo.h>

#include <cstddef>
#include <string_view>

namespace gleaner::html::internal {

// Every block Gumbo allocates during one parse, so that an aborted parse leaks nothing.
// Not copyable or movable (Gumbo holds a pointer to it).
class GumboArena {
 public:
  GumboArena() = default;
  GumboArena(const GumboArena&) = delete;
  GumboArena& operator=(const GumboArena&) = delete;
  ~GumboArena() { FreeAll(); }

  // GumboOptions allocator/deallocator; `arena` is the GumboArena (options.userdata).
  static void* Allocate(void* arena, size_t size);
  static void Deallocate(void* arena, void* ptr);

  // Frees every block still allocated.
  void FreeAll();

 private:
  struct alignas(alignof(std::max_align_t)) Block {
    Block* prev;
    Block* next;
  };
  Block head_{&head_, &head_};  // sentinel of a circular list of live blocks
};

// One Gumbo parse of `html` with `base` options (allocator and userdata are replaced).
// output() is the parse tree, or nullptr when one of Gumbo's assertions failed (then
// aborted() is true).
// The tree lives as long as this object. Not copyable or movable. Thread-safe: distinct
// threads may parse at the same time.
class ContainedGumboParse {
 public:
  ContainedGumboParse(const GumboOptions& base, std::string_view html);
  ContainedGumboParse(const ContainedGumboParse&) = delete;
  ContainedGumboParse& operator=(const ContainedGumboParse&) = delete;
  ~ContainedGumboParse();

  const GumboOutput* output() const { return output_; }
  bool aborted() const { return output_ == nullptr; }

 private:
  GumboArena arena_;
  GumboOptions options_;
  GumboOutput* output_ = nullptr;
};

}  // namespace gleaner::html::internal
