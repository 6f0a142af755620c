// The HE preprocessing of every affine term of a network, layer by layer (issue 6, item 6):
// client encrypt, server compute, client decrypt, bytes up and down, for the coefficient
// packing in both plaintext spaces and for the slot baseline, side by side. Each exchange is
// also checked bit for bit against the direct uint64 convolution.
//
//   he_layers [--net NAME[,NAME...]] [--threads T] [--packing coeff|slot|both]
//             [--scheme auto|pow2|ckks|all] [--reps R] [--terms K[,K...]] [--cache-mib M]
//             [--params]
//   NAME: anchor-conv (ResNet-50's 56×56×64→64 3x3, pad 1), anchor-fc (2048→1000), minionn,
//         minionn_cifar, resnet32. T = 1 (default) runs each party on one thread, 0 all cores.
//   --params prints the chosen parameters and the cost model's estimate without running.
//   --cache-mib bounds the server's prepared weight plaintexts (default 4096).
// Times are medians over R runs (default 3). One-time costs (keys, kernel preparation) are
// reported per configuration, not per layer.
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "core/prg.h"
#include "core/thread_pool.h"
#include "he_linear_plans.h"
#include "nn/kernels/ring_conv.h"
#include "nn/merge.h"
#include "nn/onnx_import.h"
#include "protocol/linear/he_linear.h"
#include "protocol/linear/term_setup.h"

