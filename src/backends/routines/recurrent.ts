/**
 * The recurrent routines of the backend interface: their named arguments (contiguous arrays,
 * offset 0), workspace sizes, and each routine's descriptor (kernel-args.ts), which lists its
 * fields in the order of its C++ struct (native/recurrent.h) with their lengths. The js references
 * are backends/js/kernels/lstm.ts, gru.ts and rnn.ts; the native and wasm backends run the C++
 * kernels of native/recurrent.cc through the descriptors.
 */
import type { FloatArray } from '../../tensor/dtype.js';
import { describeRoutine, sizeIndex } from '../kernel-args.js';

/**
 * Geometry of one direction of one recurrent layer over a whole sequence (letters as in
 * js/kernels/lstm.ts): T steps, B batch rows (the largest batch when packed), I input size, H hidden
 * size. Without `batchSizes` the N = T*B rows of x, y and the workspace are time-major [T,B,*]; with
 * it they use PyTorch's packed layout: step t owns the first batchSizes[t] (non-increasing) batch
 * rows, stored one after the other, so N = sum(batchSizes). `reverse` runs the steps from T-1 down
 * to 0 (the `_reverse` direction of a bidirectional layer).
 */
export interface RnnGeometry {
  T: number;
  B: number;
  I: number;
  H: number;
  reverse: boolean;
  /** Packed batch sizes per step (length T, batchSizes[0] = B), or null for the padded layout. */
  batchSizes?: Int32Array | null;
}

/** Workspace length of `lstmForward` for N rows: gates 4H, c H, h_{t-1} R (= P or H), o*tanh(c) H if P > 0. */
export function lstmWorkspaceSize(N: number, H: number, P: number): number {
  return N * (5 * H + (P > 0 ? P + H : H));
}

/** Workspace length of `gruForward` for N rows: r, z, n, W_hn h + b_hn (4H) and h_{t-1} (H). */
export function gruWorkspaceSize(N: number, H: number): number {
  return N * 5 * H;
}

/** Workspace length of `rnnForward` for N rows: h_{t-1} (H) and h_t (H). */
export function rnnWorkspaceSize(N: number, H: number): number {
  return N * 2 * H;
}

/**
 * Arguments of `lstmForward` (contiguous arrays, offset 0). Gate order i|f|g|o, G = 4H. R = P when
 * projecting (P > 0), else H. y, hN, cN and ws are overwritten.
 */
export interface LstmForwardArgs extends RnnGeometry {
  /** Projection size (0: no projection). */
  P: number;
  /** [N,I] */
  x: FloatArray;
  /** [B,R] */
  h0: FloatArray;
  /** [B,H] */
  c0: FloatArray;
  /** [G,I] */
  wIh: FloatArray;
  /** [G,R] */
  wHh: FloatArray;
  /** [G] */
  bIh?: FloatArray | null;
  /** [G] */
  bHh?: FloatArray | null;
  /** [P,H], with P > 0 only. */
  wHr?: FloatArray | null;
  /** [N,R] */
  y: FloatArray;
  /** [B,R] */
  hN: FloatArray;
  /** [B,H] */
  cN: FloatArray;
  /** `lstmWorkspaceSize(N, H, P)` values saved for `lstmBackward`; null when no backward follows. */
  ws?: FloatArray | null;
}

/**
 * Arguments of `lstmBackward`: gradients of y [N,R], hN [B,R], cN [B,H] in (null = zero); the
 * non-null gradient outputs are accumulated into (+=), shapes as their forward counterparts.
 */
export interface LstmBackwardArgs extends RnnGeometry {
  P: number;
  x: FloatArray;
  c0: FloatArray;
  wIh: FloatArray;
  wHh: FloatArray;
  wHr?: FloatArray | null;
  /** The workspace written by `lstmForward`. */
  ws: FloatArray;
  dy?: FloatArray | null;
  dhN?: FloatArray | null;
  dcN?: FloatArray | null;
  dx?: FloatArray | null;
  dh0?: FloatArray | null;
  dc0?: FloatArray | null;
  dwIh?: FloatArray | null;
  dwHh?: FloatArray | null;
  dbIh?: FloatArray | null;
  dbHh?: FloatArray | null;
  dwHr?: FloatArray | null;
}

