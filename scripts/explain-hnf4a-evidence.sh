#!/usr/bin/env bash
# Evidence for `rnnseq explain --motifs`: does a model trained on real HNF4alpha binding sites give back the
# HNF4A matrix? Positives: each of the 71 sites of ../shared/data/regulatory/HNF4alpha_sites.fa planted at a
# random place in 40 bp of random flank (6 flanks per site); negatives: the same with the site's bases shuffled.
# Then explain the 71 first-flank positives and compare the top motifs with JASPAR vertebrates.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$root/../shared/data/regulatory/HNF4alpha_sites.fa" "$work" <<'PY'
import random, sys
random.seed(7)
sites = [l.strip() for l in open(sys.argv[1]) if not l.startswith('>') and l.strip()]
flank = lambda n: ''.join(random.choice('ACGT') for _ in range(n))
def shuffled(s):
    letters = list(s); random.shuffle(letters); return ''.join(letters)
with open(f'{sys.argv[2]}/train.fa', 'w') as train, open(f'{sys.argv[2]}/positives.fa', 'w') as positives:
    k = 0
    for rep in range(6):
        for site in sites:
            at = random.randint(0, 27); seq = flank(at) + site + flank(27 - at)
            train.write(f'>p{k} label=site\n{seq}\n')
            if rep == 0: positives.write(f'>p{k}\n{seq}\n')
            at = random.randint(0, 27)
            train.write(f'>n{k} label=shuffled\n{flank(at) + shuffled(site) + flank(27 - at)}\n')
            k += 1
PY
./bin/rnnseq train -q -o "$work/run" --cell gru --bidirectional --hidden 32 --pool max --epochs 40 --lr 0.005 "$work/train.fa"
./bin/rnnseq explain -m "$work/run" --target site "$work/positives.fa" -o "$work/effects.tsv" --motifs 3 \
  --compare ../shared/data/regulatory/pfm_vertebrates.txt
cat "$work/effects.motifs.matches.tsv"
