#!/usr/bin/env bash
# Rebuilds models/splice-primate from ../shared/data and reports held-out accuracy.
# Split: the StatLog convention, records 1-2000 for training (10% of them, stratified, for early stopping and
# model selection) and records 2001-3186 held out for testing. The model is the default recipe, data only, as a
# user would train it. Usage: scripts/train-splice-model.sh [extra train options]
set -euo pipefail
cd "$(dirname "$0")/.."
data=../shared/data/splice_statlog_mlbench/splice_statlog.fa
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
awk '/^>/{n++} n<=2000' "$data" > "$work/train.fa"
awk '/^>/{n++} n>2000' "$data" > "$work/test.fa"

./bin/rnnseq train -o "$work/run" --seed 1 "$@" "$work/train.fa"
./bin/rnnseq classify -q -m "$work/run" "$work/test.fa" -o "$work/test.tsv"
paste <(grep '^>' "$work/test.fa" | sed 's/.*label=//') <(tail -n +2 "$work/test.tsv" | cut -f2) |
  awk '{n++; if ($1 == $2) c++} END {printf "held-out accuracy %.2f%% (%d/%d)\n", 100 * c / n, c, n}'
rm -rf models/splice-primate
mkdir -p models/splice-primate
cp "$work/run/best/rnnseq.json" "$work/run/best/weights.bin" "$work/run/best/valid-predictions.tsv" models/splice-primate/
cp "$work/run/metrics.tsv" models/splice-primate/metrics.tsv
