/**
 * Fused recurrent layers: one autograd op per (layer, direction) over the whole sequence. The
 * forward runs the backend's fused kernel (js/kernels/lstm.ts, gru.ts, rnn.ts) and saves its
 * workspace; the backward runs backpropagation through time inside the kernel, not through a graph
 * of per-step ops. nn.LSTM / nn.GRU / nn.RNN call these once per layer and direction.
 */
import { defineOp } from '../autograd/function.js';
import { isGradEnabled } from '../autograd/grad-mode.js';
import {
  type GruForwardArgs,
  type LstmForwardArgs,
  gruWorkspaceSize,
  lstmWorkspaceSize,
  rnnWorkspaceSize,
} from '../backends/backend.js';
import { routine } from '../backends/routine.js';
import { RuntimeError } from '../errors.js';
import { emptyTensor } from '../tensor/create.js';
import type { DType, FloatArray } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import { castRaw, checkTensor } from './util.js';

/** Options shared by the three layer functions. */
export interface RnnLayerOptions {
  /** Run the sequence from the last step to the first (the `_reverse` direction). Default false. */
  reverse?: boolean;
  /**
   * Packed input: the batch size of each step (PyTorch's `PackedSequence.batch_sizes`, positive
   * and non-increasing). x is then the packed data [sum(batchSizes), I] and y is packed too.
   */
  batchSizes?: readonly number[] | Int32Array | Tensor | null;
}

/** Options of `rnnLayer`. */
export interface RnnTanhReluLayerOptions extends RnnLayerOptions {
  /** 'tanh' (default) or 'relu', as nn.RNN's `nonlinearity`. */
  nonlinearity?: 'tanh' | 'relu';
}

type Kind = 'LSTM' | 'GRU' | 'RNN';

/** Validated sizes of one layer call. */
interface Geometry {
  kind: Kind;
  T: number;
  B: number;
  I: number;
  H: number;
  /** Projection size (LSTM only; 0 = none). */
  P: number;
  N: number;
  reverse: boolean;
  batchSizes: Int32Array | null;
  dtype: DType;
  nonlinearity: 'tanh' | 'relu';
}


/** The elements of a contiguous float tensor as an offset-0 typed array (no copy). */
function flat(t: Tensor): FloatArray {
  const d = t.data as FloatArray;
  const n = t.numel();
  // A tensor that spans its whole storage (fresh outputs, parameters) needs no subarray object.
  return t.offset === 0 && d.length === n ? d : d.subarray(t.offset, t.offset + n);
}

/** `t` itself when contiguous with `dtype`, else a contiguous converted copy (no autograd). */
function dense(t: Tensor, dtype: DType): Tensor {
  return t.isContiguous() && t.dtype === dtype ? t : castRaw(t, dtype);
}

function denseOrNull(t: Tensor | null, dtype: DType): Tensor | null {
  return t ? dense(t, dtype) : null;
}

function shapeStr(s: readonly number[]): string {
  return `[${s.join(', ')}]`;
}

function optTensor(fn: string, name: string, v: unknown): Tensor | null {
  return v === undefined || v === null ? null : checkTensor(`${fn}(): argument '${name}'`, v);
}

function expectShape(fn: string, name: string, t: Tensor, shape: readonly number[]): void {
  if (t.dim() !== shape.length || t.shape.some((s, i) => s !== shape[i])) {
    throw new RuntimeError(`${fn}: expected ${name} of shape ${shapeStr(shape)}, got ${shapeStr(t.shape)}`);
  }
}

