/**
 * Property-based fuzzing of every reader that takes user files: FASTA (plain and gzip, whole records and chunks),
 * BED, VCF, and the --region / --shard strings. Whatever the bytes, a reader must hand back records or throw an
 * RnnseqError whose one-line message names the file; anything else (a TypeError, a RangeError, a zlib error
 * escaping, a hang) is a bug. Well-formed inputs generated from a model must also read back exactly as modelled.
 *
 * Shared by the CI test (test/io/fuzz-readers.test.ts, ~10^4 cases) and the long run (bench/fuzz.ts, 10^5).
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { RnnseqError } from '../../src/errors.js';
import { readBedFile } from '../../src/io/bed.js';
import { type FastaReadOptions, type FastaRecord, readFasta, readFastaChunks } from '../../src/io/fasta.js';
import { parseVcf } from '../../src/explain/vcf.js';
import { getAlphabet } from '../../src/seq/alphabet.js';
import { parseRegion, parseShard } from '../../src/seq/regions.js';

export interface FuzzTarget {
  name: string;
  /** cases in the CI run */
  runs: number;
  run(numRuns: number, seed?: number): Promise<void>;
}

const dna = getAlphabet('dna');
const DNA_OPTIONS: FastaReadOptions = { allowed: dna.allowed, alphabetLabel: dna.label };

type Outcome<T> = { items: T[] } | { error: string };

/** Reads everything; an RnnseqError becomes the outcome, any other throw fails the property. */
async function outcome<T>(read: () => AsyncIterable<T>, file: string): Promise<Outcome<T>> {
  const items: T[] = [];
  try {
    for await (const item of read()) items.push(item);
    return { items };
  } catch (error) {
    checkUserError(error, file);
    return { error: (error as RnnseqError).message };
  }
}

function checkUserError(error: unknown, file: string): void {
  if (!(error instanceof RnnseqError)) throw new Error(`not an RnnseqError: ${(error as Error)?.stack ?? String(error)}`);
  assert.equal(error.exitCode, 2, `a bad input exits 2: ${error.message}`);
  assert.ok(!error.message.includes('\n'), `one line: ${JSON.stringify(error.message)}`);
  assert.ok(error.message.startsWith(file), `names the file: ${error.message}`);
}

// ---------------------------------------------------------------------------------------------------------------
// FASTA: a model of records, written out in every layout the reader accepts

interface FastaModel {
  records: Array<{ id: string; description: string; separator: string; sequence: string; width: number; eol: string; blankAfter: boolean }>;
  bom: boolean;
  finalNewline: boolean;
}

const idArb = fc.string({
  unit: fc.constantFrom('a', 'Z', '0', '_', '.', '|', ':', '-', '"', "'", '\\', '>', 'é', 'α', '🧬'),
  minLength: 1,
  maxLength: 10,
});
const descriptionArb = fc.string({ unit: fc.constantFrom('a', 'b', '=', ' ', '\t', '"', '\\', 'ü', ';'), maxLength: 16 });
const basesArb = (minLength: number) => fc.string({ unit: fc.constantFrom(...'ACGTNacgtnRYKMSWBDHVU'), minLength, maxLength: 150 });

const fastaModelArb: fc.Arbitrary<FastaModel> = fc.record({
  records: fc.array(
    fc.record({
      id: idArb,
      description: descriptionArb,
      separator: fc.constantFrom(' ', '\t'),
      sequence: basesArb(1),
      width: fc.integer({ min: 1, max: 70 }),
      eol: fc.constantFrom('\n', '\r\n'),
      blankAfter: fc.boolean(),
    }),
    { minLength: 1, maxLength: 6 },
  ),
  bom: fc.boolean(),
  finalNewline: fc.boolean(),
});

/** The file's bytes and the records the reader must return, line numbers included. */
function writeFastaModel(model: FastaModel): { bytes: Buffer; expected: FastaRecord[] } {
  let text = model.bom ? '\ufeff' : '';
  let line = 1;
  const expected: FastaRecord[] = [];
  for (const r of model.records) {
    expected.push({ id: r.id, description: r.description === '' ? '' : (r.separator + r.description).trim(), sequence: r.sequence, line });
    text += `>${r.id}${r.description === '' ? '' : r.separator + r.description}${r.eol}`;
    line++;
    for (let i = 0; i < r.sequence.length; i += r.width) {
      text += r.sequence.slice(i, i + r.width) + r.eol;
      line++;
    }
    if (r.blankAfter) {
      text += r.eol;
      line++;
    }
  }
  if (!model.finalNewline) text = text.replace(/\r?\n$/, '');
  return { bytes: Buffer.from(text, 'utf8'), expected };
}

