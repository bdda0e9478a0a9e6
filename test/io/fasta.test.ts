import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants as zlibConstants, gunzipSync, gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { RnnseqError } from '../../src/errors.js';
import { type FastaChunk, type FastaReadOptions, type FastaRecord, readFasta, readFastaChunks } from '../../src/io/fasta.js';
import { getAlphabet } from '../../src/seq/alphabet.js';

// dist/test/io/ -> repository root -> ../shared/data, where CI keeps the real data beside the repository.
const SHARED_DATA = fileURLToPath(new URL('../../../../shared/data/', import.meta.url));
const FASTA_MODULE = new URL('../../src/io/fasta.js', import.meta.url).href;

let dir: string;
let fileCount = 0;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'rnnseq-fasta-test-'));
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

function writeInput(content: string | Buffer, name?: string): string {
  const file = join(dir, name ?? `input${++fileCount}.fa`);
  writeFileSync(file, content);
  return file;
}

async function readAll(file: string, options?: FastaReadOptions): Promise<FastaRecord[]> {
  const records: FastaRecord[] = [];
  for await (const record of readFasta(file, options)) records.push(record);
  return records;
}

async function readChunks(file: string, options: FastaReadOptions & { chunkBp?: number }): Promise<FastaChunk[]> {
  const chunks: FastaChunk[] = [];
  for await (const chunk of readFastaChunks(file, options)) chunks.push(chunk);
  return chunks;
}

/** The RnnseqError that reading the whole file throws; fails the test when reading succeeds or throws anything else. */
async function readError(file: string, options?: FastaReadOptions): Promise<RnnseqError> {
  try {
    await readAll(file, options);
  } catch (err) {
    assert.ok(err instanceof RnnseqError, `expected an RnnseqError, got ${String(err)}`);
    assert.equal(err.exitCode, 2);
    assert.ok(!err.message.includes('\n'), `error message should be one line: ${err.message}`);
    return err;
  }
  assert.fail(`reading ${file} should have failed`);
}

const dna = getAlphabet('dna');
const dnaOptions: FastaReadOptions = { allowed: dna.allowed, alphabetLabel: dna.label };

/** Open file descriptors of this process; -1 where /proc is missing (not Linux), which disables the leak checks. */
function openFdCount(): number {
  return existsSync('/proc/self/fd') ? readdirSync('/proc/self/fd').length : -1;
}

async function waitForFdCount(expected: number): Promise<number> {
  for (let tries = 0; tries < 100 && openFdCount() !== expected; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return openFdCount();
}

/** Deterministic pseudo-random ACGT bytes (xorshift), so a failure is reproducible. */
function randomBases(length: number, seed = 0x9e3779b9): Buffer {
  const bases = Buffer.from('ACGT');
  const out = Buffer.allocUnsafe(length);
  let state = seed >>> 0;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = bases[(state >>> 0) & 3]!;
  }
  return out;
}

