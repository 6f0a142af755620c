// pangolin plain MODEL.onnx --data fashion-mnist [--limit N] [--json]: plaintext accuracy of the
// float graph and of the merged, quantised plan (the fixed-point engine), and their agreement.
#include <atomic>
#include <cstdio>

#include "cli.h"
#include "commands.h"
#include "core/thread_pool.h"
#include "dataset.h"
#include "model_cli.h"
#include "nn/fixed_point.h"
#include "nn/reference.h"

namespace pg::app {
namespace {

struct Tally {
  std::atomic<size_t> float_ok{0}, plan_ok{0}, agree{0};
};

void evaluate_all(const MergedModel& m, const Dataset& ds, Tally& t) {
  core::ThreadPool pool;
  pool.parallel_for(ds.images.size(), [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      const auto& x = ds.images[i].pixels;
      const size_t a = argmax(nn::evaluate(m.graph, x));
      const size_t b = argmax(nn::run_plan_real(m.merged.plan, x));
      t.float_ok += a == size_t(ds.labels[i]);
      t.plan_ok += b == size_t(ds.labels[i]);
      t.agree += a == b;
    }
  });
}

int cmd_plain(int argc, char** argv) {
  Args args(argc, argv, 2, {"help", "json"});
  if (args.has("help") || args.positional().size() != 1) {
    std::printf(
        "usage: pangolin plain MODEL.onnx --data fashion-mnist [--limit N] [--json]\n"
        "                      [--f F] [--f-w FW] [--margin BITS] [--ell L] [--weight-bits B]\n"
        "                      [--calibration N]\n\n"
        "Runs the Fashion-MNIST test set through the float graph (reference engine) and the\n"
        "merged, quantised plan (fixed-point engine); prints both accuracies and their top-1\n"
        "agreement.\n");
    return args.has("help") ? 0 : 2;
  }
  MergeSettings settings;
  const auto limit = args.get_int("limit", 1, 10000);
  if (!read_merge_settings(args, settings) ||
      !args.reject_unknown(with_merge_flags({"help", "json", "data", "limit"}))) {
    std::fprintf(stderr, "pangolin plain: %s\n", args.error().c_str());
    return 2;
  }
  if (args.get_or("data", "") != "fashion-mnist") {
    std::fprintf(stderr, "pangolin plain: --data fashion-mnist is required (the only data set)\n");
    return 2;
  }
  auto m = load_and_merge(args.positional()[0], settings);
  if (!m.ok()) {
    std::fprintf(stderr, "pangolin plain: %s\n", m.error().to_string().c_str());
    return 2;
  }
  if (m.value().graph.input_shape != nn::Shape{1, 1, 28, 28}) {
    std::fprintf(stderr, "pangolin plain: the model's input is %s, Fashion-MNIST is 1x1x28x28\n",
                 nn::to_string(m.value().graph.input_shape).c_str());
    return 2;
  }
  auto ds = load_fashion_mnist("t10k", limit ? size_t(*limit) : 10000);
  if (!ds.ok()) {
    std::fprintf(stderr, "pangolin plain: %s\n", ds.error().to_string().c_str());
    return 2;
  }
  Tally t;
  evaluate_all(m.value(), ds.value(), t);
  const double n = double(ds.value().images.size());
  const nn::Plan& p = m.value().merged.plan;
  if (args.has("json")) {
    std::printf(
        "{\"images\": %zu, \"accuracy_float\": %.6f, \"accuracy_plan\": %.6f, \"agreement\": "
        "%.6f, \"ell\": %d, \"f\": %d, \"f_w\": %d}\n",
        ds.value().images.size(), double(t.float_ok) / n, double(t.plan_ok) / n,
        double(t.agree) / n, p.ell, p.f, p.f_w);
  } else {
    std::printf("images                  %zu (Fashion-MNIST test set)\n", ds.value().images.size());
    std::printf("accuracy, float graph   %.2f%%\n", 100.0 * double(t.float_ok) / n);
    std::printf("accuracy, merged plan   %.2f%%  (ell = %d, f = %d, f_w = %d)\n",
                100.0 * double(t.plan_ok) / n, p.ell, p.f, p.f_w);
    std::printf("top-1 agreement         %.2f%%\n", 100.0 * double(t.agree) / n);
  }
  return 0;
}

}  // namespace

PG_REGISTER_COMMAND("plain", "plaintext accuracy of the float graph and of the merged plan",
                    &cmd_plain);

}  // namespace pg::app
