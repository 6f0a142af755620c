// pangolin: private neural-network inference. Subcommands are dispatched from a table;
// each lives in its own cmd_*.cpp.
#include <cstdio>
#include <cstring>
#include <string>

#include "commands.h"
#include "core/cpu.h"
#include "core/version.h"

namespace {

void print_usage(FILE* out) {
  std::fprintf(out,
               "pangolin %s: private CNN inference (CKKS preprocessing + garbled circuits)\n\n"
               "usage: pangolin <command> [options]\n\ncommands:\n",
               PG_VERSION);
  for (const auto& c : pg::app::commands()) std::fprintf(out, "  %-10s %s\n", c.name, c.summary);
  std::fprintf(out,
               "\nglobal: --version, --help; `pangolin <command> --help` for a command's "
               "options.\n");
}

}  // namespace

int main(int argc, char** argv) {
  pg::core::require_cpu_features();
  if (argc < 2) {
    print_usage(stderr);
    return 2;
  }
  const std::string cmd = argv[1];
  if (cmd == "--version" || cmd == "version") {
    std::printf("pangolin %s (protocol version %d)\n", PG_VERSION, PG_PROTOCOL_VERSION);
    return 0;
  }
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    print_usage(stdout);
    return 0;
  }
  for (const auto& c : pg::app::commands()) {
    if (cmd == c.name) return c.run(argc, argv);
  }
  std::fprintf(stderr, "pangolin: unknown command '%s'\n\n", cmd.c_str());
  print_usage(stderr);
  return 2;
}