/** A FASTA record as bytes, wrapped at lineBp. */
function fastaBytes(header: string, sequence: Buffer, lineBp: number): Buffer {
  const parts: Buffer[] = [Buffer.from(`>${header}\n`)];
  for (let start = 0; start < sequence.length; start += lineBp) {
    parts.push(sequence.subarray(start, start + lineBp), Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

describe('readFasta parsing', () => {
  test('splits the header into id and description and joins multi-line sequences', async () => {
    const file = writeInput('>chr1 Homo sapiens chromosome 1\nACGT\nGGCC\nTT\n>chr2\nAAAA\n');
    assert.deepEqual(await readAll(file), [
      { id: 'chr1', description: 'Homo sapiens chromosome 1', sequence: 'ACGTGGCCTT', line: 1 },
      { id: 'chr2', description: '', sequence: 'AAAA', line: 5 },
    ]);
  });

  test('reads CRLF line endings without leaving carriage returns behind', async () => {
    const file = writeInput('>s1 first record\r\nACGT\r\nAC\r\n>s2\r\nGG\r\n');
    assert.deepEqual(await readAll(file), [
      { id: 's1', description: 'first record', sequence: 'ACGTAC', line: 1 },
      { id: 's2', description: '', sequence: 'GG', line: 4 },
    ]);
  });

  test('reads mixed LF and CRLF endings and blank lines anywhere, counting lines correctly', async () => {
    const file = writeInput('\n\r\n>s1 d\r\nAC\n\nGT\r\n\r\n\n>s2\nTT\r\n\n');
    assert.deepEqual(await readAll(file), [
      { id: 's1', description: 'd', sequence: 'ACGT', line: 3 },
      { id: 's2', description: '', sequence: 'TT', line: 9 },
    ]);
  });

  test('keeps lowercase (soft-masked) bases as they are', async () => {
    const file = writeInput('>masked\nACGTacgtnnNN\n');
    assert.equal((await readAll(file, dnaOptions))[0]!.sequence, 'ACGTacgtnnNN');
  });

  test("treats '>' inside a description as text, not as a new record", async () => {
    const file = writeInput('>s1 a>b >c\nAC\n');
    assert.deepEqual(await readAll(file), [{ id: 's1', description: 'a>b >c', sequence: 'AC', line: 1 }]);
  });

  test('keeps quotes, backslashes, tabs and UTF-8 in headers verbatim', async () => {
    const header = 'id"1\\x path=C:\\data\\n\t"quoted" café 深圳 \\';
    const file = writeInput(`>${header}\nAC\n`);
    const [record] = await readAll(file);
    assert.equal(record!.id, 'id"1\\x');
    assert.equal(record!.description, 'path=C:\\data\\n\t"quoted" café 深圳 \\');
  });

  test('splits id from description at a tab as well as a space', async () => {
    const file = writeInput('>id1\tdesc here\nAC\n');
    assert.deepEqual((await readAll(file))[0], { id: 'id1', description: 'desc here', sequence: 'AC', line: 1 });
  });

  test('reads a last line without a newline', async () => {
    const file = writeInput('>s1\nAC\n>s2\nGGT');
    assert.deepEqual(
      (await readAll(file)).map((r) => r.sequence),
      ['AC', 'GGT'],
    );
  });

  test('drops spaces and tabs inside sequence lines and skips a UTF-8 byte-order mark', async () => {
    const file = writeInput(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('>s1\nAC GT\t\nA C \n')]));
    assert.deepEqual(await readAll(file, dnaOptions), [{ id: 's1', description: '', sequence: 'ACGTAC', line: 1 }]);
  });

  test("accepts letters, '*', '-' and '.' when no alphabet is given", async () => {
    const file = writeInput('>p1\nMKV*\n>aln\nAC-G.T\n');
    assert.deepEqual(
      (await readAll(file)).map((r) => r.sequence),
      ['MKV*', 'AC-G.T'],
    );
  });

  test('returns empty records only when allowEmpty is set', async () => {
    const file = writeInput('>empty1\n>full\nAC\n>empty2');
    assert.deepEqual(
      (await readAll(file, { allowEmpty: true })).map((r) => [r.id, r.sequence]),
      [
        ['empty1', ''],
        ['full', 'AC'],
        ['empty2', ''],
      ],
    );
  });

  test('reads a header longer than one read chunk and a sequence line that spans read chunks', async () => {
    const description = 'x'.repeat(3_000_000);
    const line = randomBases(2_500_000);
    const file = writeInput(Buffer.concat([Buffer.from(`>long ${description}\n`), line, Buffer.from('\n>next\nAC\n')]));
    const records = await readAll(file);
    assert.equal(records.length, 2);
    assert.equal(records[0]!.description, description);
    assert.equal(records[0]!.sequence, line.toString('latin1'));
    assert.deepEqual(records[1], { id: 'next', description: '', sequence: 'AC', line: 3 });
  });
});

describe('readFasta errors', () => {
  test('rejects a file whose first non-blank line is not a header', async () => {
    const file = writeInput('\n\nACGT\n>s1\nAC\n');
    const err = await readError(file);
    assert.equal(err.message, `${file}:3: expected a '>' header line`);
  });

  test("rejects a header that is '>' alone or has a space before the id", async () => {
    const bare = writeInput('>s1\nAC\n>\nGG\n');
    assert.match((await readError(bare)).message, new RegExp(`^${escapeRegExp(bare)}:3: header has no ID`));
    const spaced = writeInput('> foo bar\nGG\n');
    const err = await readError(spaced);
    assert.match(err.message, new RegExp(`^${escapeRegExp(spaced)}:1: header has no ID`));
    assert.match(err.message, /'> foo bar'/);
  });

  test('rejects an empty record, naming it and its header line', async () => {
    const file = writeInput('>s1\nAC\n>hollow some text\n\n>s3\nGG\n');
    assert.equal((await readError(file)).message, `${file}:3: record 'hollow': record has no sequence`);
    const last = writeInput('>s1\nAC\n>tail');
    assert.equal((await readError(last)).message, `${last}:3: record 'tail': record has no sequence`);
  });

  test('rejects a character outside the alphabet, naming file, line, column, record and what is allowed', async () => {
    const file = writeInput('>s1\nACGT\n>s2 x\nACGT\nAC\r\nAJGT\n');
    const err = await readError(file, dnaOptions);
    assert.equal(err.message, `${file}:6: record 's2': invalid character 'J' at column 2; allowed: ${dna.label}`);
  });

  test('reports the column of a bad character on a line that spans read chunks', async () => {
    const line = randomBases(1_500_000);
    line[1_200_000] = 'Z'.charCodeAt(0);
    const file = writeInput(Buffer.concat([Buffer.from('>big\n'), line, Buffer.from('\n')]));
    const err = await readError(file, dnaOptions);
    assert.match(err.message, /:2: record 'big': invalid character 'Z' at column 1200001;/);
  });

  test('hints at alignment gaps when a dna sequence contains -', async () => {
    const file = writeInput('>aln\nAC-GT\n');
    assert.match((await readError(file, dnaOptions)).message, /invalid character '-' at column 3 \(alignment gap/);
  });

  test('rejects NUL bytes in sequences, in headers and before the first header', async () => {
    const inSequence = writeInput(Buffer.from('>s1\nAC\0GT\n', 'latin1'));
    assert.match((await readError(inSequence)).message, /:2: record 's1': NUL byte .* at column 3/);
    const inHeader = writeInput(Buffer.from('>s1 a\0b\nACGT\n', 'latin1'));
    assert.match((await readError(inHeader)).message, /:1: NUL byte in header/);
    const binary = writeInput(Buffer.from([0, 1, 2, 3, 0x3e]));
    assert.match((await readError(binary)).message, /:1: found a NUL byte/);
  });

  test('rejects non-ASCII bytes in sequences, naming the byte', async () => {
    const file = writeInput('>s1\nACé\n');
    assert.match((await readError(file)).message, /:2: record 's1': invalid byte 0xC3 at column 3/);
  });

  test('rejects a file with no records', async () => {
    const empty = writeInput('');
    const expected = `${empty}: no FASTA records (empty file, or no line starts with '>')`;
    assert.equal((await readError(empty)).message, expected);
    const blank = writeInput('\n\r\n  \n');
    assert.match((await readError(blank)).message, new RegExp(`^${escapeRegExp(blank)}: no FASTA records`));
  });

  test('rejects a missing file and a directory', async () => {
    const missing = join(dir, 'does-not-exist.fa');
    assert.equal((await readError(missing)).message, `${missing}: no such file`);
    const folder = join(dir, 'a-folder.fa');
    mkdirSync(folder);
    assert.equal((await readError(folder)).message, `${folder}: is a directory, not a FASTA file`);
  });

  test('rejects an unreadable file', async () => {
    const file = writeInput('>s1\nAC\n');
    chmodSync(file, 0o000);
    if (process.getuid?.() !== 0) {
      assert.equal((await readError(file)).message, `${file}: permission denied`);
      return;
    }
    // root reads any file, so check as the unprivileged user 'nobody' in a child process.
    const reader = new URL('../../src/io/fasta.js', import.meta.url).href;
    const script =
      `process.setgid(65534); process.setuid(65534); const { readFasta } = await import(${JSON.stringify(reader)});` +
      `try { for await (const r of readFasta(${JSON.stringify(file)})) {} console.log('read it'); } catch (e) { console.log(e.message); }`;
    const printed = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(printed.trim(), `${file}: permission denied`);
  });
});

describe('readFasta gzip', () => {
  test('detects gzip by its magic bytes, whatever the name', async () => {
    const file = writeInput(gzipSync('>s1 zipped\nACGT\nAC\n'), 'looks-plain.fa');
    assert.deepEqual(await readAll(file), [{ id: 's1', description: 'zipped', sequence: 'ACGTAC', line: 1 }]);
    const notGzip = writeInput('>s1\nAC\n', 'not-really.fa.gz');
    assert.equal((await readAll(notGzip))[0]!.sequence, 'AC');
  });

  test('reads every member of a multi-member (bgzip-style) gzip file', async () => {
    // bgzip writes independent members and ends with an empty one; a record may straddle members.
    const members = [gzipSync('>s1\nACGT\nAC'), gzipSync('GT\n>s2\nGG\n'), gzipSync('>s3\nTT\n'), gzipSync('')];
    const file = writeInput(Buffer.concat(members), 'multi.fa.gz');
    assert.deepEqual(
      (await readAll(file)).map((r) => [r.id, r.sequence]),
      [
        ['s1', 'ACGTACGT'],
        ['s2', 'GG'],
        ['s3', 'TT'],
      ],
    );
  });

  test('reports a truncated gzip file as truncated or corrupt', async () => {
    const whole = gzipSync(fastaBytes('s1', randomBases(100_000), 60));
    const cut = whole.subarray(0, Math.floor(whole.length / 2));
    const file = writeInput(cut, 'cut.fa.gz');
    // The error names the last whole line that came through, as `zcat cut.fa.gz | wc -l` counts them.
    const readable = gunzipSync(cut, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
    const lines = readable.toString('latin1').split('\n').length - 1;
    assert.ok(lines > 100, `${lines} lines`);
    assert.match(
      (await readError(file)).message,
      new RegExp(`^${escapeRegExp(file)}:${lines}: record 's1': truncated or corrupt gzip after this line`),
    );
  });

  test('reports a gzip file with damaged data as truncated or corrupt', async () => {
    const damaged = Buffer.from(gzipSync(fastaBytes('s1', randomBases(10_000), 60)));
    for (let i = 20; i < 200; i++) damaged[i] = 0xff;
    const file = writeInput(damaged, 'damaged.fa.gz');
    assert.match((await readError(file)).message, /: truncated or corrupt gzip/);
  });
});

describe('readFasta on long records', { timeout: 20_000 }, () => {
  const recordBp = 20_000_000;
  const chunkBp = 1_000_003; // neither a multiple of the line length nor of the read chunk size
  let file: string;
  let expected: string;

  before(() => {
    const bases = randomBases(recordBp);
    expected = bases.toString('latin1');
    const chr1 = fastaBytes('chr1 twenty megabases', bases, 80);
    file = writeInput(Buffer.concat([chr1, fastaBytes('chr2', Buffer.from('ACGT'), 80)]));
  });

  test('reads a 20 Mbp record whole', async () => {
    const records = await readAll(file, dnaOptions);
    assert.equal(records.length, 2);
    assert.equal(records[0]!.sequence.length, recordBp);
    assert.ok(records[0]!.sequence === expected, 'the 20 Mbp sequence differs from what was written');
    assert.deepEqual(records[1], { id: 'chr2', description: '', sequence: 'ACGT', line: 250_002 });
  });

  test('delivers a 20 Mbp record in contiguous chunks of chunkBp that join to the record', async () => {
    const chunks = await readChunks(file, { ...dnaOptions, chunkBp });
    const chr1 = chunks.filter((c) => c.id === 'chr1');
    assert.equal(chr1.length, Math.ceil(recordBp / chunkBp));
    let offset = 0;
    chr1.forEach((chunk, index) => {
      const isLast = index === chr1.length - 1;
      assert.equal(chunk.offset, offset);
      assert.equal(chunk.last, isLast);
      assert.equal(chunk.sequence.length, isLast ? recordBp - offset : chunkBp);
      assert.equal(chunk.description, 'twenty megabases');
      assert.equal(chunk.line, 1);
      offset += chunk.sequence.length;
    });
    assert.ok(chr1.map((c) => c.sequence).join('') === expected, 'joined chunks differ from the record');
    assert.deepEqual(chunks.at(-1), {
      id: 'chr2',
      description: '',
      line: 250_002,
      offset: 0,
      sequence: 'ACGT',
      last: true,
    });
  });

  test('does not emit an empty trailing chunk when a record is an exact multiple of chunkBp', async () => {
    const small = writeInput('>a\nACG\nTAC\n>b\nAC\n>c\n');
    const chunks = await readChunks(small, { chunkBp: 3, allowEmpty: true });
    assert.deepEqual(
      chunks.map((c) => [c.id, c.offset, c.sequence, c.last]),
      [
        ['a', 0, 'ACG', false],
        ['a', 3, 'TAC', true],
        ['b', 0, 'AC', true],
        ['c', 0, '', true],
      ],
    );
  });

  test('rejects a chunk size that is not a positive integer', async () => {
    await assert.rejects(readChunks(file, { chunkBp: 0 }), RangeError);
    await assert.rejects(readChunks(file, { chunkBp: 1.5 }), RangeError);
  });

  test('stops reading and closes the file when the consumer breaks out early', async () => {
    for (const input of [file, writeInput(gzipSync(fastaBytes('z1', randomBases(3_000_000), 60)), 'early.fa.gz')]) {
      const fdsBefore = openFdCount();
      const started = Date.now();
      let seen = 0;
      for await (const chunk of readFastaChunks(input, { chunkBp: 1000 })) {
        assert.equal(chunk.offset, 0);
        seen++;
        break;
      }
      assert.equal(seen, 1);
      assert.ok(Date.now() - started < 2000, 'breaking out should not wait for the rest of the file');
      assert.equal(await waitForFdCount(fdsBefore), fdsBefore, 'file descriptor left open after break');
    }
  });
});

describe('readFasta cancellation', { timeout: 10_000 }, () => {
  test('an aborted signal stops the reader with an AbortError and closes the file', async () => {
    const records = Array.from({ length: 50 }, (_, i) => fastaBytes(`r${i}`, randomBases(50_000, i + 1), 60));
    const file = writeInput(Buffer.concat(records));
    const fdsBefore = openFdCount();
    const controller = new AbortController();
    const ids: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const record of readFasta(file, { signal: controller.signal })) {
          ids.push(record.id);
          if (ids.length === 2) controller.abort();
        }
      })(),
      { name: 'AbortError' },
    );
    assert.deepEqual(ids, ['r0', 'r1']);
    assert.equal(await waitForFdCount(fdsBefore), fdsBefore, 'file descriptor left open after abort');
  });

  test('a signal aborted before reading starts rejects without opening the file', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(readAll(join(dir, 'never-opened.fa'), { signal: controller.signal }), { name: 'AbortError' });
  });
});