/** Validates a packed sequence's batch sizes against N rows; returns them as Int32Array. */
function batchSizesArg(fn: string, v: RnnLayerOptions['batchSizes'], N: number): Int32Array {
  let list: ArrayLike<number>;
  if (v instanceof Tensor) {
    if (v.dim() !== 1 || (v.dtype !== 'int64' && v.dtype !== 'int32')) {
      throw new RuntimeError(`${fn}: batch_sizes must be a 1-D int64 tensor, got a ${v.dim()}-D ${v.dtype} tensor`);
    }
    list = v.dataSync();
  } else if (Array.isArray(v) || v instanceof Int32Array) {
    list = v as ArrayLike<number>;
  } else {
    throw new TypeError(`${fn}: batchSizes must be an array of integers or a Tensor, got ${typeof v}`);
  }
  if (list.length === 0) throw new RuntimeError(`${fn}: batch_sizes must not be empty`);
  const out = new Int32Array(list.length);
  let sum = 0;
  for (let t = 0; t < list.length; t++) {
    const b = list[t]!;
    if (typeof b !== 'number' || !Number.isInteger(b) || b < 1) {
      throw new RuntimeError(`${fn}: batch_sizes must be positive integers, got ${String(b)} at step ${t}`);
    }
    if (t > 0 && b > out[t - 1]!) {
      throw new RuntimeError(`${fn}: batch_sizes must be non-increasing, got ${out[t - 1]} then ${b} at step ${t}`);
    }
    out[t] = b;
    sum += b;
  }
  if (sum !== N) {
    throw new RuntimeError(`${fn}: batch_sizes sum to ${sum} but the packed input has ${N} rows`);
  }
  return out;
}

/**
 * Checks every argument of a layer call and derives its sizes. `gates` is the number of H-row
 * blocks in the weights (4 LSTM, 3 GRU, 1 RNN).
 */
function geometry(
  kind: Kind, fn: string, gates: number,
  x: Tensor, h0: Tensor, c0: Tensor | null, wIh: Tensor, wHh: Tensor,
  bIh: Tensor | null, bHh: Tensor | null, wHr: Tensor | null,
  opts: RnnTanhReluLayerOptions,
): Geometry {
  if (typeof opts !== 'object' || opts === null) throw new TypeError(`${fn}: options must be an object`);
  const reverse = opts.reverse ?? false;
  if (typeof reverse !== 'boolean') throw new TypeError(`${fn}: reverse must be a boolean, got ${typeof reverse}`);
  const nonlinearity = opts.nonlinearity ?? 'tanh';
  if (nonlinearity !== 'tanh' && nonlinearity !== 'relu') {
    throw new RuntimeError(`Unknown nonlinearity '${String(nonlinearity)}'`);
  }
  const dtype = x.dtype;
  if (dtype !== 'float32' && dtype !== 'float64') {
    throw new RuntimeError(`${fn}: expected a floating point input, got ${dtype}`);
  }
  const named: [string, Tensor | null][] = [
    ['hx', h0], ['cx', c0], ['weight_ih', wIh], ['weight_hh', wHh], ['bias_ih', bIh], ['bias_hh', bHh], ['weight_hr', wHr],
  ];
  for (const [name, t] of named) {
    if (t && t.dtype !== dtype) {
      throw new RuntimeError(`${fn}: expected ${name} to have dtype ${dtype} like input, got ${t.dtype}`);
    }
  }
  if (wIh.dim() !== 2 || wIh.shape[0]! % gates !== 0) {
    throw new RuntimeError(`${fn}: expected weight_ih of shape [${gates}*hidden_size, input_size], got ${shapeStr(wIh.shape)}`);
  }
  const H = wIh.shape[0]! / gates;
  const I = wIh.shape[1]!;
  const P = wHr ? wHr.shape[0]! : 0;
  if (wHr) {
    if (wHr.dim() !== 2 || P < 1 || P >= H) {
      throw new RuntimeError(`${fn}: expected weight_hr of shape [proj_size, ${H}] with 0 < proj_size < ${H}, got ${shapeStr(wHr.shape)}`);
    }
    expectShape(fn, 'weight_hr', wHr, [P, H]);
  }
  const R = P > 0 ? P : H;
  expectShape(fn, 'weight_hh', wHh, [gates * H, R]);
  if (bIh) expectShape(fn, 'bias_ih', bIh, [gates * H]);
  if (bHh) expectShape(fn, 'bias_hh', bHh, [gates * H]);

  let T: number;
  let B: number;
  let N: number;
  let batchSizes: Int32Array | null = null;
  if (opts.batchSizes !== undefined && opts.batchSizes !== null) {
    if (x.dim() !== 2) throw new RuntimeError(`${fn}: packed input must be 2-D [sum(batch_sizes), input_size], got ${x.dim()}-D`);
    N = x.shape[0]!;
    batchSizes = batchSizesArg(fn, opts.batchSizes, N);
    T = batchSizes.length;
    B = batchSizes[0]!;
  } else {
    if (x.dim() !== 3) throw new RuntimeError(`${fn}: expected input of shape [seq_len, batch, input_size], got ${x.dim()}-D`);
    T = x.shape[0]!;
    B = x.shape[1]!;
    N = T * B;
  }
  if (x.shape[x.dim() - 1] !== I) {
    throw new RuntimeError(`input.size(-1) must be equal to input_size. Expected ${I}, got ${x.shape[x.dim() - 1]}`);
  }
  expectShape(fn, 'hx', h0, [B, R]);
  if (c0) expectShape(fn, 'cx', c0, [B, H]);
  return { kind, T, B, I, H, P, N, reverse, batchSizes, dtype, nonlinearity };
}

