#include <cstdio>

#include "cli.h"
#include "commands.h"
#include "core/selfcheck.h"
#include "core/thread_pool.h"

namespace pg::app {
namespace {

int cmd_selfcheck(int argc, char** argv) {
  Args args(argc, argv, 2, {"help"});
  if (args.has("help")) {
    std::printf(
        "usage: pangolin selfcheck [--threads T]\n\n"
        "Checks the CPU features and the AES-128 and PRG known-answer vectors.\n");
    return 0;
  }
  auto threads = args.get_int("threads", 1, 1024);
  if (!args.reject_unknown({"help", "threads"}) || !args.ok()) {
    std::fprintf(stderr, "pangolin selfcheck: %s\n", args.error().c_str());
    return 2;
  }
  if (threads) core::set_num_threads(static_cast<size_t>(*threads));
  int failed = 0;
  for (const auto& r : core::run_selfcheck()) {
    std::printf("  [%s] %-48s %s\n", r.passed ? " ok " : "FAIL", r.name.c_str(), r.detail.c_str());
    failed += r.passed ? 0 : 1;
  }
  std::printf("selfcheck: %s\n", failed == 0 ? "all checks passed" : "FAILED");
  return failed == 0 ? 0 : 1;
}

}  // namespace

PG_REGISTER_COMMAND("selfcheck", "check CPU features and the AES/PRG known answers",
                    &cmd_selfcheck);

}  // namespace pg::app
