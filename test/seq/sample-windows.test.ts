import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../../src/seq/random.js';
import { coveringCount, sampleWindows, spreadWindows, tileWindows } from '../../src/seq/sample-windows.js';
import { compileGroupRegex, groupOf, parseGroupFiles } from '../../src/seq/groups.js';

test('sampled windows are seeded, have the window length and cover positions uniformly', () => {
  const long = 'A'.repeat(50) + 'C'.repeat(50) + 'G'.repeat(50); // 141 windows of 10 bp
  const short = 'T'.repeat(58); // 49 windows
  const windows = sampleWindows([long, short], 10, 19000, new Random(1));
  assert.deepEqual(sampleWindows([long, short], 10, 19000, new Random(1)), windows, 'same seed, same windows');
  assert.notDeepEqual(sampleWindows([long, short], 10, 50, new Random(2)), windows.slice(0, 50));
  assert.ok(windows.every((w) => w.length === 10));
  const fromShort = windows.filter((w) => w === 'T'.repeat(10)).length;
  assert.ok(Math.abs(fromShort / windows.length - 49 / 190) < 0.02, `share from the short sequence ${fromShort / windows.length}`);
  assert.deepEqual(sampleWindows(['ACG'], 10, 3, new Random(1)), ['ACG', 'ACG', 'ACG'], 'shorter than a window: the whole sequence');
});

/** How many windows of `windows` (cut from `sequence` by a sampler) cover each base of it, found by their start. */
function coverage(sequence: string, windows: readonly string[]): number[] {
  const counts = new Array<number>(sequence.length).fill(0);
  for (const w of windows) {
    const start = sequence.indexOf(w);
    for (let i = start; i < start + w.length; i++) counts[i]!++;
  }
  return counts;
}

test('spread windows: one in each equal stratum of a group, across records in proportion to their positions, seeded', () => {
  const random = new Random(3);
  // A sequence whose 10-bp windows are all distinct, so each window's start can be found again.
  const gene = Array.from({ length: 400 }, () => 'ACGT'[random.int(4)]).join('');
  const spread = spreadWindows([gene], 10, 40, new Random(1));
  assert.equal(spread.length, 40);
  assert.deepEqual(spreadWindows([gene], 10, 40, new Random(1)), spread, 'same seed, same windows');
  assert.notDeepEqual(spreadWindows([gene], 10, 40, new Random(2)), spread, 'the draws follow the seed');
  // 391 window positions in 40 strata of 9.775: window w starts within stratum w.
  const starts = spread.map((w) => gene.indexOf(w));
  starts.forEach((start, w) =>
    assert.ok(start >= Math.floor(w * 9.775) && start < Math.ceil((w + 1) * 9.775), `window ${w} starts at ${start}`),
  );
  // Not on one grid: the gaps between starts vary, so two groups' windows do not share a phase.
  assert.ok(new Set(starts.slice(1).map((start, w) => start - starts[w]!)).size > 5, 'gaps between starts vary');
  // Coverage: every base away from the ends in at most 3 windows; random positions pile up to 4 or more and leave gaps.
  const even = coverage(gene, spread).slice(10, -10);
  assert.ok(Math.max(...even) <= 3, `spread coverage up to ${Math.max(...even)}`);
  const sampled = coverage(gene, sampleWindows([gene], 10, 40, new Random(1))).slice(10, -10);
  assert.ok(Math.max(...sampled) >= 4 && Math.min(...sampled) === 0, `random coverage ${Math.min(...sampled)}-${Math.max(...sampled)}`);
  // Two records: windows split as their window positions do (391 and 91 of 482), each within its record.
  const other = gene.slice(0, 100).split('').reverse().join('');
  const both = spreadWindows([gene, other], 10, 48, new Random(5));
  const inOther = both.filter((w) => other.includes(w) && !gene.includes(w)).length;
  assert.ok(Math.abs(inOther - (48 * 91) / 482) <= 1, `${inOther} windows from the second record`);
  assert.ok(both.every((w) => w.length === 10));
  assert.deepEqual(spreadWindows(['ACG'], 10, 3, new Random(1)), ['ACG', 'ACG', 'ACG'], 'shorter than a window: the whole sequence');
});

test('all positions tile each sequence with non-overlapping windows', () => {
  assert.deepEqual(tileWindows(['AACCGGT', 'TT'], 2), ['AA', 'CC', 'GG', 'TT']);
  assert.deepEqual(tileWindows(['ACG'], 5), ['ACG']);
});

test('records are grouped by id, header tag, regex capture or file, and a record in no group is an error', () => {
  const record = { id: 'Ref.B.FR.83.HXB2', description: 'species=HIV-1 gene=gag', line: 7 };
  const source = { file: 'x.fa' };
  assert.equal(groupOf(record, source, { kind: 'record' }), 'Ref.B.FR.83.HXB2');
  assert.equal(groupOf(record, source, { kind: 'tag', key: 'species' }), 'HIV-1');
  assert.equal(groupOf(record, source, { kind: 'regex', pattern: compileGroupRegex('^Ref\\.([^.]+)\\.') }), 'B');
  assert.equal(groupOf(record, { file: 'h.fa', group: 'human' }, { kind: 'files' }), 'human');
  assert.throws(() => groupOf(record, source, { kind: 'tag', key: 'clade' }), /x\.fa:7: record 'Ref\.B\.FR\.83\.HXB2': no 'clade=' tag/);
  assert.throws(
    () => groupOf(record, source, { kind: 'regex', pattern: compileGroupRegex('^(sp\\d+)') }),
    /x\.fa:7: .*does not match --group-regex/,
  );
  assert.throws(() => compileGroupRegex('^[^_]+_'), /exactly one capture group.* has 0/);
  assert.throws(() => compileGroupRegex('(a)(b)'), /has 2/);
  assert.throws(() => compileGroupRegex('(unclosed'), /not a valid regular expression/);
  assert.deepEqual(parseGroupFiles(['human=h.fa', 'mouse=dir/m=1.fa']), [
    { group: 'human', file: 'h.fa' },
    { group: 'mouse', file: 'dir/m=1.fa' },
  ]);
  assert.throws(() => parseGroupFiles(['human']), /NAME=FILE/);
});

test('coveringCount: enough windows to cover a group the asked number of times, within the bounds', () => {
  const coverage = { times: 4, min: 100, max: 4000 };
  assert.equal(coveringCount(['A'.repeat(2000)], 200, coverage), 100, 'a short gene keeps the minimum');
  assert.equal(coveringCount(['A'.repeat(60_000), 'C'.repeat(40_050)], 200, coverage), 2001, '4 x 100,050 bp / 200, rounded up');
  assert.equal(coveringCount(['A'.repeat(5_000_000)], 200, coverage), 4000, 'a genome is capped');
  assert.equal(coveringCount([], 200, coverage), 100);
});