/** The output shape [T,B,R] (or packed [N,R]). */
function outShape(g: Geometry, R: number): number[] {
  return g.batchSizes ? [g.N, R] : [g.T, g.B, R];
}

/** Rejects double backward, which the fused kernels do not provide. */
function noDoubleBackward(kind: Kind): void {
  // Deviation: PyTorch switches to a differentiable composite backward when grad mode is on
  // during backward (create_graph=True); we ship only the fused backward.
  if (isGradEnabled()) throw new RuntimeError(`double backward through ${kind} is not supported`);
}

/** A gradient as a contiguous typed array of the forward's dtype, or null. */
function gradArray(g: Tensor | null | undefined, dtype: DType): FloatArray | null {
  return g ? flat(dense(g, dtype)) : null;
}

function arr(t: Tensor | null): FloatArray | null {
  return t ? flat(t) : null;
}

/** A zero tensor of `shape` for an input gradient that is needed, else null. */
function zerosIf(need: boolean | undefined, shape: readonly number[] | undefined, dtype: DType): Tensor | null {
  return need && shape ? emptyTensor(shape, dtype) : null;
}

// ---------------------------------------------------------------------------------------------
// LSTM
// ---------------------------------------------------------------------------------------------

const lstmOp = defineOp({
  name: 'lstm',
  forward(
    ctx, x: Tensor, h0: Tensor, c0: Tensor, wIh: Tensor, wHh: Tensor,
    bIh: Tensor | null, bHh: Tensor | null, wHr: Tensor | null, g: Geometry,
  ): Tensor[] {
    const dt = g.dtype;
    const R = g.P > 0 ? g.P : g.H;
    const [xc, h0c, c0c, wIhc, wHhc] = [x, h0, c0, wIh, wHh].map((t) => dense(t, dt)) as [Tensor, Tensor, Tensor, Tensor, Tensor];
    const wHrc = denseOrNull(wHr, dt);
    const y = emptyTensor(outShape(g, R), dt);
    const hN = emptyTensor([g.B, R], dt);
    const cN = emptyTensor([g.B, g.H], dt);
    // The workspace is only needed when a backward will follow.
    const ws = ctx.needsInputGrad.some(Boolean) ? emptyTensor([lstmWorkspaceSize(g.N, g.H, g.P)], dt) : null;
    routine('lstmForward')({
      T: g.T, B: g.B, I: g.I, H: g.H, P: g.P, reverse: g.reverse, batchSizes: g.batchSizes,
      x: flat(xc), h0: flat(h0c), c0: flat(c0c), wIh: flat(wIhc), wHh: flat(wHhc),
      bIh: bIh ? flat(dense(bIh, dt)) : null, bHh: bHh ? flat(dense(bHh, dt)) : null, wHr: arr(wHrc),
      y: flat(y), hN: flat(hN), cN: flat(cN), ws: arr(ws),
    });
    if (ws) {
      ctx.geo = g;
      ctx.present = [bIh !== null, bHh !== null, wHr !== null];
      ctx.save(xc, c0c, wIhc, wHhc, ws, ...(wHrc ? [wHrc] : []));
      ctx.inShapes = [x.shape, h0.shape, c0.shape, wIh.shape, wHh.shape, bIh?.shape, bHh?.shape, wHr?.shape];
    }
    return [y, hN, cN];
  },
  backward(ctx, [gy, ghN, gcN]) {
    noDoubleBackward('LSTM');
    const g = ctx.geo as Geometry;
    const dt = g.dtype;
    const [xc, c0c, wIhc, wHhc, ws, wHrc] = ctx.saved as [Tensor, Tensor, Tensor, Tensor, Tensor, Tensor | undefined];
    const [hasBIh, hasBHh, hasWHr] = ctx.present as boolean[];
    const shapes = ctx.inShapes as (readonly number[] | undefined)[];
    // ctx.needsInputGrad follows the tensor inputs: x, h0, c0, wIh, wHh, then the given optionals.
    const need = ctx.needsInputGrad;
    const rest = need.slice(5);
    const [needBIh, needBHh, needWHr] = [hasBIh, hasBHh, hasWHr].map((p) => p && rest.shift());
    const z = (on: boolean | undefined, s: readonly number[] | undefined): Tensor | null => zerosIf(on, s, dt);
    const dx = z(need[0], shapes[0]);
    const dh0 = z(need[1], shapes[1]);
    const dc0 = z(need[2], shapes[2]);
    const dwIh = z(need[3], shapes[3]);
    const dwHh = z(need[4], shapes[4]);
    const dbIh = z(needBIh, shapes[5]);
    const dbHh = z(needBHh, shapes[6]);
    const dwHr = z(needWHr, shapes[7]);
    routine('lstmBackward')({
      T: g.T, B: g.B, I: g.I, H: g.H, P: g.P, reverse: g.reverse, batchSizes: g.batchSizes,
      x: flat(xc), c0: flat(c0c), wIh: flat(wIhc), wHh: flat(wHhc), wHr: wHrc ? flat(wHrc) : null, ws: flat(ws),
      dy: gradArray(gy, dt), dhN: gradArray(ghN, dt), dcN: gradArray(gcN, dt),
      dx: arr(dx), dh0: arr(dh0), dc0: arr(dc0), dwIh: arr(dwIh), dwHh: arr(dwHh),
      dbIh: arr(dbIh), dbHh: arr(dbHh), dwHr: arr(dwHr),
    });
    const out: (Tensor | null)[] = [dx, dh0, dc0, dwIh, dwHh];
    if (hasBIh) out.push(dbIh);
    if (hasBHh) out.push(dbHh);
    if (hasWHr) out.push(dwHr);
    return out;
  },
});

