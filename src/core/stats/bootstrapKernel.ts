/*
 * The bootstrap's resampling loop as a small WebAssembly function, assembled here from the
 * opcodes below (no toolchain, no binary blob in the repository). It does exactly what the
 * JavaScript kernels in bootstrap.ts do, in the same order — xoshiro128** step, index
 * ⌊u·n / 2³²⌋ (computed in 64-bit integers: exactly what the JS double arithmetic gives for
 * n < 2²¹, larger samples use the JS kernels), every column summed in case order, the sum
 * divided by n — so its results are bit-identical (IEEE-754 double arithmetic is the same in
 * both); it is faster because typed-array bounds checks and the JIT's bookkeeping are gone
 * from the inner loop (measured: bench/compareStats.ts).
 *
 * Memory layout (bytes, all 8-aligned): state (4 × i32) at 0, then per call: `blocks`
 * interleaved 4-wide column blocks (n × 4 f64 each), the extra column y (n f64, zeros when
 * there is none), the index buffer (n i32), and the output (resamples × stride f64, stride =
 * 4·blocks + 1; output column c is input column c: lanes 0–3 of block 0, then y, then the
 * lanes of the further blocks).
 *
 * Where WebAssembly is unavailable the caller keeps its JavaScript kernels.
 */

// Opcodes used (WebAssembly core spec 1.0).
const BLOCK = 0x02, LOOP = 0x03, END = 0x0b, BR = 0x0c, BR_IF = 0x0d, VOID = 0x40;
const GET = 0x20, SET = 0x21;
const I32_LOAD = 0x28, F64_LOAD = 0x2b, I32_STORE = 0x36, F64_STORE = 0x39;
const I32_CONST = 0x41, F64_CONST = 0x44;
const I32_GE_U = 0x4f, I32_ADD = 0x6a, I32_MUL = 0x6c, I32_XOR = 0x73, I32_SHL = 0x74, I32_ROTL = 0x77;
const F64_ADD = 0xa0, F64_DIV = 0xa3, F64_CONVERT_I32_U = 0xb8;
const I32_WRAP_I64 = 0xa7, I64_EXTEND_I32_U = 0xad, I64_MUL = 0x7e, I64_SHR_U = 0x88, I64_CONST = 0x42;
const T_I32 = 0x7f, T_F64 = 0x7c, T_I64 = 0x7e;

function uleb(n: number): number[] {
  const out: number[] = [];
  do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; out.push(b); } while (n);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) { out.push(b); return out; }
    out.push(b | 0x80);
  }
}

function f64(x: number): number[] { return [...new Uint8Array(new Float64Array([x]).buffer)]; }

// Parameters, then locals (indices into the function's local space).
const [N, R, BLOCKS, BASE, Y, IDX, OUT] = [0, 1, 2, 3, 4, 5, 6];
const [S0, S1, S2, S3, RI, I, B, K, M, T, P, STRIDE, OUTP, BBASE] = [7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20];
const [A, BB, C, D, E, NF] = [21, 22, 23, 24, 25, 26];
const NL = 27;
const PARAMS = 7;

const get = (l: number) => [GET, ...uleb(l)];
const set = (l: number) => [SET, ...uleb(l)];
const i32 = (v: number) => [I32_CONST, ...sleb(v)];
const memarg = (align: number, offset: number) => [...uleb(align), ...uleb(offset)];
const addF = (acc: number, offset: number) => [...get(acc), ...get(P), F64_LOAD, ...memarg(3, offset), F64_ADD, ...set(acc)];
const zero = (...ls: number[]) => ls.flatMap((l) => [F64_CONST, ...f64(0), ...set(l)]);
const storeDiv = (acc: number, offset: number) => [...get(OUTP), ...get(acc), ...get(NF), F64_DIV, F64_STORE, ...memarg(3, offset)];

