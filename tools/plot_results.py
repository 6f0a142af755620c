#!/usr/bin/env python3
"""Results table and plot from `pangolin bench --json` output (docs/results/*.json).

Usage: plot_results.py RESULTS_DIR MACHINE_JSON
Writes RESULTS_DIR/README_block.md (the README's results section), RESULTS_DIR/stages.dat and
RESULTS_DIR/stages.svg (via gnuplot and tools/plot_stages.gp). Standard library only.
"""
import json
import os
import subprocess
import sys

NETWORKS = [
    ("minionn-mnist", "MiniONN-MNIST"),
    ("minionn-cifar10", "MiniONN-CIFAR-10"),
    ("resnet32-cifar100", "ResNet-32 (CIFAR-100)"),
    ("squeezenet-imagenet", "SqueezeNet (ImageNet 227×227)"),
]
# online s, total s, total bytes (None = report only), from issue 8
TARGETS = {
    "minionn-mnist": (0.05, 1.0, 100e6),
    "minionn-cifar10": (0.3, 4.0, 1.2e9),
    "resnet32-cifar100": (1.0, 15.0, 3e9),
    "squeezenet-imagenet": (10.0, 83.0, None),
}


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def present(results):
    """(key, label, result) of each network that has a result, in table order."""
    for key, label in NETWORKS:
        if results.get(key) is not None:
            yield key, label, results[key]


def stage(r, name):
    return next(s for s in r["stages"] if s["name"] == name)


def mb(b):
    return f"{b / 1e6:.1f} MB" if b < 1e9 else f"{b / 1e9:.2f} GB"


def mib(b):
    return f"{b / 2**20:.0f} MiB"


def binary(b):
    """Bytes in the binary units of the published figures (Cheetah: 1 GB = 2^30 bytes)."""
    return f"{b / 2**30:.2f} GiB" if b >= 2**30 else f"{b / 2**20:.1f} MiB"


def secs(s):
    return f"{s:.3f} s" if s < 10 else f"{s:.1f} s"


def span(st):
    return f"{secs(st['seconds_median'])} ({st['seconds_min']:.3g}–{st['seconds_max']:.3g})"


def totals(r):
    prep, on, mg = stage(r, "preprocess"), stage(r, "online"), stage(r, "merge")
    # per inference: what the client waits for; the merge is once per model, on the server
    t = prep["seconds_median"] + on["seconds_median"]
    c2s = prep["bytes_client_to_server"] + on["bytes_client_to_server"]
    s2c = prep["bytes_server_to_client"] + on["bytes_server_to_client"]
    return t, c2s, s2c, prep["rounds"] + on["rounds"]


