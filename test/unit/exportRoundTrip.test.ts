/*
 * Property test of the lossless interchange format: random executions (seeded) → JSONL
 * export → import into an EMPTY database → every execution identical field by field, and a
 * second export byte-identical to the first. Compared against what the first store holds
 * (texts are sanitized on record), not against the raw input.
 *
 * CI runs fixed seeds. Locally: PROMPTLAB_PROP_SEEDS=random (or a list), PROMPTLAB_PROP_N
 * (executions per seed), PROMPTLAB_PROP_HUGE_MB (sizes of the huge texts, e.g. "5,5,3").
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { Sanitizer } from '../../src/core/sanitize';
import type { ExecutionDetail } from '../../src/core/store';
import { LocalStore, importJsonl } from '../../src/core/store';
import { tempDir } from './helpers/fixtures';
import { chance, envInt, hugeText, randomExecution, seededRng, seedsFromEnv } from './helpers/randomExecutions';

const sanitizer = new Sanitizer();
const open = (dir: string) => LocalStore.open({ dir, sanitizer });

const SEEDS = seedsFromEnv([7, 1999, 424242]);
const N = envInt('PROMPTLAB_PROP_N', 70);
const HUGE_MB = (process.env.PROMPTLAB_PROP_HUGE_MB ?? '1,3').split(',').map(Number).filter((n) => n > 0);

async function idsOf(s: LocalStore): Promise<string[]> {
  const ids: string[] = [];
  for (let after = 0; ;) {
    const page = s.engine.database.scan(after, 500);
    if (!page.length) return ids;
    for (const r of page) ids.push(r.id);
    after = page[page.length - 1]!.seq;
  }
}

/** Field-by-field comparison (seq is a local row number, not part of the execution). */
function assertSameExecution(a: ExecutionDetail, b: ExecutionDetail | null, where: string): void {
  assert.ok(b, `${where}: missing after import`);
  assert.equal(a.textError, undefined, `${where}: source texts unreadable: ${a.textError}`);
  assert.equal(b.textError, undefined, `${where}: imported texts unreadable: ${b.textError}`);
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  keys.delete('seq');
  for (const k of keys) {
    assert.deepStrictEqual((b as unknown as Record<string, unknown>)[k], (a as unknown as Record<string, unknown>)[k], `${where}: field ${k} differs`);
  }
}

async function assertStoresEqual(a: LocalStore, b: LocalStore, label: string): Promise<number> {
  const ids = await idsOf(a);
  assert.deepEqual(await idsOf(b), ids, `${label}: same ids in the same order`);
  for (const id of ids) assertSameExecution((await a.getExecution(id))!, await b.getExecution(id), `${label} id ${JSON.stringify(id)}`);
  return ids.length;
}

/** Records `inputs` into a fresh store, round-trips it, and checks everything; returns the row count. */
async function roundTrip(label: string, fill: (s: LocalStore) => Promise<void>): Promise<number> {
  const aDir = tempDir('pl-rt-a-');
  const a = await open(aDir);
  await fill(a);
  const out = tempDir('pl-rt-out-');
  const first = path.join(out, 'first.jsonl');
  const exported = await a.exportJsonl(first);

  const bDir = tempDir('pl-rt-b-');
  const b = await open(bDir);
  assert.equal((await idsOf(b)).length, 0, 'the target database starts empty');
  const rep = await importJsonl(first, b, sanitizer);
  assert.deepEqual(rep.bad, [], `${label}: lines rejected by import`);
  assert.equal(rep.imported, exported.rows, `${label}: imported every exported line`);
  const n = await assertStoresEqual(a, b, `${label} (imported)`);
  assert.equal(n, exported.rows);

  // Again after the import has gone through the journal and a snapshot (a fresh process).
  await b.close();
  const b2 = await open(bDir);
  await assertStoresEqual(a, b2, `${label} (reopened)`);
  const second = path.join(out, 'second.jsonl');
  await b2.exportJsonl(second);
  const x = fs.readFileSync(first), y = fs.readFileSync(second);
  if (!x.equals(y)) {
    let i = 0;
    while (i < x.length && x[i] === y[i]) i++;
    assert.fail(`${label}: second export differs from the first at byte ${i} of ${x.length}/${y.length}`);
  }
  await b2.close();
  await a.close();
  // Only after success: a failing run keeps its folders for a look.
  for (const d of [aDir, bDir, out]) fs.rmSync(d, { recursive: true, force: true });
  return n;
}

