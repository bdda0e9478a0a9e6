#!/usr/bin/env bash
# Evidence for `rnnseq phylo`: how close do its trees come to the reference trees of the five aligned sets in
# ../shared/data/phylogeny? Each tree is compared with the folder's ML reference by normalised Robinson-Foulds
# distance (0 = same topology, 1 = no split in common), and each run is timed (wall clock, seconds).
#   kmerK     the alignment-free baseline: K-mer profiles of sampled windows (200 bp, 100 per sequence, one per stratum,
#             --seed 1), cosine distance, neighbour joining; the alignment's gaps are stripped
#   aligned   --aligned: JC69 distances over the alignment's columns (pairwise gap deletion), neighbour joining:
#             what users run first with ape (dist.dna + nj)
#   lm        rnnseq phylo --train with its defaults: language models trained on all sequences (gaps stripped),
#             each adapted to each group, excess cross-entropy as a fraction of a shuffled sequence's (the same
#             windows as kmerK), averaged over the ensemble (4 models), neighbour joining
#   lm1       the same with one model (--ensemble 1)
#   lm-codes  the same model's state codes (--model-features codes, the previous default)
# METHODS picks rows (default "kmer6 aligned lm"; e.g. METHODS="kmer4 kmer6 aligned lm lm-codes"); SETS picks
# folders; SEEDS picks --seed values, one row each (default "1"; README's means use SEEDS="1 5 9"). The reference
# trees' leaf labels are exactly the FASTA ids in all five sets, so no relabelling is needed; were one to differ,
# --compare would fail naming the leaves, and the row would read NA.
# Output: TSV on stdout (dataset, taxa, mean_length, method, seed, nRF, seconds); logs on stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${PHYLO_DATA:-../shared/data/phylogeny}
methods=${METHODS:-kmer6 aligned lm}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rnnseq() { ./bin/rnnseq "$@"; }

reference_of() {
  case "$1" in
    bacteria_LSU79_bppsuite) echo "$data/$1/shipped_bppml_LSU.ML.nwk" ;; # the bppml ML tree; no IQ-TREE tree here
    *) echo "$data/$1/iqtree_GTRG.nwk" ;;
  esac
}

# "nRF<TAB>seconds" of the tree phylo builds with the given arguments, or NA (with the reason on stderr).
nrf() {
  local fasta=$1 ref=$2; shift 2
  local start=$SECONDS
  if ! rnnseq phylo -q "$@" "$fasta" -o "$work/tree.nwk" 2>"$work/err"; then
    echo "phylo-evidence: $(basename "$fasta") $*: $(tail -1 "$work/err")" >&2
    printf 'NA\t%s\n' $((SECONDS - start))
    return
  fi
  local took=$((SECONDS - start))
  printf '%s\t%s\n' "$(rnnseq phylo -q --compare "$ref" "$work/tree.nwk" | awk 'NR == 2 { print $3 }')" "$took"
}

printf 'dataset\ttaxa\tmean_length\tmethod\tseed\tnRF\tseconds\n'
for dir in "$data"/*/; do
  set=$(basename "$dir")
  if [ -n "${SETS:-}" ] && [[ " $SETS " != *" $set "* ]]; then continue; fi
  fasta=$(ls "$dir"*.fa)
  ref=$(reference_of "$set")
  read -r taxa mean < <(awk '/^>/ { n++; next } { gsub(/[-.[:space:]]/, ""); bp += length($0) } END { printf "%d %.0f\n", n, bp / n }' "$fasta")
  for method in $methods; do
    case $method in
      kmer*) args=(--kmer "${method#kmer}") ;;
      aligned) args=(--aligned) ;;
      lm) args=(--train) ;;
      lm1) args=(--train --ensemble 1) ;;
      lm-codes) args=(--train --model-features codes) ;;
      *) echo "phylo-evidence: unknown method $method" >&2; exit 2 ;;
    esac
    for seed in ${SEEDS:-1}; do
      printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$set" "$taxa" "$mean" "$method" "$seed" "$(nrf "$fasta" "$ref" "${args[@]}" --seed "$seed")"
    done
  done
done
