import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSnv, parseVcf, withInfo } from '../../src/explain/vcf.js';

test('VCF records are split with 0-based positions, and INFO gains a field without losing others', () => {
  const vcf = parseVcf(
    '##fileformat=VCFv4.2\r\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\r\nchr1\t10\trs1\ta\tG,T\t.\tPASS\tDP=3;RNNSEQ_DELTA=1\r\n',
    'v.vcf',
  );
  assert.deepEqual(vcf.meta, ['##fileformat=VCFv4.2']);
  const [record] = vcf.records;
  assert.deepEqual([record!.chrom, record!.position, record!.ref, record!.alts, record!.line], ['chr1', 9, 'A', ['G', 'T'], 3]);
  assert.equal(withInfo(record!, 'RNNSEQ_DELTA', '0.5,.'), 'chr1\t10\trs1\ta\tG,T\t.\tPASS\tDP=3;RNNSEQ_DELTA=0.5,.');
  assert.ok(isSnv('A', 'G'));
  assert.ok(!isSnv('A', 'A') && !isSnv('AC', 'A') && !isSnv('A', '<DEL>') && !isSnv('A', '*') && !isSnv('N', 'A'));
});

test('a malformed VCF is named with its line', () => {
  assert.throws(() => parseVcf('chr1\t1\t.\tA\tC\t.\t.\t.\n', 'v.vcf'), /v\.vcf:1: no '#CHROM' header line before the first record/);
  assert.throws(
    () => parseVcf('#CHROM\tPOS\nchr1\t1\t.\tA\n', 'v.vcf'),
    /v\.vcf:2: a VCF record has at least 8 tab-separated columns, this line has 4/,
  );
  assert.throws(() => parseVcf('#CHROM\tPOS\nchr1\t0\t.\tA\tC\t.\t.\t.\n', 'v.vcf'), /v\.vcf:2: POS must be a positive integer, got '0'/);
  for (const pos of ['1e3', '0x10', '12.0', '+5', ' 7']) {
    assert.throws(
      () => parseVcf(`#CHROM\tPOS\nchr1\t${pos}\t.\tA\tC\t.\t.\t.\n`, 'v.vcf'),
      /v\.vcf:2: POS must be a positive integer/,
      pos,
    );
  }
});
