#include "tests/support/prometheus.h"

#include <cstdlib>
#include <string_view>

#include "tests/support/run_binary.h"

namespace gleaner::testing {

std::pair<int, std::string> PromtoolCheckMetrics(const std::string& text) {
  TempDir dir;
  std::string file = dir.Write("metrics.txt", text);
  ShellResult run = RunShell("promtool check metrics < '" + file + "' 2>&1");
  return {run.exit_code, run.out};
}

std::map<std::string, double> PrometheusSamples(const std::string& text) {
  std::map<std::string, double> samples;
  for (const std::string& line : Lines(text)) {
    if (line.empty() || line[0] == '#') continue;
    size_t space = line.rfind(' ');
    if (space == std::string::npos) continue;
    samples[line.substr(0, space)] = std::strtod(line.c_str() + space + 1, nullptr);
  }
  return samples;
}

}  // namespace gleaner::testing
