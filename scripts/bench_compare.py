#!/usr/bin/env python3
"""Model layer speed: `stance compare` vs the same work in scikit-learn, one run.

Optional dev tool (CI never runs it). Needs scikit-learn and nltk
(`pip install scikit-learn nltk`) and a release build of `stance`
(`cargo build --release`).

    python3 scripts/bench_compare.py [--sizes 3000,10000,30000,100000]
        [--stance target/release/stance] [--models majority,nb,logreg,svm,tree]
        [--stance-flags "--threads 2"] [--runs 1] [--sklearn-only | --stance-only]
        [--sklearn-threads 1] [--mem-limit-gb 12] [--timeout SECONDS]

Data: for every size N, the first N rows of scripts/label_news.py's
labelling of the news corpus (3 classes by a keyword rule, 12 % label
noise, folds doc0..doc4), written once to --data-dir (default
/tmp/stance-bench/news_N_noise0.12_seed42.csv; kept for later runs, never
in the repository). `--data F.csv` benchmarks given files instead
(columns id,doc,text,stance; doc = the fold).

For every size, in one run on the same machine:

(a) stance: `stance compare --data F --cv doc --models LIST --resamples 1000
    --seed 42 --report TMP.csv [--stance-flags]`, the whole process:
    wall clock, CPU time (user + system) and peak memory (maximum resident
    set size) of that child, from wait4. Per-model macro-F1 is read from its report (columns
    model, macro_f1). Its first stdout line says how many quote groups it
    found; when there are fewer groups than rows, its `--cv doc` training
    sets drop near-duplicates of the test fold and are not exactly the
    scikit-learn ones: the script says so.

(b) scikit-learn, in a child Python process (this script with
    --sklearn-worker): read the CSV; for each of the 5 folds (test = the
    rows whose doc is that fold, train = the others) fit
    TfidfVectorizer(analyzer=scikit-learn's default word tokens, lowercased,
    then NLTK's Snowball English stemmer memoised per token) on the training
    fold only, transform both, and fit DummyClassifier(most_frequent),
    MultinomialNB(alpha=1), LogisticRegression(C=1, lbfgs, multinomial,
    max_iter=1000), LinearSVC(C=1) and DecisionTreeClassifier(max_depth=10);
    then per model the macro-F1 of the out-of-fold predictions and 1000
    bootstrap resamples of it (numpy, vectorised; percentile 95 % interval).
    Times: "work" = from reading the CSV to the last interval (what the
    ratio uses: Python start-up and imports excluded, which favours
    scikit-learn), and the whole child process; peak memory of the child.

Where the two sides differ, and whom it favours:
- stance also bootstraps accuracy and F_avg intervals and runs paired
  approximate-randomisation tests (vs majority and vs the best model,
  --resamples each); the scikit-learn side bootstraps macro-F1 only
  (favours scikit-learn), and its time excludes Python start-up and
  imports (1.5-2.5 s here; favours scikit-learn);
- stance tokenizes differently (one-letter tokens kept, `it's`, `3.5`
  joined; scikit-learn: `(?u)\\b\\w\\w+\\b`), so vocabularies differ a little;
- model details: stance's `svm` is an L1-loss (hinge) C-SVC fitted by SMO,
  one vs rest; LinearSVC minimises the squared hinge and penalises the
  intercept. stance's `tree` requires a Gini decrease of 1e-5 per split;
  scikit-learn's none. stance's `logreg` and `sparse-logreg` minimise the
  same objective as LogisticRegression(C=1) (L2 α = 1/C, intercept free);
- stance runs its folds on all cores (--threads, rayon); scikit-learn runs
  on one (favours stance): these estimators do not use joblib, and the child's OpenMP and
  BLAS threads are set to --sklearn-threads (default 1) through
  OMP_NUM_THREADS, OPENBLAS_NUM_THREADS and MKL_NUM_THREADS. With two
  OpenMP threads (scikit-learn's loss functions use them) on the shared,
  loaded 2-core VM, LogisticRegression on 3,000 rows took 17-19 s instead
  of 0.85 s (threads spinning for a core another process holds).

Peak memory is the child's maximum resident set size from wait4; Linux
counts into it the parent's resident memory at the fork, so this driver
stays small (the labelling runs in its own child) and prints its own peak,
a floor under every figure.

The ratio is printed only when stance ran the same five models; with a
different --models list, its time is shown but the ratio is marked n/a.
Memory is limited for both children with RLIMIT_AS (--mem-limit-gb,
default 12): a run that needs more fails with an allocation error, and the
table says "failed". The load average (1 min) before and after each run is
printed, because other work on a shared machine changes the timings.
"""

