import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { repoRoot, runCli } from '../helpers.js';

const plasmid = join(repoRoot, 'fixtures', 'ypestis_pPCP1.fa');

test('scan --rc spells the strand options as classify and embed do', async () => {
  const scan = async (...args: string[]) => {
    const result = await runCli(['scan', '-q', '-m', 'chloroplast-cds', '--threshold', '0.3', ...args, plasmid]);
    assert.equal(result.code, 0, result.stderr);
    return result.stdout;
  };
  const average = await scan('--rc', 'average');
  assert.ok(average.length > 0);
  assert.equal(average, await scan('--strand', 'both', '--rc-combine', 'mean'));
  assert.equal(await scan('--rc', 'max'), await scan('--strand', 'both', '--rc-combine', 'max'));
  const none = await scan('--rc', 'none');
  assert.equal(none, await scan('--strand', '+'));
  assert.notEqual(none, average);
  const both = await runCli(['scan', '-m', 'chloroplast-cds', '--rc', 'none', '--strand', '+', plasmid]);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /give --rc, or --strand \/ --rc-combine, not both/);
});
