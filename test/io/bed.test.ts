import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { formatBedLine, parseBedLine, readBedFile } from '../../src/io/bed.js';
import { RnnseqError } from '../../src/errors.js';
import { tempDir } from '../helpers.js';

test('readBed reads BED3 and BED6, skips comments, track and browser lines, and reads gzip', async (t) => {
  const dir = tempDir(t);
  const text = '# peaks\ntrack name=x\nbrowser position chr1:1-100\nchr1\t10\t20\n\nchr2\t0\t5\tpeak1\t900\t-\textra\r\nchr3 7 9\n';
  writeFileSync(join(dir, 'a.bed'), text);
  writeFileSync(join(dir, 'a.bed.gz'), gzipSync(text));
  for (const file of ['a.bed', 'a.bed.gz']) {
    const records = await readBedFile(join(dir, file));
    assert.deepEqual(records, [
      { chrom: 'chr1', start: 10, end: 20, line: 4 },
      { chrom: 'chr2', start: 0, end: 5, name: 'peak1', strand: '-', line: 6 },
      { chrom: 'chr3', start: 7, end: 9, line: 7 },
    ]);
  }
});

test('bad BED lines are reported with file and line', () => {
  const cases: Array<[string, RegExp]> = [
    ['chr1\t10', /x\.bed:3: a BED line needs at least 3 tab-separated columns/],
    ['chr1\t-1\t10', /x\.bed:3: BED start must be a non-negative integer, got '-1'/],
    ['chr1\t20\t10', /x\.bed:3: start 20 is after end 10/],
    ['chr1\t1\t10\tn\t0\t*', /x\.bed:3: strand \(column 6\) must be \+, - or \./],
    ['chr1\t1.5\t10', /BED start must be a non-negative integer/],
  ];
  for (const [line, message] of cases) {
    assert.throws(
      () => parseBedLine(line, 'x.bed', 3),
      (e: unknown) => e instanceof RnnseqError && e.exitCode === 2 && message.test(e.message),
      line,
    );
  }
  assert.throws(() => parseBedLine('chrom\tstart\tend', 'x.bed', 1), /a header line\? start it with '#'/);
});

test('formatBedLine writes BED6 plus extra columns', () => {
  assert.equal(
    formatBedLine({ chrom: 'c', start: 1, end: 9, name: 'hit', score: 750, strand: '.' }, ['0.75', '3']),
    'c\t1\t9\thit\t750\t.\t0.75\t3\n',
  );
});
