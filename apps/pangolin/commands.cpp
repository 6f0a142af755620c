#include "commands.h"

namespace pg::app {

const std::vector<Command>& commands() {
  static const std::vector<Command> kCommands = {
      {"selfcheck", "check CPU features and the AES/PRG known answers", &cmd_selfcheck},
  };
  return kCommands;
}

}  // namespace pg::app