describe('export round trip: JSONL → empty database → identical (property test)', () => {
  for (const seed of SEEDS) {
    it(`random executions, seed ${seed} (replay: PROMPTLAB_PROP_SEEDS=${seed})`, async () => {
      const rng = seededRng(seed);
      const n = await roundTrip(`seed ${seed}`, async (s) => {
        for (let i = 0; i < N; i++) {
          // Some rows with every nullable field null, some half compacted into text segments,
          // some still in pending texts: export reads both places.
          const pNull = i % 10 === 0 ? 1 : 0.3;
          const input = randomExecution(rng, `s${seed}`, i, { pNull, loneSurrogates: chance(rng, 0.3) });
          s.record(input);
          if (i === Math.floor(N / 2)) await s.compact();
        }
      });
      assert.equal(n, N, `seed ${seed}: every generated execution was stored (ids are unique)`);
    });
  }

  it(`huge texts (${HUGE_MB.join(', ')} MB) survive the round trip byte for byte`, async () => {
    const rng = seededRng(SEEDS[0]! + 1);
    await roundTrip('huge', async (s) => {
      HUGE_MB.forEach((mb, i) => {
        const input = randomExecution(rng, 'huge', i, { pNull: 0 });
        s.record({ ...input, promptText: hugeText(rng, mb * 1024 * 1024), responseText: hugeText(rng, Math.ceil(mb * 1024 * 1024 / 3)) });
      });
      await s.compact();
      s.record(randomExecution(rng, 'huge', 99)); // one small row after them, still pending
      const d = await s.getExecution((await idsOf(s))[0]!);
      assert.ok(d!.promptText.length > HUGE_MB[0]! * 1000 * 1000, `the huge text is stored whole (${d!.promptText.length} chars)`);
    });
  });

  it('empty strings, empty objects and all-null fields are kept as such (not turned into each other)', async () => {
    await roundTrip('edges', async (s) => {
      s.record({ id: 'all-null', promptId: 'p', success: false, createdAt: '2026-01-01T00:00:00Z' });
      s.record({ id: 'empty', promptId: 'p', success: true, promptText: '', responseText: '', errorMessage: '', errorType: '', variant: '', runId: '',
        modelConfig: {}, metadata: {}, quality: {}, tags: [], userId: '', createdAt: '2026-01-01T00:00:00.000+00:00' });
      const a = await s.getExecution('all-null');
      assert.equal(a!.variant, null);
      assert.equal(a!.quality, null);
      assert.equal(a!.costUsd, null);
      const e = await s.getExecution('empty');
      assert.equal(e!.variant, '');
      assert.deepEqual(e!.quality, {});
      assert.equal(e!.errorMessage, '');
    });
  });
});