/** Byte-level damage: flips, insertions, deletions and a truncation, at positions scaled to the input. */
const mutationsArb = fc.array(
  fc.record({
    kind: fc.constantFrom('flip', 'insert', 'delete', 'truncate'),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    byte: fc.integer({ min: 0, max: 255 }),
  }),
  { minLength: 1, maxLength: 4 },
);

function mutate(bytes: Buffer, mutations: ReadonlyArray<{ kind: string; at: number; byte: number }>): Buffer {
  let out = Buffer.from(bytes);
  for (const m of mutations) {
    const at = Math.min(out.length, Math.floor(m.at * (out.length + 1)));
    if (m.kind === 'flip' && at < out.length) out[at] = m.byte;
    else if (m.kind === 'insert') out = Buffer.concat([out.subarray(0, at), Buffer.from([m.byte]), out.subarray(at)]);
    else if (m.kind === 'delete') out = Buffer.concat([out.subarray(0, at), out.subarray(at + 1)]);
    else if (m.kind === 'truncate') out = out.subarray(0, at);
  }
  return out;
}

/** Whole records and small chunks must agree: same records (chunks joined), or the same error. */
async function readBothWays(file: string, options: FastaReadOptions, chunkBp: number): Promise<Outcome<FastaRecord>> {
  const whole = await outcome(() => readFasta(file, options), file);
  const chunks = await outcome(() => readFastaChunks(file, { ...options, chunkBp }), file);
  if ('error' in whole) {
    assert.ok('error' in chunks, `readFasta failed (${whole.error}) but readFastaChunks did not`);
    assert.equal(chunks.error, whole.error);
    return whole;
  }
  assert.ok('items' in chunks, `readFastaChunks failed (${'error' in chunks ? chunks.error : ''}) but readFasta did not`);
  const joined: FastaRecord[] = [];
  for (const chunk of chunks.items) {
    assert.ok(chunk.last || chunk.sequence.length === chunkBp, 'every chunk but the last of a record is full');
    if (chunk.offset === 0) joined.push({ id: chunk.id, description: chunk.description, sequence: '', line: chunk.line });
    const record = joined[joined.length - 1]!;
    assert.equal(chunk.offset, record.sequence.length, 'chunk offsets are contiguous');
    record.sequence += chunk.sequence;
  }
  assert.deepEqual(joined, whole.items);
  return whole;
}