/**
 * One direction of one LSTM layer over a whole sequence, as a single fused autograd op.
 * x is [T, B, I] (or packed [sum(batchSizes), I] with `batchSizes`), h0 [B, R], c0 [B, H],
 * weights in PyTorch's layout and gate order i|f|g|o (weight_ih [4H, I], weight_hh [4H, R],
 * weight_hr [P, H] when projecting; R = P or H). Returns [y [T, B, R], hN [B, R], cN [B, H]].
 * Double backward (createGraph through this op) is not supported.
 * See https://pytorch.org/docs/stable/generated/torch.nn.LSTM.html
 * @example
 * const [y, hN, cN] = lstmLayer(x, h0, c0, lstm.weight_ih_l0, lstm.weight_hh_l0, lstm.bias_ih_l0, lstm.bias_hh_l0);
 */
export function lstmLayer(
  x: Tensor, h0: Tensor, c0: Tensor, wIh: Tensor, wHh: Tensor,
  bIh?: Tensor | null, bHh?: Tensor | null, wHr?: Tensor | null, opts: RnnLayerOptions = {},
): [Tensor, Tensor, Tensor] {
  const fn = 'lstmLayer';
  checkTensor(`${fn}(): argument 'input'`, x);
  checkTensor(`${fn}(): argument 'hx'`, h0);
  checkTensor(`${fn}(): argument 'cx'`, c0);
  checkTensor(`${fn}(): argument 'weight_ih'`, wIh);
  checkTensor(`${fn}(): argument 'weight_hh'`, wHh);
  const bi = optTensor(fn, 'bias_ih', bIh);
  const bh = optTensor(fn, 'bias_hh', bHh);
  const wr = optTensor(fn, 'weight_hr', wHr);
  const g = geometry('LSTM', fn, 4, x, h0, c0, wIh, wHh, bi, bh, wr, opts);
  return lstmOp(x, h0, c0, wIh, wHh, bi, bh, wr, g) as [Tensor, Tensor, Tensor];
}

// ---------------------------------------------------------------------------------------------
// GRU and Elman RNN: same argument list (no cell state, no projection).
// ---------------------------------------------------------------------------------------------

