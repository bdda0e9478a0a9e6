import { openOutput, type Output } from '../../io/output.js';
import { formatBedGraphLine } from '../../io/bedgraph.js';
import { EXIT_USAGE, RnnseqError } from '../../errors.js';
import type { Alphabet } from '../../seq/alphabet.js';
import { fastaLengths, streamFastaWindows } from '../../io/genome-source.js';
import { formatRegion, type GenomeInterval } from '../../seq/regions.js';
import type { ModelSpec } from '../../engine/checkpoint.js';
import { referenceSymbols, type Predictor } from '../../explain/mutagenesis.js';
import { formatEffect, scoreWindows } from '../../explain/window-scoring.js';
import { BufferedOutput } from '../../explain/buffered-output.js';
import type { Logger } from '../../log.js';

export interface GenomeMutagenesis {
  genome: string;
  regions: GenomeInterval[];
  out?: string;
  bedgraph?: string;
  windowBp?: number;
  batchSize: number;
}

/** Positions mutated per round: bounds memory (4 windows each) while keeping predict calls large. */
const POSITIONS_PER_BLOCK = 1024;

/**
 * Genome-anchored mutagenesis: every base of each --region is mutated in the window centred on it (the window a
 * variant there would be scored in, as with --vcf), so the effects are in genome coordinates. TSV rows use the
 * chromosome as id; the bedGraph holds, per base, the effect of largest magnitude among its alternatives (signed:
 * negative where the reference base supports the target). Bases whose window would run off the sequence are skipped.
 */
export async function explainRegions(
  model: Predictor,
  spec: ModelSpec,
  alphabet: Alphabet,
  targetIndex: number,
  options: GenomeMutagenesis,
  log: Logger,
): Promise<void> {
  const windowBp = spec.inputLength ?? options.windowBp;
  if (windowBp === undefined)
    throw new RnnseqError('--region: this model reads any length; give --window BP for the window around each base', EXIT_USAGE);
  const half = Math.floor(windowBp / 2);
  const readOptions = { allowed: alphabet.allowed, alphabetLabel: alphabet.label };
  const lengths = new Map((await fastaLengths(options.genome, readOptions)).map((s) => [s.name, s.length]));
  const plans = options.regions.map((region) => {
    const length = lengths.get(region.chrom);
    const named = formatRegion(region.chrom, region.start, region.end);
    if (length === undefined) throw new RnnseqError(`--region ${named}: no sequence '${region.chrom}' in ${options.genome}`, EXIT_USAGE);
    if (region.start >= length)
      throw new RnnseqError(`--region ${named}: starts beyond the end of ${region.chrom} (${length} bp)`, EXIT_USAGE);
    const end = Math.min(region.end, length);
    // Base p is scored in the window [p - half, p - half + windowBp), which must lie inside the sequence.
    const first = Math.max(region.start, half);
    const last = Math.min(end, length - windowBp + half + 1);
    return { chrom: region.chrom, first, last, skipped: end - region.start - Math.max(0, last - first) };
  });
  const total = plans.reduce((sum, p) => sum + Math.max(0, p.last - p.first), 0);
  const output = await openOutput(options.out);
  let bedgraph: Output | undefined;
  const progress = await log.progress(total, 'bases');
  let done = 0;
  try {
    bedgraph = options.bedgraph !== undefined ? await openOutput(options.bedgraph) : undefined;
    const table = new BufferedOutput(output);
    const track = bedgraph ? new BufferedOutput(bedgraph) : undefined;
    await output.write(`${['id', 'position', 'ref', 'alt', 'p_ref', 'p_alt', 'delta'].join('\t')}\n`);
    for (const plan of plans) {
      if (plan.last <= plan.first) continue;
      const spanStart = plan.first - half;
      const spanBp = plan.last - plan.first - 1 + windowBp;
      let span = '';
      await streamFastaWindows(options.genome, readOptions, new Map([[plan.chrom, [spanStart]]]), spanBp, (_chrom, _start, bases) => {
        span = bases.toString('latin1').toUpperCase();
      });
      for (let from = plan.first; from < plan.last; from += POSITIONS_PER_BLOCK) {
        const to = Math.min(from + POSITIONS_PER_BLOCK, plan.last);
        const windows: string[] = [];
        const rows: Array<{ position: number; ref: string; refWindow: number; alts: Array<[string, number]> }> = [];
        for (let p = from; p < to; p++) {
          const window = span.slice(p - half - spanStart, p - half - spanStart + windowBp);
          const ref = window[half]!;
          const refIndex = referenceSymbols(ref, alphabet)[0]!;
          const refWindow = windows.push(window) - 1;
          const alts: Array<[string, number]> = [];
          alphabet.symbols.forEach((symbol, k) => {
            if (k !== refIndex) alts.push([symbol, windows.push(window.slice(0, half) + symbol + window.slice(half + 1)) - 1]);
          });
          rows.push({ position: p, ref, refWindow, alts });
        }
        const probs = scoreWindows(model, alphabet, windows, {
          targetIndex,
          numClasses: spec.classes.length,
          strand: spec.window?.strand ?? '+',
          rcCombine: spec.window?.rcCombine ?? 'max',
          batchSize: options.batchSize,
        });
        const lines: string[] = [];
        const bins: string[] = [];
        for (const row of rows) {
          const pRef = probs[row.refWindow]!;
          let strongest = 0;
          for (const [alt, index] of row.alts) {
            const delta = probs[index]! - pRef;
            if (Math.abs(delta) > Math.abs(strongest)) strongest = delta;
            lines.push(
              [plan.chrom, row.position, row.ref, alt, formatEffect(pRef), formatEffect(probs[index]!), formatEffect(delta)].join('\t'),
            );
          }
          bins.push(formatBedGraphLine(plan.chrom, row.position, row.position + 1, strongest));
        }
        await table.write(`${lines.join('\n')}\n`);
        await track?.write(bins.join(''));
        done += to - from;
        progress.update(done);
      }
    }
    await table.flush();
    await track?.flush();
    progress.stop();
    await output.commit();
    if (bedgraph) await bedgraph.commit();
  } catch (error) {
    progress.stop();
    await output.abort();
    await bedgraph?.abort();
    throw error;
  }
  const skipped = plans.reduce((sum, p) => sum + p.skipped, 0);
  log.info(
    `explained ${total} bases in ${plans.length} region${plans.length === 1 ? '' : 's'}${options.out ? ` into ${options.out}` : ''}` +
      (skipped > 0 ? `; ${skipped} bases within ${half} bp of a sequence end skipped (their ${windowBp} bp window does not fit)` : ''),
  );
}
