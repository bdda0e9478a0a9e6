/**
 * Motif discovery from mutagenesis importance, a small cousin of TF-MoDISco: cut high-importance segments
 * ("seqlets") out of the explained sequences, cluster them greedily by alignment to each cluster's
 * importance-weighted frequency matrix, and report each cluster as a position frequency matrix (PFM) of site counts.
 * Only the forward strand is used: a recurrent model reads one direction, so what it learned need not be symmetric.
 */

export interface ExplainedSequence {
  /** Upper-case symbols (other characters never match a column). */
  sequence: string;
  /** Per-position importance (positionImportance). */
  importance: Float32Array;
}

export interface Seqlet {
  sequenceIndex: number;
  start: number;
  /** Summed positive importance over the window. */
  score: number;
}

export interface Motif {
  /** counts[column][symbol]: number of sites with that symbol there. */
  counts: number[][];
  sites: number;
  /** Summed seqlet importance: how much of the model's evidence this motif carries (the ranking key). */
  score: number;
  consensus: string;
}

export interface MotifOptions {
  width: number;
  /** A window is a seqlet when its summed positive importance reaches this. */
  minScore: number;
  maxPerSequence: number;
  /** Seqlets joining a cluster must reach this importance-weighted match to its frequencies (0..1). */
  minSimilarity: number;
  /** Alignment shifts tried when matching a seqlet to a cluster: −maxShift..maxShift. */
  maxShift: number;
  /** Clusters with fewer sites are dropped. */
  minSites: number;
}

export const DEFAULT_MOTIF_OPTIONS: MotifOptions = {
  width: 10,
  minScore: 0.1,
  maxPerSequence: 3,
  minSimilarity: 0.6,
  maxShift: 3,
  minSites: 3,
};

/** Non-overlapping windows of `width` with the largest summed positive importance, best first, per sequence. */
export function findSeqlets(explained: readonly ExplainedSequence[], options: MotifOptions): Seqlet[] {
  const seqlets: Seqlet[] = [];
  explained.forEach((item, sequenceIndex) => {
    const { importance } = item;
    const windows = importance.length - options.width + 1;
    if (windows < 1) return;
    const taken = new Uint8Array(importance.length);
    for (let n = 0; n < options.maxPerSequence; n++) {
      let best = -1;
      let bestScore = -Infinity;
      for (let start = 0; start < windows; start++) {
        let score = 0;
        let free = true;
        for (let i = start; i < start + options.width; i++) {
          if (taken[i]) free = false;
          score += Math.max(0, importance[i]!);
        }
        if (free && score > bestScore) [best, bestScore] = [start, score];
      }
      if (best < 0 || bestScore < options.minScore) break;
      taken.fill(1, best, best + options.width);
      seqlets.push({ sequenceIndex, start: centred(importance, best, options.width), score: bestScore });
    }
  });
  // Stable order: score, then input position, so the greedy clustering is reproducible.
  return seqlets.sort((a, b) => b.score - a.score || a.sequenceIndex - b.sequenceIndex || a.start - b.start);
}

/**
 * Re-centres a window on the centre of mass of its positive importance, so a short motif sits in the middle of
 * every seqlet rather than wherever near-tied windows put it. The result may hang over the sequence ends.
 */
function centred(importance: Float32Array, start: number, width: number): number {
  let mass = 0;
  let moment = 0;
  for (let i = start; i < start + width; i++) {
    const w = Math.max(0, importance[i]!);
    mass += w;
    moment += w * (i + 0.5);
  }
  return mass > 0 ? Math.round(moment / mass - width / 2) : start;
}

interface Cluster {
  counts: Float64Array; // width × size
  totals: Float64Array; // width: sites that reach the column (a seqlet may hang over a sequence end)
  weight: Float64Array; // width: summed importance of the aligned positions
  sites: number;
  score: number;
}

/** Clusters seqlets and returns the motifs with at least minSites sites, highest summed importance first. */
export function discoverMotifs(explained: readonly ExplainedSequence[], symbols: readonly string[], options: MotifOptions): Motif[] {
  const size = symbols.length;
  const width = options.width;
  const index = new Map(symbols.map((s, k) => [s, k]));
  const symbolAt = (sequence: string, i: number): number | undefined =>
    i >= 0 && i < sequence.length ? index.get(sequence[i]!) : undefined;
  const clusters: Cluster[] = [];
  const add = (cluster: Cluster, item: ExplainedSequence, start: number, score: number) => {
    for (let c = 0; c < width; c++) {
      const k = symbolAt(item.sequence, start + c);
      if (k === undefined) continue; // over the sequence end, or an ambiguity code
      cluster.counts[c * size + k]!++;
      cluster.totals[c]!++;
      cluster.weight[c]! += Math.max(0, item.importance[start + c]!);
    }
    cluster.sites++;
    cluster.score += score;
  };
  // Importance-weighted match: columns the model cares about decide membership; random flanks barely count.
  const similarity = (cluster: Cluster, item: ExplainedSequence, start: number): number => {
    let matched = 0;
    let total = 0;
    for (let c = 0; c < width; c++) {
      const w = cluster.weight[c]!;
      total += w;
      const k = symbolAt(item.sequence, start + c);
      if (k !== undefined && cluster.totals[c]! > 0) matched += (w * cluster.counts[c * size + k]!) / cluster.totals[c]!;
    }
    return total > 0 ? matched / total : 0;
  };
  for (const seqlet of findSeqlets(explained, options)) {
    const item = explained[seqlet.sequenceIndex]!;
    let best: { cluster: Cluster; start: number; value: number } | undefined;
    for (const cluster of clusters) {
      for (let shift = -options.maxShift; shift <= options.maxShift; shift++) {
        const start = seqlet.start + shift;
        const value = similarity(cluster, item, start);
        if (value >= options.minSimilarity && (!best || value > best.value)) best = { cluster, start, value };
      }
    }
    if (best) {
      add(best.cluster, item, best.start, seqlet.score);
    } else {
      const cluster: Cluster = {
        counts: new Float64Array(width * size),
        totals: new Float64Array(width),
        weight: new Float64Array(width),
        sites: 0,
        score: 0,
      };
      add(cluster, item, seqlet.start, seqlet.score);
      clusters.push(cluster);
    }
  }
  return clusters
    .filter((c) => c.sites >= options.minSites)
    .sort((a, b) => b.score - a.score || b.sites - a.sites)
    .map((c) => trimMotif(c, width, size, symbols));
}

