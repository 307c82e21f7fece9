#include "extractors/core/libxml.h"

#include <libxml/globals.h>
#include <libxml/parser.h>

namespace gleaner {

void InitLibxml() {
  // A function-local static is initialised exactly once, other threads waiting meanwhile.
  static const bool initialized = [] {
    xmlInitParser();
    return true;
  }();
  (void)initialized;
}

namespace {
void IgnoreGeneric(void*, const char*, ...) {}
}  // namespace

QuietGenericErrors::QuietGenericErrors()
    : saved_(xmlGenericError), saved_ctx_(xmlGenericErrorContext) {
  xmlSetGenericErrorFunc(nullptr, &IgnoreGeneric);
}

QuietGenericErrors::~QuietGenericErrors() { xmlSetGenericErrorFunc(saved_ctx_, saved_); }

}  // namespace gleaner
