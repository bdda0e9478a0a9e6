#!/usr/bin/env bash
# Trains a per-base tagger of protein-coding sequence (train --task tag) on the Arabidopsis chloroplast genome and
# its CDS annotation, scans the held-out part, and measures it base by base against the annotation it never saw.
# Usage: scripts/train-chloroplast-tagger.sh [extra train options]   (OUT=dir keeps the run, the track and calls)
#
# The split is the one of scripts/train-chloroplast-model.sh (the window scanner models/chloroplast-cds), so the
# two compare on the same bases (1-based, inclusive):
#   1-46,343          first 30% (LSC): the held-out test part, excluded from training and validation
#   46,344-62,000     LSC: validation windows (early stopping, threshold calibration)
#   62,001-128,214    rest of the LSC, IRb and SSC: training windows
#   128,215-154,478   IRa: excluded, an exact reverse-complement copy of IRb (which is in training)
# Labels: the CDS lines of the BED (tRNA and rRNA genes, introns and intergenic DNA are background).
# Then the tagger scans the test part (--region, bedGraph in 1 bp bins) and the Yersinia pestis plasmid pPCP1, and
# a small Node script reads the track and the calls back: base-level AUROC of the track, precision and recall of
# the called bases, the coding share (the precision of calling every base), and CDS recalled (>= 50% of their
# bases called, and any overlap), all counted inside the scanned part.
set -euo pipefail
cd "$(dirname "$0")/.."
data=../shared/data/genomes_annotated
chloroplast=$data/arabidopsis_chloroplast_NC_000932.fa
plasmid=$data/ypestis_pPCP1_NC_005816.fa
work=${OUT:-$(mktemp -d)}
[ -n "${OUT:-}" ] || trap 'rm -rf "$work"' EXIT
mkdir -p "$work"
awk -F'\t' '$4 ~ /^CDS:/' "$data/arabidopsis_chloroplast_NC_000932.bed" > "$work/cds.bed"
awk -F'\t' '$4 ~ /^CDS:/' "$data/ypestis_pPCP1_NC_005816.bed" > "$work/plasmid-cds.bed"

rm -rf "$work/run"
start=$(date +%s)
./bin/rnnseq train -o "$work/run" --task tag --genome "$chloroplast" --labels "$work/cds.bed" --positive-class CDS \
  --window 300 --tile-stride 30 \
  --valid-region NC_000932:46344-62000 --exclude-region NC_000932:1-46343 --exclude-region NC_000932:128215-154478 \
  --cell lstm --hidden 32 --dropout 0.3 --lr 0.001 --batch-size 32 --epochs 16 --patience 5 --lr-patience 3 --seed 2 "$@"
echo "training took $(( $(date +%s) - start )) s"

# evaluate TRACK CALLS TRUTH CHROM FROM TO: base-level measures inside [FROM, TO) of CHROM (0-based, half-open).
evaluate() {
  node - "$@" <<'EOF'
const fs = require('node:fs');
const [trackFile, callsFile, truthFile, chrom, fromText, toText] = process.argv.slice(2);
const from = Number(fromText), to = Number(toText), size = to - from;
const rows = (file) => fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => l.split('\t')).filter((f) => f[0] === chrom);
const paint = (list, values, value) => {
  for (const f of list) for (let p = Math.max(from, +f[1]); p < Math.min(to, +f[2]); p++) values[p - from] = value(f);
};
const score = new Float64Array(size).fill(NaN);
paint(rows(trackFile), score, (f) => +f[3]);
const coding = new Uint8Array(size);
const truth = rows(truthFile);
paint(truth, coding, () => 1);
const called = new Uint8Array(size);
paint(rows(callsFile), called, () => 1);
// AUROC by the rank sum, ties counted half, over bases the track covers.
const bases = [];
for (let i = 0; i < size; i++) if (!Number.isNaN(score[i])) bases.push(i);
bases.sort((a, b) => score[a] - score[b]);
let rankSum = 0, positives = 0;
for (let i = 0; i < bases.length; ) {
  let j = i;
  while (j + 1 < bases.length && score[bases[j + 1]] === score[bases[i]]) j++;
  for (let k = i; k <= j; k++) if (coding[bases[k]]) { rankSum += (i + j) / 2 + 1; positives++; }
  i = j + 1;
}
const negatives = bases.length - positives;
const auroc = (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
let both = 0, calledBp = 0, codingBp = 0;
for (let i = 0; i < size; i++) { both += called[i] & coding[i]; calledBp += called[i]; codingBp += coding[i]; }
const inside = truth.filter((f) => +f[1] >= from && +f[2] <= to);
let half = 0, any = 0;
for (const f of inside) {
  let hit = 0;
  for (let p = +f[1]; p < +f[2]; p++) hit += called[p - from];
  if (hit >= 0.5 * (+f[2] - +f[1])) half++;
  if (hit > 0) any++;
}
const runs = rows(callsFile).length;
console.log(`base AUROC ${auroc.toFixed(3)} (${bases.length} of ${size} bases scored); ${runs} runs; bp precision ${(both / calledBp).toFixed(3)}, ` +
  `bp recall ${(both / codingBp).toFixed(3)} (${calledBp} called, ${codingBp} coding, ${both} both); coding share ${(codingBp / size).toFixed(3)}; ` +
  `CDS recalled: ${half}/${inside.length} >= 50% covered, ${any}/${inside.length} any overlap`);
EOF
}

./bin/rnnseq scan -q -m "$work/run" "$chloroplast" --region NC_000932:1-46343 -o "$work/test-calls.bed" --bedgraph "$work/test-track.bg" --bin 1
./bin/rnnseq scan -q -m "$work/run" "$chloroplast" --region NC_000932:1-46343 -o "$work/test-joined.bed" --merge-gap 50 --min-run 100
./bin/rnnseq scan -q -m "$work/run" "$plasmid" -o "$work/plasmid-calls.bed" --bedgraph "$work/plasmid-track.bg" --bin 1
{
  echo "held-out chloroplast 1-46,343: $(evaluate "$work/test-track.bg" "$work/test-calls.bed" "$work/cds.bed" NC_000932 0 46343)"
  echo "  with --merge-gap 50 --min-run 100: $(evaluate "$work/test-track.bg" "$work/test-joined.bed" "$work/cds.bed" NC_000932 0 46343)"
  echo "Y. pestis pPCP1: $(evaluate "$work/plasmid-track.bg" "$work/plasmid-calls.bed" "$work/plasmid-cds.bed" NC_005816 0 9609)"
} | tee "$work/evaluation.txt"
