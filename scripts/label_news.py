#!/usr/bin/env python3
"""Labelled benchmark data for `stance compare`: news sentences with 3 classes.

Optional dev tool (CI never runs it). Needs nltk (`pip install nltk`: its
Snowball English stemmer, for step 2). Writes a CSV (`id,doc,text,stance`)
from /work/shared/bench/news_sentences.txt, which must never be copied into
the repository; nor is the output committed (it goes under /tmp by default).

    python3 scripts/label_news.py [CORPUS] --rows 3000 [--noise 0.12] [--seed 42]
        [--out /tmp/stance-bench/news_3000.csv]

Steps, each deterministic given --seed:

1. Read CORPUS (one sentence a line, UTF-8), strip each line, drop empty
   lines and exact duplicates (first occurrence kept).
2. Drop near-duplicates the way `stance compare` groups them (see
   src/eval/split.rs): a sentence whose stemmed terms equal an earlier
   sentence's, or share a run of 7 consecutive terms with one, is dropped;
   so is, among the first 20,000 rows of step 5, one whose term set has a
   Jaccard similarity of at least 0.65 with an earlier kept row's (stance
   uses 0.7, for at most 20,000 rows). stance puts such sentences in one
   quote group and, under `--cv doc`, removes from a fold's training set
   every sentence whose group has a member in the test fold; without them
   its training sets are exactly the plain `doc != fold` split that the
   scikit-learn side of bench_compare.py uses (that script checks that
   stance reports as many groups as rows).
3. Label every remaining sentence by the keyword rule below.
4. Label noise: each sentence, with probability --noise (default 0.12),
   gets a label drawn uniformly from the two *other* classes.
5. Shuffle with the seed and keep the first --rows sentences (so a smaller
   set is a subset of a larger one with the same seed and noise); `doc` is
   the fold of the row's position in that order, `doc{i % 5}`, so the five
   folds differ in size by at most one, and `stance compare --cv doc` and
   the scikit-learn script in bench_compare.py use exactly the same folds.
   `id` is `n<line number in CORPUS>`.

The keyword rule (the class is learnable from the words, but not from the
presence of any single word):

    words  = the sentence lowercased, split into runs of ASCII letters a-z
             ("don't" gives "don", "t"; "U.S." gives "u", "s")
    f      = number of words in FAVOR_WORDS   (rise, gain, growth, agree, ...)
    a      = number of words in AGAINST_WORDS (fall, loss, cut, oppose, not, ...)
    stance = favor if f > a, against if a > f, else none
             (none covers sentences with neither kind of word, and ties)

FAVOR_WORDS and AGAINST_WORDS are listed below: words of rising, gaining,
growing, agreeing, approving, supporting, buying (favor) and of falling,
losing, cutting, opposing, rejecting, negation, selling (against). On the
118,709 sentences left after step 2 the clean classes are 27.2 % favor,
21.5 % against, 51.3 % none; after noise (0.12) every sample is about
28 % favor, 24 % against, 48 % none (the script prints the counts).
"""

import argparse
import collections
import csv
import math
import os
import random
import re
import sys

DEFAULT_CORPUS = "/work/shared/bench/news_sentences.txt"
DEFAULT_OUT_DIR = "/tmp/stance-bench"
FOLDS = 5
SHINGLE = 7
CLASSES = ("favor", "against", "none")

FAVOR_WORDS = frozenset("""
    rise rises rose risen rising gain gains gained gaining grow grows grew grown
    growing growth increase increased increases increasing higher high up boost
    boosted boosts raise raised raises raising record strong stronger strength
    recover recovered recovery improve improved improvement better best surge
    surged surplus profit profits agree agreed agrees agreement agreements
    approve approved approval accept accepted accord support supported win wins
    won victory expand expanded expansion advance advanced positive good hope
    hopes confident confidence success successful jump jumped climb climbed
    rally rallied benefit benefits more above help helped helps buy buys buying
    bought purchase purchases purchased acquire acquired acquisition welcome
    welcomed plan plans planned
""".split())