function checkRecords(records: readonly FastaRecord[], allowed: Uint8Array | undefined): void {
  for (const r of records) {
    assert.ok(r.id.length > 0 && !/[ \t\r\n\v\f]/.test(r.id), `id ${JSON.stringify(r.id)}`);
    assert.ok(r.sequence.length > 0, 'records without sequence are errors');
    if (allowed)
      for (let i = 0; i < r.sequence.length; i++)
        assert.equal(allowed[r.sequence.charCodeAt(i)], 1, `base ${JSON.stringify(r.sequence[i])} is allowed`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// BED

interface BedLineModel {
  kind: 'interval' | 'comment' | 'track' | 'browser' | 'blank';
  chrom: string;
  start: number;
  length: number;
  extra: string[];
  separator: string;
  eol: string;
}

const bedLineArb: fc.Arbitrary<BedLineModel> = fc.record({
  kind: fc.constantFrom('interval', 'interval', 'interval', 'comment', 'track', 'browser', 'blank'),
  chrom: fc.string({ unit: fc.constantFrom('c', 'h', 'r', '1', 'X', '_', '.', 'é'), minLength: 1, maxLength: 8 }),
  start: fc.integer({ min: 0, max: 1e12 }),
  length: fc.integer({ min: 0, max: 1e6 }),
  extra: fc.constantFrom([], ['peak'], ['p', '900', '+'], ['.', '0', '-', 'x'], ['n', '0', '.']),
  separator: fc.constantFrom('\t', ' '),
  eol: fc.constantFrom('\n', '\r\n'),
});

function writeBedLine(m: BedLineModel): string {
  switch (m.kind) {
    case 'comment':
      return `# ${m.chrom}${m.eol}`;
    case 'track':
      return `track name=${m.chrom}${m.eol}`;
    case 'browser':
      return `browser position ${m.chrom}:1-100${m.eol}`;
    case 'blank':
      return m.eol;
    case 'interval':
      return [m.chrom, m.start, m.start + m.length, ...m.extra].join(m.separator) + m.eol;
  }
}

/** Text that is nearly BED: the characters BED is made of, in any order. */
const nearBedArb = fc.string({
  unit: fc.constantFrom('c', 'h', 'r', '1', '0', '9', '-', '+', '.', '\t', ' ', '\n', '\r', '#', 't', 'k', '\0', 'é'),
  maxLength: 300,
});

// ---------------------------------------------------------------------------------------------------------------
// VCF

const vcfRecordArb = fc.record({
  chrom: fc.constantFrom('chr1', 'chr2', 'MT'),
  pos: fc.integer({ min: 1, max: 1e9 }),
  ref: fc.constantFrom('A', 'C', 'g', 'AT', 'N'),
  alts: fc.array(fc.constantFrom('A', 'C', 'G', 'T', '<DEL>', '*', 'TTA'), { minLength: 1, maxLength: 3 }),
  info: fc.constantFrom('.', 'DP=3', 'AF=0.5;DB'),
  eol: fc.constantFrom('\n', '\r\n'),
});

const vcfModelArb = fc.record({
  meta: fc.array(fc.constantFrom('##fileformat=VCFv4.2', '##contig=<ID=chr1>', '##INFO=<ID=DP,Number=1,Type=Integer,Description="d">'), {
    maxLength: 3,
  }),
  records: fc.array(vcfRecordArb, { maxLength: 8 }),
});

function writeVcf(model: {
  meta: string[];
  records: Array<{ chrom: string; pos: number; ref: string; alts: string[]; info: string; eol: string }>;
}): string {
  return [
    ...model.meta.map((m) => `${m}\n`),
    '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n',
    ...model.records.map((r) => [r.chrom, r.pos, '.', r.ref, r.alts.join(','), '.', 'PASS', r.info].join('\t') + r.eol),
  ].join('');
}

// ---------------------------------------------------------------------------------------------------------------

/** Every reader's properties; files go to `dir` (one per target, rewritten for each case). */
export function readerFuzzTargets(dir: string): FuzzTarget[] {
  const property = <T>(
    name: string,
    runs: number,
    arb: fc.Arbitrary<T>,
    check: (value: T, file: string) => Promise<void> | void,
  ): FuzzTarget => {
    const file = join(dir, name.replace(/[^a-z0-9]+/gi, '-'));
    return {
      name,
      runs,
      run: (numRuns, seed) =>
        fc.assert(
          fc.asyncProperty(arb, async (value) => check(value, file)),
          { numRuns, ...(seed !== undefined ? { seed } : {}) },
        ),
    };
  };

  return [
    property(
      'FASTA written in any accepted layout reads back exactly',
      1200,
      fc.tuple(fastaModelArb, fc.integer({ min: 1, max: 40 })),
      async ([model, chunkBp], file) => {
        const { bytes, expected } = writeFastaModel(model);
        writeFileSync(file, bytes);
        const result = await readBothWays(file, DNA_OPTIONS, chunkBp);
        assert.ok('items' in result, `valid FASTA was refused: ${'error' in result ? result.error : ''}`);
        assert.deepEqual(result.items, expected);
      },
    ),
    property(
      'damaged FASTA gives records or a one-line error, the same in chunks',
      2500,
      fc.tuple(fastaModelArb, mutationsArb, fc.integer({ min: 1, max: 40 })),
      async ([model, mutations, chunkBp], file) => {
        writeFileSync(file, mutate(writeFastaModel(model).bytes, mutations));
        const result = await readBothWays(file, DNA_OPTIONS, chunkBp);
        if ('items' in result) checkRecords(result.items, dna.allowed);
      },
    ),
    property(
      'random bytes and near-FASTA text give records or a one-line error',
      1500,
      fc.oneof(
        fc.uint8Array({ maxLength: 600 }).map((a) => Buffer.from(a)),
        fc
          .string({ unit: fc.constantFrom('>', 'A', 'c', 'N', '-', '*', ' ', '\t', '\n', '\r', '\0', 'é', '\ufeff'), maxLength: 300 })
          .map((s) => Buffer.from(s, 'utf8')),
      ),
      async (bytes, file) => {
        writeFileSync(file, bytes);
        const withAlphabet = await outcome(() => readFasta(file, DNA_OPTIONS), file);
        if ('items' in withAlphabet) checkRecords(withAlphabet.items, dna.allowed);
        const anyLetters = await outcome(() => readFasta(file), file);
        if ('items' in anyLetters) checkRecords(anyLetters.items, undefined);
      },
    ),
    property(
      'gzip FASTA, whole, multi-member or damaged, gives records or a one-line error',
      1300,
      fc.tuple(fastaModelArb, fc.option(mutationsArb), fc.boolean()),
      async ([model, mutations, twoMembers], file) => {
        const { bytes, expected } = writeFastaModel(model);
        // A second member continues the text where the first stops (bgzip and `cat a.gz b.gz` write several).
        const cut = twoMembers ? Math.floor(bytes.length / 2) : bytes.length;
        const gzip = Buffer.concat([gzipSync(bytes.subarray(0, cut)), ...(cut < bytes.length ? [gzipSync(bytes.subarray(cut))] : [])]);
        writeFileSync(file, mutations ? mutate(gzip, mutations) : gzip);
        const result = await outcome(() => readFasta(file, DNA_OPTIONS), file);
        if (!mutations) assert.deepEqual('items' in result ? result.items : result.error, expected);
        else if ('items' in result) checkRecords(result.items, dna.allowed);
      },
    ),
    property(
      'BED reads back exactly, and damaged BED gives records or a one-line error',
      1500,
      fc.tuple(fc.array(bedLineArb, { maxLength: 12 }), fc.option(mutationsArb), nearBedArb, fc.boolean()),
      async ([lines, mutations, near, useNear], file) => {
        const text = useNear ? near : lines.map(writeBedLine).join('');
        writeFileSync(file, mutations ? mutate(Buffer.from(text, 'utf8'), mutations) : Buffer.from(text, 'utf8'));
        let records: Awaited<ReturnType<typeof readBedFile>>;
        try {
          records = await readBedFile(file);
        } catch (error) {
          checkUserError(error, file);
          assert.ok(mutations || useNear, `well-formed BED was refused: ${(error as Error).message}`);
          return;
        }
        for (const r of records)
          assert.ok(Number.isSafeInteger(r.start) && r.start >= 0 && r.start <= r.end, `interval ${r.start}-${r.end}`);
        if (!mutations && !useNear) {
          const expected = lines.flatMap((m, i) =>
            m.kind === 'interval' ? [{ chrom: m.chrom, start: m.start, end: m.start + m.length, line: i + 1 }] : [],
          );
          assert.deepEqual(
            records.map(({ chrom, start, end, line }) => ({ chrom, start, end, line })),
            expected,
          );
        }
      },
    ),
    property(
      'VCF reads back exactly, and damaged VCF gives records or a one-line error',
      1000,
      fc.tuple(vcfModelArb, fc.option(mutationsArb)),
      ([model, mutations], file) => {
        const text = writeVcf(model);
        const input = mutations ? mutate(Buffer.from(text), mutations).toString('utf8') : text;
        let vcf: ReturnType<typeof parseVcf>;
        try {
          vcf = parseVcf(input, file);
        } catch (error) {
          checkUserError(error, file);
          assert.ok(mutations, `well-formed VCF was refused: ${(error as Error).message}`);
          return;
        }
        for (const r of vcf.records) assert.ok(Number.isInteger(r.position) && r.position >= 0);
        if (!mutations)
          assert.deepEqual(
            vcf.records.map((r) => [r.chrom, r.position]),
            model.records.map((r) => [r.chrom, r.pos - 1]),
          );
      },
    ),
    property(
      '--region and --shard strings parse or give a one-line usage error',
      1000,
      fc.tuple(
        fc.string({ unit: fc.constantFrom('c', 'h', 'r', '1', ':', '-', ',', '0', '9', '/', ' ', 'é', '*'), maxLength: 20 }),
        fc.string({ maxLength: 8 }),
        fc.integer({ min: 1, max: 1e9 }),
        fc.integer({ min: 0, max: 1e9 }),
        fc.boolean(),
      ),
      ([text, chrom, first, span, commas]) => {
        for (const [parse, input] of [
          [parseRegion, text],
          [parseShard, text],
        ] as const) {
          try {
            const parsed = parse(input);
            if ('chrom' in parsed) assert.ok(parsed.start >= 0 && parsed.end > parsed.start, `${input} -> ${JSON.stringify(parsed)}`);
            else assert.ok(parsed.index >= 1 && parsed.index <= parsed.count, input);
          } catch (error) {
            if (!(error instanceof RnnseqError)) throw error;
            assert.equal(error.exitCode, 2);
            assert.ok(!error.message.includes('\n'));
          }
        }
        // A well-formed region, written with or without thousands separators, is 1-based inclusive -> BED.
        const name = chrom.replace(/[\s:]/g, '') || 'chr1';
        const format = (n: number) => (commas ? n.toLocaleString('en-US') : String(n));
        assert.deepEqual(parseRegion(`${name}:${format(first)}-${format(first + span)}`), {
          chrom: name,
          start: first - 1,
          end: first + span,
        });
      },
    ),
  ];
}
