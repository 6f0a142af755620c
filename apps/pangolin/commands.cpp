#include "commands.h"

#include <algorithm>
#include <string>

namespace pg::app {
namespace {
std::vector<Command>& registry() {
  static std::vector<Command> r;  // function-local: safe during static initialisation
  return r;
}
}  // namespace

CommandRegistrar::CommandRegistrar(Command c) {
  registry().push_back(c);
}

std::vector<Command> commands() {
  std::vector<Command> out = registry();
  std::sort(out.begin(), out.end(),
            [](const Command& a, const Command& b) { return std::string(a.name) < b.name; });
  return out;
}

}  // namespace pg::app
