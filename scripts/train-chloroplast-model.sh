#!/usr/bin/env bash
# Rebuilds models/chloroplast-cds (a coding-region scanner) from ../shared/data and evaluates it on held-out
# sequence. Needs bedtools for the evaluation. Usage: scripts/train-chloroplast-model.sh [extra train options]
#
# Split of the Arabidopsis chloroplast genome (NC_000932, 154,478 bp; LSC 1-84,170, IRb 84,171-110,434,
# SSC 110,435-128,214, IRa 128,215-154,478; coordinates 1-based, inclusive):
#   1-46,343          first 30% (LSC): the held-out test part
#   46,344-62,000     LSC: validation windows (early stopping, threshold calibration)
#   62,001-128,214    rest of the LSC, IRb and SSC: training windows
#   128,215-154,478   IRa: excluded, an exact reverse-complement copy of IRb (which is in training)
# The test part is the first 30%, not the last, because holding out the end would put IRa in the test and force
# IRb (its copy) out of training, with it every rRNA gene, so the model would never see rRNA as non-coding.
# Positives: CDS lines of the BED, tiled (tRNA and rRNA genes count as non-coding). Then the model scans the test part
# and the Yersinia pestis plasmid pPCP1 (another kingdom, GC 45% vs 36%), and the calls are compared with the
# annotation: base-pair precision and recall, and region recall (CDS with >= 50% of their bases called, and with
# any overlap), all counted inside the scanned part.
set -euo pipefail
cd "$(dirname "$0")/.."
data=../shared/data/genomes_annotated
chloroplast=$data/arabidopsis_chloroplast_NC_000932.fa
plasmid=$data/ypestis_pPCP1_NC_005816.fa
command -v bedtools >/dev/null || { echo "train-chloroplast-model.sh: bedtools is needed for the evaluation (apt-get install bedtools)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
awk -F'\t' '$4 ~ /^CDS:/' "$data/arabidopsis_chloroplast_NC_000932.bed" > "$work/cds.bed"
# Negatives: an annotated genome says where coding is not, so the stretches between CDS (intergenic DNA,
# introns, tRNA and rRNA genes) that hold a whole window are tiled like the positives. (Sampled GC-matched
# negatives were tried too: validation AUROC 0.71 against 0.77; see models/README.md.)
printf 'NC_000932\t154478\n' > "$work/genome.txt"
sort -k1,1 -k2,2n "$work/cds.bed" | bedtools merge | bedtools complement -i - -g "$work/genome.txt" |
  awk '$3 - $2 >= 240' > "$work/noncoding.bed"

./bin/rnnseq train -o "$work/run" --genome "$chloroplast" --positives "$work/cds.bed" --negatives "$work/noncoding.bed" \
  --positive-class CDS --window 240 --positive-windows tile --tile-stride 20 --extent core \
  --valid-region NC_000932:46344-62000 --exclude-region NC_000932:1-46343 --exclude-region NC_000932:128215-154478 \
  --plain --cell lstm --hidden 64 --pool mean --dropout 0.3 --lr 0.001 --epochs 40 --patience 8 --lr-patience 4 --seed 1 "$@"

# evaluate CALLS TRUTH REGION: base-pair precision / recall and region recall of TRUTH inside REGION (a BED).
evaluate() {
  local calls=$1 truth=$2 region=$3
  # annotated bases: clipped to the region; annotated regions (for region recall): those wholly inside it
  bedtools intersect -a "$truth" -b "$region" | sort -k1,1 -k2,2n | bedtools merge > "$work/tm.bed"
  bedtools intersect -a "$truth" -b "$region" -f 1.0 -u | sort -k1,1 -k2,2n > "$work/t.bed"
  bedtools intersect -a "$calls" -b "$region" | sort -k1,1 -k2,2n | bedtools merge > "$work/cm.bed"
  local truth_bp called_bp both_bp regions half any
  truth_bp=$(awk '{s += $3 - $2} END {print s + 0}' "$work/tm.bed")
  called_bp=$(awk '{s += $3 - $2} END {print s + 0}' "$work/cm.bed")
  both_bp=$(bedtools intersect -a "$work/cm.bed" -b "$work/tm.bed" | awk '{s += $3 - $2} END {print s + 0}')
  regions=$(wc -l < "$work/t.bed")
  half=$(bedtools intersect -a "$work/t.bed" -b "$work/cm.bed" -f 0.5 -u | wc -l)
  any=$(bedtools intersect -a "$work/t.bed" -b "$work/cm.bed" -u | wc -l)
  awk -v t="$truth_bp" -v c="$called_bp" -v b="$both_bp" -v n="$regions" -v h="$half" -v a="$any" 'BEGIN {
    printf "bp precision %.3f, bp recall %.3f (%d called, %d annotated, %d both); CDS recalled: %d/%d >= 50%% covered (%.3f), %d/%d any overlap (%.3f)\n",
      b / c, b / t, c, t, b, h, n, h / n, a, n, a / n }'
}

printf 'NC_000932\t0\t46343\n' > "$work/test-region.bed"
printf 'NC_005816\t0\t9609\n' > "$work/plasmid-region.bed"
: > "$work/evaluation.txt"
for extent in core window; do
  ./bin/rnnseq scan -q -m "$work/run" "$chloroplast" --region NC_000932:1-46343 --extent $extent -o "$work/test-calls.bed"
  echo "held-out chloroplast (first 30%), --extent $extent: $(evaluate "$work/test-calls.bed" "$work/cds.bed" "$work/test-region.bed")" | tee -a "$work/evaluation.txt"
  ./bin/rnnseq scan -q -m "$work/run" "$plasmid" --extent $extent -o "$work/plasmid-calls.bed"
  echo "Y. pestis pPCP1, --extent $extent: $(evaluate "$work/plasmid-calls.bed" "$data/ypestis_pPCP1_NC_005816.bed" "$work/plasmid-region.bed")" | tee -a "$work/evaluation.txt"
done

rm -rf models/chloroplast-cds
mkdir -p models/chloroplast-cds
cp "$work/run/best/rnnseq.json" "$work/run/best/weights.bin" "$work/run/best/valid-predictions.tsv" "$work/run/metrics.tsv" "$work/evaluation.txt" models/chloroplast-cds/