def main_table(results):
    out = [
        "| network | merge (once per model) | preprocess | online | first online | preprocess + online | client→server | server→client | rounds "
        "| peak RSS server / client | exact |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for key, label, r in present(results):
        t, c2s, s2c, rounds = totals(r)
        first = secs(r["online_first_seconds_median"]) if r.get("warmup") else "(same)"
        rss = r["peak_rss_bytes"]
        out.append(
            f"| {label} | {span(stage(r, 'merge'))} | {span(stage(r, 'preprocess'))} "
            f"| {span(stage(r, 'online'))} | {first} | {secs(t)} | {mb(c2s)} | {mb(s2c)} | {rounds} "
            f"| {mib(rss['server'])} / {mib(rss['client'])} | {'yes' if r['exact'] else 'NO'} |"
        )
    return out


def target_table(results):
    out = [
        "| network | online (target) | preprocess + online (target for total) "
        "| with merge | total bytes (target) |",
        "|---|---|---|---|---|",
    ]
    for key, label, r in present(results):
        t, c2s, s2c, _ = totals(r)
        with_merge = t + stage(r, "merge")["seconds_median"]
        on = stage(r, "online")["seconds_median"]
        to, tt, tb = TARGETS[key]

        def verdict(v, lim):
            return "met" if v <= lim else f"missed ×{v / lim:.1f}"

        bytes_cell = mb(c2s + s2c) + (f" (≤ {mb(tb)}: {verdict(c2s + s2c, tb)})" if tb else " (report)")
        out.append(
            f"| {label} | {secs(on)} (≤ {to} s: {verdict(on, to)}) "
            f"| {secs(t)} (≤ {tt} s: {verdict(t, tt)}) | {secs(with_merge)} | {bytes_cell} |"
        )
    return out


def split_table(results):
    out = [
        "| network | preprocess linear (HE) | preprocess non-linear (GC) | online linear (affine) "
        "| online non-linear (GC) |",
        "|---|---|---|---|---|",
    ]
    for key, label, r in present(results):
        p, o = stage(r, "preprocess"), stage(r, "online")
        pl, pn = p["linear"], p["nonlinear"]
        out.append(
            f"| {label} | {secs(pl['seconds_median'])}, "
            f"{mb(pl['bytes_client_to_server'] + pl['bytes_server_to_client'])} "
            f"| {secs(pn['seconds_median'])}, "
            f"{mb(pn['bytes_client_to_server'] + pn['bytes_server_to_client'])} "
            f"| {secs(o['linear']['seconds_median'])} | {secs(o['nonlinear']['seconds_median'])} |"
        )
    return out


def merge_table(results, unmerged, rdir):
    out = [
        "| network | graph | linear layers | HE ct×pt mults | rotations | levels | ReLUs "
        "| preprocess | preprocess bytes | online |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    notes = []
    for key, label in NETWORKS:
        r = results.get(key)
        if r is None or not r.get("he_counts"):
            continue
        rows = [("as imported (merge report)", r["he_counts"]["before"], None),
                ("merged (merge report; measured)", r["he_counts"]["after"], r)]
        u = unmerged.get(key)
        if u is not None and u.get("he_counts"):
            rows.insert(1, ("no linear fusion (measured)", u["he_counts"]["after"], u))
        for name, c, run in rows:
            cells = ["–", "–", "–"]
            if run is not None:
                p = stage(run, "preprocess")
                cells = [secs(p["seconds_median"]),
                         mb(p["bytes_client_to_server"] + p["bytes_server_to_client"]),
                         secs(stage(run, "online")["seconds_median"])]
            out.append(
                f"| {label} | {name} | {c['linear_layers']} | {c['ct_pt_mults']} "
                f"| {c['rotations']} | {c['levels']} | {c['relus']} | {' | '.join(cells)} |"
            )
        err = read_text(os.path.join(rdir, key + "-nomerge.error.txt"))
        if err:
            notes.append(f"- {label} without linear fusion does not run: `{err}`")
    return out + ([""] + notes if notes else [])


LINKS = {"none": "loopback", "lan": "emulated LAN", "wan": "emulated WAN"}


def our_runs(rdir, key, ell):
    """Our runs of one network: (file suffix, result) at the calibrated ℓ, then at `ell`."""
    suffixes = ["", "-lan", "-wan"]
    if ell:
        suffixes += [f"-ell{ell}", f"-ell{ell}-lan", f"-ell{ell}-wan"]
    for suffix in suffixes:
        r = load(os.path.join(rdir, key + suffix + ".json"))
        if r is not None:
            yield suffix, r


def comparison_tables(rdir, published, machine):
    """Per network: our measured runs, then the other systems' figures with their sources."""
    out = []
    compare_ell = published.get("compare_ell", {})
    why = published.get("compare_ell_why", {})
    for key, label in NETWORKS:
        ell = compare_ell.get(key)
        ours = list(our_runs(rdir, key, ell))
        theirs = [f for f in published.get("figures", []) if f["network"] == key]
        if not ours:
            continue
        out += ["", f"**{label}**" + (f" (ℓ = {ell}: {why[key]})" if ell and key in why else ""), "",
                "| system | measured | ring | threads | link | preprocess | online | total | traffic | source |",
                "|---|---|---|---|---|---|---|---|---|---|"]
        for suffix, r in ours:
            t, c2s, s2c, _ = totals(r)
            ring = f"2^{r['ell']}" + (" (calibrated)" if "-ell" not in suffix else "")
            runs = "median of " + str(r["repeat"]) if r["repeat"] > 1 else "1 run"
            out.append(
                f"| **Pangolin** | here, {machine.get('date', '?')} | {ring} "
                f"| {r['threads']} per party | {LINKS.get(r['net'], r['net'])} "
                f"| {secs(stage(r, 'preprocess')['seconds_median'])} "
                f"| {secs(stage(r, 'online')['seconds_median'])} | {secs(t)} "
                f"| {binary(c2s + s2c)} | {runs}, `docs/results/{key}{suffix}.json` |")
        for f in theirs:
            out.append(
                f"| {f['system']} | {f['kind']} | {f['ring']} | {f['threads'] or '–'} "
                f"| {f['link'] or '–'} | {f['preprocess'] or '–'} | {f['online'] or '–'} "
                f"| {f['total']} | {f['traffic']} | {f['source']} |")
        if not theirs:
            out.append("| (no published figure quoted: see below) | | | | | | | | | |")
    notes = [f"- {n}" for n in published.get("not_quoted", [])]
    notes += [f"- {name.capitalize()}: {text}" for name, text in published.get("sources", {}).items()]
    return out + ([""] + notes if notes else [])


def write_plot_data(results, path):
    with open(path, "w") as f:
        f.write("# network merge_s preprocess_s online_s preprocess_MB online_MB\n")
        for key, _ in NETWORKS:
            r = results.get(key)
            if r is None:
                continue
            p, o, m = stage(r, "preprocess"), stage(r, "online"), stage(r, "merge")
            pb = (p["bytes_client_to_server"] + p["bytes_server_to_client"]) / 1e6
            ob = (o["bytes_client_to_server"] + o["bytes_server_to_client"]) / 1e6
            f.write(
                f"{key} {m['seconds_median']:.6f} {p['seconds_median']:.6f} "
                f"{o['seconds_median']:.6f} {pb:.3f} {ob:.3f}\n"
            )


def read_text(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return ""


def main():
    rdir, machine_path = sys.argv[1], sys.argv[2]
    machine = load(machine_path) or {}
    results = {k: r for k, _ in NETWORKS if (r := load(os.path.join(rdir, k + ".json")))}
    unmerged = {k: r for k, _ in NETWORKS if (r := load(os.path.join(rdir, k + "-nomerge.json")))}
    repeats = sorted({r["repeat"] for r in results.values()})
    lines = [
        f"Measured by `scripts/results.sh` on {machine.get('cpu', '?')} ({machine.get('cores', '?')} "
        f"cores shared by both parties), 1 thread per party, loopback TCP without shaping, "
        f"{machine.get('date', '?')}, commit `{machine.get('commit', '?')}`, load average "
        f"{machine.get('load', '?')} at the start (a shared virtual machine: repeated runs vary by "
        "about 10–30%). Each figure is the median of "
        f"{max(repeats)} fresh sessions (SqueezeNet: {results.get('squeezenet-imagenet', {}).get('repeat', '–')}; "
        "min–max in brackets); merge is the "
        "server's one-time stage, preprocess is the session handshake plus one preprocessing set, "
        "online is one inference: the session's second (its first, \"first online\", pays "
        "one-time costs of a fresh server process such as lazily prepared kernels; SqueezeNet "
        "runs one inference per session, see below). Exact = the secure logits equalled the plaintext fixed-point "
        "plan bit for bit in every run. JSON: `docs/results/<network>.json`.",
        "",
    ]
    published = load(os.path.join(rdir, "published.json")) or {}
    lines += ["Per network, our runs beside the other systems' figures. Ours: this machine, 1 "
              "thread per party, both parties on its 2 cores, over loopback or a link emulated "
              "with Cheetah's settings (LAN: 384 MB/s, 0.3 ms round trip; WAN: 44 MB/s, 40 ms), "
              "at the ℓ our calibration picks and at the ℓ of the compared figures; preprocess "
              "+ online, the merge excluded. Theirs: other hardware and thread counts, quoted as "
              "their sources state them (\"published\" = read in the paper itself, "
              "\"secondary\" = as another paper quotes it):"]
    lines += comparison_tables(rdir, published, machine)
    lines += ["", "All stages of the runs at the calibrated ℓ:", ""]
    lines += main_table(results)
    lines += ["", "Against the targets of issue 8:", ""] + target_table(results)
    lines += ["", "Linear versus non-linear layers (medians; online linear is the server's affine "
              "steps, online non-linear the rest of the online stage; while the server computes "
              "the homomorphic replies the client faults in the memory for its garbled tables, so "
              "on large networks part of the garbled circuits' cost shows in the HE column):", ""]
    lines += split_table(results)
    for key, _ in NETWORKS:
        err = read_text(os.path.join(rdir, key + ".error.txt"))
        if err:
            lines += ["", f"`{key}` did not complete: {err}"]
    lines += ["", "Merge stage effect. HE operation counts are the merge report's cost model "
              "(coefficient encoding); \"as imported\" is the network before any pass, which the "
              "protocol cannot run as such (MaxPool after ReLU has no circuit). `pangolin bench "
              "--no-merge` runs the network with every pass but the linear fusion:", ""]
    lines += merge_table(results, unmerged, rdir)
    lines += ["", "On MiniONN-MNIST the fusion has nothing to fuse, so the merge's effect there is the "
              "MaxPool move alone (10,340 → 2,660 ReLUs), which the protocol cannot run without; "
              "the two measured rows differ by noise only. Without the fusion, a linear layer "
              "that feeds another needs a garbled truncation between them."]
    acc = load(os.path.join(rdir, "accuracy-minionn-mnist.json"))
    if acc and acc.get("accuracy"):
        a = acc["accuracy"]
        n = a["images"]
        which = ("the whole Fashion-MNIST test set (10,000 images)" if n >= 10000
                 else f"the first {n} Fashion-MNIST test images")
        lines += ["", f"Accuracy of the trained MiniONN-MNIST on {which} (`pangolin bench "
                  f"--accuracy {n}`, one session):", "",
                  "| secure (2PC) | plaintext float model | secure = plaintext label "
                  "| secure logits = fixed-point plan, bit for bit |",
                  "|---|---|---|---|",
                  f"| {100 * a['secure_correct'] / n:.1f}% | {100 * a['plain_correct'] / n:.1f}% "
                  f"| {a['same_label']}/{n} | {'all' if acc['exact'] else 'NOT all'} |"]
    conv = read_text(os.path.join(rdir, "online_layers.md"))
    if conv:
        lines += ["", "Online linear layers, 1 thread (`build/bench/online_layers --threads 1`): "
                  "our exact fast convolution against plain double inference, the naive direct "
                  "convolution on shares, and a Delphi-style online step (our implementation: "
                  "prime field p = 15·2^37 + 1, no floating point), at ℓ = 37, summed over each "
                  "network's linear layers (the per-layer table is in "
                  "`docs/results/online_layers.txt`). The paper claims at least 11% less than the "
                  "state of the art; the last column is our figure against the Delphi-style step:", "", conv]
    lines += [
        "",
        "![time and bytes per stage](docs/results/stages.svg)",
    ]
    with open(os.path.join(rdir, "README_block.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    dat = os.path.join(rdir, "stages.dat")
    write_plot_data(results, dat)
    gp = os.path.join(os.path.dirname(os.path.abspath(__file__)), "plot_stages.gp")
    subprocess.run(
        ["gnuplot", "-e", f"datafile='{dat}'; outfile='{os.path.join(rdir, 'stages.svg')}'", gp],
        check=True,
    )


if __name__ == "__main__":
    main()