/** Columns at either end with less than this information content (bits) are flanks, not motif. */
const TRIM_BITS = 0.5;

function trimMotif(cluster: Cluster, width: number, size: number, symbols: readonly string[]): Motif {
  const counts = Array.from({ length: width }, (_, c) => Array.from(cluster.counts.subarray(c * size, (c + 1) * size)));
  const bits = counts.map((column) => informationContent(column));
  let from = 0;
  let to = width;
  while (from < to && bits[from]! < TRIM_BITS) from++;
  while (to > from && bits[to - 1]! < TRIM_BITS) to--;
  // A cluster without a single informative column is kept whole: still reported, plainly flat.
  const kept = from < to ? counts.slice(from, to) : counts;
  return { counts: kept, sites: cluster.sites, score: cluster.score, consensus: consensus(kept, symbols) };
}

export function informationContent(column: readonly number[]): number {
  const total = column.reduce((a, b) => a + b, 0);
  if (total === 0) return 0;
  let entropy = 0;
  for (const n of column) if (n > 0) entropy -= (n / total) * Math.log2(n / total);
  return Math.log2(column.length) - entropy;
}

function consensus(counts: readonly number[][], symbols: readonly string[]): string {
  return counts
    .map((column) => {
      const total = column.reduce((a, b) => a + b, 0);
      const best = column.indexOf(Math.max(...column));
      return total > 0 && column[best]! / total >= 0.5 ? symbols[best]! : 'N';
    })
    .join('');
}

/** Column frequencies of a count matrix. */
export function frequencies(counts: readonly number[][]): number[][] {
  return counts.map((column) => {
    const total = column.reduce((a, b) => a + b, 0);
    return column.map((n) => (total > 0 ? n / total : 1 / column.length));
  });
}

/**
 * Pearson correlation of two PFMs' frequencies at their best ungapped alignment, over the columns of the shorter
 * one (which must lie inside the longer): 1 is identical, 0 unrelated.
 */
export function pfmCorrelation(a: readonly number[][], b: readonly number[][]): number {
  const [short, long] = a.length <= b.length ? [frequencies(a), frequencies(b)] : [frequencies(b), frequencies(a)];
  let best = -1;
  for (let offset = 0; offset + short.length <= long.length; offset++) {
    const x = short.flat();
    const y = long.slice(offset, offset + short.length).flat();
    best = Math.max(best, pearson(x, y));
  }
  return best;
}

function pearson(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  const mx = x.reduce((s, v) => s + v, 0) / n;
  const my = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
}

/** Minimal MEME motif format (version 4), as read by Tomtom, FIMO and SEA; uniform background. */
export function formatMeme(motifs: readonly Motif[], symbols: readonly string[], prefix = 'rnnseq'): string {
  const background = symbols.map((s) => `${s} ${(1 / symbols.length).toFixed(3)}`).join(' ');
  const lines = [
    'MEME version 4',
    '',
    `ALPHABET= ${symbols.join('')}`,
    '',
    'strands: +',
    '',
    'Background letter frequencies',
    background,
    '',
  ];
  motifs.forEach((motif, i) => {
    lines.push(`MOTIF ${prefix}_${i + 1} ${motif.consensus}`);
    lines.push(`letter-probability matrix: alength= ${symbols.length} w= ${motif.counts.length} nsites= ${motif.sites} E= 0`);
    for (const column of frequencies(motif.counts)) lines.push(column.map((f) => f.toFixed(6)).join(' '));
    lines.push('');
  });
  return lines.join('\n');
}

/** JASPAR count-matrix text format: a header line per motif, then one bracketed row of counts per symbol. */
export function formatJaspar(motifs: readonly Motif[], symbols: readonly string[], prefix = 'rnnseq'): string {
  const lines: string[] = [];
  motifs.forEach((motif, i) => {
    lines.push(`>${prefix}_${i + 1}\t${motif.consensus} sites=${motif.sites}`);
    symbols.forEach((s, k) => {
      lines.push(`${s} [ ${motif.counts.map((column) => String(Math.round(column[k]!)).padStart(4)).join(' ')} ]`);
    });
  });
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}