AGAINST_WORDS = frozenset("""
    fall falls fell fallen falling drop drops dropped decline declined declines
    declining loss losses lose loses losing lost cut cuts cutting lower low down
    weak weaker weakness reduce reduced reduces reducing reduction deficit slump
    slumped fail fails failed failure reject rejected rejects oppose opposed
    opposes opposition against deny denied denies crisis problem problems
    concern concerns concerned warn warned warns worse slow slowed slowdown
    dispute strike strikes killed attack war risk pressure damage fear fears
    halt halted suspended bankruptcy trouble plunge plunged eased not no never
    without below less off cannot unable unlikely sell sells selling sold
""".split())

assert not FAVOR_WORDS & AGAINST_WORDS, "the two word lists must be disjoint"

WORD = re.compile(r"[a-z]+")
# Near-duplicate terms, as stance's default analyzer makes them: maximal
# runs of letters and digits, joined across an apostrophe between letters
# and across `.` or `,` between digits; lowercased, `’` folded to `'`, then
# the Snowball English stemmer (NLTK's here, rust-stemmers in stance).
TOKEN = re.compile(r"[^\W_]+(?:(?:(?<=[^\W\d_])['\u2019\u02bc](?=[^\W\d_])|(?<=\d)[.,](?=\d))[^\W_]+)*")
# stance compare compares the term sets of every pair of sentences when it
# has at most this many (its split::MAX_PAIRWISE) and groups a pair with a
# Jaccard similarity >= 0.7 (sets of 4 terms or more); we drop pairs from a
# slightly lower similarity, in case a term differs.
MAX_PAIRWISE = 20_000
JACCARD = 0.65
MIN_SET = 3


def rule(text):
    """The keyword rule of the module docstring: 'favor', 'against' or 'none'."""
    f = a = 0
    for w in WORD.findall(text.lower()):
        if w in FAVOR_WORDS:
            f += 1
        elif w in AGAINST_WORDS:
            a += 1
    return "favor" if f > a else "against" if a > f else "none"


def read_distinct(path):
    """(line number, stripped text) of the non-empty lines, first of each text."""
    seen = set()
    out = []
    with open(path, encoding="utf-8") as f:
        for no, line in enumerate(f, 1):
            t = line.strip()
            if t and t not in seen:
                seen.add(t)
                out.append((no, t))
    return out


class Terms:
    """Stemmed terms of a sentence (memoised per token), in order."""

    def __init__(self):
        from nltk.stem.snowball import SnowballStemmer

        self.stem = SnowballStemmer("english").stem
        self.memo = {}

    def __call__(self, text):
        out = []
        for tok in TOKEN.findall(text):
            s = self.memo.get(tok)
            if s is None:
                s = self.memo[tok] = self.stem(tok.lower().replace("\u2019", "'").replace("\u02bc", "'"))
            out.append(s)
        return tuple(out)


def drop_near_duplicates(rows, terms):
    """Keeps the first of every set of sentences (line number, text) with the
    same term sequence or a shared run of SHINGLE terms; returns the kept
    rows as (line number, text, terms)."""
    exact = set()
    shingles = set()
    kept = []
    for no, t in rows:
        ts = terms(t)
        grams = {ts[i:i + SHINGLE] for i in range(len(ts) - SHINGLE + 1)}
        if ts in exact or not grams.isdisjoint(shingles):
            continue
        exact.add(ts)
        shingles |= grams
        kept.append((no, t, ts))
    return kept