describe('export round trip: what the store does with unusual characters', () => {
  const WEIRD = 'a\u0000b\u0007\u001B[0m\u007F\u0085 😀👩‍👩‍👧 e\u0301 שלום \u202Eevil\u202C \uFEFF\u2028\u2029 ';
  const LONE = 'x\uD800y\uDC00z\uD83D';

  it('keeps NUL, control characters, astral emoji, combining marks, RTL and BOM exactly, in every field', async () => {
    const s = await open(tempDir());
    s.record({ id: `id${WEIRD}`, promptId: `p${WEIRD}`, success: true, promptText: WEIRD, responseText: WEIRD.repeat(3), errorMessage: WEIRD,
      tags: [`t${WEIRD}`], metadata: { [`k${WEIRD}`]: WEIRD, nested: { list: [WEIRD, null, 1] } }, createdAt: '2026-01-01T00:00:00Z' });
    for (const phase of ['pending', 'compacted']) {
      const d = await s.getExecution(`id${WEIRD}`);
      assert.ok(d, phase);
      assert.equal(d.promptText, WEIRD, phase);
      assert.equal(d.responseText, WEIRD.repeat(3), phase);
      assert.equal(d.errorMessage, WEIRD, phase);
      assert.equal(d.promptId, `p${WEIRD}`, phase);
      assert.deepEqual(d.tags, [`t${WEIRD}`], phase);
      assert.deepEqual(d.metadata, { [`k${WEIRD}`]: WEIRD, nested: { list: [WEIRD, null, 1] } }, phase);
      assert.equal(d.promptChars, WEIRD.length, `${phase}: lengths count UTF-16 units`);
      await s.compact();
    }
    await s.close();
  });

  it('lone surrogates: each becomes one U+FFFD at the door, in every field, so journal, database and export agree', async () => {
    const s = await open(tempDir());
    const rec = s.record({ id: `lone${LONE}`, promptId: `p${LONE}`, success: true, promptText: LONE, responseText: `r${LONE}`, errorMessage: LONE,
      tags: [`t${LONE}`], metadata: { m: LONE, [LONE]: [LONE] }, modelConfig: { [LONE]: 1 }, createdAt: '2026-01-01T00:00:00Z' });
    const FIXED = 'x\uFFFDy\uFFFDz\uFFFD';
    assert.equal(rec.id, `lone${FIXED}`, 'record() returns the stored form, so its id finds the row');
    const check = async (st: LocalStore, phase: string) => {
      const d = await st.getExecution(`lone${FIXED}`);
      assert.ok(d, phase);
      assert.equal(d.promptText, FIXED, `${phase}: prompt text`);
      assert.equal(d.responseText, `r${FIXED}`, `${phase}: response text`);
      assert.equal(d.promptChars, FIXED.length, `${phase}: length of the stored text`);
      assert.equal(d.promptSnippet, FIXED, `${phase}: snippet`);
      assert.equal(d.errorMessage, FIXED, `${phase}: error message`);
      assert.equal(d.promptId, `p${FIXED}`, `${phase}: prompt id`);
      assert.deepEqual(d.tags, [`t${FIXED}`], `${phase}: tags`);
      assert.deepEqual(d.metadata, { m: FIXED, [FIXED]: [FIXED] }, `${phase}: metadata`);
      assert.deepEqual(d.modelConfig, { [FIXED]: 1 }, `${phase}: modelConfig`);
      assert.equal((await st.history({ tag: `t${FIXED}` })).rows.length, 1, `${phase}: the tag filter finds it`);
    };
    await check(s, 'pending');
    await s.compact();
    await check(s, 'compacted');
    const file = path.join(tempDir(), 'lone.jsonl');
    await s.exportJsonl(file);
    assert.ok(!/\\ud[89ab]/i.test(fs.readFileSync(file, 'utf8')), 'no escaped surrogate left in the export');
    const t = await open(tempDir());
    assert.deepEqual((await importJsonl(file, t, sanitizer)).bad, []);
    await check(t, 'imported');
    await t.close();
    await s.close();
  });

  it('a leading byte order mark: removed at the door from values in TEXT columns (sql.js would drop it on read), kept in JSON columns', async () => {
    const s = await open(tempDir());
    const rec = s.record({ id: '\uFEFFbom', promptId: '\uFEFF\uFEFFp', success: true, promptText: '\uFEFFhello \uFEFF', responseText: 'ok', tags: ['\uFEFFt', '\uFEFF'],
      metadata: { k: '\uFEFFv' }, createdAt: '2026-01-01T00:00:00Z' });
    assert.equal(rec.id, 'bom');
    for (const phase of ['pending', 'compacted']) {
      const d = await s.getExecution('bom');
      assert.ok(d, phase);
      assert.equal(d.promptId, 'p', phase);
      assert.equal(d.promptText, 'hello \uFEFF', `${phase}: only the leading one goes`);
      assert.equal(d.promptChars, d.promptText.length, phase);
      assert.deepEqual(d.tags, ['t'], `${phase}: a tag that was only a BOM is dropped`);
      assert.deepEqual(d.metadata, { k: '\uFEFFv' }, phase);
      await s.compact();
    }
    assert.throws(() => s.record({ id: '\uFEFF', promptId: 'p', success: true, createdAt: '2026-01-01T00:00:00Z' }), /id: nothing left but a byte order mark/);
    await s.close();
  });

  it('what record() accepts, import accepts: sanitized fields stay within their limits, createdAt stays a four-digit year', async () => {
    const s = await open(tempDir());
    // Redaction markers are longer than an IP or a short e-mail: the sanitized text would pass the limit.
    const tag = 'ip 10.0.0.1 '.repeat(17).slice(0, 200);
    const msg = 'mail a@b.co '.repeat(170).slice(0, 2000);
    const r = s.record({ id: 'limits', promptId: 'p', success: false, tags: [tag], errorMessage: msg, createdAt: '2026-01-01T00:00:00Z' });
    assert.ok(r.tags[0]!.length <= 200 && r.tags[0]!.startsWith('ip [IP_REDACTED]'), `tag cut back to the limit (${r.tags[0]!.length})`);
    assert.ok(r.errorMessage!.length <= 2000 && r.errorMessage!.startsWith('mail [EMAIL_REDACTED]'), `message cut back (${r.errorMessage!.length})`);
    assert.ok(!r.tags[0]!.includes('10.0.0.1') && !r.errorMessage!.includes('a@b.co'), 'nothing sensitive survives the cut');
    // Valid ISO-8601 with an offset, but past 9999 (or before 0000) once in UTC: refused with the reason.
    assert.throws(() => s.record({ id: 'y10k', promptId: 'p', success: true, createdAt: '9999-12-31T23:00:00-12:00' }), /createdAt: .* outside the years 0000–9999/);
    assert.throws(() => s.record({ id: 'y0', promptId: 'p', success: true, createdAt: '0000-01-01T00:00:00+01:00' }), /outside the years/);
    s.record({ id: 'edge', promptId: 'p', success: true, createdAt: '9999-12-31T23:59:59.999Z' });
    const file = path.join(tempDir(), 'limits.jsonl');
    await s.exportJsonl(file);
    const t = await open(tempDir());
    const rep = await importJsonl(file, t, sanitizer);
    assert.deepEqual(rep.bad, []);
    assert.equal(rep.imported, 2);
    assert.equal((await t.getExecution('edge'))!.createdAt, '9999-12-31T23:59:59.999Z');
    await t.close();
    await s.close();
  });
});