/**
 * Arguments of `gruForward` (contiguous arrays, offset 0). Gate order r|z|n, G = 3H; x [N,I],
 * h0 [B,H], wIh [G,I], wHh [G,H], bIh/bHh [G], y [N,H], hN [B,H] and ws are overwritten.
 */
export interface GruForwardArgs extends RnnGeometry {
  x: FloatArray;
  h0: FloatArray;
  wIh: FloatArray;
  wHh: FloatArray;
  bIh?: FloatArray | null;
  bHh?: FloatArray | null;
  y: FloatArray;
  hN: FloatArray;
  /** `gruWorkspaceSize(N, H)` values saved for `gruBackward`; null when no backward follows. */
  ws?: FloatArray | null;
}

/** Arguments of `gruBackward`: like `LstmBackwardArgs` without c and the projection. */
export interface GruBackwardArgs extends RnnGeometry {
  x: FloatArray;
  wIh: FloatArray;
  wHh: FloatArray;
  ws: FloatArray;
  dy?: FloatArray | null;
  dhN?: FloatArray | null;
  dx?: FloatArray | null;
  dh0?: FloatArray | null;
  dwIh?: FloatArray | null;
  dwHh?: FloatArray | null;
  dbIh?: FloatArray | null;
  dbHh?: FloatArray | null;
}

/** Arguments of `rnnForward` (Elman RNN, G = H): like `GruForwardArgs` plus the nonlinearity. */
export interface RnnForwardArgs extends GruForwardArgs {
  nonlinearity: 'tanh' | 'relu';
}

/** Arguments of `rnnBackward`. */
export interface RnnBackwardArgs extends GruBackwardArgs {
  nonlinearity: 'tanh' | 'relu';
}

/** The recurrent members of `Backend`. */
export interface RecurrentRoutines {
  /** Fused LSTM layer (one direction) forward over the whole sequence (contiguous arrays). */
  lstmForward?(args: LstmForwardArgs): void;
  /** Fused LSTM layer backward through time (contiguous arrays; gradients accumulate). */
  lstmBackward?(args: LstmBackwardArgs): void;
  /** Fused GRU layer forward. */
  gruForward?(args: GruForwardArgs): void;
  /** Fused GRU layer backward through time. */
  gruBackward?(args: GruBackwardArgs): void;
  /** Fused Elman RNN layer forward. */
  rnnForward?(args: RnnForwardArgs): void;
  /** Fused Elman RNN layer backward through time. */
  rnnBackward?(args: RnnBackwardArgs): void;
}

// ------------------------------------------------------------------------------------------------
// Descriptors (the order of each field list is that of the routine's struct in native/recurrent.h)
// ------------------------------------------------------------------------------------------------

const dim = (v: number): boolean => Number.isInteger(v) && v >= 0 && v < 2 ** 31;

/**
 * Rows N of a recurrent geometry (T*B, or the sum of the packed batch sizes), or -1 when a size
 * is not a 32-bit count or the batch sizes are not an Int32Array of T values in [0, B]. @internal
 */
export function rnnRows(g: RnnGeometry, P: number): number {
  const { T, B, I, H } = g;
  if (!dim(T) || !dim(B) || !dim(I) || !dim(H) || !dim(P)) return -1;
  let N = T * B;
  const bs = g.batchSizes;
  if (bs) {
    if (!(bs instanceof Int32Array) || bs.length < T) return -1;
    N = 0;
    for (let t = 0; t < T; t++) {
      if (bs[t]! < 0 || bs[t]! > B) return -1;
      N += bs[t]!;
    }
  }
  return N < 2 ** 31 ? N : -1;
}

/**
 * The sizes of one recurrent call, in the order `measure` writes them: RnnGeometry's T, B, I, H;
 * P (0 without projection); rows N; gate rows G (4H, 3H or H); R = P or H; workspace row width W.
 */
