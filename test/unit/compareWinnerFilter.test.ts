import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { caseWinner, winnerChanges } from '../../webview/compare/format';

test('caseWinner: the single best quality, null for ties or no scores', () => {
  assert.equal(caseWinner([{ variant: 'a', quality: 0.5 }, { variant: 'b', quality: 0.9 }, { variant: 'c', quality: 0.7 }]), 'b');
  assert.equal(caseWinner([{ variant: 'a', quality: 0.9 }, { variant: 'b', quality: 0.9 }]), null);
  assert.equal(caseWinner([{ variant: 'a', quality: null }, { variant: 'b', quality: null }]), null);
  // A later lower score does not clear an earlier tie at the top; a higher one does.
  assert.equal(caseWinner([{ variant: 'a', quality: 0.8 }, { variant: 'b', quality: 0.8 }, { variant: 'c', quality: 0.1 }]), null);
  assert.equal(caseWinner([{ variant: 'a', quality: 0.8 }, { variant: 'b', quality: 0.8 }, { variant: 'c', quality: 0.95 }]), 'c');
  assert.equal(caseWinner([{ variant: 'a', quality: null }, { variant: 'b', quality: 0.2 }]), 'b');
});

test('winnerChanges: only when a clear case winner differs from the leader', () => {
  const scores = [{ variant: 'control', quality: 0.4 }, { variant: 'b', quality: 0.6 }];
  assert.equal(winnerChanges(scores, 'control'), true);
  assert.equal(winnerChanges(scores, 'b'), false);
  assert.equal(winnerChanges([{ variant: 'control', quality: 0.5 }, { variant: 'b', quality: 0.5 }], 'control'), false);
});
