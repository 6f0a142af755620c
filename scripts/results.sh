#!/usr/bin/env bash
# Regenerates the results: builds, runs `pangolin bench --json` on the benchmark networks (1
# thread per party, loopback), the merge-off runs and the online-kernel table, then writes
# docs/results/*.json, docs/results/stages.svg and the README block between the markers
# <!-- results:begin --> and <!-- results:end -->.
#
#   scripts/results.sh                      all networks, 3 repeats
#   REPEAT=1 NETWORKS="minionn-mnist" scripts/results.sh
#   SKIP_BUILD=1 / SKIP_NOMERGE=1 / SKIP_LAYERS=1 skip those steps; SKIP_RUNS=1 only redraws
#   the table and the plot from the JSON already in docs/results
#   PEER_ELL="net:ℓ ..." the runs at the published figures' ℓ (NET_NETWORKS likewise for LAN/WAN)
# SqueezeNet runs REPEAT_SQUEEZENET (default 1) times: one run takes minutes and peaks at about
# 15 GiB (ℓ = 30) to 20 GiB (ℓ = 37) for both parties together, so it is skipped (with a note)
# when less memory is free.
set -euo pipefail
cd "$(dirname "$0")/.."
repeat="${REPEAT:-3}"
networks="${NETWORKS:-minionn-mnist minionn-cifar10 resnet32-cifar100 squeezenet-imagenet}"
nomerge="${NOMERGE_NETWORKS:-minionn-mnist minionn-cifar10 resnet32-cifar100}"
out=docs/results
bin=build/bin/pangolin
mkdir -p "$out"

if [[ -z "${SKIP_BUILD:-}" ]]; then scripts/build.sh; fi
if ! command -v gnuplot >/dev/null; then
  echo "results.sh: gnuplot is missing; run scripts/setup.sh --tools" >&2
  exit 2
fi

cpu="$(lscpu | sed -n 's/^Model name: *//p' | head -n1)"
cat >"$out/machine.json.new" <<JSON
{"cpu": "$cpu", "cores": $(nproc), "date": "$(date -u +%Y-%m-%d)", "commit": "$(git rev-parse --short HEAD)", "load": "$(cut -d' ' -f1-3 /proc/loadavg)"}
JSON

mem_available_gib() { awk '/MemAvailable/ {print int($2 / 1048576)}' /proc/meminfo; }

run_bench() {  # name, output file, extra flags...
  local name="$1" file="$2" n="$repeat"
  shift 2
  if [[ "$name" == squeezenet-imagenet ]]; then
    n="${REPEAT_SQUEEZENET:-1}"
    # no warm-up inference: a second set would double the client's 10 GiB of garbled tables
    set -- "$@" --warmup 0
    local need=17
    [[ " $* " == *" --ell "* ]] && need=21
    for _ in $(seq 1 20); do  # wait up to 10 minutes for other jobs' memory to be freed
      (($(mem_available_gib) >= need)) && break
      sleep 30
    done
    if (($(mem_available_gib) < need)); then
      echo "skipped: only $(mem_available_gib) GiB of memory was free; a run needs $need GiB" \
        >"${file%.json}.error.txt"
      echo "results.sh: $name skipped (memory)" >&2
      return
    fi
  fi
  echo "== pangolin bench --model $name $* (repeat $n; load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
  if "$bin" bench --model "$name" --threads 1 --repeat "$n" --json "$@" >"$file.tmp" \
    2>"$file.err"; then
    mv "$file.tmp" "$file"
    rm -f "$file.err" "${file%.json}.error.txt"
  else
    echo "results.sh: $name failed: $(tail -n1 "$file.err")" >&2
    tail -n1 "$file.err" >"${file%.json}.error.txt"
    rm -f "$file.tmp" "$file.err"
  fi
}

if [[ -n "${SKIP_RUNS:-}" ]]; then
  networks="" nomerge="" NET_NETWORKS=" " PEER_ELL=" " SKIP_LAYERS=1
  sed -n '/^| network (/,/^$/p' "$out/online_layers.txt" >"$out/online_layers.md"
else
  cp "$out/machine.json.new" "$out/machine.json"
fi
rm -f "$out/machine.json.new"
for n in $networks; do run_bench "$n" "$out/$n.json"; done
if [[ -z "${SKIP_NOMERGE:-}" ]]; then
  for n in $nomerge; do run_bench "$n" "$out/$n-nomerge.json" --no-merge; done
fi
run_once() {  # like run_bench, one repeat
  local repeat_saved="$repeat"
  repeat=1
  run_bench "$@"
  repeat="$repeat_saved"
}
for n in ${NET_NETWORKS-minionn-mnist minionn-cifar10}; do
  for net in lan wan; do run_once "$n" "$out/$n-$net.json" --net "$net"; done
done
# The same networks in the ring of the published figures they are compared with
# (docs/results/published.json): ℓ = 41 for Cheetah's and Delphi's MiniONN-CIFAR-10 and
# ResNet-32, ℓ = 37 for Cheetah's SqueezeNet; on loopback, and over the emulated LAN and WAN.
for pair in ${PEER_ELL-minionn-cifar10:41 resnet32-cifar100:41 squeezenet-imagenet:37}; do
  n="${pair%%:*}" l="${pair##*:}"
  run_bench "$n" "$out/$n-ell$l.json" --ell "$l" --max-client-memory 16
  for net in lan wan; do
    run_once "$n" "$out/$n-ell$l-$net.json" --ell "$l" --net "$net" --max-client-memory 16
  done
done
if [[ -z "${SKIP_LAYERS:-}" && -x build/bench/online_layers ]]; then
  echo "== online_layers --threads 1" >&2
  build/bench/online_layers --threads 1 --repeat "${LAYER_REPEAT:-5}" >"$out/online_layers.txt"
  # the network totals: the table that follows its "| network" header
  sed -n '/^| network (/,/^$/p' "$out/online_layers.txt" >"$out/online_layers.md"
fi

# Accuracy of the trained MiniONN-MNIST: secure vs plaintext labels on the first
# ACCURACY_IMAGES (default: all 10000) Fashion-MNIST test images (about half an hour).
acc_images="${ACCURACY_IMAGES:-10000}"
if [[ (-z "${SKIP_RUNS:-}" || -n "${RUN_ACCURACY:-}") && "$acc_images" -gt 0 ]]; then
  echo "== pangolin bench --accuracy $acc_images (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
  if "$bin" bench --model minionn-mnist --accuracy "$acc_images" --json >"$out/accuracy.json.tmp"; then
    mv "$out/accuracy.json.tmp" "$out/accuracy-minionn-mnist.json"
  else
    rm -f "$out/accuracy.json.tmp"
    echo "results.sh: the accuracy run failed" >&2
  fi
fi

/usr/bin/python3 tools/plot_results.py "$out" "$out/machine.json"

# The README block between the markers (appended at the end when they are missing).
readme=README.md
if ! grep -q '<!-- results:begin -->' "$readme"; then
  printf '\n<!-- results:begin -->\n<!-- results:end -->\n' >>"$readme"
fi
/usr/bin/python3 - "$readme" "$out/README_block.md" <<'PY'
import sys
readme, block = sys.argv[1], open(sys.argv[2]).read()
text = open(readme).read()
begin, end = "<!-- results:begin -->", "<!-- results:end -->"
head, rest = text.split(begin, 1)
_, tail = rest.split(end, 1)
open(readme, "w").write(head + begin + "\n" + block + end + tail)
PY
rm -f "$out/README_block.md"
echo "results.sh: wrote $out/*.json, $out/stages.svg and the README block" >&2
