// pangolin bench: the cost of one secure inference per stage, the server in a child process
// and the client in this one over loopback TCP (optionally shaped as a LAN or WAN), repeated;
// medians with min and max, bytes each way, rounds, and each party's peak memory.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include "bench_run.h"
#include "cli.h"
#include "commands.h"
#include "core/thread_pool.h"
#include "nn/kernels/fp64_gemm.h"
#include "protocol_cli.h"

namespace pg::app {
namespace {

const std::map<std::string, std::string>& builtin_models() {
  static const std::map<std::string, std::string> m = {{"minionn-mnist", "minionn.onnx"},
                                                       {"minionn-cifar10", "minionn_cifar.onnx"},
                                                       {"resnet32-cifar100", "resnet32.onnx"},
                                                       {"squeezenet-imagenet", "squeezenet.onnx"}};
  return m;
}

void usage() {
  std::printf(
      "usage: pangolin bench [--model NAME|M.onnx] [--threads T] [--repeat R]\n"
      "                      [--net none|lan|wan] [--no-merge] [--warmup W] [--accuracy N]\n"
      "                      [--max-client-memory GIB] [--json]\n"
      "                      [--f F] [--f-w FW] [--margin BITS] [--ell L] [--weight-bits B]\n"
      "                      [--calibration N]\n\n"
      "Runs R (default 3) secure inferences, each in a fresh session: the server in a child\n"
      "process, the client in this one, over loopback TCP. Prints per stage (merge, preprocess,\n"
      "online) the median wall time with min and max, bytes each way and rounds; the split of\n"
      "preprocess and online between linear layers (homomorphic terms, affine steps) and\n"
      "non-linear layers (garbled circuits); and each party's peak resident memory.\n\n"
      "  --model      minionn-mnist (default), minionn-cifar10, resnet32-cifar100,\n"
      "               squeezenet-imagenet (models/*.onnx), or an ONNX file\n"
      "  --threads    threads per party (default 1)\n"
      "  --net        none (default); lan = 384 MB/s, 0.3 ms round trip; wan = 44 MB/s, 40 ms\n"
      "               round trip (Cheetah's LAN and WAN, USENIX Security 2022)\n"
      "  --max-client-memory GIB  refuse a network whose garbled material for the client\n"
      "               exceeds this (default 12; the exact GC cost model, checked first)\n"
      "  --warmup W   inferences per session before the measured one (default 1): the first\n"
      "               inference of a server process pays one-time costs; its online time is\n"
      "               reported as online_first_seconds\n"
      "  --accuracy N one session over the first N Fashion-MNIST test images (1x28x28 models):\n"
      "               secure and plaintext accuracy; the timings are of its first set and last\n"
      "               inference\n"
      "  --no-merge   skip the merge stage's linear fusion (the MaxPool move stays: the\n"
      "               protocol needs it); the merge report gives the fully unmerged counts\n"
      "  --json       one JSON object: network, threads, stages[] (name, seconds_median,\n"
      "               seconds_min, seconds_max, bytes_client_to_server, bytes_server_to_client,\n"
      "               rounds, linear, nonlinear), peak_rss_bytes {server, client}, exact, ...\n"
      "  --f, --f-w, --margin, --ell, --weight-bits, --calibration\n"
      "               merge settings, as for `pangolin inspect`;\n"
      "               --ell 41 runs in the ring of Cheetah's and Delphi's published benchmarks\n\n"
      "Inputs: Fashion-MNIST test images for 1x28x28 models, fixed pseudo-random values else.\n"
      "exit codes: 0 every secure result equalled the plaintext fixed-point plan bit for bit,\n"
      "1 a failure or a mismatch, 2 bad usage or input\n");
}

struct Summary {
  double median = 0, min = 0, max = 0;
};

Summary summarise(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return {n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2, v.front(), v.back()};
}

uint64_t median_u64(std::vector<uint64_t> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// One row: a stage or a part of one, over the repeats.
struct Row {
  std::string name;
  Summary seconds;
  uint64_t c2s = 0, s2c = 0, rounds = 0;
  bool has_traffic = true;
};

Row make_row(const std::string& name, const std::vector<RepeatResult>& runs,
             protocol::StageStats (*pick)(const RepeatResult&), bool has_traffic = true) {
  std::vector<double> t;
  std::vector<uint64_t> a, b, r;
  for (const auto& run : runs) {
    const auto s = pick(run);
    t.push_back(s.seconds);
    a.push_back(s.bytes_client_to_server);
    b.push_back(s.bytes_server_to_client);
    r.push_back(s.rounds);
  }
  return {name, summarise(t), median_u64(a), median_u64(b), median_u64(r), has_traffic};
}

protocol::StageStats minus(protocol::StageStats a, const protocol::StageStats& b) {
  a.seconds -= b.seconds;
  a.bytes_client_to_server -= b.bytes_client_to_server;
  a.bytes_server_to_client -= b.bytes_server_to_client;
  a.rounds -= b.rounds;
  return a;
}

struct Report {
  std::string network, path;
  BenchConfig config;
  std::vector<RepeatResult> runs;
  Row merge, prep, prep_lin, prep_nl, online, online_lin, online_nl;
  Summary setup, online_first;
  uint64_t server_rss = 0, client_rss = 0;
  bool exact = true;
};

Report summarise_runs(Report rep) {
  const auto& runs = rep.runs;
  rep.merge = make_row(
      "merge", runs, [](const RepeatResult& r) { return r.merge; }, false);
  rep.prep = make_row("preprocess", runs, [](const RepeatResult& r) { return r.preprocess; });
  rep.prep_lin =
      make_row("  linear (HE)", runs, [](const RepeatResult& r) { return r.preprocess_linear; });
  rep.prep_nl = make_row("  non-linear (GC)", runs, [](const RepeatResult& r) {
    return minus(r.preprocess, r.preprocess_linear);
  });
  rep.online = make_row("online", runs, [](const RepeatResult& r) { return r.online; });
  rep.online_lin = make_row(
      "  linear (affine)", runs,
      [](const RepeatResult& r) {
        return protocol::StageStats{"", r.online_linear_seconds};
      },
      false);
  rep.online_nl = make_row(
      "  non-linear (GC)", runs,
      [](const RepeatResult& r) {
        return protocol::StageStats{"", r.online.seconds - r.online_linear_seconds};
      },
      false);
  std::vector<double> setup, first;
  for (const auto& r : runs) {
    setup.push_back(r.setup_seconds);
    first.push_back(r.online_first_seconds);
    rep.server_rss = std::max(rep.server_rss, r.server_peak_rss);
    rep.client_rss = std::max(rep.client_rss, r.client_peak_rss);
    rep.exact = rep.exact && r.exact;
  }
  rep.setup = summarise(setup);
  rep.online_first = summarise(first);
  return rep;
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      const auto p = line.find(':');
      if (p != std::string::npos) return line.substr(p + 2);
    }
  }
  return "unknown";
}

void print_text(const Report& r) {
  std::printf("network %s (%s), ℓ = %d, merge %s\n", r.network.c_str(), r.path.c_str(),
              r.runs[0].ell, r.config.merge ? "on" : "off");
  std::printf("%s; %zu thread(s) per party; %zu repeat(s), each a fresh session\n\n",
              describe_net_profile(r.config.net).c_str(), r.config.threads, r.runs.size());
  std::printf("%-20s %10s %10s %10s %14s %14s %7s\n", "stage", "median", "min", "max",
              "client->server", "server->client", "rounds");
  for (const Row* row :
       {&r.merge, &r.prep, &r.prep_lin, &r.prep_nl, &r.online, &r.online_lin, &r.online_nl}) {
    std::printf("%-20s %8.3f s %8.3f s %8.3f s %14s %14s %7s\n", row->name.c_str(),
                row->seconds.median, row->seconds.min, row->seconds.max,
                row->has_traffic ? protocol::human_bytes(row->c2s).c_str() : "-",
                row->has_traffic ? protocol::human_bytes(row->s2c).c_str() : "-",
                row->has_traffic ? std::to_string(row->rounds).c_str() : "-");
  }
  const double total = r.merge.seconds.median + r.prep.seconds.median + r.online.seconds.median;
  std::printf("%-20s %8.3f s %32s %14s\n", "total (medians)", total,
              protocol::human_bytes(r.prep.c2s + r.online.c2s).c_str(),
              protocol::human_bytes(r.prep.s2c + r.online.s2c).c_str());
  std::printf("\npeak resident memory: server %s, client %s\n",
              protocol::human_bytes(r.server_rss).c_str(),
              protocol::human_bytes(r.client_rss).c_str());
  if (r.config.warmup > 0) {
    std::printf("online is the session's inference %zu; its first took %.3f s (median)\n",
                r.config.warmup + 1, r.online_first.median);
  }
  if (const auto& a = r.runs[0].accuracy; a.images > 0) {
    std::printf(
        "accuracy on %llu Fashion-MNIST test images: secure %.2f%%, plaintext float model "
        "%.2f%%, same label %llu/%llu\n",
        (unsigned long long)a.images, 100.0 * double(a.secure_correct) / double(a.images),
        100.0 * double(a.plain_correct) / double(a.images), (unsigned long long)a.agree,
        (unsigned long long)a.images);
  }
  std::printf("garbled material the client holds per set (cost model): %s, %llu AND gates\n",
              protocol::human_bytes(r.runs[0].estimate.client_held_bytes).c_str(),
              (unsigned long long)r.runs[0].estimate.and_gates);
  std::printf("server setup (HE weight plaintexts, once per model, not in the total): %.3f s\n",
              r.setup.median);
  std::printf("exact (secure logits == fixed-point plan, bit for bit): %s\n",
              r.exact ? "yes, every repeat" : "NO");
  std::printf(
      "(online linear = the server's affine steps; online non-linear = online − linear, which\n"
      " includes waiting on the link)\n");
}

std::string row_json(const Row& row, bool split_traffic) {
  char buf[512];
  std::snprintf(buf, sizeof(buf),
                "\"seconds_median\":%.6f,\"seconds_min\":%.6f,\"seconds_max\":%.6f",
                row.seconds.median, row.seconds.min, row.seconds.max);
  std::string out = buf;
  if (split_traffic) {
    std::snprintf(
        buf, sizeof(buf),
        ",\"bytes_client_to_server\":%llu,\"bytes_server_to_client\":%llu,\"rounds\":%llu",
        (unsigned long long)row.c2s, (unsigned long long)row.s2c, (unsigned long long)row.rounds);
    out += buf;
  }
  return out;
}

std::string stage_json(const std::string& name, const Row& row, const Row* lin, const Row* nl) {
  std::string out = "{\"name\":" + protocol::json_string(name) + "," + row_json(row, true);
  if (lin) out += ",\"linear\":{" + row_json(*lin, lin->has_traffic) + "}";
  if (nl) out += ",\"nonlinear\":{" + row_json(*nl, nl->has_traffic) + "}";
  return out + "}";
}

std::string estimate_json(const GcEstimate& e) {
  char buf[384];
  std::snprintf(buf, sizeof(buf),
                "{\"and_gates\":%llu,\"client_held_bytes\":%llu,"
                "\"offline_client_to_server\":%llu,\"offline_server_to_client\":%llu,"
                "\"online_client_to_server\":%llu,\"online_server_to_client\":%llu}",
                (unsigned long long)e.and_gates, (unsigned long long)e.client_held_bytes,
                (unsigned long long)e.offline_client_to_server,
                (unsigned long long)e.offline_server_to_client,
                (unsigned long long)e.online_client_to_server,
                (unsigned long long)e.online_server_to_client);
  return buf;
}

std::string accuracy_json(const RepeatResult& r) {
  const auto& a = r.accuracy;
  if (a.images == 0) return "null";
  char buf[256];
  std::snprintf(buf, sizeof(buf),
                "{\"images\":%llu,\"secure_correct\":%llu,\"plain_correct\":%llu,"
                "\"same_label\":%llu}",
                (unsigned long long)a.images, (unsigned long long)a.secure_correct,
                (unsigned long long)a.plain_correct, (unsigned long long)a.agree);
  return buf;
}

void print_json(const Report& r) {
  std::string stages = "[" + stage_json("merge", r.merge, nullptr, nullptr) + "," +
                       stage_json("preprocess", r.prep, &r.prep_lin, &r.prep_nl) + "," +
                       stage_json("online", r.online, &r.online_lin, &r.online_nl) + "]";
  std::printf(
      "{\"network\":%s,\"model\":%s,\"threads\":%zu,\"net\":\"%s\",\"repeat\":%zu,"
      "\"merge\":%s,\"ell\":%d,\"exact\":%s,\"cpu\":%s,\n\"stages\":%s,\n"
      "\"peak_rss_bytes\":{\"server\":%llu,\"client\":%llu},"
      "\"server_setup_seconds_median\":%.6f,\"warmup\":%zu,\"online_first_seconds_median\":%.6f,"
      "\n\"gc_estimate\":%s,\n\"accuracy\":%s,\n\"he_counts\":%s}\n",
      protocol::json_string(r.network).c_str(), protocol::json_string(r.path).c_str(),
      r.config.threads, net_profile_name(r.config.net), r.runs.size(),
      r.config.merge ? "true" : "false", r.runs[0].ell, r.exact ? "true" : "false",
      protocol::json_string(cpu_model()).c_str(), stages.c_str(), (unsigned long long)r.server_rss,
      (unsigned long long)r.client_rss, r.setup.median, r.config.warmup, r.online_first.median,
      estimate_json(r.runs[0].estimate).c_str(), accuracy_json(r.runs[0]).c_str(),
      r.runs[0].counts_json.c_str());
}

// Reads the flags shared by the parent and the server child; false with a message on stderr.
bool read_config(Args& args, BenchConfig& c, std::string& network) {
  const auto threads = args.get_int("threads", 1, 64);
  const auto max_gib = args.get_int("max-client-memory", 1, 1 << 20);
  const auto warmup = args.get_int("warmup", 0, 100);
  if (warmup) c.warmup = size_t(*warmup);
  const auto accuracy = args.get_int("accuracy", 1, 10000);
  if (accuracy) c.accuracy = size_t(*accuracy);
  if (max_gib) c.max_client_held_bytes = uint64_t(*max_gib) << 30;
  if (!read_merge_settings(args, c.settings) || !args.ok()) return false;
  if (threads) c.threads = size_t(*threads);
  const auto net = parse_net_profile(args.get_or("net", "none"));
  if (!net) {
    std::fprintf(stderr, "pangolin bench: --net must be none, lan or wan\n");
    return false;
  }
  c.net = *net;
  c.merge = !args.has("no-merge");
  network = args.get_or("model", "minionn-mnist");
  const auto it = builtin_models().find(network);
  c.model_path = it != builtin_models().end() ? bundled_model_path(it->second) : network;
  if (it == builtin_models().end()) network = std::filesystem::path(network).stem().string();
  if (!std::filesystem::is_regular_file(c.model_path)) {
    std::fprintf(stderr,
                 "pangolin bench: no model file %s (built-in names: minionn-mnist, "
                 "minionn-cifar10, resnet32-cifar100, squeezenet-imagenet)\n",
                 c.model_path.c_str());
    return false;
  }
  return true;
}

int cmd_bench(int argc, char** argv) {
  Args args(argc, argv, 2, {"help", "json", "no-merge"});
  if (args.has("help")) {
    usage();
    return 0;
  }
  const auto repeat = args.get_int("repeat", 1, 1000);
  const auto child_fd = args.get_int("server-child", 0, 1 << 20);
  const auto index = args.get_int("repeat-index", 0, 1 << 20);
  if (!args.reject_unknown(with_merge_flags({"help", "json", "no-merge", "model", "threads",
                                             "repeat", "net", "server-child", "repeat-index",
                                             "max-client-memory", "warmup", "accuracy"})) ||
      !args.ok() || !args.positional().empty()) {
    std::fprintf(stderr, "pangolin bench: %s\n",
                 args.ok() ? "unexpected argument (see --help)" : args.error().c_str());
    return 2;
  }
  Report rep;
  if (!read_config(args, rep.config, rep.network)) {
    if (!args.ok()) std::fprintf(stderr, "pangolin bench: %s\n", args.error().c_str());
    return 2;
  }
  if (child_fd) return run_server_child(rep.config, index ? size_t(*index) : 0, int(*child_fd));
  rep.path = rep.config.model_path;
  core::set_num_threads(rep.config.threads);
  nn::kernels::set_gemm_threads(int(rep.config.threads));
  const size_t n = rep.config.accuracy ? 1 : repeat ? size_t(*repeat) : 3;
  for (size_t i = 0; i < n; ++i) {
    auto r = run_repeat(rep.config, i);
    if (!r.ok()) {
      std::fprintf(stderr, "pangolin bench: %s\n", r.error().to_string().c_str());
      return r.error().code == core::ErrorCode::kInvalidInput ? 2 : 1;
    }
    if (!r.value().exact) {
      std::fprintf(stderr, "pangolin bench: repeat %zu: the secure logits differ from the plan's\n",
                   i);
    }
    rep.runs.push_back(std::move(r).value());
  }
  rep = summarise_runs(std::move(rep));
  if (args.has("json")) {
    print_json(rep);
  } else {
    print_text(rep);
  }
  return rep.exact ? 0 : 1;
}

}  // namespace

PG_REGISTER_COMMAND("bench", "time and bytes per stage of one secure inference, both parties",
                    &cmd_bench);

}  // namespace pg::app