import argparse
import csv
import json
import os
import resource
import shlex
import subprocess
import sys
import tempfile
import threading
import time

SKLEARN_MODELS = ("majority", "nb", "logreg", "svm", "tree")
# stance models whose scikit-learn counterpart has another name.
COUNTERPART = {"sparse-logreg": "logreg"}
CLASSES = ("favor", "against", "none")
DEFAULT_SIZES = "3000,10000,30000,100000"


# --------------------------------------------------------------------------
# scikit-learn side (runs in a child process: --sklearn-worker)


def sklearn_worker(path, resamples, seed):
    """Runs the scikit-learn work on one CSV; prints one JSON line."""
    t_start = time.perf_counter()
    import numpy as np
    import sklearn
    from nltk.stem.snowball import SnowballStemmer
    from sklearn.dummy import DummyClassifier
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
    from sklearn.naive_bayes import MultinomialNB
    from sklearn.svm import LinearSVC
    from sklearn.tree import DecisionTreeClassifier

    t_work = time.perf_counter()
    c_work = time.process_time()
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    texts = np.array([r["text"] for r in rows], dtype=object)
    docs = np.array([r["doc"] for r in rows])
    y = np.array([CLASSES.index(r["stance"].strip().lower()) for r in rows])
    n = len(rows)

    stem = SnowballStemmer("english").stem
    base = CountVectorizer().build_analyzer()
    memo = {}

    def analyzer(doc):
        out = []
        for t in base(doc):
            s = memo.get(t)
            if s is None:
                s = memo[t] = stem(t)
            out.append(s)
        return out

    factories = {
        "majority": lambda: DummyClassifier(strategy="most_frequent"),
        "nb": lambda: MultinomialNB(alpha=1.0),
        "logreg": lambda: LogisticRegression(C=1.0, solver="lbfgs", max_iter=1000),
        "svm": lambda: LinearSVC(C=1.0, random_state=0),
        "tree": lambda: DecisionTreeClassifier(max_depth=10, random_state=0),
    }
    pred = {m: np.full(n, -1) for m in SKLEARN_MODELS}
    fit_seconds = {m: 0.0 for m in SKLEARN_MODELS}
    featurize_seconds = 0.0
    for d in sorted(set(docs)):
        test = docs == d
        train = ~test
        t0 = time.perf_counter()
        vec = TfidfVectorizer(analyzer=analyzer)
        x_train = vec.fit_transform(texts[train])
        x_test = vec.transform(texts[test])
        featurize_seconds += time.perf_counter() - t0
        for m in SKLEARN_MODELS:
            t0 = time.perf_counter()
            clf = factories[m]().fit(x_train, y[train])
            pred[m][test] = clf.predict(x_test)
            fit_seconds[m] += time.perf_counter() - t0
    assert all((p >= 0).all() for p in pred.values()), "every row is in one test fold"

    rng = np.random.default_rng(seed)
    chunk = max(1, min(resamples, 4_000_000 // n))
    out = {}
    t_boot = time.perf_counter()
    for m in SKLEARN_MODELS:
        point = f1_score(y, pred[m], labels=[0, 1, 2], average="macro", zero_division=0)
        stats = []
        done = 0
        while done < resamples:
            b = min(chunk, resamples - done)
            idx = rng.integers(0, n, size=(b, n))
            codes = y[idx] * 3 + pred[m][idx] + 9 * np.arange(b)[:, None]
            cm = np.bincount(codes.ravel(), minlength=9 * b).reshape(b, 3, 3)
            tp = cm[:, [0, 1, 2], [0, 1, 2]]
            denom = cm.sum(axis=2) + cm.sum(axis=1)  # support + predicted
            f1 = np.divide(2 * tp, denom, out=np.zeros(tp.shape), where=denom > 0)
            stats.append(f1.mean(axis=1))
            done += b
        stats = np.concatenate(stats)
        lo, hi = np.percentile(stats, [2.5, 97.5])
        out[m] = {"macro_f1": float(point), "lo": float(lo), "hi": float(hi)}
    boot_seconds = time.perf_counter() - t_boot
    t_end = time.perf_counter()
    c_end = time.process_time()
    print(json.dumps({
        "rows": n,
        "sklearn": sklearn.__version__,
        "import_seconds": t_work - t_start,
        "work_seconds": t_end - t_work,
        "work_cpu": c_end - c_work,
        "featurize_seconds": featurize_seconds,
        "fit_seconds": fit_seconds,
        "bootstrap_seconds": boot_seconds,
        "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "models": out,
    }))


# --------------------------------------------------------------------------
# driver


def run_child(cmd, mem_limit_gb, timeout, env=None):
    """Runs cmd; returns (exit status, wall seconds, CPU seconds (user +
    system), peak RSS in KB, stdout, stderr, timed_out). CPU time and peak
    RSS are that child's own (wait4)."""
    limit = int(mem_limit_gb * 1024 ** 3) if mem_limit_gb else None

    def preexec():
        if limit:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=err, preexec_fn=preexec, env=env)
        timed_out = threading.Event()

        def kill():
            timed_out.set()
            p.kill()

        timer = threading.Timer(timeout, kill) if timeout else None
        if timer:
            timer.start()
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        if timer:
            timer.cancel()
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return (p.returncode, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, out.read().decode("utf-8", "replace"),
                err.read().decode("utf-8", "replace"), timed_out.is_set())


def failure(code, stderr, timed_out, timeout, wall, peak_kb):
    """(short cell for the table, long message for the log)."""
    if timed_out:
        short = f"killed at the {timeout:g} s timeout"
        return short, f"{short} (peak so far {peak_kb / 1024:.0f} MB)"
    lines = stderr.strip().splitlines() or [""]
    # An error message is the last line; a Rust abort or panic (and its
    # backtrace notes) starts with the informative one.
    last = lines[0] if code < 0 or lines[-1].startswith("note:") else lines[-1]
    how = f"signal {-code}" if code < 0 else f"exit {code}"
    short = f"failed after {wall:.1f} s ({how})"
    return short, f"{short}, peak {peak_kb / 1024:.0f} MB: {last}"


def run_stance(a, data, models):
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "compare.csv")
        cmd = [a.stance, "compare", "--data", data, "--cv", "doc", "--models", models,
               "--resamples", str(a.resamples), "--seed", str(a.seed), "--report", report]
        cmd += shlex.split(a.stance_flags)
        code, wall, cpu, peak, out, err, timed_out = run_child(cmd, a.mem_limit_gb, a.timeout)
        res = {"cmd": " ".join(shlex.quote(c) for c in cmd), "seconds": wall, "cpu": cpu, "peak_kb": peak}
        if code != 0:
            res["error"], res["message"] = failure(code, err, timed_out, a.timeout, wall, peak)
            return res
        head = out.splitlines()[0] if out else ""
        res["head"] = head
        try:
            inner = head.rsplit("(", 1)[1]
            quotes, groups = (int(w) for w in inner.replace(",", " ").split() if w.isdigit())
            res["quotes"], res["groups"] = quotes, groups
        except (IndexError, ValueError):
            res["groups"] = None
        with open(report, encoding="utf-8", newline="") as f:
            res["f1"] = {r["model"]: float(r["macro_f1"]) for r in csv.DictReader(f)}
        return res


