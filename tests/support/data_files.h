// Reading the benchmark data sets kept outside the repository (pages stored gzipped), for
// the benchmark programs and the tests.
#pragma once

#include <string>

namespace gleaner::testing {

// The decompressed content of the gzip file at `path`; empty when it cannot be read.
std::string GunzipFile(const std::string& path);

}  // namespace gleaner::testing
