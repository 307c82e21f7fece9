// Debian's Chromium, run headless for tests that need a real browser's view of a page we
// generate: the DOM it built (--dump-dom) and what it drew (--screenshot). Each run gets a
// fresh profile under a temporary directory, no sandbox (CI runs as root), no GPU, and a
// deadline after which the browser and every process it started are killed.
// Errors are values: a missing browser, a failed start, a crash or a timeout come back as
// an Error naming what happened (with the end of the browser's stderr).
#pragma once

#include <chrono>
#include <string>

#include "extractors/core/result.h"

namespace gleaner::testing {

// Where Debian installs the browser (the `chromium` package).
inline constexpr char kChromiumPath[] = "/usr/bin/chromium";
// How long one run may take before it is killed: far above the 1-3 s a local page takes,
// for a machine busy with a parallel build.
inline constexpr std::chrono::seconds kChromiumTimeout{60};

// kChromiumPath when it exists and is executable; kInput otherwise.
Result<std::string> FindChromium();

// Loads `url` (file:// for a page written to disk) in a `width` x `height` window and
// returns the serialised DOM once the page has loaded (its scripts, if any, have run).
// kInput when the browser is missing, fails, prints nothing or runs past `timeout`.
Result<std::string> DumpDom(const std::string& url, int width = 1280, int height = 900,
                            std::chrono::seconds timeout = kChromiumTimeout);

// Loads `url` in a `width` x `height` window and writes what it draws as a PNG to
// `png_path` (overwritten). kInput when the browser is missing, fails, writes no file or
// runs past `timeout`.
Result<void> Screenshot(const std::string& url, const std::string& png_path, int width, int height,
                        std::chrono::seconds timeout = kChromiumTimeout);

}  // namespace gleaner::testing
