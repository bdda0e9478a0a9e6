#!/usr/bin/env bash
# Behaviour check for refactors: runs one fixed set of rnnseq commands, with explicit flags and seeds, in two built
# checkouts and compares what they write byte for byte: checkpoints (weights.bin, rnnseq.json, optimizer.bin),
# scan/classify/embed/explain/phylo outputs, every command's --help, the completion scripts and a few usage errors.
#
#   scripts/check-identical.sh BEFORE_CHECKOUT AFTER_CHECKOUT [WORK_DIR]
#
# Both checkouts must be built (npx tsc -p tsconfig.json; the native kernels in src/native/build). Each runs in
# its own WORK_DIR/<side> with relative paths, so the training command recorded in rnnseq.json is the same text.
# Exit status 0 when every file is identical; else the differing files are listed. Takes ~2 minutes on 2 cores.
set -euo pipefail

before=$(cd "$1" && pwd)
after=$(cd "$2" && pwd)
work=${3:-$(mktemp -d -t rnnseq-identical-XXXXXX)}
here=$(cd "$(dirname "$0")/.." && pwd)
data=${RNNSEQ_SHARED_DATA:-$here/../../shared/data}
[ -d "$data/genomes_annotated" ] || data=/work/shared/data
plasmid=$data/genomes_annotated/ypestis_pPCP1_NC_005816.fa
plasmid_cds=$data/genomes_annotated/ypestis_pPCP1_NC_005816.bed
splice=$here/fixtures/splice-sample.fa

run_side() {
  local checkout=$1 out=$2
  rm -rf "$out" && mkdir -p "$out" && cd "$out"
  cp "$plasmid" plasmid.fa && cp "$plasmid_cds" cds.bed && cp "$splice" splice.fa
  local rnnseq=(node "$checkout/bin/rnnseq")
  local engine=(--threads 1 --backend wasm --engine native -q)
  # Training: a classifier, a genome scanner and a per-base tagger, tiny and seeded.
  "${rnnseq[@]}" train -o clf --alphabet dna --cell gru --hidden 8 --epochs 2 --batch-size 16 --seed 3 "${engine[@]}" splice.fa
  "${rnnseq[@]}" train -o scanner --genome plasmid.fa --positives cds.bed --window 60 --valid-region NC_005816:1-2500 \
    --positive-class CDS --cell lstm --hidden 8 --epochs 2 --seed 5 "${engine[@]}"
  "${rnnseq[@]}" train -o tagger --task tag --genome plasmid.fa --labels cds.bed --window 100 --tile-stride 50 \
    --valid-region NC_005816:1-2500 --positive-class CDS --cell gru --hidden 6 --epochs 1 --seed 7 "${engine[@]}"
  "${rnnseq[@]}" train -o lm --task lm --window 40 --windows-per-epoch 64 --cell gru --hidden 6 --epochs 1 --seed 9 "${engine[@]}" splice.fa
  # Running them.
  "${rnnseq[@]}" classify -m clf "${engine[@]}" splice.fa -o classify.tsv
  "${rnnseq[@]}" classify -m clf "${engine[@]}" --rc max splice.fa > classify-rc.tsv
  "${rnnseq[@]}" embed -m clf "${engine[@]}" splice.fa -o embed.tsv
  "${rnnseq[@]}" embed -m lm/best "${engine[@]}" --per-position --format npy splice.fa -o embed.npy
  "${rnnseq[@]}" scan -m scanner "${engine[@]}" --threshold 0.52 plasmid.fa -o scan.bed --bedgraph scan.bg --summary scan.svg
  "${rnnseq[@]}" scan -m scanner "${engine[@]}" --circular --extent core --stride 10 --threshold 0.52 plasmid.fa > scan-circular.bed
  "${rnnseq[@]}" scan -m scanner "${engine[@]}" --region NC_005816:2001-6000 --threshold 0.515 plasmid.fa > scan-region.bed
  "${rnnseq[@]}" scan -m scanner "${engine[@]}" --shard 2/3 --threshold 0.515 plasmid.fa > scan-shard.bed
  "${rnnseq[@]}" scan -m tagger "${engine[@]}" plasmid.fa -o track.bed --bedgraph track.bg --bin 5 --threshold 0.5
  "${rnnseq[@]}" scan -m tagger "${engine[@]}" --circular --merge-gap 10 --min-run 20 --threshold 0.49 plasmid.fa > track-circular.bed
  "${rnnseq[@]}" scan -m scanner "${engine[@]}" --class CDS --threshold 0.2 plasmid.fa > scan-class.bed
  head -8 splice.fa > splice4.fa
  "${rnnseq[@]}" explain -m clf "${engine[@]}" --target EI splice4.fa -o explain.tsv
  "${rnnseq[@]}" explain -m clf "${engine[@]}" --target EI --saliency splice4.fa -o saliency.tsv
  "${rnnseq[@]}" explain -m scanner "${engine[@]}" --genome plasmid.fa --region NC_005816:100-160 -o explain-region.tsv --bedgraph explain-region.bg
  "${rnnseq[@]}" phylo --kmer 3 --bootstrap 5 --seed 2 --window 30 -q splice.fa -o phylo.nwk --matrix phylo.tsv
  "${rnnseq[@]}" phylo -m lm/best --window 30 --windows-per-group 5 "${engine[@]}" splice4.fa -o phylo-model.nwk
  "${rnnseq[@]}" report clf -o report.html -q
  # The command line itself: help, completion, usage errors (stderr and exit status).
  "${rnnseq[@]}" --help > help.txt
  for command in train classify scan explain embed phylo report completion doctor; do
    "${rnnseq[@]}" "$command" --help > "help-$command.txt"
  done
  "${rnnseq[@]}" completion bash > completion.bash
  "${rnnseq[@]}" completion zsh > completion.zsh
  local i=0
  while IFS= read -r line; do
    i=$((i + 1))
    # shellcheck disable=SC2086
    set +e; "${rnnseq[@]}" $line > "usage-$i.out" 2> "usage-$i.err"; echo "exit $?" >> "usage-$i.err"; set -e
  done <<'EOF'
scan -m scanner --bin 5 plasmid.fa
scan -m tagger --extent core plasmid.fa
scan -m tagger --shard 1/2 plasmid.fa
scan -m clf plasmid.fa
scan -m scanner --rc max --strand + plasmid.fa
train -o x --task nonsense splice.fa
train -o x --epochs 0 splice.fa
classify -m clf --batch-size 0 splice.fa
embed -m clf --pool median splice.fa
phylo --kmer 3 --method wrong splice.fa
report clf --svg nothing
completion fish
explain -m clf --motif-width 0 splice.fa
train -o x --genome plasmid.fa splice.fa
EOF
}

