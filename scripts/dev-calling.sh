#!/usr/bin/env bash
# Development case for scan --fdr (issue 15): real E. coli K-12 DNA as background, the 18 known CRP binding sites
# of ../shared/data/regulatory planted (each copy with 0-2 random point mutations) every ~2 kbp in a training
# part and every ~10 kbp in a held-out test stretch that training never sees. Trains a scanner (default recipe), then
# scans the test stretch and counts planted sites found and false calls per Mbp at several FDR levels and with
# the old rule (the calibrated threshold). Usage: scripts/dev-calling.sh [workdir] [seed]
# Other cases through the environment: RNNSEQ_DEV_SITES (FASTA of sites to plant, each cut to 80 bp),
# RNNSEQ_DEV_BACKGROUND (gzipped FASTA, its records joined, >= 4 Mbp) and RNNSEQ_DEV_TRAIN (extra train flags).
# The last column counts false calls holding a near-consensus site (RNNSEQ_DEV_CONSENSUS, N for any base; with the
# default sites CRP's TGTGA-N6-TCACA; all but two of its fixed bases, either strand): the test stretch is real E. coli DNA with
# its own, unannotated CRP sites, which a good scanner calls too.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-/tmp/rnnseq-dev-calling}
seed=${2:-1}
data=${RNNSEQ_DATA:-$here/../shared/data}
mkdir -p "$work"
sites=${RNNSEQ_DEV_SITES:-$data/regulatory/crp0_ecoli_CRP_sites.fa}
background=${RNNSEQ_DEV_BACKGROUND:-$data/genomes_unannotated/ecoli_MG1655-K12.fasta.gz}
python3 - "$sites" "$background" "$work" "$seed" <<'PY'
import gzip, random, sys
site_file, background, work, seed = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
random.seed(seed)
seq = ''.join(l.strip() for l in gzip.open(background, 'rt') if not l.startswith('>')).upper()
sites = []
with open(site_file) as f:
    for line in f:
        if not line.startswith('>'): sites.append(line.strip().upper()[:80])
comp = str.maketrans('ACGT', 'TGCA')
def plant(s, start, every, name):
    s = list(s); bed = []
    at = start + 500
    while at + 600 < start + len(s):
        site = random.choice(sites)
        site = site if random.random() < 0.5 else site.translate(comp)[::-1]
        site = list(site)
        for _ in range(random.randint(0, 2)): site[random.randrange(len(site))] = random.choice('ACGT')
        i = at - start
        s[i:i + len(site)] = site
        bed.append((name, i, i + len(site)))
        at += every + random.randrange(every // 2)
    return ''.join(s), bed
def fasta(path, records):
    with open(path, 'w') as f:
        for name, s in records:
            f.write(f'>{name}\n' + '\n'.join(s[i:i + 60] for i in range(0, len(s), 60)) + '\n')
train, tb = plant(seq[0:1_200_000], 0, 2000, 'train')
valid, vb = plant(seq[1_200_000:1_500_000], 0, 2000, 'valid')
test, sb = plant(seq[3_000_000:4_000_000], 0, 10000, 'test')
fasta(f'{work}/train.fa', [('train', train), ('valid', valid)])
fasta(f'{work}/test.fa', [('test', test)])
open(f'{work}/train.bed', 'w').write(''.join(f'{c}\t{a}\t{b}\n' for c, a, b in tb + vb))
open(f'{work}/test.bed', 'w').write(''.join(f'{c}\t{a}\t{b}\n' for c, a, b in sb))
print(f'planted {len(tb)} training, {len(vb)} validation, {len(sb)} test sites', file=sys.stderr)
PY
rnnseq=$here/bin/rnnseq
if [ ! -f "$work/run/best/rnnseq.json" ]; then
  "$rnnseq" train -q -o "$work/run" --genome "$work/train.fa" --positives "$work/train.bed" --window 100 --valid-chroms valid \
    --positive-class crp --seed "$seed" --threads 2 ${RNNSEQ_DEV_TRAIN:-}
fi
threshold=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['window']['threshold'])" "$work/run/best/rnnseq.json")
mbp=1.0
# CRP's consensus only for CRP's sites; other sites name theirs, or the column reads '-'.
consensus=${RNNSEQ_DEV_CONSENSUS:-$([ -z "${RNNSEQ_DEV_SITES:-}" ] && echo TGTGANNNNNNTCACA)}
# How many windows of a BED on test.fa hold a match to the consensus at all but two of its fixed bases, either strand.
near_consensus() {
  if [ -z "$consensus" ]; then echo -; return; fi
  python3 - "$work/test.fa" "$1" "$consensus" <<'PY'
import sys
fa, bed, cons = sys.argv[1], sys.argv[2], sys.argv[3].upper()
seq = ''.join(l.strip() for l in open(fa) if not l.startswith('>')).upper()
fixed = [(i, c) for i, c in enumerate(cons) if c != 'N']
rc = str.maketrans('ACGT', 'TGCA')
def near(s):
    for strand in (s, s.translate(rc)[::-1]):
        for at in range(len(strand) - len(cons) + 1):
            if sum(strand[at + i] == c for i, c in fixed) >= len(fixed) - 2: return True
    return False
print(sum(near(seq[int(f[1]):int(f[2])]) for f in (l.split() for l in open(bed)) if f))
PY
}
printf 'rule\tsites_found\tsites\tcalls\tfalse_calls\tfalse_per_Mbp\tfalse_near_consensus\n'
report() {
  local name=$1 bed=$2
  local found total calls false
  found=$(bedtools intersect -u -a "$work/test.bed" -b "$bed" | wc -l)
  total=$(wc -l < "$work/test.bed")
  calls=$(wc -l < "$bed")
  bedtools intersect -v -a "$bed" -b "$work/test.bed" > "$work/false.bed"
  false=$(wc -l < "$work/false.bed")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$found" "$total" "$calls" "$false" "$(python3 -c "print(round($false / $mbp, 1))")" "$(near_consensus "$work/false.bed")"
}
for fdr in 0.01 0.05 0.1 0.2; do
  "$rnnseq" scan -q -m "$work/run" "$work/test.fa" --fdr "$fdr" -o "$work/fdr-$fdr.bed"
  report "fdr $fdr" "$work/fdr-$fdr.bed"
done
"$rnnseq" scan -q -m "$work/run" "$work/test.fa" --threshold "$threshold" -o "$work/threshold.bed"
report "threshold $threshold (old rule)" "$work/threshold.bed"