function defineGruLike(kind: 'GRU' | 'RNN') {
  const fwdName = kind === 'GRU' ? 'gruForward' : 'rnnForward';
  const bwdName = kind === 'GRU' ? 'gruBackward' : 'rnnBackward';
  return defineOp({
    name: kind === 'GRU' ? 'gru' : 'rnn',
    forward(ctx, x: Tensor, h0: Tensor, wIh: Tensor, wHh: Tensor, bIh: Tensor | null, bHh: Tensor | null, g: Geometry): Tensor[] {
      const dt = g.dtype;
      const [xc, h0c, wIhc, wHhc] = [x, h0, wIh, wHh].map((t) => dense(t, dt)) as [Tensor, Tensor, Tensor, Tensor];
      const y = emptyTensor(outShape(g, g.H), dt);
      const hN = emptyTensor([g.B, g.H], dt);
      const wsLen = kind === 'GRU' ? gruWorkspaceSize(g.N, g.H) : rnnWorkspaceSize(g.N, g.H);
      const ws = ctx.needsInputGrad.some(Boolean) ? emptyTensor([wsLen], dt) : null;
      routine(fwdName)({
        T: g.T, B: g.B, I: g.I, H: g.H, reverse: g.reverse, batchSizes: g.batchSizes, nonlinearity: g.nonlinearity,
        x: flat(xc), h0: flat(h0c), wIh: flat(wIhc), wHh: flat(wHhc),
        bIh: bIh ? flat(dense(bIh, dt)) : null, bHh: bHh ? flat(dense(bHh, dt)) : null,
        y: flat(y), hN: flat(hN), ws: arr(ws),
      });
      if (ws) {
        ctx.geo = g;
        ctx.present = [bIh !== null, bHh !== null];
        ctx.save(xc, wIhc, wHhc, ws);
        ctx.inShapes = [x.shape, h0.shape, wIh.shape, wHh.shape, bIh?.shape, bHh?.shape];
      }
      return [y, hN];
    },
    backward(ctx, [gy, ghN]) {
      noDoubleBackward(kind);
      const g = ctx.geo as Geometry;
      const dt = g.dtype;
      const [xc, wIhc, wHhc, ws] = ctx.saved as [Tensor, Tensor, Tensor, Tensor];
      const [hasBIh, hasBHh] = ctx.present as boolean[];
      const shapes = ctx.inShapes as (readonly number[] | undefined)[];
      const need = ctx.needsInputGrad;
      const rest = need.slice(4);
      const [needBIh, needBHh] = [hasBIh, hasBHh].map((p) => p && rest.shift());
      const z = (on: boolean | undefined, s: readonly number[] | undefined): Tensor | null => zerosIf(on, s, dt);
      const dx = z(need[0], shapes[0]);
      const dh0 = z(need[1], shapes[1]);
      const dwIh = z(need[2], shapes[2]);
      const dwHh = z(need[3], shapes[3]);
      const dbIh = z(needBIh, shapes[4]);
      const dbHh = z(needBHh, shapes[5]);
      routine(bwdName)({
        T: g.T, B: g.B, I: g.I, H: g.H, reverse: g.reverse, batchSizes: g.batchSizes, nonlinearity: g.nonlinearity,
        x: flat(xc), wIh: flat(wIhc), wHh: flat(wHhc), ws: flat(ws),
        dy: gradArray(gy, dt), dhN: gradArray(ghN, dt),
        dx: arr(dx), dh0: arr(dh0), dwIh: arr(dwIh), dwHh: arr(dwHh), dbIh: arr(dbIh), dbHh: arr(dbHh),
      });
      const out: (Tensor | null)[] = [dx, dh0, dwIh, dwHh];
      if (hasBIh) out.push(dbIh);
      if (hasBHh) out.push(dbHh);
      return out;
    },
  });
}

const gruOp = defineGruLike('GRU');
const rnnOp = defineGruLike('RNN');

