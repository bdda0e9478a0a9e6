/**
 * A naive Bayes k-mer classifier after the RDP classifier (Wang, Garrity, Tiedje & Cole 2007, Appl Environ
 * Microbiol 73:5261): the set of distinct 8-mers of a sequence; word prior P(w) = (n(w) + 0.5) / (N + 1) over
 * the N training sequences; P(w | class) = (m(w, class) + P(w)) / (M_class + 1), m counting the class's
 * sequences that contain w; a query goes to the class with the largest sum of log P(w | class) over its words.
 * Written here from the paper, as the peer of the 16S task (the RDP bootstrap confidence is not needed for
 * accuracy).
 */
import { getAlphabet } from '../../src/seq/alphabet.js';
import { symbolCodesOf } from '../../src/seq/kmer-counts.js';

const WORD = 8;

function distinctWords(sequence: string): Int32Array {
  const codes = symbolCodesOf(sequence, getAlphabet('dna'));
  const seen = new Set<number>();
  let index = 0;
  let run = 0;
  const mask = 4 ** WORD;
  for (const symbol of codes) {
    if (symbol < 0) {
      run = 0;
      continue;
    }
    index = (index * 4 + symbol) % mask;
    if (++run >= WORD) seen.add(index);
  }
  return Int32Array.from([...seen].sort((a, b) => a - b));
}

export interface NaiveBayes {
  classes: string[];
  /** log-scores, one row per sequence, columns follow classes */
  score(sequences: readonly string[]): Float64Array[];
}

export function fitRdpNaiveBayes(sequences: readonly string[], labels: readonly string[]): NaiveBayes {
  const classes = [...new Set(labels)].sort();
  const C = classes.length;
  const words = 4 ** WORD;
  const perClass = new Int32Array(words * C);
  const anywhere = new Int32Array(words);
  const classSize = new Int32Array(C);
  sequences.forEach((sequence, i) => {
    const c = classes.indexOf(labels[i]!);
    classSize[c]!++;
    for (const w of distinctWords(sequence)) {
      perClass[w * C + c]!++;
      anywhere[w]!++;
    }
  });
  const n = sequences.length;
  const logP = new Float32Array(words * C);
  for (let w = 0; w < words; w++) {
    const prior = (anywhere[w]! + 0.5) / (n + 1);
    for (let c = 0; c < C; c++) logP[w * C + c] = Math.log((perClass[w * C + c]! + prior) / (classSize[c]! + 1));
  }
  return {
    classes,
    score: (queries) =>
      queries.map((sequence) => {
        const row = new Float64Array(C);
        for (const w of distinctWords(sequence)) for (let c = 0; c < C; c++) row[c]! += logP[w * C + c]!;
        return row;
      }),
  };
}