describe('readFasta from stdin', () => {
  interface ChildResult {
    records?: FastaRecord[];
    error?: string;
    name?: string;
  }

  /**
   * Runs a child node process that reads '-' and prints what it got (or the error) as JSON. Input given as pieces
   * is written with pauses between them, so the child sees them as separate reads.
   */
  function readStdinInChild(input: Buffer | Buffer[] | undefined, abortAfterMs?: number): Promise<ChildResult> {
    const script = `
      import { readFasta } from ${JSON.stringify(FASTA_MODULE)};
      const controller = new AbortController();
      ${abortAfterMs === undefined ? '' : `setTimeout(() => controller.abort(), ${abortAfterMs});`}
      const records = [];
      try {
        for await (const record of readFasta('-', { signal: controller.signal })) records.push(record);
        console.log(JSON.stringify({ records }));
      } catch (err) {
        console.log(JSON.stringify({ error: err.message, name: err.name }));
      }`;
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      let stdout = '';
      child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
      child.on('error', reject);
      child.on('close', (code) => {
        if (code !== 0) reject(new Error(`child exited with ${code}: ${stdout}`));
        else resolve(JSON.parse(stdout) as ChildResult);
      });
      child.stdin.on('error', () => undefined); // the child may stop reading before we finish writing
      if (input === undefined) {
        // With no input the pipe stays open and silent until the child has given up on it.
        child.on('exit', () => child.stdin.destroy());
      } else {
        const pieces = Array.isArray(input) ? [...input] : [input];
        const writeNext = (): void => {
          const piece = pieces.shift()!;
          if (pieces.length === 0) child.stdin.end(piece);
          else child.stdin.write(piece, () => setTimeout(writeNext, 100));
        };
        writeNext();
      }
    });
  }

  test("reads plain FASTA from stdin when the file is '-'", { timeout: 10_000 }, async () => {
    const result = await readStdinInChild(Buffer.from('>s1 from pipe\nAC\nGT\n>s2\nTT\n'));
    assert.deepEqual(result.records, [
      { id: 's1', description: 'from pipe', sequence: 'ACGT', line: 1 },
      { id: 's2', description: '', sequence: 'TT', line: 4 },
    ]);
  });

  test('reads gzipped FASTA from stdin', { timeout: 10_000 }, async () => {
    const result = await readStdinInChild(gzipSync('>z1\nACGT\n'));
    assert.deepEqual(result.records, [{ id: 'z1', description: '', sequence: 'ACGT', line: 1 }]);
  });

  test('recognises gzip on stdin when its magic bytes arrive in separate reads', { timeout: 10_000 }, async () => {
    const zipped = gzipSync('>z2 split\nGGCC\n');
    const result = await readStdinInChild([zipped.subarray(0, 1), zipped.subarray(1)]);
    assert.deepEqual(result.records, [{ id: 'z2', description: 'split', sequence: 'GGCC', line: 1 }]);
  });

  test('names <stdin> in errors, even for a one-byte input', { timeout: 10_000 }, async () => {
    const result = await readStdinInChild(Buffer.from('ACGT\n'));
    assert.equal(result.error, "<stdin>:1: expected a '>' header line");
    const oneByte = await readStdinInChild(Buffer.from('A'));
    assert.equal(oneByte.error, "<stdin>:1: expected a '>' header line");
  });

  test('an abort ends a read that is waiting on a silent stdin', { timeout: 10_000 }, async () => {
    const result = await readStdinInChild(undefined, 100);
    assert.equal(result.name, 'AbortError');
  });
});

