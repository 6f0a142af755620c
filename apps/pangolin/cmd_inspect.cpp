// pangolin inspect MODEL.onnx [--json]: the imported graph, the merge report and ℓ, f, f_w.
#include <cstdio>
#include <stdexcept>

#include "cli.h"
#include "commands.h"
#include "model_cli.h"
#include "nn/plan_io.h"
#include "protocol/report.h"

namespace pg::app {
namespace {

void print_json(const std::string& path, const MergedModel& m, const nn::MergeReport& r) {
  std::printf(
      "{\"model\": %s, \"input\": %s, \"ell\": %d, \"f\": %d, \"f_w\": %d, \"bound_bits\": %d, "
      "\"margin_bits\": %d, \"calibration\": %s, \"architecture_hash\": \"%s\",\n \"before\": "
      "%s,\n \"after\": %s}\n",
      protocol::json_string(path).c_str(),
      protocol::json_string(nn::to_string(m.graph.input_shape)).c_str(), r.ell, r.f, r.f_w,
      r.bound_bits, r.margin_bits, protocol::json_string(m.calibration_source).c_str(),
      nn::hex(nn::architecture_hash(m.merged.plan)).c_str(), counts_json(r.before).c_str(),
      counts_json(r.after).c_str());
}

void print_text(const std::string& path, const MergedModel& m, const nn::MergeReport& r) {
  std::printf("model %s\n\ngraph (as imported):\n%s\n", path.c_str(),
              nn::describe(m.graph).c_str());
  std::printf("merge passes:\n");
  for (const auto& line : m.merged.log) std::printf("  %s\n", line.c_str());
  std::printf("\nmerged graph:\n%s\n", nn::describe(m.merged.merged).c_str());
  std::printf(
      "merge report (calibrated on %s; N per block from the protocol's parameter "
      "choice):\n%s\n",
      m.calibration_source.c_str(), nn::format_report(r).c_str());
  std::printf("architecture hash %s\n", nn::hex(nn::architecture_hash(m.merged.plan)).c_str());
}

int cmd_inspect(int argc, char** argv) {
  Args args(argc, argv, 2, {"help", "json"});
  if (args.has("help") || args.positional().size() != 1) {
    std::printf(
        "usage: pangolin inspect MODEL.onnx [--json] [--f F] [--f-w FW] [--margin BITS]\n"
        "                        [--ell L] [--weight-bits B] [--calibration N]\n\n"
        "Imports the model, merges it into a plan (BN and constant folding, linear fusion,\n"
        "MaxPool before ReLU), quantises it (defaults f = 12, f_w = 12), calibrates ℓ, and\n"
        "prints the graph and the merge report.\n\n"
        "  --f, --f-w      fractional bits of activations and of weights (default 12, 12)\n"
        "  --margin BITS   headroom of ℓ over the calibrated activation bound (default 2)\n"
        "  --ell L         run in Z_2^L instead of the calibrated ring; L must be at least\n"
        "                  the calibrated ℓ and at most 64\n"
        "  --weight-bits B the public weight bound |A_int| < 2^B, the same for every layer\n"
        "                  (default f_w + 3: real weights within ±8)\n"
        "  --calibration N inputs that calibrate the bound (default 500)\n");
    return args.has("help") ? 0 : 2;
  }
  MergeSettings settings;
  if (!read_merge_settings(args, settings) ||
      !args.reject_unknown(with_merge_flags({"help", "json"}))) {
    std::fprintf(stderr, "pangolin inspect: %s\n", args.error().c_str());
    return 2;
  }
  const std::string path = args.positional()[0];
  auto m = load_and_merge(path, settings);
  if (!m.ok()) {
    std::fprintf(stderr, "pangolin inspect: %s\n", m.error().to_string().c_str());
    return 2;
  }
  try {
    const nn::MergeReport r =
        nn::make_report(m.value().graph, m.value().merged, settings.margin_bits,
                        protocol_ring_degree(m.value().merged.plan.ell));
    if (args.has("json")) {
      print_json(path, m.value(), r);
    } else {
      print_text(path, m.value(), r);
    }
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "pangolin inspect: %s\n", e.what());
    return 1;
  }
  return 0;
}

}  // namespace

PG_REGISTER_COMMAND("inspect", "print a model's graph, merge report and l, f, f_w", &cmd_inspect);

}  // namespace pg::app
