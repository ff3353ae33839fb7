#!/bin/sh
# Extraction time against paragraph length (issue 16, row 6): one-line
# articles of 1, 2, 4 and 8 MB, made by joining the seed articles onto one
# line and repeating them, plus 200,000 curly-quoted words on one line.
# Linear extraction shows as time doubling with size. Optional dev tool (CI
# never runs it); needs a release build (`cargo build --release`).
#
#     sh scripts/bench_extract.sh [target/release/stance] [TMPDIR]
#
# Prints one line per input: bytes, seconds (best of 3, `/usr/bin/time`
# wall clock) and peak memory. The inputs are written to TMPDIR (default
# /tmp/stance-bench-extract), never to the repository.
set -eu
bin=${1:-target/release/stance}
dir=${2:-/tmp/stance-bench-extract}
mkdir -p "$dir"
# The seeds on one line (every line break a space), about 40 KB.
cat seeds/*.txt | tr '\n\r' '  ' >"$dir/seeds_line.txt"
for mb in 1 2 4 8; do
    f="$dir/line_${mb}mb.txt"
    : >"$f"
    while [ "$(wc -c <"$f")" -lt $((mb * 1000000)) ]; do
        cat "$dir/seeds_line.txt" >>"$f"
    done
done
python3 -c 'import sys; sys.stdout.write("\u201cab\u201d " * 200000)' >"$dir/curly_200k.txt"
for f in "$dir"/line_1mb.txt "$dir"/line_2mb.txt "$dir"/line_4mb.txt "$dir"/line_8mb.txt "$dir"/curly_200k.txt; do
    best=""
    for run in 1 2 3; do
        /usr/bin/time -f '%e %M' -o "$dir/time.txt" "$bin" extract "$f" --out "$dir/out.csv"
        t=$(cut -d' ' -f1 "$dir/time.txt")
        m=$(cut -d' ' -f2 "$dir/time.txt")
        if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best=$t; mem=$m; fi
    done
    printf '%s\t%s bytes\t%s s\t%s KB\t%s quotes\n' "$(basename "$f")" "$(wc -c <"$f")" "$best" "$mem" "$(($(wc -l <"$dir/out.csv") - 1))"
done