describe('readFasta on real data', () => {
  test('reads the 3,186 StatLog splice junctions as 60 bp DNA', async () => {
    const records = await readAll(join(SHARED_DATA, 'splice_statlog_mlbench/splice_statlog.fa'), dnaOptions);
    assert.equal(records.length, 3186);
    assert.ok(records.every((r) => r.sequence.length === 60));
    assert.deepEqual(
      { id: records[0]!.id, description: records[0]!.description, line: records[0]!.line },
      { id: 'dna0001', description: 'label=N', line: 1 },
    );
    assert.ok(records[0]!.sequence.startsWith('CTAGGCTCCAGATAGCCATAGAAG'));
    assert.equal(records.filter((r) => r.description === 'label=EI').length, 767);
  });

  test('reads the 28,645 gzipped miRBase hairpins as RNA', async () => {
    const file = join(SHARED_DATA, 'mirbase_hairpins_seqkit/hairpin.fa.gz');
    assert.ok(existsSync(file), `real data missing: ${file}`);
    const rna = getAlphabet('rna');
    const records = await readAll(file, { allowed: rna.allowed, alphabetLabel: rna.label });
    assert.equal(records.length, 28645);
    assert.deepEqual(
      { id: records[0]!.id, description: records[0]!.description },
      { id: 'cel-let-7', description: 'MI0000001 Caenorhabditis elegans let-7 stem-loop' },
    );
    assert.equal(
      records[0]!.sequence,
      'UACACUGUGGAUCCGGUGAGGUAGUAGGUUGUAUAGUUUGGAAUAUUACCACCGGUGAACUAUGCAAUUUUCUACCUUACCGGAGACAGAACUCUUCGA',
    );
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
