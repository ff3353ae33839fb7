#!/usr/bin/env python3
"""SemEval-2016 Task 6 sized files from scripts/label_news.py's labelled news.

Optional dev tool for the `stance semeval` timing in benches/README.md (CI
never runs it). The five `doc` folds become five targets (Target A..E),
the first 2,914 rows the training file and the next 1,249 the test file,
the sizes of the SemEval-2016 Task 6 subtask A data. The texts are news
sentences, not tweets: the timing is what this measures, not the task.

    python3 scripts/semeval_from_news.py \
        --data /tmp/stance-bench/news_10000_noise0.12_seed42.csv \
        --out-dir /tmp/stance-bench
"""
import argparse
import csv
import os

TRAIN, TEST = 2914, 1249


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True, help="CSV with id,doc,text,stance")
    ap.add_argument("--out-dir", required=True)
    a = ap.parse_args()
    with open(a.data, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    if len(rows) < TRAIN + TEST:
        raise SystemExit(f"{a.data}: {len(rows)} rows, need {TRAIN + TEST}")
    targets = {f"doc{i}": f"Target {'ABCDE'[i]}" for i in range(5)}
    os.makedirs(a.out_dir, exist_ok=True)
    for name, part in [("train", rows[:TRAIN]), ("test", rows[TRAIN:TRAIN + TEST])]:
        path = os.path.join(a.out_dir, f"semeval_news_{name}.txt")
        with open(path, "w", encoding="utf-8") as out:
            out.write("ID\tTarget\tTweet\tStance\n")
            for r in part:
                text = " ".join(r["text"].split())
                out.write(f"{r['id']}\t{targets[r['doc']]}\t{text}\t{r['stance'].upper()}\n")
        print(f"{path}: {len(part)} rows")


if __name__ == "__main__":
    main()
