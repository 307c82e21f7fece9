// libxml2's one-time global set-up, done before any thread touches libxml2.
//
// libxml2 2.9 (Debian 12) builds part of its global state on first use without a guard: two
// threads that make their first dictionary at the same moment can each create the
// dictionaries' lock and leave it marked as held for good, and every later parse in the
// process then waits on it forever (seen: four threads parsing pages at once, all hung in
// xmlDictCreate). Every function of this library that calls into libxml2 calls InitLibxml
// first, so that distinct Documents, selectors and feeds may be used from distinct threads
// from the very first call. Thread-safe; after the first call it costs one atomic load.
#pragma once

#include <libxml/xmlerror.h>

namespace gleaner {

// Runs libxml2's own initialisation (xmlInitParser, which takes libxml2's global lock) once
// per process.
void InitLibxml();

// Makes libxml2's generic error handler, through which it prints some failures to stderr
// whatever a parse's NOERROR/NOWARNING options say (encoding failures, some XPath errors),
// a no-op for this guard's lifetime, then restores the previous one. The handler is per
// thread, as libxml2's state is. Bytes from the web must not write to the daemon's stderr
// (the journal).
class QuietGenericErrors {
 public:
  QuietGenericErrors();
  ~QuietGenericErrors();
  QuietGenericErrors(const QuietGenericErrors&) = delete;
  QuietGenericErrors& operator=(const QuietGenericErrors&) = delete;

 private:
  xmlGenericErrorFunc saved_;
  void* saved_ctx_;
};

}  // namespace gleaner
