#!/usr/bin/env bash
# Evidence for `rnnseq phylo`: how close do its trees come to the reference trees of the five aligned sets in
# ../shared/data/phylogeny? Each alignment is given as it is (phylo strips the gaps, so the input is unaligned
# sequence); each tree is compared with the folder's ML reference by normalised Robinson-Foulds distance
# (0 = same topology, 1 = no split in common).
#   kmerK       the alignment-free baseline: K-mer profiles of the same sampled windows (200 bp, 100 per
#               sequence, --seed 1) that the language model sees, cosine distance, neighbour joining
#   kmerK-whole the same with each whole sequence as one window (--all-positions --window 1000000)
#   lm-train    rnnseq phylo --train (a language model trained with its defaults), same windows; NA if it fails
#   lm-train-whole  the same model's mean hidden state over each whole sequence (state carried along it)
# The reference trees' leaf labels are exactly the FASTA ids in all five sets (bacteria names like
# Bacillus@licheniform and HIV ids like Ref.A1.AU.03.PS1044_Day0.DQ676872 included), so no relabelling is
# needed; were one to differ, --compare would fail naming the leaves, and the row would read NA.
# Output: TSV on stdout (dataset, taxa, mean_length, method, nRF); logs on stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${PHYLO_DATA:-../shared/data/phylogeny}
kmers=${KMERS:-2 3 4 5 6}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rnnseq() { ./bin/rnnseq "$@"; }

reference_of() {
  case "$1" in
    bacteria_LSU79_bppsuite) echo "$data/$1/shipped_bppml_LSU.ML.nwk" ;; # the bppml ML tree; no IQ-TREE tree here
    *) echo "$data/$1/iqtree_GTRG.nwk" ;;
  esac
}

# nRF of the tree phylo builds with the given arguments, or NA (with the reason on stderr) if it fails.
nrf() {
  local fasta=$1 ref=$2; shift 2
  if ! rnnseq phylo -q "$@" "$fasta" -o "$work/tree.nwk" 2>"$work/err"; then
    echo "phylo-evidence: $(basename "$fasta") $*: $(tail -1 "$work/err")" >&2
    echo NA
    return
  fi
  rnnseq phylo -q --compare "$ref" "$work/tree.nwk" | awk 'NR == 2 { print $3 }'
}

printf 'dataset\ttaxa\tmean_length\tmethod\tnRF\n'
for dir in "$data"/*/; do
  set=$(basename "$dir")
  fasta=$(ls "$dir"*.fa)
  ref=$(reference_of "$set")
  read -r taxa mean < <(awk '/^>/ { n++; next } { gsub(/[-.[:space:]]/, ""); bp += length($0) } END { printf "%d %.0f\n", n, bp / n }' "$fasta")
  for k in $kmers; do
    printf '%s\t%s\t%s\tkmer%s\t%s\n' "$set" "$taxa" "$mean" "$k" "$(nrf "$fasta" "$ref" --kmer "$k")"
  done
  for k in $kmers; do
    printf '%s\t%s\t%s\tkmer%s-whole\t%s\n' "$set" "$taxa" "$mean" "$k" "$(nrf "$fasta" "$ref" --kmer "$k" --all-positions --window 1000000)"
  done
  printf '%s\t%s\t%s\tlm-train\t%s\n' "$set" "$taxa" "$mean" "$(nrf "$fasta" "$ref" --train)"
  printf '%s\t%s\t%s\tlm-train-whole\t%s\n' "$set" "$taxa" "$mean" "$(nrf "$fasta" "$ref" --train --all-positions --window 1000000)"
done
