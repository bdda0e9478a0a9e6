/** `rnnseq embed`: its flags, help and examples, and their parsing into EmbedCommandOptions (options.ts). */
import { type Command, Option } from '@commander-js/extra-typings';
import { EMBED_POOLS } from '../../engine/requests.js';
import { defaultMaxMemoryGb, modelOverRecords, withRuntimeOptions } from '../shared/flags.js';
import { GENOME_REGIONS_HELP, parseRegionsOption, withGenomeRegions } from '../shared/genome-regions.js';
import { parseModelRun, parseNumber, parseRecordContext } from '../shared/parse.js';
import { EMBED_FORMATS, EMBED_RC } from './options.js';

export function register(program: Command): void {
  const embedCommand = modelOverRecords(
    program,
    'embed',
    'hidden-state vectors of any model, one per sequence (or per position); TSV (id, dim1...) or .npy',
  )
    .option('-o, --out <file>', 'write here (atomically) instead of stdout; with --format npy also FILE.ids.tsv')
    .addOption(
      new Option('--pool <how>', "per-sequence vector: mean/max over positions, or each direction's first/last state")
        .choices(EMBED_POOLS)
        .default('mean' as const),
    )
    .option('--layer <n>', 'recurrent layer to read, 1 = closest to the sequence (default: the last)')
    .option('--per-position', 'one row per position (long format: id, position, vector) instead of pooling', false)
    .addOption(
      new Option('--format <fmt>', 'tsv text, or npy: float32 matrix for numpy.load plus an ids table')
        .choices(EMBED_FORMATS)
        .default('tsv' as const),
    )
    .option('--chunk <bp>', 'read longer sequences in chunks of this size, state carried across (unidirectional models)', '10000')
    .addOption(
      new Option('--rc <how>', 'DNA/RNA: average the pooled vectors of both strands, or none').choices(EMBED_RC).default('none' as const),
    )
    .option('--circular', 'treat every sequence as circular: two laps, the first seeding the second (else header topology=circular)', false)
    .option('--default-condition <value>', 'for conditioned models: condition of records without the condition tag')
    .option('--covariates <tsv>', 'for covariate models: TSV of id and the covariate columns')
    .option('--batch-size <n>', 'sequences per engine call', '64')
    .option(
      '--max-memory <GB>',
      'bidirectional models read each sequence whole: refuse one that would need more than this',
      defaultMaxMemoryGb(),
    );
  withRuntimeOptions(withGenomeRegions(embedCommand))
    .addHelpText(
      'after',
      `
Output (TSV): a header, then one row per sequence in input order: id, dim1 ... dimD (D = hidden size, x2 for
bidirectional models: [forward | backward]). --per-position: id, position (0-based), dim1 ... dimD.
--format npy -o X.npy: X.npy (float32, rows in input order) and X.ids.tsv (row, id; or id, first_row, length).
--pool first/last are per direction: forward after the first/last base; backward after the last/first base.

${GENOME_REGIONS_HELP}
With --regions the id column becomes chrom, start, end, name: in the TSV, and in X.ids.tsv (row, chrom, start,
end, name; or chrom, start, end, name, first_row, length). Regions are embedded whole, as FASTA records are.

Examples:
  $ rnnseq embed -m splice-primate fixtures/splice-sample.fa -o splice.emb.tsv
  $ rnnseq embed -m runs/lm/best --per-position --format npy -o positions.npy genome.fa.gz
  $ rnnseq embed -m runs/lm/best --pool max --layer 1 --rc average reads.fa
  $ rnnseq embed -m runs/lm/best --genome hg38.fa --regions promoters.bed --format npy -o promoters.npy`,
    )
    .action(async (inputs, opts) => {
      const { run } = await import('./run.js');
      await run({
        ...parseModelRun(inputs, opts),
        pool: opts.pool,
        ...(opts.layer !== undefined ? { layer: parseNumber('--layer', opts.layer, { min: 1, integer: true }) } : {}),
        perPosition: opts.perPosition,
        format: opts.format,
        chunkBp: parseNumber('--chunk', opts.chunk, { min: 1, integer: true }),
        rc: opts.rc,
        circular: opts.circular,
        ...parseRecordContext(opts),
        batchSize: parseNumber('--batch-size', opts.batchSize, { min: 1, integer: true }),
        maxMemoryBytes: parseNumber('--max-memory', opts.maxMemory, { min: 0.01 }) * 2 ** 30,
        ...parseRegionsOption(inputs, opts),
      });
    });
}