namespace {

using namespace pg;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Process CPU time: on a shared machine the 1-thread wall times include waiting for a core.
double cpu_now() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// The anchors: ResNet-50's 56×56×64→64 3x3 (padding 1) and a 2048→1000 dense layer.
nn::Plan anchor(bool conv) {
  return conv ? bench::one_term_plan(nn::kernels::square_conv(64, 56, 56, 64, 3, 1, 1), false)
              : bench::one_term_plan(nn::kernels::dense_geometry(2048, 1000), true);
}

std::vector<double> synthetic_input(size_t count) {
  std::vector<double> x(count);
  for (size_t i = 0; i < count; ++i) x[i] = double(float(double(i * 7919 % 10007) / 10007.0));
  return x;
}

nn::Plan model(const std::string& name) {
  auto g = nn::import_onnx_file(std::string(PG_SOURCE_DIR) + "/models/" + name + ".onnx");
  if (!g.ok()) throw std::runtime_error(g.error().to_string());
  nn::MergeOptions mo;
  mo.calibration = {synthetic_input(size_t(nn::element_count(g.value().input_shape)))};
  auto m = nn::merge(g.value(), mo);
  if (!m.ok()) throw std::runtime_error(m.error().to_string());
  return std::move(m.value().plan);
}

std::string shape_of(const nn::HeTerm& t) {
  const auto& g = t.geometry;
  std::ostringstream os;
  if (t.dense) {
    os << "fc " << g.in_c << "->" << g.out_c;
  } else {
    os << (g.groups > 1 ? "dw" : "conv") << g.kh << "x" << g.kw << " " << g.in_c << "x" << g.in_h
       << "x" << g.in_w << "->" << g.out_c << " s" << g.stride_h << " p" << g.pad_top;
  }
  return os.str();
}

struct Config {
  const char* label;
  protocol::HeScheme scheme;
  protocol::HePacking packing;
};

struct Totals {
  double enc = 0, srv = 0, dec = 0, cpu = 0;
  uint64_t up = 0, down = 0;
};

struct Run {
  const protocol::HeLinearClient& client;
  const protocol::HeLinearServer& server;
  const protocol::HeClientKeys& keys;
  int reps;
};

const nn::HeTerm& term_of(const nn::Plan& plan, const protocol::HeTermRef& ref) {
  return std::get<nn::AffineStep>(plan.steps[ref.step]).he_terms[ref.term];
}

void print_params(const std::string& net, const char* label, const nn::Plan& plan,
                  const protocol::PlanSetup& setup) {
  const auto refs = protocol::he_term_refs(plan);
  for (size_t k = 0; k < setup.terms.size(); ++k) {
    const auto& s = setup.terms[k];
    std::printf("%-14s %-6s %2zu %-28s sigma'=%d %s  est %.1f ms %.0f KiB\n", net.c_str(), label, k,
                shape_of(term_of(plan, refs[k])).c_str(), setup.sigma,
                protocol::describe(s.params).c_str(),
                1e3 * protocol::estimate_seconds(s.params, s.counts),
                double(protocol::estimate_bytes(s.params, s.counts)) / 1024.0);
  }
}

// Median times of `reps` exchanges of term k, checked against the direct convolution; prints a
// row and adds it to the totals. Returns false if any element is wrong.
bool measure_term(const std::string& net, const char* label, const nn::Plan& plan, size_t k,
                  const Run& run, Totals& tot) {
  const auto& term = term_of(plan, protocol::he_term_refs(plan)[k]);
  const auto st = run.client.stats(k);
  const uint64_t mask = plan.ell >= 64 ? ~uint64_t{0} : (uint64_t{1} << plan.ell) - 1;
  core::Prg prg = core::Prg::from_os();
  std::vector<uint64_t> r(term.dense ? size_t(term.geometry.in_c) : term.geometry.in_size());
  std::vector<uint64_t> t(term.dense ? size_t(term.geometry.out_c) : term.geometry.out_size());
  for (auto& v : r) v = prg.next_u64() & mask;
  std::vector<double> te, ts, td, tc;
  core::Bytes req, rep;
  std::vector<uint64_t> c;
  for (int i = 0; i < run.reps; ++i) {
    const double c0 = cpu_now();
    auto a = Clock::now();
    req = run.client.encrypt(k, r);
    te.push_back(seconds_since(a));
    a = Clock::now();
    auto reply = run.server.respond(k, req, run.keys, t, prg);
    ts.push_back(seconds_since(a));
    if (!reply.ok()) throw std::runtime_error(reply.error().to_string());
    rep = std::move(reply.value());
    a = Clock::now();
    auto dec = run.client.decrypt(k, rep);
    td.push_back(seconds_since(a));
    if (!dec.ok()) throw std::runtime_error(dec.error().to_string());
    c = std::move(dec.value());
    tc.push_back(cpu_now() - c0);
  }
  nn::kernels::RingConv conv(term.geometry, term.weights);
  std::vector<uint64_t> want(t.size());
  conv.apply(r, plan.ell, want, nn::kernels::RingMethod::kDirect);
  size_t bad = 0;
  for (size_t i = 0; i < want.size(); ++i) bad += ((c[i] + t[i]) & mask) != want[i];
  std::printf(
      "%-14s %-6s %2zu %-28s N=%-5zu q=%3d/%3d in=%-4llu out=%-4llu mul=%-6llu rot=%-5llu "
      "enc %8.1f ms  srv %9.1f ms  dec %7.1f ms  (cpu %9.1f ms)  up %8.1f KiB  down %8.1f "
      "KiB%s\n",
      net.c_str(), label, k, shape_of(term).c_str(), st.ring_degree, st.log2_q, st.log2_q_reply,
      (unsigned long long)st.input_cts, (unsigned long long)st.output_cts,
      (unsigned long long)st.ct_pt_mults, (unsigned long long)st.rotations, 1e3 * median(te),
      1e3 * median(ts), 1e3 * median(td), 1e3 * median(tc), double(req.size()) / 1024.0,
      double(rep.size()) / 1024.0, bad ? "  NOT EXACT" : "");
  tot.enc += median(te);
  tot.srv += median(ts);
  tot.dec += median(td);
  tot.cpu += median(tc);
  tot.up += req.size();
  tot.down += rep.size();
  return bad == 0;
}

bool run_config(const std::string& net, const nn::Plan& plan, const Config& cfg, size_t threads,
                int reps, bool params_only, const std::vector<size_t>& only, size_t cache_mib) {
  core::ThreadPool pool(threads == 0 ? 0 : threads);
  const protocol::HeOptions opt{cfg.scheme, cfg.packing, threads == 1 ? nullptr : &pool,
                                cache_mib << 20};
  protocol::PlanSetup setup;
  try {
    setup = protocol::PlanSetup::build(plan.architecture(), opt);
  } catch (const std::invalid_argument& e) {
    std::printf("%-14s %-6s not available: %s\n", net.c_str(), cfg.label, e.what());
    return true;
  }
  if (params_only) {
    print_params(net, cfg.label, plan, setup);
    return true;
  }
  auto t0 = Clock::now();
  const protocol::HeLinearClient client(plan.architecture(), opt);
  const core::Bytes material = client.public_material();
  const double keygen = seconds_since(t0);
  t0 = Clock::now();
  const protocol::HeLinearServer server(plan, opt);
  const double prep = seconds_since(t0);
  auto keys = protocol::HeClientKeys::parse(plan.architecture(), opt, material);
  if (!keys.ok()) throw std::runtime_error(keys.error().to_string());
  std::printf("%-14s %-6s keys %.2f s, %.1f MiB; server kernel prep %.2f s; threads %zu\n",
              net.c_str(), cfg.label, keygen, double(material.size()) / 1048576.0, prep,
              threads == 0 ? core::hardware_threads() : threads);
  Totals tot;
  bool exact = true;
  const Run run{client, server, keys.value(), reps};
  for (size_t k = 0; k < setup.terms.size(); ++k) {
    if (!only.empty() && std::find(only.begin(), only.end(), k) == only.end()) continue;
    exact = measure_term(net, cfg.label, plan, k, run, tot) && exact;
  }
  std::printf(
      "%-14s %-6s total: enc %.3f s, server %.3f s, dec %.3f s, sum %.3f s (cpu %.3f s); "
      "up %.2f MiB, down %.2f MiB, sum %.2f MiB; %s\n\n",
      net.c_str(), cfg.label, tot.enc, tot.srv, tot.dec, tot.enc + tot.srv + tot.dec, tot.cpu,
      double(tot.up) / 1048576.0, double(tot.down) / 1048576.0,
      double(tot.up + tot.down) / 1048576.0, exact ? "exact" : "NOT EXACT");
  std::fflush(stdout);
  return exact;
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string item; std::getline(ss, item, ',');) out.push_back(item);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> args{
      {"net", "anchor-conv,anchor-fc,minionn,minionn_cifar,resnet32"},
      {"threads", "1"},
      {"packing", "both"},
      {"scheme", "all"},
      {"reps", "3"},
      {"terms", ""},
      {"cache-mib", "4096"}};
  bool params = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--params") {
      params = true;
    } else if (a.rfind("--", 0) == 0 && i + 1 < argc && args.count(a.substr(2))) {
      args[a.substr(2)] = argv[++i];
    } else {
      std::cerr << "usage: he_layers [--net LIST] [--threads T] [--packing coeff|slot|both] "
                   "[--scheme auto|pow2|ckks|all] [--reps R] [--terms K,...] [--cache-mib M] "
                   "[--params]\n";
      return 2;
    }
  }
  using protocol::HePacking;
  using protocol::HeScheme;
  std::vector<Config> configs;
  const std::string sch = args["scheme"], pk = args["packing"];
  if (pk != "slot") {
    if (sch == "all" || sch == "pow2")
      configs.push_back({"pow2", HeScheme::kPow2, HePacking::kCoefficient});
    if (sch == "all" || sch == "ckks")
      configs.push_back({"ckks", HeScheme::kCkks, HePacking::kCoefficient});
    if (sch == "auto") configs.push_back({"auto", HeScheme::kAuto, HePacking::kCoefficient});
  }
  if (pk != "coeff") configs.push_back({"slot", HeScheme::kAuto, HePacking::kSlot});
  const size_t threads = size_t(std::atoi(args["threads"].c_str()));
  const int reps = std::max(1, std::atoi(args["reps"].c_str()));
  std::vector<size_t> only;
  for (const std::string& t : split(args["terms"])) only.push_back(size_t(std::atoi(t.c_str())));
  bool exact = true;
  for (const std::string& net : split(args["net"])) {
    const nn::Plan plan = net == "anchor-conv" ? anchor(true)
                          : net == "anchor-fc" ? anchor(false)
                                               : model(net);
    for (const Config& c : configs) {
      exact = run_config(net, plan, c, threads, reps, params, only,
                         size_t(std::atoll(args["cache-mib"].c_str()))) &&
              exact;
    }
  }
  return exact ? 0 : 1;
}
