#include "tests/support/prometheus.h"

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "tests/support/run_binary.h"

namespace gleaner::testing {

std::pair<int, std::string> PromtoolCheckMetrics(const std::string& text) {
  TempDir dir;
  std::string file = dir.Write("metrics.txt", text);
  std::string command = "promtool check metrics < '" + file + "' 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return {-1, "cannot run promtool"};
  std::string out;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
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
