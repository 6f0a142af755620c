// The registry of pangolin subcommands. Each cmd_*.cpp registers itself with
// PG_REGISTER_COMMAND, so adding a command touches no shared file. run() gets the full argv
// (argv[1] is the command's name) and returns the exit code: 0 success, 1 a failed operation,
// 2 bad usage or bad input.
#pragma once

#include <vector>

#include "core/assert.h"

namespace pg::app {

struct Command {
  const char* name;
  const char* summary;
  int (*run)(int argc, char** argv);
};

// Sorted by name.
std::vector<Command> commands();

struct CommandRegistrar {
  explicit CommandRegistrar(Command c);
};

}  // namespace pg::app

#define PG_REGISTER_COMMAND(name, summary, fn) \
  static const ::pg::app::CommandRegistrar PG_CONCAT(pg_command_, __LINE__)({name, summary, fn})