const SIZES = ['T', 'B', 'I', 'H', 'P', 'N', 'G', 'R', 'W'] as const;
const Z = sizeIndex(SIZES);

/**
 * The sizes of a layer with `gates` gate blocks (LSTM 4, GRU 3, RNN 1) and workspace rows of
 * `wsRow(H, P)` values; false when not 32-bit counts.
 */
function measure(gates: number, wsRow: (H: number, P: number) => number) {
  return (a: RnnGeometry & { P?: number }, s: Float64Array): boolean => {
    const P = a.P ?? 0;
    const N = rnnRows(a, P);
    if (N < 0) return false;
    s[Z.T] = a.T;
    s[Z.B] = a.B;
    s[Z.I] = a.I;
    s[Z.H] = a.H;
    s[Z.P] = P;
    s[Z.N] = N;
    s[Z.G] = gates * a.H;
    s[Z.R] = P > 0 ? P : a.H;
    s[Z.W] = wsRow(a.H, P);
    return true;
  };
}

/**
 * Elements of the largest array a kernel indexes or allocates (gates [N,4H], workspace rows,
 * weights, packed copies), a bound for the wasm module's 32-bit sizes.
 */
function scratch(s: Float64Array): number {
  const H = s[Z.H]!;
  const P = s[Z.P]!;
  const G = 4 * H + 64;
  return Math.max(s[Z.N]!, s[Z.B]! + 8, G) * Math.max(G, s[Z.I]!, P, 6 * H + P);
}

const common = { sizes: SIZES, float64: true, scratch } as const;
const lstm = { ...common, measure: measure(4, (H, P) => lstmWorkspaceSize(1, H, P)), check: (a: { P: number; wHr?: FloatArray | null }): boolean => !(a.P > 0 && !a.wHr) } as const;
const gru = { ...common, measure: measure(3, (H) => gruWorkspaceSize(1, H)) } as const;
const rnn = { ...common, measure: measure(1, (H) => rnnWorkspaceSize(1, H)) } as const;

/** `lstmForward`'s fields (native/recurrent.h LstmFwd). @internal */
export const lstmForwardRoutine = describeRoutine<LstmForwardArgs>()({
  name: 'lstmForward',
  fields: [
    ['T', 'int'], ['B', 'int'], ['I', 'int'], ['H', 'int'], ['P', 'int'], ['reverse', 'flag'], ['batchSizes', 'ints?', 'T'],
    ['x', 'in', 'N*I'], ['h0', 'in', 'B*R'], ['c0', 'in', 'B*H'], ['wIh', 'in', 'G*I'], ['wHh', 'in', 'G*R'], ['bIh', 'in?', 'G'],
    ['bHh', 'in?', 'G'], ['wHr', 'in?', 'P*H'],
    ['y', 'out', 'N*R'], ['hN', 'out', 'B*R'], ['cN', 'out', 'B*H'], ['ws', 'out?', 'N*W'],
  ],
  ...lstm,
});

/** `lstmBackward`'s fields (native/recurrent.h LstmBwd). @internal */
export const lstmBackwardRoutine = describeRoutine<LstmBackwardArgs>()({
  name: 'lstmBackward',
  fields: [
    ['T', 'int'], ['B', 'int'], ['I', 'int'], ['H', 'int'], ['P', 'int'], ['reverse', 'flag'], ['batchSizes', 'ints?', 'T'],
    ['x', 'in', 'N*I'], ['c0', 'in', 'B*H'], ['wIh', 'in', 'G*I'], ['wHh', 'in', 'G*R'], ['wHr', 'in?', 'P*H'], ['ws', 'in', 'N*W'],
    ['dy', 'in?', 'N*R'], ['dhN', 'in?', 'B*R'], ['dcN', 'in?', 'B*H'],
    ['dx', 'inout?', 'N*I'], ['dh0', 'inout?', 'B*R'], ['dc0', 'inout?', 'B*H'], ['dwIh', 'inout?', 'G*I'], ['dwHh', 'inout?', 'G*R'],
    ['dbIh', 'inout?', 'G'], ['dbHh', 'inout?', 'G'], ['dwHr', 'inout?', 'P*H'],
  ],
  ...lstm,
});

