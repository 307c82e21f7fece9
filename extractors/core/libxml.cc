#include "extractors/core/libxml.h"

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

}  // namespace gleaner