def run_sklearn(a, data):
    cmd = [sys.executable, os.path.abspath(__file__), "--sklearn-worker", data,
           "--resamples", str(a.resamples), "--seed", str(a.seed)]
    threads = str(a.sklearn_threads)
    env = dict(os.environ, OMP_NUM_THREADS=threads, OPENBLAS_NUM_THREADS=threads, MKL_NUM_THREADS=threads)
    code, wall, cpu, peak, out, err, timed_out = run_child(cmd, a.mem_limit_gb, a.timeout, env)
    res = {"process_seconds": wall, "process_cpu": cpu, "peak_kb": peak}
    if code != 0:
        res["error"], res["message"] = failure(code, err, timed_out, a.timeout, wall, peak)
        return res
    res.update(json.loads(out.strip().splitlines()[-1]))
    res["peak_kb"] = peak
    return res


def make_data(a, sizes):
    """Writes (once) and returns the labelled CSV of every size. The
    labelling runs in a child process, so that this driver stays small:
    a child's peak RSS (wait4) counts the parent's resident memory at the
    fork."""
    paths = {n: os.path.join(a.data_dir, f"news_{n}_noise{a.noise:g}_seed{a.seed}.csv") for n in sizes}
    label = os.path.join(os.path.dirname(os.path.abspath(__file__)), "label_news.py")
    for n in sorted(n for n in sizes if not os.path.exists(paths[n])):
        print(f"labelling {a.corpus}: {n} rows (scripts/label_news.py) ...", flush=True)
        subprocess.run([sys.executable, label, a.corpus, "--rows", str(n), "--noise", str(a.noise),
                        "--seed", str(a.seed), "--out", paths[n]], check=True)
    return [paths[n] for n in sizes]


