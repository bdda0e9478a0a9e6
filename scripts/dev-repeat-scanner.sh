#!/usr/bin/env bash
# Development case for genome scanners (train --genome) of elements about as long as the window (issue 15): the
# repeat family of scripts/dev-repeat-calling.sh (a 300 bp stretch of phage lambda, copies with 5-20%
# substitutions plus small indels, either strand) planted into real E. coli K-12 DNA every ~10-15 kbp in 1.2 Mbp
# for training ('train') and 0.3 Mbp for validation ('valid'), and every ~45-67 kbp in 1 Mbp (3.0-4.0 Mbp) that
# training never sees. Trains a scanner with 300 bp windows (default recipe plus any extra flags), scans the test
# stretch, and reports copies found and false calls at FDR 0.05 and 0.2 and at the calibrated threshold.
# Usage: scripts/dev-repeat-scanner.sh [workdir] [seed] [extra train flags...]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-/tmp/rnnseq-dev-repeat-scanner}
seed=${2:-1}
shift $(($# < 2 ? $# : 2))
data=${RNNSEQ_DATA:-$here/../shared/data}
mkdir -p "$work"
python3 - "$data" "$work" "$seed" "$here/scripts" <<'PY'
import gzip, random, sys
sys.dont_write_bytecode = True  # no __pycache__ in the checkout
sys.path.insert(0, sys.argv[-1])
from repeat_family import diverged_copy
data, work, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
random.seed(seed)
eco = ''.join(l.strip() for l in gzip.open(f'{data}/genomes_unannotated/ecoli_MG1655-K12.fasta.gz', 'rt') if not l.startswith('>')).upper()
lam = ''.join(l.strip() for l in open(f'{data}/genomes_unannotated/lambda_virus.fa') if not l.startswith('>')).upper()
family = lam[20000:20300]
def copy():
    return diverged_copy(family, random)
def plant(seq, every, name):
    s, bed, at = list(seq), [], 2000
    while at + 1000 < len(s):
        c = copy()
        s[at:at + len(c)] = list(c)
        bed.append(f'{name}\t{at}\t{at + len(c)}\n')
        at += every + random.randrange(every // 2)
    return ''.join(s), bed
train, tb = plant(eco[0:1_200_000], 10_000, 'train')
valid, vb = plant(eco[1_200_000:1_500_000], 10_000, 'valid')
test, sb = plant(eco[3_000_000:4_000_000], 45_000, 'test')
open(f'{work}/genome.fa', 'w').write(f'>train\n{train}\n>valid\n{valid}\n')
open(f'{work}/test.fa', 'w').write(f'>test\n{test}\n')
open(f'{work}/train.bed', 'w').writelines(tb + vb)
open(f'{work}/test.bed', 'w').writelines(sb)
print(f'planted {len(tb)} training, {len(vb)} validation, {len(sb)} test copies', file=sys.stderr)
PY
rnnseq=$here/bin/rnnseq
if [ ! -f "$work/run/best/rnnseq.json" ]; then
  "$rnnseq" train -q -o "$work/run" --genome "$work/genome.fa" --positives "$work/train.bed" --window 300 \
    --valid-chroms valid --positive-class te --seed "$seed" "$@"
fi
threshold=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['window']['threshold'])" "$work/run/best/rnnseq.json")
printf 'rule\tcopies_found\tcopies\tcalls\tfalse_calls_in_1_Mbp\n'
for rule in "--fdr 0.05" "--fdr 0.2" "--threshold $threshold"; do
  # shellcheck disable=SC2086
  "$rnnseq" scan -q -m "$work/run" $rule "$work/test.fa" -o "$work/calls.bed"
  printf '%s\t%s\t%s\t%s\t%s\n' "$rule" "$(bedtools intersect -u -a "$work/test.bed" -b "$work/calls.bed" | wc -l)" \
    "$(wc -l < "$work/test.bed")" "$(wc -l < "$work/calls.bed")" "$(bedtools intersect -v -a "$work/calls.bed" -b "$work/test.bed" | wc -l)"
done