/** `gruForward`'s fields (native/recurrent.h GruFwd). @internal */
export const gruForwardRoutine = describeRoutine<GruForwardArgs>()({
  name: 'gruForward',
  fields: [
    ['T', 'int'], ['B', 'int'], ['I', 'int'], ['H', 'int'], ['reverse', 'flag'], ['batchSizes', 'ints?', 'T'],
    ['x', 'in', 'N*I'], ['h0', 'in', 'B*R'], ['wIh', 'in', 'G*I'], ['wHh', 'in', 'G*R'], ['bIh', 'in?', 'G'], ['bHh', 'in?', 'G'],
    ['y', 'out', 'N*R'], ['hN', 'out', 'B*R'], ['ws', 'out?', 'N*W'],
  ],
  ...gru,
});

/** `gruBackward`'s fields (native/recurrent.h GruBwd). @internal */
export const gruBackwardRoutine = describeRoutine<GruBackwardArgs>()({
  name: 'gruBackward',
  fields: [
    ['T', 'int'], ['B', 'int'], ['I', 'int'], ['H', 'int'], ['reverse', 'flag'], ['batchSizes', 'ints?', 'T'],
    ['x', 'in', 'N*I'], ['wIh', 'in', 'G*I'], ['wHh', 'in', 'G*R'], ['ws', 'in', 'N*W'], ['dy', 'in?', 'N*R'], ['dhN', 'in?', 'B*R'],
    ['dx', 'inout?', 'N*I'], ['dh0', 'inout?', 'B*R'], ['dwIh', 'inout?', 'G*I'], ['dwHh', 'inout?', 'G*R'], ['dbIh', 'inout?', 'G'],
    ['dbHh', 'inout?', 'G'],
  ],
  ...gru,
});

/** `rnnForward`'s fields (native/recurrent.h RnnFwd). @internal */
export const rnnForwardRoutine = describeRoutine<RnnForwardArgs>()({
  name: 'rnnForward',
  fields: [
    ['T', 'int'], ['B', 'int'], ['I', 'int'], ['H', 'int'], ['reverse', 'flag'], ['batchSizes', 'ints?', 'T'],
    ['nonlinearity', 'enum', ['tanh', 'relu']],
    ['x', 'in', 'N*I'], ['h0', 'in', 'B*R'], ['wIh', 'in', 'G*I'], ['wHh', 'in', 'G*R'], ['bIh', 'in?', 'G'], ['bHh', 'in?', 'G'],
    ['y', 'out', 'N*R'], ['hN', 'out', 'B*R'], ['ws', 'out?', 'N*W'],
  ],
  ...rnn,
});

/** `rnnBackward`'s fields (native/recurrent.h RnnBwd). @internal */
export const rnnBackwardRoutine = describeRoutine<RnnBackwardArgs>()({
  name: 'rnnBackward',
  fields: [
    ['T', 'int'], ['B', 'int'], ['I', 'int'], ['H', 'int'], ['reverse', 'flag'], ['batchSizes', 'ints?', 'T'],
    ['nonlinearity', 'enum', ['tanh', 'relu']],
    ['x', 'in', 'N*I'], ['wIh', 'in', 'G*I'], ['wHh', 'in', 'G*R'], ['ws', 'in', 'N*W'], ['dy', 'in?', 'N*R'], ['dhN', 'in?', 'B*R'],
    ['dx', 'inout?', 'N*I'], ['dh0', 'inout?', 'B*R'], ['dwIh', 'inout?', 'G*I'], ['dwHh', 'inout?', 'G*R'], ['dbIh', 'inout?', 'G'],
    ['dbHh', 'inout?', 'G'],
  ],
  ...rnn,
});

/** The recurrent routines' descriptors (the compiled backends check them against their modules). @internal */
export const recurrentRoutines = [
  lstmForwardRoutine,
  lstmBackwardRoutine,
  gruForwardRoutine,
  gruBackwardRoutine,
  rnnForwardRoutine,
  rnnBackwardRoutine,
] as const;
