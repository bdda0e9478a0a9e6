import { openInput } from '../../io/open-input.js';
import { openOutput } from '../../io/output.js';
import { dataError, EXIT_USAGE, RnnseqError } from '../../errors.js';
import type { Alphabet } from '../../seq/alphabet.js';
import { streamFastaWindows } from '../../io/genome-source.js';
import type { ModelSpec } from '../../engine/checkpoint.js';
import type { Predictor } from '../../explain/mutagenesis.js';
import { isSnv, parseVcf, withInfo } from '../../explain/vcf.js';
import { formatEffect, scoreWindows } from '../../explain/window-scoring.js';
import type { Logger } from '../../log.js';

export const DELTA_KEY = 'RNNSEQ_DELTA';

export interface VcfScoring {
  vcf: string;
  genome: string;
  out?: string;
  /** Window length for models without a fixed input length. */
  windowBp?: number;
  batchSize: number;
}

/**
 * Variant effects: for every SNV allele, the target probability of the window centred on the variant with the
 * ALT base minus that with the REF base, written back into the VCF as RNNSEQ_DELTA (Number=A: one value per ALT,
 * '.' for alleles that are not SNVs). A scanner is scored on the strand(s) it was calibrated for, combined its way.
 * Records that cannot be scored (indels only, chromosome not in the genome, window past a sequence end) pass through
 * unchanged and are counted in the log.
 */
export async function scoreVcf(
  model: Predictor,
  spec: ModelSpec,
  alphabet: Alphabet,
  targetIndex: number,
  options: VcfScoring,
  log: Logger,
): Promise<void> {
  const windowBp = spec.inputLength ?? options.windowBp;
  if (windowBp === undefined)
    throw new RnnseqError('--vcf: this model reads any length; give --window BP for the window scored around each variant', EXIT_USAGE);
  if (alphabet.size !== 4) throw new RnnseqError(`--vcf needs a nucleotide model; this one reads ${alphabet.name}`, EXIT_USAGE);
  const chunks: Buffer[] = [];
  for await (const chunk of openInput(options.vcf)) chunks.push(chunk);
  const vcf = parseVcf(Buffer.concat(chunks).toString('utf8'), options.vcf);
  const half = Math.floor(windowBp / 2);

  // Windows to fetch, per chromosome, sorted (visitWindows streams the genome once).
  const starts = new Map<string, number[]>();
  for (const record of vcf.records) {
    const start = record.position - half;
    if (start < 0 || !record.alts.some((alt) => isSnv(record.ref, alt))) continue;
    let list = starts.get(record.chrom);
    if (!list) starts.set(record.chrom, (list = []));
    list.push(start);
  }
  for (const list of starts.values()) list.sort((a, b) => a - b);
  const windows = new Map<string, string>();
  await streamFastaWindows(
    options.genome,
    { allowed: alphabet.allowed, alphabetLabel: alphabet.label },
    starts,
    windowBp,
    (chrom, start, bases) => {
      windows.set(`${chrom}\t${start}`, bases.toString('latin1').toUpperCase());
    },
  );

  // Per record: the index of its REF window in the scored list, and of each ALT (-1: not scored).
  const windowsToScore: string[] = [];
  const plans: Array<{ ref: number; alts: number[] } | undefined> = [];
  for (const record of vcf.records) {
    const bases = windows.get(`${record.chrom}\t${record.position - half}`);
    if (bases === undefined) {
      plans.push(undefined);
      continue;
    }
    const genomeBase = bases[half]!;
    if (genomeBase !== record.ref) {
      throw dataError(
        { file: options.vcf, line: record.line },
        `REF ${record.ref} does not match the genome (${genomeBase} at ${record.chrom}:${record.position + 1}); is it the same assembly?`,
      );
    }
    const ref = windowsToScore.push(bases) - 1;
    const alts = record.alts.map((alt) =>
      isSnv(record.ref, alt) ? windowsToScore.push(bases.slice(0, half) + alt + bases.slice(half + 1)) - 1 : -1,
    );
    plans.push({ ref, alts });
  }
  const probs = scoreWindows(model, alphabet, windowsToScore, {
    targetIndex,
    numClasses: spec.classes.length,
    strand: spec.window?.strand ?? '+',
    rcCombine: spec.window?.rcCombine ?? 'max',
    batchSize: options.batchSize,
  });

  const output = await openOutput(options.out);
  try {
    const info = `##INFO=<ID=${DELTA_KEY},Number=A,Type=Float,Description="rnnseq explain: change in p(${spec.classes[targetIndex]}) from REF to ALT, ${windowBp} bp window centred on the variant">`;
    const lines = [...vcf.meta.filter((m) => !m.startsWith(`##INFO=<ID=${DELTA_KEY},`)), info, vcf.columns];
    vcf.records.forEach((record, i) => {
      const plan = plans[i];
      if (!plan || plan.alts.every((a) => a < 0)) {
        lines.push(record.fields.join('\t'));
        return;
      }
      const deltas = plan.alts.map((a) => (a < 0 ? '.' : formatEffect(probs[a]! - probs[plan.ref]!)));
      lines.push(withInfo(record, DELTA_KEY, deltas.join(',')));
    });
    await output.write(`${lines.join('\n')}\n`);
    await output.commit();
  } catch (error) {
    await output.abort();
    throw error;
  }
  const unscored = plans.filter((p) => !p || p.alts.every((a) => a < 0)).length;
  log.info(
    `scored ${vcf.records.length - unscored} of ${vcf.records.length} variants${options.out ? ` into ${options.out}` : ''}` +
      (unscored > 0
        ? `; ${unscored} left without ${DELTA_KEY} (not an SNV, chromosome not in the genome, or window past a sequence end)`
        : ''),
  );
}
