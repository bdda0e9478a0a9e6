import { test } from 'node:test';
import assert from 'node:assert/strict';
import { declaredTopology, isCircular } from '../../src/seq/topology.js';

test('topology tags in FASTA headers: key=value in any case, NCBI brackets, circular=true', () => {
  assert.equal(declaredTopology('topology=circular'), 'circular');
  assert.equal(declaredTopology('Yersinia pestis plasmid pPCP1 TOPOLOGY=Circular length=9609'), 'circular');
  assert.equal(declaredTopology('[organism=Arabidopsis thaliana] [topology=circular] [location=chloroplast]'), 'circular');
  assert.equal(declaredTopology('circular=true'), 'circular');
  assert.equal(declaredTopology('circular=YES;gcode=11'), 'circular');
  assert.equal(declaredTopology('[topology=linear]'), 'linear');
  assert.equal(declaredTopology('circular=false'), 'linear');
  assert.equal(declaredTopology('length=9609'), undefined);
  assert.equal(declaredTopology('Enterobacteria phage lambda, complete genome'), undefined, 'the word circular alone is no tag');
  assert.equal(declaredTopology('mytopology=circular notcircular=true'), undefined, 'whole keys only');
  assert.equal(declaredTopology('topology=circularish'), undefined, 'whole values only');
});

test('--circular makes every record circular; without it the header decides', () => {
  assert.equal(isCircular('', true), true);
  assert.equal(isCircular('topology=linear', true), true);
  assert.equal(isCircular('', false), false);
  assert.equal(isCircular('x [topology=circular]', false), true);
});
