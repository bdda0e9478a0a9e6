import { Random } from '../src/seq/random.js';

/**
 * The planted-motif task: positives contain the motif somewhere, negatives contain it nowhere. A model that
 * learns it must detect a 3-mer at any position, which a bag-of-bases shortcut cannot do.
 */
export function plantedMotifFasta(count: number, length: number, seed: number, motif = 'ACG'): { fasta: string; labels: string[] } {
  const random = new Random(seed);
  const bases = 'ACGT';
  const randomSeq = () => Array.from({ length }, () => bases[random.int(4)]).join('');
  const lines: string[] = [];
  const labels: string[] = [];
  for (let i = 0; i < count; i++) {
    const positive = i % 2 === 0;
    let seq = randomSeq();
    if (positive) {
      const at = random.int(length - motif.length + 1);
      seq = seq.slice(0, at) + motif + seq.slice(at + motif.length);
    } else {
      while (seq.includes(motif)) seq = randomSeq();
    }
    const label = positive ? 'motif' : 'background';
    labels.push(label);
    lines.push(`>s${i} label=${label}`, seq);
  }
  return { fasta: `${lines.join('\n')}\n`, labels };
}