/** (n, resamples, blocks, base, y, idx, out) → void; state at address 0. */
function body(): number[] {
  const code: number[] = [
    // nf = n (as the JS `sums[c] / n`); nl = n as a 64-bit integer for the index
    ...get(N), F64_CONVERT_I32_U, ...set(NF),
    ...get(N), I64_EXTEND_I32_U, ...set(NL),
    ...i32(0), I32_LOAD, ...memarg(2, 0), ...set(S0),
    ...i32(0), I32_LOAD, ...memarg(2, 4), ...set(S1),
    ...i32(0), I32_LOAD, ...memarg(2, 8), ...set(S2),
    ...i32(0), I32_LOAD, ...memarg(2, 12), ...set(S3),
    // stride (bytes per output row) = (4 · blocks + 1) · 8
    ...get(BLOCKS), ...i32(32), I32_MUL, ...i32(8), I32_ADD, ...set(STRIDE),
    ...get(OUT), ...set(OUTP),
    ...i32(0), ...set(RI),
    BLOCK, VOID, LOOP, VOID,
    ...get(RI), ...get(R), I32_GE_U, BR_IF, 1,
    ...zero(A, BB, C, D, E),
    ...i32(0), ...set(I),
    BLOCK, VOID, LOOP, VOID,
    ...get(I), ...get(N), I32_GE_U, BR_IF, 1,
    // m = s1 · 5; k = ⌊(rotl(m, 7) · 9 as unsigned) · scale⌋
    ...get(S1), ...i32(5), I32_MUL, ...set(M),
    // In integers: ⌊u·n / 2³²⌋ exactly, which is what the double arithmetic gives while u·n < 2⁵³ (n < 2²¹).
    ...get(M), ...i32(7), I32_ROTL, ...i32(9), I32_MUL, I64_EXTEND_I32_U, ...get(NL), I64_MUL, I64_CONST, 32, I64_SHR_U, I32_WRAP_I64, ...set(K),
    // t = s1 << 9; s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 11)
    ...get(S1), ...i32(9), I32_SHL, ...set(T),
    ...get(S2), ...get(S0), I32_XOR, ...set(S2),
    ...get(S3), ...get(S1), I32_XOR, ...set(S3),
    ...get(S1), ...get(S2), I32_XOR, ...set(S1),
    ...get(S0), ...get(S3), I32_XOR, ...set(S0),
    ...get(S2), ...get(T), I32_XOR, ...set(S2),
    ...get(S3), ...i32(11), I32_ROTL, ...set(S3),
    // idx[i] = k (the further blocks reuse this resample's indices)
    ...get(IDX), ...get(I), ...i32(2), I32_SHL, I32_ADD, ...get(K), I32_STORE, ...memarg(2, 0),
    // block 0, lanes 0–3, and the extra column
    ...get(BASE), ...get(K), ...i32(5), I32_SHL, I32_ADD, ...set(P),
    ...addF(A, 0), ...addF(BB, 8), ...addF(C, 16), ...addF(D, 24),
    ...get(Y), ...get(K), ...i32(3), I32_SHL, I32_ADD, ...set(P),
    ...addF(E, 0),
    ...get(I), ...i32(1), I32_ADD, ...set(I),
    BR, 0, END, END,
    ...storeDiv(A, 0), ...storeDiv(BB, 8), ...storeDiv(C, 16), ...storeDiv(D, 24), ...storeDiv(E, 32),
    // further blocks: same indices; block b's lanes go to output columns 5 + 4(b − 1) + lane
    ...i32(1), ...set(B),
    ...get(BASE), ...set(BBASE),
    BLOCK, VOID, LOOP, VOID,
    ...get(B), ...get(BLOCKS), I32_GE_U, BR_IF, 1,
    ...get(BBASE), ...get(N), ...i32(5), I32_SHL, I32_ADD, ...set(BBASE),
    ...zero(A, BB, C, D),
    ...i32(0), ...set(I),
    BLOCK, VOID, LOOP, VOID,
    ...get(I), ...get(N), I32_GE_U, BR_IF, 1,
    ...get(BBASE), ...get(IDX), ...get(I), ...i32(2), I32_SHL, I32_ADD, I32_LOAD, ...memarg(2, 0), ...i32(5), I32_SHL, I32_ADD, ...set(P),
    ...addF(A, 0), ...addF(BB, 8), ...addF(C, 16), ...addF(D, 24),
    ...get(I), ...i32(1), I32_ADD, ...set(I),
    BR, 0, END, END,
    // out row + (5 + 4(b − 1)) · 8 = out row + 32b + 8
    ...get(OUTP), ...get(B), ...i32(5), I32_SHL, I32_ADD, ...i32(8), I32_ADD, ...set(P),
    ...[A, BB, C, D].flatMap((acc, lane) => [...get(P), ...get(acc), ...get(NF), F64_DIV, F64_STORE, ...memarg(3, lane * 8)]),
    ...get(B), ...i32(1), I32_ADD, ...set(B),
    BR, 0, END, END,
    ...get(OUTP), ...get(STRIDE), I32_ADD, ...set(OUTP),
    ...get(RI), ...i32(1), I32_ADD, ...set(RI),
    BR, 0, END, END,
    ...i32(0), ...get(S0), I32_STORE, ...memarg(2, 0),
    ...i32(0), ...get(S1), I32_STORE, ...memarg(2, 4),
    ...i32(0), ...get(S2), I32_STORE, ...memarg(2, 8),
    ...i32(0), ...get(S3), I32_STORE, ...memarg(2, 12),
    END,
  ];
  // Local declarations: 14 i32 then 7 f64 (after the 7 i32 parameters).
  const locals = [3, ...uleb(BBASE - PARAMS + 1), T_I32, ...uleb(NF - A + 1), T_F64, 1, T_I64];
  const fn = [...locals, ...code];
  return [...uleb(fn.length), ...fn];
}