function gruLikeLayer(
  kind: 'GRU' | 'RNN', fn: string, x: Tensor, h0: Tensor, wIh: Tensor, wHh: Tensor,
  bIh: Tensor | null | undefined, bHh: Tensor | null | undefined, opts: RnnTanhReluLayerOptions,
): [Tensor, Tensor] {
  checkTensor(`${fn}(): argument 'input'`, x);
  checkTensor(`${fn}(): argument 'hx'`, h0);
  checkTensor(`${fn}(): argument 'weight_ih'`, wIh);
  checkTensor(`${fn}(): argument 'weight_hh'`, wHh);
  const bi = optTensor(fn, 'bias_ih', bIh);
  const bh = optTensor(fn, 'bias_hh', bHh);
  const g = geometry(kind, fn, kind === 'GRU' ? 3 : 1, x, h0, null, wIh, wHh, bi, bh, null, opts);
  return (kind === 'GRU' ? gruOp : rnnOp)(x, h0, wIh, wHh, bi, bh, g) as [Tensor, Tensor];
}

/**
 * One direction of one GRU layer over a whole sequence, as a single fused autograd op.
 * x is [T, B, I] (or packed [sum(batchSizes), I]), h0 [B, H], weight_ih [3H, I], weight_hh [3H, H]
 * in PyTorch's gate order r|z|n, with n = tanh(W_in x + b_in + r * (W_hn h + b_hn)).
 * Returns [y [T, B, H], hN [B, H]]. Double backward is not supported.
 * See https://pytorch.org/docs/stable/generated/torch.nn.GRU.html
 * @example
 * const [y, hN] = gruLayer(x, h0, gru.weight_ih_l0, gru.weight_hh_l0, gru.bias_ih_l0, gru.bias_hh_l0);
 */
export function gruLayer(
  x: Tensor, h0: Tensor, wIh: Tensor, wHh: Tensor,
  bIh?: Tensor | null, bHh?: Tensor | null, opts: RnnLayerOptions = {},
): [Tensor, Tensor] {
  return gruLikeLayer('GRU', 'gruLayer', x, h0, wIh, wHh, bIh, bHh, { ...opts, nonlinearity: 'tanh' });
}

/**
 * One direction of one Elman RNN layer over a whole sequence, as a single fused autograd op:
 * h_t = act(x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh) with act = tanh (default) or relu.
 * x is [T, B, I] (or packed [sum(batchSizes), I]), h0 [B, H], weight_ih [H, I], weight_hh [H, H].
 * Returns [y [T, B, H], hN [B, H]]. Double backward is not supported.
 * See https://pytorch.org/docs/stable/generated/torch.nn.RNN.html
 * @example
 * const [y, hN] = rnnLayer(x, h0, rnn.weight_ih_l0, rnn.weight_hh_l0, null, null, { nonlinearity: 'relu' });
 */
export function rnnLayer(
  x: Tensor, h0: Tensor, wIh: Tensor, wHh: Tensor,
  bIh?: Tensor | null, bHh?: Tensor | null, opts: RnnTanhReluLayerOptions = {},
): [Tensor, Tensor] {
  return gruLikeLayer('RNN', 'rnnLayer', x, h0, wIh, wHh, bIh, bHh, opts);
}

// ---------------------------------------------------------------------------------------------
// Raw forward kernels, for nn's no-grad fast path (nn/modules/rnn.ts).
// ---------------------------------------------------------------------------------------------

/**
 * @internal The elements of a float tensor in row-major order as an offset-0 typed array: its own
 * storage (no copy) when contiguous, else a contiguous copy. No autograd.
 */
export function denseArray(t: Tensor): FloatArray {
  return flat(t.isContiguous() ? t : castRaw(t, t.dtype));
}

/**
 * @internal The active backend's LSTM forward kernel (as `lstmLayer` uses it; raises the same
 * BackendCapabilityError when there is none): no checks, no autograd. The caller validates every
 * size and dtype as `lstmLayer` does and passes contiguous arrays.
 */
export function lstmForwardRoutine(): (a: LstmForwardArgs) => void {
  return routine('lstmForward');
}

/**
 * @internal The active backend's GRU ('GRU') or Elman RNN ('RNN') forward kernel, as
 * `lstmForwardRoutine`; pass `nonlinearity` as `gruLayer` ('tanh') and `rnnLayer` do.
 */
export function gruLikeForwardRoutine(kind: 'GRU' | 'RNN'): (a: GruForwardArgs & { nonlinearity: 'tanh' | 'relu' }) => void {
  return routine(kind === 'GRU' ? 'gruForward' : 'rnnForward');
}
