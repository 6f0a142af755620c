// The per-layer table of the online linear kernels (issue 6 item 6, issue 8 item 3): for every
// linear layer of MiniONN-MNIST, MiniONN-CIFAR-10, ResNet-32 and the two anchor layers, on 1 and
// 2 threads, the median time of
//   - the exact kernel as the protocol runs it (RingMethod::kAuto) and every exact method,
//   - plain double im2col + OpenBLAS dgemm on real values (what exactness costs),
//   - the naive direct convolution on shares,
//   - the Delphi-style prime-field kernel (p = 15·2^37 + 1, 128-bit lazy sums, Barrett),
// then the network totals and the ratios the issues ask for. It also prints the cost model's
// prediction next to each measurement, and flags layers where kAuto missed the fastest method.
//
// Usage: online_layers [--ell N] [--repeat N] [--threads 1,2] [--methods] [--network NAME]
//                      [--calibrate]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/prg.h"
#include "core/thread_pool.h"
#include "linear_bench_util.h"
#include "nn/kernels/fp64_gemm.h"
#include "nn/kernels/modular_conv.h"
#include "nn/kernels/ring_conv.h"
#include "nn/kernels/ring_conv_cost.h"

namespace {

using namespace pg::nn::kernels;
using pg::bench::Layer;

struct Options {
  int ell = 37;
  int repeat = 7;
  std::vector<size_t> threads = {1, 2};
  bool methods = false;    // print every exact method's time too
  bool calibrate = false;  // print the cost model's calibration data instead
  std::string network;     // only this network (substring), or all
};

// On one thread the calling thread's CPU time (robust on a shared machine: time slices taken by
// other processes do not count); on more, wall time.
bool g_cpu_time = false;

double now_seconds() {
  if (g_cpu_time) {
    timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double median_seconds(int repeat, const std::function<void()>& fn) {
  fn();  // warm-up: prepared weights, scratch buffers, caches
  std::vector<double> t;
  for (int i = 0; i < repeat; ++i) {
    const double t0 = now_seconds();
    fn();
    t.push_back(now_seconds() - t0);
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

struct Row {
  double exact = 0, best = 0, dbl = 0, direct = 0, modular = 0, predicted = 0;
  RingMethod chosen = RingMethod::kAuto, fastest = RingMethod::kAuto;
  std::map<RingMethod, double> by_method;
};

Row measure(const Layer& l, size_t threads, const Options& o, pg::core::Prg& prg) {
  const ConvGeometry& g = l.g;
  const auto w = pg::bench::trained_like_weights(g, prg);
  const auto x = pg::bench::uniform_shares(g.in_size(), prg);
  RingConv conv(g, w);
  pg::core::ThreadPool pool(threads);
  std::vector<uint64_t> y(g.out_size());
  Row r;
  r.chosen = conv.choose(o.ell, threads);
  r.predicted = predicted_seconds(g, conv.bound(), r.chosen, o.ell, threads);
  r.exact = median_seconds(o.repeat, [&] { conv.apply(x, o.ell, y, RingMethod::kAuto, &pool); });
  r.best = r.exact;
  r.fastest = r.chosen;
  for (RingMethod m : kExactMethods) {
    if (m == RingMethod::kDirect || !conv.supports(m, o.ell)) continue;
    const double s = median_seconds(o.repeat, [&] { conv.apply(x, o.ell, y, m, &pool); });
    r.by_method[m] = s;
    if (s < r.best) r.best = s, r.fastest = m;
  }
  const int direct_repeat = g.out_size() * g.taps() > 20'000'000 ? 1 : o.repeat;
  r.direct =
      median_seconds(direct_repeat, [&] { conv.apply(x, o.ell, y, RingMethod::kDirect, &pool); });
  set_gemm_threads(int(threads));
  std::vector<double> wd(w.begin(), w.end()), xd(g.in_size()), yd(g.out_size());
  for (size_t i = 0; i < xd.size(); ++i) xd[i] = double(int64_t(x[i] >> 40)) / 4096.0;
  r.dbl = median_seconds(o.repeat, [&] { conv2d_double(g, wd, xd, yd); });
  ModularConv mod(g, w);
  std::vector<uint64_t> xm(x.size());
  for (size_t i = 0; i < xm.size(); ++i) xm[i] = x[i] % mod.modulus();
  r.modular = median_seconds(direct_repeat, [&] { mod.apply(xm, y, pool); });
  return r;
}

void print_table(size_t threads, const Options& o) {
  g_cpu_time = threads == 1;
  std::printf("\n### %zu thread%s, ell = %d (medians of %d runs, ms, %s)\n\n", threads,
              threads == 1 ? "" : "s", o.ell, o.repeat,
              g_cpu_time ? "thread CPU time" : "wall time");
  std::printf(
      "| network | layer | x | MMAC | exact (kAuto) | method | model | best method | double | "
      "direct | Delphi-style | exact/double | exact/Delphi |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  auto prg = pg::core::Prg::from_os();
  struct Total {
    double exact = 0, dbl = 0, direct = 0, modular = 0;
  };
  std::map<std::string, Total> totals;
  std::vector<std::string> order;
  for (const Layer& l : pg::bench::benchmark_layers()) {
    if (!o.network.empty() && l.network.find(o.network) == std::string::npos) continue;
    const Row r = measure(l, threads, o, prg);
    const double macs = double(l.g.out_size()) * double(l.g.taps()) * 1e-6;
    std::printf(
        "| %s | %s | %d | %.2f | %.3f | %s | %.3f | %s%s | %.3f | %.2f | %.2f | %.2f | %.3f |\n",
        l.network.c_str(), l.name.c_str(), l.count, macs, r.exact * 1e3, method_name(r.chosen),
        r.predicted * 1e3, method_name(r.fastest),
        r.fastest != r.chosen && r.best < 0.9 * r.exact ? " (!)" : "", r.dbl * 1e3, r.direct * 1e3,
        r.modular * 1e3, r.exact / r.dbl, r.exact / r.modular);
    if (o.methods) {
      for (auto [m, s] : r.by_method)
        std::printf("|  |  %s | | | %.3f |\n", method_name(m), s * 1e3);
    }
    if (!totals.count(l.network)) order.push_back(l.network);
    Total& t = totals[l.network];
    t.exact += l.count * r.exact;
    t.dbl += l.count * r.dbl;
    t.direct += l.count * r.direct;
    t.modular += l.count * r.modular;
  }
  std::printf(
      "\n| network (%zu thread%s) | exact | double | direct | Delphi-style | exact/double | "
      "exact vs Delphi-style |\n|---|---|---|---|---|---|---|\n",
      threads, threads == 1 ? "" : "s");
  for (const auto& n : order) {
    const Total& t = totals[n];
    std::printf("| %s | %.2f ms | %.2f ms | %.1f ms | %.1f ms | %.2f | %.1f%% less |\n", n.c_str(),
                t.exact * 1e3, t.dbl * 1e3, t.direct * 1e3, t.modular * 1e3, t.exact / t.dbl,
                100.0 * (1.0 - t.exact / t.modular));
  }
}

// --calibrate: one CSV line per (layer, method) with the cost model's work units and the measured
// single-thread time, the data the constants in ring_conv_cost.cpp were fitted to.
void print_calibration(const Options& o) {
  g_cpu_time = true;
  auto prg = pg::core::Prg::from_os();
  std::vector<Layer> layers = pg::bench::benchmark_layers();
  for (int c : {8, 32, 128}) {
    for (int hw : {6, 14, 28}) layers.push_back({"extra", "conv3x3", pg::bench::conv3(c, hw, c)});
  }
  layers.push_back({"extra", "conv5x5", square_conv(32, 20, 20, 32, 5, 1, 2)});
  layers.push_back({"extra", "conv1x1", square_conv(128, 16, 16, 64, 1)});
  layers.push_back({"extra", "dw3x3", square_conv(64, 16, 16, 64, 3, 1, 1, 64)});
  layers.push_back({"extra", "FC", dense_geometry(4096, 256)});
  std::printf("layer,method,seconds");
  for (int k = 0; k < kCostTerms; ++k) std::printf(",u%d", k);
  std::printf("\n");
  pg::core::ThreadPool pool(1);
  for (const Layer& l : layers) {
    const auto w = pg::bench::trained_like_weights(l.g, prg);
    const auto x = pg::bench::uniform_shares(l.g.in_size(), prg);
    RingConv conv(l.g, w);
    std::vector<uint64_t> y(l.g.out_size());
    for (RingMethod m : kExactMethods) {
      CostUnits u;
      if (!cost_units(l.g, conv.bound(), m, o.ell, u)) continue;
      if (m == RingMethod::kDirect && l.g.out_size() * l.g.taps() > 20'000'000) continue;
      const double s = median_seconds(o.repeat, [&] { conv.apply(x, o.ell, y, m, &pool); });
      std::printf("%s %s,%s,%.9g", l.network.c_str(), l.name.c_str(), method_name(m), s);
      for (double v : u) std::printf(",%.6g", v);
      std::printf("\n");
    }
  }
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--ell" && has_value) {
      o.ell = std::atoi(argv[++i]);
    } else if (a == "--repeat" && has_value) {
      o.repeat = std::max(1, std::atoi(argv[++i]));
    } else if (a == "--threads" && has_value) {
      o.threads.clear();
      for (char* t = std::strtok(argv[++i], ","); t; t = std::strtok(nullptr, ",")) {
        o.threads.push_back(size_t(std::max(1, std::atoi(t))));
      }
    } else if (a == "--methods") {
      o.methods = true;
    } else if (a == "--calibrate") {
      o.calibrate = true;
    } else if (a == "--network" && has_value) {
      o.network = argv[++i];
    } else {
      std::fprintf(stderr,
                   "usage: online_layers [--ell N] [--repeat N] [--threads 1,2] [--methods] "
                   "[--network NAME] [--calibrate]\n");
      std::exit(2);
    }
  }
  if (o.ell < 1 || o.ell > 64) {
    std::fprintf(stderr, "online_layers: --ell must be in [1, 64]\n");
    std::exit(2);
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  if (o.calibrate) {
    print_calibration(o);
    return 0;
  }
  std::printf(
      "Online linear layers: exact ring kernel vs baselines (weights: trained-like, f_w = 12)\n");
  for (size_t t : o.threads) print_table(t, o);
  return 0;
}