function section(id: number, content: number[]): number[] { return [id, ...uleb(content.length), ...content]; }
const name = (s: string) => [...uleb(s.length), ...[...s].map((c) => c.charCodeAt(0))];

function moduleBytes(): Uint8Array {
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, PARAMS, ...Array<number>(PARAMS).fill(T_I32), 0]),
    ...section(3, [1, 0]),
    ...section(5, [1, 0x00, 1]),
    ...section(7, [2, ...name('memory'), 0x02, 0, ...name('boot'), 0x00, 0]),
    ...section(10, [1, ...body()]),
  ]);
}

// The project's TypeScript libs do not declare WebAssembly (Node has it): the little used here.
interface WasmMemory { readonly buffer: ArrayBuffer; grow(pages: number): number }
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
};

export interface BootstrapKernel {
  /**
   * Resample means of `columns` (equal length n): result[c][r]; `state` (4 × i32) is advanced
   * in place. Null (nothing advanced) when n is too large for the integer index (use the JS kernels).
   */
  means(columns: ReadonlyArray<ArrayLike<number>>, resamples: number, state: Int32Array): Float64Array[] | null;
}

let kernel: BootstrapKernel | null | undefined;

/** Case visits per call of the WebAssembly function (see the chunking in `means`). */
const CHUNK_WORK = 200_000;
/** u·n must stay below 2⁵³ for the JS double index to be exact, hence equal to the integer one. */
const MAX_CASES = 2 ** 21;

/** The WebAssembly kernel, or null where WebAssembly cannot be compiled (then use the JS kernels). */
export function wasmKernel(): BootstrapKernel | null {
  if (kernel !== undefined) return kernel;
  try {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes()));
    const memory = instance.exports.memory as WasmMemory;
    const boot = instance.exports.boot as (n: number, r: number, blocks: number, base: number, y: number, idx: number, out: number) => void;
    kernel = {
      means(columns, resamples, state) {
        const n = columns[0]!.length, k = columns.length;
        if (n >= MAX_CASES) return null;
        const blocks = 1 + Math.max(0, Math.ceil((k - 5) / 4));
        const stride = 4 * blocks + 1;
        const base = 16, y = base + blocks * n * 32, idx = y + n * 8, out = idx + ((n * 4 + 7) & ~7);
        const need = out + resamples * stride * 8;
        if (need > memory.buffer.byteLength) {
          // Out of memory for WebAssembly: the caller falls back to the JavaScript kernel.
          try { memory.grow(Math.ceil((need - memory.buffer.byteLength) / 65536)); } catch { return null; }
        }
        const heap = new Float64Array(memory.buffer);
        const ints = new Int32Array(memory.buffer);
        heap.fill(0, base / 8, idx / 8); // padded lanes and a missing extra column are zeros
        // Column c's place: lanes 0–3 of block 0, then y, then 4-lane blocks.
        columns.forEach((col, c) => {
          if (c === 4) { for (let i = 0; i < n; i++) heap[y / 8 + i] = col[i]!; return; }
          const blk = c < 4 ? 0 : 1 + ((c - 5) >> 2), lane = c < 4 ? c : (c - 5) & 3;
          const at = base / 8 + blk * n * 4 + lane;
          for (let i = 0; i < n; i++) heap[at + i * 4] = col[i]!;
        });
        ints.set(state, 0);
        // In chunks: V8 first runs WebAssembly in its baseline compiler and switches to the
        // optimized code only on a later call, so one call for everything would run unoptimized.
        const chunk = Math.max(1, Math.min(resamples, Math.floor(CHUNK_WORK / Math.max(1, n * blocks))));
        for (let r = 0; r < resamples; r += chunk) boot(n, Math.min(chunk, resamples - r), blocks, base, y, idx, out + r * stride * 8);
        state.set(ints.subarray(0, 4));
        return columns.map((_, c) => {
          const m = new Float64Array(resamples);
          for (let r = 0, at = out / 8 + c; r < resamples; r++, at += stride) m[r] = heap[at]!;
          return m;
        });
      },
    };
  } catch {
    kernel = null;
  }
  return kernel;
}