echo "before: $before -> $work/before" >&2
# REUSE_BEFORE=1 keeps an earlier run's WORK_DIR/before (the starting commit does not change between checks).
if [ "${REUSE_BEFORE:-}" = 1 ] && [ -d "$work/before/clf" ]; then echo '(reusing it)' >&2; else ( run_side "$before" "$work/before" ); fi
echo "after: $after -> $work/after" >&2
( run_side "$after" "$work/after" )

# metrics.tsv holds wall-clock columns (seconds, tokensPerSecond): compare it without them.
without_timing() {
  awk -F '\t' 'NR == 1 { for (i = 1; i <= NF; i++) skip[i] = ($i == "seconds" || $i == "tokensPerSecond") }
    { line = ""; for (i = 1; i <= NF; i++) if (!skip[i]) line = line $i "\t"; print line }' "$1"
}
differ=0
while IFS= read -r file; do
  if [[ $file == */metrics.tsv ]]; then
    same() { cmp -s <(without_timing "$work/before/$file") <(without_timing "$work/after/$file"); }
  else
    same() { cmp -s "$work/before/$file" "$work/after/$file"; }
  fi
  if ! same; then
    echo "DIFFERS: $file"
    differ=1
  fi
done < <(cd "$work/before" && find . -type f | sort)
if ! diff <(cd "$work/before" && find . -type f | sort) <(cd "$work/after" && find . -type f | sort) > /dev/null; then
  echo 'DIFFERS: the sets of files written'
  diff <(cd "$work/before" && find . -type f | sort) <(cd "$work/after" && find . -type f | sort) || true
  differ=1
fi
count=$(cd "$work/before" && find . -type f | wc -l)
[ $differ -eq 0 ] && echo "identical: $count files in $work/{before,after}"
exit $differ
