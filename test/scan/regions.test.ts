import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inIntervals, normaliseIntervals, parseRegion, parseShard, shardIntervals } from '../../src/seq/regions.js';

test('--region strings are 1-based inclusive like samtools and become BED intervals', () => {
  assert.deepEqual(parseRegion('chr1:1,000,001-2,000,000'), { chrom: 'chr1', start: 1_000_000, end: 2_000_000 });
  assert.deepEqual(parseRegion('chr1:1-1'), { chrom: 'chr1', start: 0, end: 1 });
  assert.deepEqual(parseRegion('chrX:501-'), { chrom: 'chrX', start: 500, end: Infinity });
  assert.deepEqual(parseRegion('chrM'), { chrom: 'chrM', start: 0, end: Infinity });
  assert.deepEqual(parseRegion('HLA-A*01:01:01:01'), { chrom: 'HLA-A*01:01:01:01', start: 0, end: Infinity });
  assert.deepEqual(parseRegion('HLA-A*01:01:10-20'), { chrom: 'HLA-A*01:01', start: 9, end: 20 });
  assert.throws(() => parseRegion('chr1:0-10'), /START must be >= 1/);
  assert.throws(() => parseRegion('chr1:20-10'), /END >= START/);
  assert.throws(() => parseRegion(''), /CHROM or CHROM:START-END/);
});

test('--shard K/N is validated', () => {
  assert.deepEqual(parseShard('3/10'), { index: 3, count: 10 });
  for (const bad of ['0/3', '4/3', '3', 'a/b', '1/0']) assert.throws(() => parseShard(bad), /--shard must look like K\/N/, bad);
});

test('shards partition the owned window starts exactly, across sequence boundaries', () => {
  const lengths = [
    { name: 'a', length: 1000 },
    { name: 'b', length: 7 },
    { name: 'c', length: 2501 },
  ];
  for (const selection of [
    undefined,
    normaliseIntervals([
      { chrom: 'c', start: 100, end: 900 },
      { chrom: 'a', start: 0, end: 50 },
      { chrom: 'c', start: 800, end: Infinity },
    ]),
  ]) {
    for (const count of [1, 2, 3, 7, 50]) {
      const owner = new Map<string, number[]>();
      for (let k = 1; k <= count; k++) {
        for (const [chrom, intervals] of shardIntervals(lengths, selection, { index: k, count })) {
          for (const [start, end] of intervals)
            for (let p = start; p < end; p++) (owner.get(`${chrom}:${p}`) ?? owner.set(`${chrom}:${p}`, []).get(`${chrom}:${p}`)!).push(k);
        }
      }
      for (const { name, length } of lengths) {
        for (let p = 0; p < length; p++) {
          const wanted = selection ? inIntervals(selection.get(name) ?? [], p) : true;
          assert.deepEqual(owner.get(`${name}:${p}`)?.length ?? 0, wanted ? 1 : 0, `${name}:${p} with ${count} shards`);
        }
      }
    }
  }
});

test('normaliseIntervals sorts and joins overlapping and touching intervals per sequence', () => {
  const owned = normaliseIntervals([
    { chrom: 'a', start: 50, end: 60 },
    { chrom: 'a', start: 0, end: 10 },
    { chrom: 'a', start: 10, end: 20 },
    { chrom: 'a', start: 55, end: 70 },
    { chrom: 'b', start: 5, end: Infinity },
  ]);
  assert.deepEqual(owned.get('a'), [
    [0, 20],
    [50, 70],
  ]);
  assert.deepEqual(owned.get('b'), [[5, Infinity]]);
  assert.ok(inIntervals(owned.get('a')!, 19) && !inIntervals(owned.get('a')!, 20) && inIntervals(owned.get('a')!, 50));
});
