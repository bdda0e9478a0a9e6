#!/usr/bin/env bash
# Development case for scan --class --fdr (issue 15) shaped like a transposon scan: a plain fixed-length
# classifier trained on ~100 diverged copies of one repeat family against ~1,000 background windows, then scanned
# along DNA it never saw. The family is a 300 bp stretch of phage lambda (absent from E. coli K-12), its copies
# carry 5-20% substitutions plus small indels, on either strand; copies sit in 300 bp windows of real E. coli
# DNA at a random offset of up to 30 bp. Background: 300 bp E. coli windows from 0-1.4 Mbp. Scanned: 1 Mbp of
# E. coli (3.0-4.0 Mbp) with 20 fresh copies every ~50 kbp, and 1.5 Mbp (1.5-3.0 Mbp) with none.
# Reports sites found and false calls at several FDR levels and at a probability threshold.
# RNNSEQ_DEV_HOST=human: the host DNA is human instead, the 7,997 200 bp Oct4/MafK ChIP-seq regions of
# ../shared/data/dev_janggu_oct4_vs_mafk joined end to end in a seeded order (1.6 Mbp, soft-masked repeats and
# all, upper-cased): training windows from its first 40%, the test stretch 40-78% (copies every ~50 kbp), the
# stretch without copies 78-100%. RNNSEQ_DEV_NEGATIVES: background windows to train on (default 1,000).
# RNNSEQ_DEV_FAMILY=host: the family is a 300 bp stretch of the host DNA itself (just past the training windows,
# used nowhere else), so its copies share the host's composition, as a transposon shares its genome's.
# RNNSEQ_DEV_OFFSET (default 30): training copies sit up to this many bases either way of their window's centre
# (0: every copy cut at one place, aligned); RNNSEQ_DEV_WINDOW (default 300): the training window's length.
# Usage: scripts/dev-repeat-calling.sh [workdir] [seed] [extra train flags...]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-/tmp/rnnseq-dev-repeat}
seed=${2:-1}
shift $(($# < 2 ? $# : 2))
data=${RNNSEQ_DATA:-$here/../shared/data}
mkdir -p "$work"
python3 - "$data" "$work" "$seed" "${RNNSEQ_DEV_HOST:-ecoli}" "${RNNSEQ_DEV_NEGATIVES:-1000}" "${RNNSEQ_DEV_FAMILY:-lambda}" "${RNNSEQ_DEV_OFFSET:-30}" "${RNNSEQ_DEV_WINDOW:-300}" "$here/scripts" <<'PY'
import gzip, random, sys
sys.dont_write_bytecode = True  # no __pycache__ in the checkout
sys.path.insert(0, sys.argv[-1])
from repeat_family import diverged_copy
data, work, seed, host, negatives, family_source = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5]), sys.argv[6]
offset, W = int(sys.argv[7]), int(sys.argv[8])
random.seed(seed)
if host == 'human':
    pieces = [l.strip().upper() for l in open(f'{data}/dev_janggu_oct4_vs_mafk/oct4_vs_mafk.fa') if not l.startswith('>')]
    random.Random(seed + 1000).shuffle(pieces)
    eco = ''.join(pieces)
else:
    eco = ''.join(l.strip() for l in gzip.open(f'{data}/genomes_unannotated/ecoli_MG1655-K12.fasta.gz', 'rt') if not l.startswith('>')).upper()
n = len(eco)
# window starts of training (each reads up to 600 bp on), the test stretch, the stretch without copies
train_end, test_start, test_end = (int(0.4 * n) - 600, int(0.4 * n), int(0.78 * n)) if host == 'human' else (1_400_000, 3_000_000, 4_000_000)
background_span = (int(0.78 * n), n) if host == 'human' else (1_500_000, 3_000_000)
lam = ''.join(l.strip() for l in open(f'{data}/genomes_unannotated/lambda_virus.fa') if not l.startswith('>')).upper()
family = lam[20000:20300]
if family_source == 'host':
    train_end -= 1000
    family = eco[train_end + 600:train_end + 900]
def copy():
    return diverged_copy(family, random)
records = []
for i in range(100):
    s, a = copy(), random.randrange(0, train_end)
    flank, pad = eco[a:a + 2 * W], max(0, (W - len(s)) // 2 + random.randint(-offset, offset))
    records.append((f'te{i} label=te', (flank[:pad] + s + flank[W:])[:W]))
for i in range(negatives):
    a = random.randrange(0, train_end)
    records.append((f'bg{i} label=bg', eco[a:a + W]))
random.shuffle(records)
with open(f'{work}/train.fa', 'w') as f:
    f.writelines(f'>{n}\n{s}\n' for n, s in records)
test, bed, at = list(eco[test_start:test_end]), [], 20_000
while at + 1000 < len(test):
    s = copy()
    test[at:at + len(s)] = list(s)
    bed.append(f'test\t{at}\t{at + len(s)}\n')
    at += 45_000 + random.randrange(10_000)
open(f'{work}/test.fa', 'w').write('>test\n' + ''.join(test) + '\n')
open(f'{work}/test.bed', 'w').writelines(bed)
open(f'{work}/background.fa', 'w').write('>background\n' + eco[background_span[0]:background_span[1]] + '\n')
print(f'{len(bed)} copies planted in the {len(test) / 1e6:.2f} Mbp test stretch; {(background_span[1] - background_span[0]) / 1e6:.2f} Mbp without copies', file=sys.stderr)
PY
rnnseq=$here/bin/rnnseq
if [ ! -f "$work/run/best/rnnseq.json" ]; then
  "$rnnseq" train -q -o "$work/run" --seed "$seed" "$@" "$work/train.fa"
fi
printf 'rule\tsites_found\tsites\tcalls\tfalse_calls_test_stretch\tcalls_without_copies\n'
report() {
  local name=$1; shift
  "$rnnseq" scan -q -m "$work/run/best" --class te "$@" "$work/test.fa" -o "$work/test.bed.out"
  "$rnnseq" scan -q -m "$work/run/best" --class te "$@" "$work/background.fa" -o "$work/background.bed.out"
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" \
    "$(bedtools intersect -u -a "$work/test.bed" -b "$work/test.bed.out" | wc -l)" "$(wc -l < "$work/test.bed")" \
    "$(wc -l < "$work/test.bed.out")" "$(bedtools intersect -v -a "$work/test.bed.out" -b "$work/test.bed" | wc -l)" \
    "$(wc -l < "$work/background.bed.out")"
}
for fdr in 0.01 0.05 0.1 0.2; do report "fdr $fdr" --fdr "$fdr"; done
for threshold in 0.5 0.9; do report "threshold $threshold" --threshold "$threshold"; done
