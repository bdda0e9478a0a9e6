/** `rnnseq classify`: its flags, help and examples, and their parsing into ClassifyOptions (options.ts). */
import { type Command, Option } from '@commander-js/extra-typings';
import { defaultMaxMemoryGb, modelOverRecords, withRuntimeOptions } from '../shared/flags.js';
import { GENOME_REGIONS_HELP, parseRegionsOption, withGenomeRegions } from '../shared/genome-regions.js';
import { parseModelRun, parseNumber, parseRecordContext } from '../shared/parse.js';
import { RC_MODES } from './options.js';

export function register(program: Command): void {
  const classifyCommand = modelOverRecords(
    program,
    'classify',
    'classify sequences with a trained classifier or regressor; TSV (id, label, p_<class>... or id, value) to stdout or -o',
  )
    .option('-o, --out <file>', 'write the TSV here (atomically) instead of stdout')
    .option('--batch-size <n>', 'sequences per batch', '256')
    .option('--default-condition <value>', 'models trained with --condition-tag: the condition of records whose header lacks the tag')
    .option('--covariates <tsv>', 'models trained with --covariates: TSV of id and the same numeric columns, a row per sequence')
    .addOption(
      new Option('--rc <how>', "DNA/RNA: also predict each sequence's reverse complement and combine the two (per class, or the values)")
        .choices(RC_MODES)
        .default('none' as const),
    )
    .option('--reverse', 'show the model every sequence reversed (with --complement: the reverse complement)', false)
    .option('--complement', 'DNA/RNA: show the model every sequence complemented, base by base', false)
    .option(
      '--circular',
      'read every sequence as circular: twice round, the first lap seeding the second (records with topology=circular in the header are, regardless)',
      false,
    )
    .option('--max-memory <GB>', 'each sequence is read whole: refuse one that would need more than this', defaultMaxMemoryGb());
  withRuntimeOptions(withGenomeRegions(classifyCommand))
    .addHelpText(
      'after',
      `
Examples:
  $ rnnseq classify -m splice-primate fixtures/splice-sample.fa
  $ zcat reads.fa.gz | rnnseq classify -m runs/splice - -o calls.tsv
  $ rnnseq classify -m runs/expr promoters.fa                       # regressor: id, value
  $ rnnseq classify -m runs/cell --default-condition K562 peaks.fa  # records without cell= are K562
  $ rnnseq classify -m runs/meth --covariates age.tsv reads.fa
  $ rnnseq classify -m runs/enh --rc average windows.fa             # same answer for either strand
  $ rnnseq classify -m runs/orf --reverse cds.fa                    # does the model care about direction?
  $ rnnseq classify -m runs/orf --reverse --complement cds.fa       # the other strand, read 5' to 3'
  $ rnnseq classify -m runs/ori --circular plasmids.fa
  $ rnnseq classify -m runs/enh/best --genome hg38.2bit --regions peaks.bed -o peaks.tsv   # chrom, start, end, name, label, p_...

A regressor (train --task regress) writes id and value (6 significant digits). Models trained with
--condition-tag read each record's condition from that header tag; an unknown condition is an error naming the
known ones. --rc max gives each class its higher probability of the two strands (a class found on either
strand counts), so rows need not sum to 1: read a two-class detector from its positive class's column, as scan does.
Circular records are read whole, never cropped to the model's length.

${GENOME_REGIONS_HELP}
A region longer than a fixed-length model's input is cropped to its centre, as a FASTA record is.`,
    )
    .action(async (inputs, opts) => {
      const { run } = await import('./run.js');
      await run({
        ...parseModelRun(inputs, opts),
        batchSize: parseNumber('--batch-size', opts.batchSize, { min: 1, integer: true }),
        ...parseRecordContext(opts),
        maxMemoryBytes: parseNumber('--max-memory', opts.maxMemory, { min: 0.01 }) * 2 ** 30,
        orientation: { reverse: opts.reverse, complement: opts.complement },
        rc: opts.rc,
        circular: opts.circular,
        ...parseRegionsOption(inputs, opts),
      });
    });
}
