#!/usr/bin/env python3
"""Featurizer speed: scikit-learn vs `stance featurize`, same machine, one run.

Optional dev tool (CI never runs it). Needs scikit-learn and nltk
(`pip install scikit-learn nltk`) and a release build of `stance`
(`cargo build --release`).

    python3 scripts/bench_sklearn.py [CORPUS] [--stance target/release/stance] [--runs 3]
        [--block-size 64M] [--row-memory 0]

CORPUS: one text a line (default /work/shared/bench/news_sentences.txt).

Pairs compared (scikit-learn: best of --runs; stance: best of
--stance-runs, its runs with all cores, --threads 1 and --threads 2
interleaved; the file read is excluded for scikit-learn, and the stance
time is its `featurize: ... SECONDS s` line, which times featurizing
alone, without reading or writing):

1. CountVectorizer with NLTK's Snowball English stemmer memoised per
   token (unigram counts) vs `stance featurize --ngrams 1..1 --weight count
   --no-norm` (stance stems by default, with a per-token cache).
2. TfidfVectorizer(ngram_range=(1, 2)) vs `stance featurize --ngrams 1..2
   --no-stem` (TF-IDF, smoothed idf, L2 rows: scikit-learn's defaults).

Where the two differ: scikit-learn's tokens are `(?u)\\b\\w\\w+\\b`
(two or more word characters; `it's` gives `it`); stance keeps one-letter
tokens and joins `it's`, `3.5`, `253,000` into single tokens, so the token
counts and vocabularies differ by a few percent. scikit-learn runs on one
core; stance is measured with all cores and with --threads 1 and 2.
"""

import argparse
import re
import statistics
import subprocess
import sys
import time


def best(f, runs):
    times = []
    out = None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t0)
    return min(times), out


def stance_times(binary, corpus, flags, runs, block_size=None, row_memory=None):
    """Times `stance featurize` with all cores, --threads 1 and --threads 2,
    interleaved round by round (so that a slow spell of the machine hits all
    three alike); returns {threads: [seconds, ...]} and the token count."""
    cmd = [binary, "featurize", "--input", corpus] + flags
    if block_size:
        cmd += ["--block-size", block_size]
    if row_memory:
        cmd += ["--row-memory", row_memory]
    times, tokens = {None: [], 1: [], 2: []}, None
    for _ in range(runs):
        for threads in times:
            extra = ["--threads", str(threads)] if threads else []
            p = subprocess.run(cmd + extra, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=True)
            last = p.stderr.strip().splitlines()[-1]
            m = re.match(r"featurize: (\d+) docs, (\d+) tokens, ([0-9.]+) s", last)
            if not m:
                sys.exit(f"unexpected stance stderr: {last!r}")
            tokens = int(m.group(2))
            times[threads].append(float(m.group(3)))
    return times, tokens


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", nargs="?", default="/work/shared/bench/news_sentences.txt")
    ap.add_argument("--stance", default="target/release/stance")
    ap.add_argument("--runs", type=int, default=3, help="scikit-learn runs (best of)")
    ap.add_argument("--stance-runs", type=int, default=9,
                    help="stance runs per thread setting (best of, and median), interleaved")
    ap.add_argument("--block-size", help="passed to stance featurize (default: its own, 8M)")
    ap.add_argument("--row-memory", help="passed to stance featurize (default: its own, 256M, "
                    "which keeps every row of this corpus: one read; 0 keeps the first block's "
                    "rows only, and the rest is featurized in a second read)")
    a = ap.parse_args()

    import sklearn
    from nltk.stem.snowball import SnowballStemmer
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

    with open(a.corpus, encoding="utf-8") as f:
        lines = f.read().splitlines()
    base = CountVectorizer().build_analyzer()
    n_tok = sum(len(base(t)) for t in lines)
    print(f"corpus: {a.corpus}: {len(lines)} texts, {n_tok} scikit-learn tokens; scikit-learn {sklearn.__version__}")

    def count_stemmed():
        stemmer = SnowballStemmer("english")
        memo = {}

        def analyzer(doc):
            out = []
            for t in base(doc):
                s = memo.get(t)
                if s is None:
                    s = memo[t] = stemmer.stem(t)
                out.append(s)
            return out

        v = CountVectorizer(analyzer=analyzer)
        x = v.fit_transform(lines)
        return len(v.vocabulary_), x.nnz

    def tfidf12():
        v = TfidfVectorizer(ngram_range=(1, 2))
        x = v.fit_transform(lines)
        return len(v.vocabulary_), x.nnz

    pairs = [
        ("unigram count, stemmed", count_stemmed, ["--ngrams", "1..1", "--weight", "count", "--no-norm"], 15.0),
        ("tf-idf (1,2)-grams", tfidf12, ["--ngrams", "1..2", "--no-stem"], 10.0),
    ]
    for name, sk, flags, target in pairs:
        sk_s, (vocab, nnz) = best(sk, a.runs)
        times, st_tok = stance_times(a.stance, a.corpus, flags, a.stance_runs,
                                     block_size=a.block_size, row_memory=a.row_memory)
        st_all, st_1, st_2 = (min(times[t]) for t in (None, 1, 2))
        med_1, med_2 = (statistics.median(times[t]) for t in (1, 2))
        print(f"\n{name}")
        print(f"  scikit-learn        {sk_s:7.3f} s  {n_tok / sk_s / 1e6:6.2f} M tokens/s  vocabulary {vocab}")
        print(f"  stance (all cores)  {st_all:7.3f} s  {st_tok / st_all / 1e6:6.2f} M tokens/s")
        print(f"  stance --threads 1  {st_1:7.3f} s  {st_tok / st_1 / 1e6:6.2f} M tokens/s  (median {med_1:.3f} s)")
        print(f"  stance --threads 2  {st_2:7.3f} s  {st_tok / st_2 / 1e6:6.2f} M tokens/s  (median {med_2:.3f} s)")
        print(f"  speed-up vs scikit-learn: {sk_s / st_all:5.1f}x all cores, {sk_s / st_1:5.1f}x one thread "
              f"(target {target:.0f}x: {'met' if sk_s / st_all >= target else 'NOT met'})")
        print(f"  2 threads vs 1: {st_1 / st_2:4.2f}x best vs best, {med_1 / med_2:4.2f}x median vs median "
              f"(target 1.7x: {'met' if min(st_1 / st_2, med_1 / med_2) >= 1.7 else 'NOT met'} in both)")


if __name__ == "__main__":
    main()
