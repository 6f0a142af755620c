// The table of pangolin subcommands. Each run() gets the full argv (argv[1] is its name) and
// returns the exit code: 0 success, 1 a failed operation, 2 bad usage or bad input.
#pragma once

#include <vector>

namespace pg::app {

struct Command {
  const char* name;
  const char* summary;
  int (*run)(int argc, char** argv);
};

const std::vector<Command>& commands();

int cmd_selfcheck(int argc, char** argv);

}  // namespace pg::app