class JaccardFilter:
    """Accepts a term set unless its Jaccard similarity with an accepted one
    is at least JACCARD (sets of MIN_SET terms or more). Prefix filtering:
    two sets that similar share one of the rarest terms of each, by the
    document frequencies `df`, so only sets sharing those are compared."""

    def __init__(self, df):
        self.df = df
        self.index = collections.defaultdict(list)
        self.sets = []

    def accept(self, terms):
        s = set(terms)
        if len(s) < MIN_SET:
            return True
        ranked = sorted(s, key=lambda k: (self.df[k], k))
        prefix = ranked[:len(s) - math.ceil(JACCARD * len(s)) + 1]
        lo, hi = JACCARD * len(s), len(s) / JACCARD
        seen = set()
        for k in prefix:
            for j in self.index[k]:
                if j in seen:
                    continue
                seen.add(j)
                other = self.sets[j]
                if lo <= len(other) <= hi:
                    inter = len(s & other)
                    if inter >= JACCARD * (len(s) + len(other) - inter):
                        return False
        j = len(self.sets)
        self.sets.append(s)
        for k in prefix:
            self.index[k].append(j)
        return True


def build(corpus, rows, noise, seed):
    """The labelled rows as (id, doc, text, stance), and a report dict."""
    distinct = read_distinct(corpus)
    pool = drop_near_duplicates(distinct, Terms())
    rng = random.Random(seed)
    labels = [rule(t) for _, t, _ in pool]
    clean = collections.Counter(labels)
    flipped = 0
    for i in range(len(labels)):
        if rng.random() < noise:
            labels[i] = rng.choice([c for c in CLASSES if c != labels[i]])
            flipped += 1
    order = list(range(len(pool)))
    rng.shuffle(order)
    jaccard = JaccardFilter(collections.Counter(k for _, _, ts in pool for k in set(ts)))
    out = []
    for i in order:
        if len(out) == rows:
            break
        no, t, ts = pool[i]
        # Past MAX_PAIRWISE rows stance skips the pairwise pass, and so do
        # we; the first MAX_PAIRWISE rows are the same whatever --rows is.
        if len(out) < MAX_PAIRWISE and not jaccard.accept(ts):
            continue
        out.append((f"n{no}", f"doc{len(out) % FOLDS}", t, labels[i]))
    if len(out) < rows:
        sys.exit(f"label_news: --rows {rows} is more than the {len(out)} usable sentences of {corpus}")
    report = {
        "distinct": len(distinct),
        "pool": len(pool),
        "clean": clean,
        "flipped": flipped,
        "sample": collections.Counter(r[3] for r in out),
    }
    return out, report


def write_csv(path, rows):
    d = os.path.dirname(path)
    if d:
        os.makedirs(d, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "doc", "text", "stance"])
        w.writerows(rows)


def balance(counter):
    n = sum(counter.values())
    return ", ".join(f"{c} {counter[c]} ({100 * counter[c] / n:.1f} %)" for c in CLASSES)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", nargs="?", default=DEFAULT_CORPUS, help="one sentence a line (default: %(default)s)")
    ap.add_argument("--rows", type=int, default=3000, help="sentences to keep (default: %(default)s)")
    ap.add_argument("--noise", type=float, default=0.12,
                    help="fraction of labels replaced by another class, uniformly (default: %(default)s)")
    ap.add_argument("--seed", type=int, default=42, help="seed of the noise, the sample and the folds (default: %(default)s)")
    ap.add_argument("--out", help=f"output CSV (default: {DEFAULT_OUT_DIR}/news_ROWS.csv)")
    a = ap.parse_args()
    if a.rows < FOLDS:
        ap.error(f"--rows must be at least {FOLDS}")
    if not 0.0 <= a.noise <= 1.0:
        ap.error("--noise must be a fraction in [0, 1]")
    out = a.out or os.path.join(DEFAULT_OUT_DIR, f"news_{a.rows}.csv")
    rows, r = build(a.corpus, a.rows, a.noise, a.seed)
    write_csv(out, rows)
    print(f"label_news: {r['distinct']} distinct sentences, {r['pool']} after near-duplicates; "
          f"rule: {balance(r['clean'])}; {r['flipped']} labels flipped (--noise {a.noise})", file=sys.stderr)
    print(f"label_news: {out}: {len(rows)} rows: {balance(r['sample'])}", file=sys.stderr)


if __name__ == "__main__":
    main()
