/** Test helpers for genome formats: external tools (pyBigWig, samtools, bgzip) and a .2bit writer. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

/** Whether a Debian tool the format tests check against is installed; under CI its absence is a failure. */
export function haveTool(name: string, probe: string[] = ['--version']): boolean {
  const found = spawnSync(name, probe, { stdio: 'ignore' }).status === 0;
  if (!found && process.env.CI === 'true') assert.fail(`${name} is not installed; .ci/run installs it from Debian`);
  return found;
}

export const PYTHON = '/usr/bin/python3';

export function havePyBigWig(): boolean {
  return haveTool(PYTHON, ['-c', 'import pyBigWig']);
}

/** Runs a Python snippet with pyBigWig and parses the JSON it prints. */
export function pyBigWig<T>(script: string, ...args: string[]): T {
  const result = spawnSync(PYTHON, ['-c', `import sys, json, pyBigWig\n${script}`, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as T;
}

/**
 * A .2bit file (version 0, little endian) as faToTwoBit writes it: runs of N as N blocks, runs of lower case as
 * mask blocks, bases packed four to a byte (T C A G = 0 1 2 3), N packed as T.
 */
export function twoBit(records: ReadonlyArray<readonly [string, string]>): Buffer {
  const runs = (seq: string, inRun: (c: string) => boolean): Array<[number, number]> => {
    const out: Array<[number, number]> = [];
    for (let i = 0; i < seq.length; ) {
      if (!inRun(seq[i]!)) {
        i++;
        continue;
      }
      let j = i;
      while (j < seq.length && inRun(seq[j]!)) j++;
      out.push([i, j - i]);
      i = j;
    }
    return out;
  };
  const bodies = records.map(([, seq]) => {
    const nBlocks = runs(seq, (c) => c === 'N' || c === 'n');
    const maskBlocks = runs(seq, (c) => c >= 'a' && c <= 'z');
    const packed = Buffer.alloc(Math.ceil(seq.length / 4));
    for (let i = 0; i < seq.length; i++) {
      const code = Math.max(0, 'TCAG'.indexOf(seq[i]!.toUpperCase()));
      packed[i >> 2]! |= code << (6 - 2 * (i & 3));
    }
    const head = Buffer.alloc(4 + 4 + nBlocks.length * 8 + 4 + maskBlocks.length * 8 + 4);
    let at = 0;
    const put = (v: number) => {
      head.writeUInt32LE(v, at);
      at += 4;
    };
    put(seq.length);
    for (const blocks of [nBlocks, maskBlocks]) {
      put(blocks.length);
      for (const [s] of blocks) put(s);
      for (const [, size] of blocks) put(size);
    }
    put(0);
    return Buffer.concat([head, packed]);
  });
  const indexBytes = records.reduce((sum, [name]) => sum + 1 + Buffer.byteLength(name) + 4, 0);
  const header = Buffer.alloc(16);
  header.writeUInt32LE(0x1a412743, 0);
  header.writeUInt32LE(0, 4);
  header.writeUInt32LE(records.length, 8);
  const index: Buffer[] = [];
  let offset = 16 + indexBytes;
  records.forEach(([name], i) => {
    const entry = Buffer.alloc(1 + Buffer.byteLength(name) + 4);
    entry.writeUInt8(Buffer.byteLength(name), 0);
    entry.write(name, 1, 'latin1');
    entry.writeUInt32LE(offset, 1 + Buffer.byteLength(name));
    index.push(entry);
    offset += bodies[i]!.length;
  });
  return Buffer.concat([header, ...index, ...bodies]);
}