def balance(path):
    counts = {c: 0 for c in CLASSES}
    with open(path, encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            counts[r["stance"].strip().lower()] += 1
    n = sum(counts.values())
    return n, ", ".join(f"{c} {100 * counts[c] / n:.1f} %" for c in CLASSES)


def load1():
    return os.getloadavg()[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sklearn-worker", metavar="CSV", help=argparse.SUPPRESS)
    ap.add_argument("--stance", default="target/release/stance", help="stance binary (default: %(default)s)")
    ap.add_argument("--sizes", default=DEFAULT_SIZES, help="comma-separated row counts (default: %(default)s)")
    ap.add_argument("--data", action="append", metavar="CSV",
                    help="benchmark this labelled CSV instead of --sizes (repeatable)")
    ap.add_argument("--models", default=",".join(SKLEARN_MODELS),
                    help="stance models (default: %(default)s; scikit-learn always fits its five)")
    ap.add_argument("--stance-flags", default="", help="extra flags for stance compare, one string")
    ap.add_argument("--runs", type=int, default=1, help="runs of each side per size; best time, highest peak (default: 1)")
    ap.add_argument("--resamples", type=int, default=1000, help="bootstrap resamples, both sides (default: %(default)s)")
    ap.add_argument("--seed", type=int, default=42, help="labelling, stance and bootstrap seed (default: %(default)s)")
    ap.add_argument("--noise", type=float, default=0.12, help="label noise of the generated data (default: %(default)s)")
    ap.add_argument("--corpus", default="/work/shared/bench/news_sentences.txt", help="default: %(default)s")
    ap.add_argument("--data-dir", default="/tmp/stance-bench", help="where generated CSVs go (default: %(default)s)")
    ap.add_argument("--mem-limit-gb", type=float, default=12.0,
                    help="RLIMIT_AS of each child in GiB, 0 for none (default: %(default)s)")
    ap.add_argument("--sklearn-threads", type=int, default=1,
                    help="OMP/OpenBLAS/MKL threads of the scikit-learn child (default: %(default)s)")
    ap.add_argument("--timeout", type=float, help="seconds before a child is killed (default: none)")
    side = ap.add_mutually_exclusive_group()
    side.add_argument("--sklearn-only", action="store_true", help="skip stance")
    side.add_argument("--stance-only", action="store_true", help="skip scikit-learn")
    a = ap.parse_args()

    if a.sklearn_worker:
        sklearn_worker(a.sklearn_worker, a.resamples, a.seed)
        return
    if a.runs < 1:
        ap.error("--runs must be at least 1")
    if a.data:
        paths = a.data
    else:
        try:
            sizes = [int(s) for s in a.sizes.split(",") if s.strip()]
        except ValueError:
            ap.error(f"--sizes: expected comma-separated integers, got {a.sizes!r}")
        paths = make_data(a, sizes)
    if not a.sklearn_only and not os.access(a.stance, os.X_OK):
        sys.exit(f"bench_compare: {a.stance} is not an executable; build it with `cargo build --release`")
    models = ",".join(m.strip() for m in a.models.split(",") if m.strip())
    same_work = sorted(models.split(",")) == sorted(SKLEARN_MODELS)

    print(f"machine: {os.cpu_count()} cores; load average at start {os.getloadavg()[0]:.2f}; "
          f"this driver's peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB "
          "(a floor under every child's peak)")
    results = []
    for path in paths:
        n, bal = balance(path)
        print(f"\n== {path}: {n} rows ({bal})", flush=True)
        st, sk = [], []
        for _ in range(a.runs):
            if not a.sklearn_only:
                l0 = load1()
                r = run_stance(a, path, models)
                r["load"] = (l0, load1())
                st.append(r)
                msg = r.get("message") or (f"{r['seconds']:.2f} s (CPU {r['cpu']:.2f} s), {r['peak_kb'] / 1024:.0f} MB; "
                                         f"{r.get('groups')} quote groups in {r.get('quotes')} rows")
                print(f"  stance   {msg}  (load {r['load'][0]:.1f} -> {r['load'][1]:.1f})", flush=True)
                if r.get("groups") is not None and r["groups"] != r["quotes"]:
                    print(f"  WARNING: stance found {r['groups']} quote groups in {r['quotes']} rows: its --cv doc "
                          "training sets drop near-duplicates, so the folds are not exactly scikit-learn's")
            if not a.stance_only:
                l0 = load1()
                r = run_sklearn(a, path)
                r["load"] = (l0, load1())
                sk.append(r)
                if "error" in r:
                    msg = r["message"]
                else:
                    fits = ", ".join(f"{m} {s:.1f}" for m, s in r["fit_seconds"].items())
                    msg = (f"{r['work_seconds']:.2f} s work (CPU {r['work_cpu']:.2f} s; process {r['process_seconds']:.2f} s, "
                           f"CPU {r['process_cpu']:.2f} s; imports "
                           f"{r['import_seconds']:.1f} s), {r['peak_kb'] / 1024:.0f} MB; featurize "
                           f"{r['featurize_seconds']:.1f} s, fit+predict {fits}, bootstrap {r['bootstrap_seconds']:.1f} s")
                print(f"  sklearn  {msg}  (load {r['load'][0]:.1f} -> {r['load'][1]:.1f})", flush=True)
        results.append((n, st, sk))

    print()
    if not a.sklearn_only:
        print(f"stance: {a.stance} compare --cv doc --models {models} --resamples {a.resamples}"
              + (f" {a.stance_flags}" if a.stance_flags else ""))
    if not a.stance_only:
        print(f"scikit-learn: work time (CSV read to last interval), OMP/BLAS threads {a.sklearn_threads}")
    print()
    print("| rows | stance s (CPU s) | sklearn s (CPU s) | ratio | stance peak MB | sklearn peak MB | load (1 min) |")
    print("|---:|---:|---:|---:|---:|---:|---|")
    for n, st, sk in results:
        ok_st = [r for r in st if "error" not in r]
        ok_sk = [r for r in sk if "error" not in r]
        b_st = min(ok_st, key=lambda r: r["seconds"], default=None)
        b_sk = min(ok_sk, key=lambda r: r["work_seconds"], default=None)
        if b_st:
            s_cell = f"{b_st['seconds']:.2f} ({b_st['cpu']:.2f})"
            s_mem = f"{max(r['peak_kb'] for r in ok_st) / 1024:.0f}"
        else:
            s_cell = st[0]["error"] if st else "—"
            s_mem = "—"
        if b_sk:
            k_cell = f"{b_sk['work_seconds']:.2f} ({b_sk['work_cpu']:.2f})"
            k_mem = f"{max(r['peak_kb'] for r in ok_sk) / 1024:.0f}"
        else:
            k_cell = sk[0]["error"] if sk else "—"
            k_mem = "—"
        ratio = "—"
        if b_st and b_sk:
            ratio = f"{b_sk['work_seconds'] / b_st['seconds']:.3g}x" if same_work else "n/a (other models)"
        loads = [x for r in st + sk for x in r["load"]]
        load = f"{min(loads):.1f}–{max(loads):.1f}" if loads else "—"
        print(f"| {n} | {s_cell} | {k_cell} | {ratio} | {s_mem} | {k_mem} | {load} |")

    print("\nmacro-F1, out of fold (scikit-learn: 95 % bootstrap interval too)\n")
    print("| rows | model | stance | scikit-learn | difference |")
    print("|---:|---|---:|---:|---:|")
    for n, st, sk in results:
        f_st = next((r["f1"] for r in st if "f1" in r), {})
        f_sk = next((r["models"] for r in sk if "models" in r), {})
        names = list(f_st) + [m for m in SKLEARN_MODELS if m not in {COUNTERPART.get(x, x) for x in f_st}]
        for m in names:
            s = f_st.get(m)
            k = f_sk.get(COUNTERPART.get(m, m))
            label = m if m not in COUNTERPART else f"{m} (vs {COUNTERPART[m]})"
            s_cell = f"{s:.4f}" if s is not None else "—"
            k_cell = f"{k['macro_f1']:.4f} [{k['lo']:.4f}, {k['hi']:.4f}]" if k else "—"
            d_cell = f"{s - k['macro_f1']:+.4f}" if s is not None and k else "—"
            print(f"| {n} | {label} | {s_cell} | {k_cell} | {d_cell} |")


if __name__ == "__main__":
    main()
