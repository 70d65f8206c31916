/**
 * Fused recurrent layers: one autograd op per (layer, direction) over the whole sequence. The
 * forward runs the backend's fused kernel (js/kernels/lstm.ts, gru.ts, rnn.ts) and saves its
 * workspace; the backward runs backpropagation through time inside the kernel, not through a graph
 * of per-step ops. `rnnStack` is PyTorch's `_VF.lstm` / `_VF.gru` / `_VF.rnn_tanh|relu`: every
 * layer and direction, inter-layer dropout and the final states, in one call from nn.LSTM / nn.GRU
 * / nn.RNN. When no graph is recorded it runs the same kernels without workspaces or autograd
 * nodes, writing the final states in place.
 *
 * Double backward: when a layer op's backward runs with grad mode on (`createGraph`), it gives the
 * gradients of the same layer written as a composite of tensor ops (`layerComposite`: matmul,
 * sigmoid, tanh, chunk, PyTorch's gate orders) through `differentiableVjp`, so they can be
 * differentiated again; PyTorch switches to `_thnn_differentiable_*_backward` the same way. The
 * first-order backward (grad mode off) is the fused kernel.
 */
import { defineOp } from '../autograd/function.js';
import type { OpCtx } from '../autograd/node.js';
import { isAnomalyEnabled, isGradEnabled } from '../autograd/grad-mode.js';
import { gruWorkspaceSize, lstmWorkspaceSize, rnnWorkspaceSize } from '../backends/backend.js';
import { routine } from '../backends/routine.js';
import { RuntimeError } from '../errors.js';
import { defaultGenerator } from '../random/generator.js';
import { emptyTensor, makeView } from '../tensor/create.js';
import type { DType, FloatArray } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import { differentiableVjp } from './double-backward.js';
import { cat, stack, transpose } from './movement.js';
import { drawTensor } from './random.js';
import { castRaw, checkTensor, dense, rawContiguous } from './util.js';

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



function shapeStr(s: readonly number[]): string {
  return `[${s.join(', ')}]`;
}

/** Checks a weight has shape [d0] (d1 < 0) or [d0, d1]. */
function expectShape(fn: string, name: string, t: Tensor, d0: number, d1 = -1): void {
  const s = t.shape;
  const ok = d1 < 0 ? s.length === 1 && s[0] === d0 : s.length === 2 && s[0] === d0 && s[1] === d1;
  if (!ok) throw new RuntimeError(`${fn}: expected ${name} of shape ${shapeStr(d1 < 0 ? [d0] : [d0, d1])}, got ${shapeStr(s)}`);
}

/**
 * Checks a state: one layer's [B, F] (S = 0), or a stack's [S, B, F] whose rows the layers take in
 * turn (a wrong B or F is reported as one layer's state would be).
 */
function expectState(fn: string, name: string, t: Tensor, S: number, B: number, F: number): void {
  const s = t.shape;
  const r = S > 0 ? 1 : 0;
  if (S > 0 && (s.length !== 3 || s[0] !== S)) {
    throw new RuntimeError(`${fn}: expected ${name} of shape ${shapeStr([S, B, F])}, got ${shapeStr(s)}`);
  }
  if (s.length !== r + 2 || s[r] !== B || s[r + 1] !== F) {
    throw new RuntimeError(`${fn}: expected ${name} of shape ${shapeStr([B, F])}, got ${shapeStr(s.slice(r))}`);
  }
}

function expectDtype(fn: string, name: string, t: Tensor | null, dtype: DType): void {
  if (t && t.dtype !== dtype) throw new RuntimeError(`${fn}: expected ${name} to have dtype ${dtype} like input, got ${t.dtype}`);
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

/** Checks the options of a layer call (before its tensors' sizes, as PyTorch's argument parser). */
function layerOptions(fn: string, opts: RnnTanhReluLayerOptions): void {
  if (typeof opts !== 'object' || opts === null) throw new TypeError(`${fn}: options must be an object`);
  const reverse = opts.reverse ?? false;
  if (typeof reverse !== 'boolean') throw new TypeError(`${fn}: reverse must be a boolean, got ${typeof reverse}`);
  const nonlinearity = opts.nonlinearity ?? 'tanh';
  if (nonlinearity !== 'tanh' && nonlinearity !== 'relu') {
    throw new RuntimeError(`Unknown nonlinearity '${String(nonlinearity)}'`);
  }
}

/**
 * Checks every tensor of a layer call and derives its sizes. `gates` is the number of H-row
 * blocks in the weights (4 LSTM, 3 GRU, 1 RNN). The states are one layer's [B, R] / [B, H]
 * (S = 0) or a stack's [S, B, R] / [S, B, H]; c0 is null for GRU and RNN. `opts` was checked
 * by `layerOptions` (or built by `rnnStack`); a packed input's batch sizes are validated here.
 * With `batchFirst` an unpacked x is [B, T, I].
 */
function geometry(
  kind: Kind, fn: string, gates: number,
  x: Tensor, h0: Tensor, c0: Tensor | null, wIh: Tensor, wHh: Tensor,
  bIh: Tensor | null, bHh: Tensor | null, wHr: Tensor | null,
  opts: RnnTanhReluLayerOptions, S: number, batchFirst = false,
): Geometry {
  const dtype = x.dtype;
  if (dtype !== 'float32' && dtype !== 'float64') {
    throw new RuntimeError(`${fn}: expected a floating point input, got ${dtype}`);
  }
  expectDtype(fn, 'hx', h0, dtype);
  expectDtype(fn, 'cx', c0, dtype);
  expectDtype(fn, 'weight_ih', wIh, dtype);
  expectDtype(fn, 'weight_hh', wHh, dtype);
  expectDtype(fn, 'bias_ih', bIh, dtype);
  expectDtype(fn, 'bias_hh', bHh, dtype);
  expectDtype(fn, 'weight_hr', wHr, dtype);
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
    expectShape(fn, 'weight_hr', wHr, P, H);
  }
  const R = P > 0 ? P : H;
  expectShape(fn, 'weight_hh', wHh, gates * H, R);
  if (bIh) expectShape(fn, 'bias_ih', bIh, gates * H);
  if (bHh) expectShape(fn, 'bias_hh', bHh, gates * H);

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
    T = x.shape[batchFirst ? 1 : 0]!;
    B = x.shape[batchFirst ? 0 : 1]!;
    N = T * B;
  }
  if (x.shape[x.dim() - 1] !== I) {
    throw new RuntimeError(`input.size(-1) must be equal to input_size. Expected ${I}, got ${x.shape[x.dim() - 1]}`);
  }
  expectState(fn, 'hx', h0, S, B, R);
  if (c0) expectState(fn, 'cx', c0, S, B, H);
  return { kind, T, B, I, H, P, N, reverse: opts.reverse ?? false, batchSizes, dtype, nonlinearity: opts.nonlinearity ?? 'tanh' };
}

/** The output shape [T,B,R] (or packed [N,R]). */
function outShape(g: Geometry, R: number): number[] {
  return g.batchSizes ? [g.N, R] : [g.T, g.B, R];
}

// ---------------------------------------------------------------------------------------------
// The composite: the same layer from differentiable ops, for double backward.
// ---------------------------------------------------------------------------------------------

/** Rows `[0, n)` of a state (the live rows of a packed step), or the state itself. */
function liveRows(s: Tensor, n: number): Tensor {
  return n === s.shape[0] ? s : s.narrow(0, 0, n);
}

/** `live` over the first rows of `s`: rows past a packed step's batch keep their state. */
function withRows(live: Tensor, s: Tensor): Tensor {
  const n = live.shape[0]!;
  return n === s.shape[0] ? live : cat([live, s.narrow(0, n, s.shape[0]! - n)], 0);
}

/** `x Wᵀ (+ b)`. */
function linear(x: Tensor, w: Tensor, b: Tensor | null): Tensor {
  const y = x.matmul(w.t());
  return b ? y.add(b) : y;
}

/**
 * One direction of one layer as a composite of differentiable tensor ops, step by step: the
 * fused kernels' math (PyTorch's cells, gate orders i|f|g|o and r|z|n with
 * n = tanh(W_in x + b_in + r * (W_hn h + b_hn))) and their packed semantics (a step updates its
 * bs[t] live rows; finished sequences keep their last state, sequences not yet started keep h0).
 * `xs` are the layer op's input slots in LSTM order [x, h0, c0, wIh, wHh, bIh, bHh, wHr] (c0 and
 * wHr null for GRU and RNN). Returns [y, hN, cN] (cN null for GRU and RNN).
 */
function layerComposite(g: Geometry, xs: readonly (Tensor | null)[]): (Tensor | null)[] {
  const [x, h0, c0, wIh, wHh, bIh, bHh, wHr] = xs as [Tensor, Tensor, Tensor | null, Tensor, Tensor, Tensor | null, Tensor | null, Tensor | null];
  const { T, B, N } = g;
  const xw = linear(x.reshape([N, g.I]), wIh, bIh); // every step's input part at once, [N, gates*H]
  const outs = new Array<Tensor>(T);
  let h = h0;
  let c = c0;
  const off: number[] = [];
  for (let t = 0, o = 0; t < T; t++) {
    off.push(o);
    o += g.batchSizes ? g.batchSizes[t]! : B;
  }
  for (let s = 0; s < T; s++) {
    const t = g.reverse ? T - 1 - s : s;
    const bt = g.batchSizes ? g.batchSizes[t]! : B;
    const xt = xw.narrow(0, off[t]!, bt);
    const hp = liveRows(h, bt);
    const gh = linear(hp, wHh, bHh);
    let hn: Tensor;
    if (g.kind === 'LSTM') {
      const [i, f, gg, og] = xt.add(gh).chunk(4, 1) as [Tensor, Tensor, Tensor, Tensor];
      const cn = f.sigmoid().mul(liveRows(c!, bt)).add(i.sigmoid().mul(gg.tanh()));
      const hc = og.sigmoid().mul(cn.tanh());
      hn = wHr ? hc.matmul(wHr.t()) : hc;
      c = withRows(cn, c!);
    } else if (g.kind === 'GRU') {
      const [xr, xz, xn] = xt.chunk(3, 1) as [Tensor, Tensor, Tensor];
      const [hr, hz, hh] = gh.chunk(3, 1) as [Tensor, Tensor, Tensor];
      const r = xr.add(hr).sigmoid();
      const z = xz.add(hz).sigmoid();
      const n = xn.add(r.mul(hh)).tanh();
      hn = n.add(z.mul(hp.sub(n))); // (1 - z) * n + z * h
    } else {
      const pre = xt.add(gh);
      hn = g.nonlinearity === 'relu' ? pre.relu() : pre.tanh();
    }
    outs[t] = hn;
    h = withRows(hn, h);
  }
  const R = g.P > 0 ? g.P : g.H;
  const y = T === 0 ? emptyTensor(outShape(g, R), g.dtype) : g.batchSizes ? cat(outs, 0) : stack(outs, 0);
  return [y, h, c];
}

/**
 * A layer op's backward when grad mode is on (`createGraph`): the vector-Jacobian product of
 * `layerComposite` at the op's original inputs, recorded so that it can be differentiated again.
 */
function compositeBackward(ctx: OpCtx<LayerState>, gOuts: readonly (Tensor | null)[]): (Tensor | null)[] {
  void ctx.saved; // the freed-graph and in-place checks of the first-order path
  const g = ctx.geo;
  const lstm = g.kind === 'LSTM';
  const wrt: number[] = [];
  ctx.needsInputGrad.forEach((need, i) => need && wrt.push(i));
  // GRU and RNN slots [x, h0, wIh, wHh, bIh, bHh] in and out of LSTM order
  const toLstm = (s: readonly (Tensor | null)[]) => (lstm ? s : [s[0]!, s[1]!, null, s[2]!, s[3]!, s[4]!, s[5]!, null]);
  return differentiableVjp((xs) => layerComposite(g, toLstm(xs)), ctx.orig, gOuts, wrt);
}

/** A gradient as a contiguous typed array of the forward's dtype, or null. */
function gradArray(g: Tensor | null | undefined, dtype: DType): FloatArray | null {
  return g ? dense(g.dtype === dtype ? g : castRaw(g, dtype)) : null;
}

/** `t`'s elements as a contiguous array (see util's `dense`), or null. */
function arr(t: Tensor | null): FloatArray | null {
  return t ? dense(t) : null;
}

/** A zero tensor of `shape` for an input gradient that is needed, else null. */
function zerosIf(need: boolean | undefined, shape: readonly number[] | undefined, dtype: DType): Tensor | null {
  return need && shape ? emptyTensor(shape, dtype) : null;
}

/** What a layer op's backward needs besides its saved tensors (set only when a backward will follow). */
interface LayerState {
  geo: Geometry;
  /** The shapes of the op's input slots, undefined for an absent optional input. */
  inShapes: (readonly number[] | undefined)[];
  /** The op's inputs as given (not contiguous copies), for a differentiable backward. */
  orig: (Tensor | null)[];
}

/**
 * The gradient buffers of a layer op's input slots, in slot order: a zero tensor where the input
 * needs a gradient, null elsewhere (always null for an absent optional input).
 */
function inputGrads(ctx: OpCtx<LayerState>): (Tensor | null)[] {
  return ctx.inShapes.map((s, i) => zerosIf(ctx.needsInputGrad[i], s, ctx.geo.dtype));
}

/**
 * One direction of one LSTM layer through the backend's fused kernel, on contiguous arrays; `ws`
 * null keeps no workspace. The body of the autograd op's forward and of `rnnStack`'s no-graph path.
 */
function lstmKernel(
  g: Geometry, x: FloatArray, h0: FloatArray, c0: FloatArray, wIh: FloatArray, wHh: FloatArray,
  bIh: FloatArray | null, bHh: FloatArray | null, wHr: FloatArray | null,
  y: FloatArray, hN: FloatArray, cN: FloatArray, ws: FloatArray | null,
): void {
  routine('lstmForward')({
    T: g.T, B: g.B, I: g.I, H: g.H, P: g.P, reverse: g.reverse, batchSizes: g.batchSizes,
    x, h0, c0, wIh, wHh, bIh, bHh, wHr, y, hN, cN, ws,
  });
}

/** `lstmKernel` for GRU and Elman RNN layers (`g.kind` picks the kernel). */
function gruLikeKernel(
  g: Geometry, x: FloatArray, h0: FloatArray, wIh: FloatArray, wHh: FloatArray,
  bIh: FloatArray | null, bHh: FloatArray | null, y: FloatArray, hN: FloatArray, ws: FloatArray | null,
): void {
  routine(g.kind === 'GRU' ? 'gruForward' : 'rnnForward')({
    T: g.T, B: g.B, I: g.I, H: g.H, reverse: g.reverse, batchSizes: g.batchSizes, nonlinearity: g.nonlinearity,
    x, h0, wIh, wHh, bIh, bHh, y, hN, ws,
  });
}

// ---------------------------------------------------------------------------------------------
// LSTM
// ---------------------------------------------------------------------------------------------

const lstmOp = defineOp({
  name: 'lstm',
  forward(
    ctx: OpCtx<LayerState>, x: Tensor, h0: Tensor, c0: Tensor, wIh: Tensor, wHh: Tensor,
    bIh: Tensor | null, bHh: Tensor | null, wHr: Tensor | null, g: Geometry,
  ): Tensor[] {
    const dt = g.dtype;
    const R = g.P > 0 ? g.P : g.H;
    const [xc, h0c, c0c, wIhc, wHhc] = [x, h0, c0, wIh, wHh].map(rawContiguous) as [Tensor, Tensor, Tensor, Tensor, Tensor];
    const wHrc = wHr && rawContiguous(wHr);
    const y = emptyTensor(outShape(g, R), dt);
    const hN = emptyTensor([g.B, R], dt);
    const cN = emptyTensor([g.B, g.H], dt);
    // The workspace is only needed when a backward will follow.
    const ws = ctx.needsInputGrad.some(Boolean) ? emptyTensor([lstmWorkspaceSize(g.N, g.H, g.P)], dt) : null;
    lstmKernel(
      g, dense(xc), dense(h0c), dense(c0c), dense(wIhc), dense(wHhc), arr(bIh), arr(bHh), arr(wHrc),
      dense(y), dense(hN), dense(cN), arr(ws),
    );
    if (ws) {
      ctx.geo = g;
      ctx.save(xc, c0c, wIhc, wHhc, ws, ...(wHrc ? [wHrc] : []));
      ctx.inShapes = [x.shape, h0.shape, c0.shape, wIh.shape, wHh.shape, bIh?.shape, bHh?.shape, wHr?.shape];
      ctx.orig = [x, h0, c0, wIh, wHh, bIh, bHh, wHr];
    }
    return [y, hN, cN];
  },
  backward(ctx, [gy, ghN, gcN]) {
    if (isGradEnabled()) return compositeBackward(ctx, [gy ?? null, ghN ?? null, gcN ?? null]);
    const g = ctx.geo;
    const dt = g.dtype;
    const [xc, c0c, wIhc, wHhc, ws, wHrc] = ctx.saved as [Tensor, Tensor, Tensor, Tensor, Tensor, Tensor | undefined];
    const [dx, dh0, dc0, dwIh, dwHh, dbIh, dbHh, dwHr] = inputGrads(ctx);
    routine('lstmBackward')({
      T: g.T, B: g.B, I: g.I, H: g.H, P: g.P, reverse: g.reverse, batchSizes: g.batchSizes,
      x: dense(xc), c0: dense(c0c), wIh: dense(wIhc), wHh: dense(wHhc), wHr: arr(wHrc ?? null), ws: dense(ws),
      dy: gradArray(gy, dt), dhN: gradArray(ghN, dt), dcN: gradArray(gcN, dt),
      dx: arr(dx), dh0: arr(dh0), dc0: arr(dc0), dwIh: arr(dwIh), dwHh: arr(dwHh),
      dbIh: arr(dbIh), dbHh: arr(dbHh), dwHr: arr(dwHr),
    });
    return [dx, dh0, dc0, dwIh, dwHh, dbIh, dbHh, dwHr];
  },
  // fixed slots: an absent bias or projection keeps its place (null), so the positions never shift
  inputs: (x: Tensor, h0: Tensor, c0: Tensor, wIh: Tensor, wHh: Tensor, bIh: Tensor | null, bHh: Tensor | null, wHr: Tensor | null, _g: Geometry) =>
    [x, h0, c0, wIh, wHh, bIh, bHh, wHr],
});

/**
 * One direction of one LSTM layer over a whole sequence, as a single fused autograd op.
 * x is [T, B, I] (or packed [sum(batchSizes), I] with `batchSizes`), h0 [B, R], c0 [B, H],
 * weights in PyTorch's layout and gate order i|f|g|o (weight_ih [4H, I], weight_hh [4H, R],
 * weight_hr [P, H] when projecting; R = P or H). Returns [y [T, B, R], hN [B, R], cN [B, H]].
 * Its backward is differentiable (createGraph: a composite of tensor ops; see the file comment).
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
  const bi = optTensorArg(fn, 'bias_ih', bIh);
  const bh = optTensorArg(fn, 'bias_hh', bHh);
  const wr = optTensorArg(fn, 'weight_hr', wHr);
  layerOptions(fn, opts);
  const g = geometry('LSTM', fn, 4, x, h0, c0, wIh, wHh, bi, bh, wr, opts, 0);
  return lstmOp(x, h0, c0, wIh, wHh, bi, bh, wr, g) as [Tensor, Tensor, Tensor];
}

// ---------------------------------------------------------------------------------------------
// GRU and Elman RNN: same argument list (no cell state, no projection).
// ---------------------------------------------------------------------------------------------

function defineGruLike(kind: 'GRU' | 'RNN') {
  const bwdName = kind === 'GRU' ? 'gruBackward' : 'rnnBackward';
  return defineOp({
    name: kind === 'GRU' ? 'gru' : 'rnn',
    forward(ctx: OpCtx<LayerState>, x: Tensor, h0: Tensor, wIh: Tensor, wHh: Tensor, bIh: Tensor | null, bHh: Tensor | null, g: Geometry): Tensor[] {
      const dt = g.dtype;
      const [xc, h0c, wIhc, wHhc] = [x, h0, wIh, wHh].map(rawContiguous) as [Tensor, Tensor, Tensor, Tensor];
      const y = emptyTensor(outShape(g, g.H), dt);
      const hN = emptyTensor([g.B, g.H], dt);
      const wsLen = kind === 'GRU' ? gruWorkspaceSize(g.N, g.H) : rnnWorkspaceSize(g.N, g.H);
      const ws = ctx.needsInputGrad.some(Boolean) ? emptyTensor([wsLen], dt) : null;
      gruLikeKernel(g, dense(xc), dense(h0c), dense(wIhc), dense(wHhc), arr(bIh), arr(bHh), dense(y), dense(hN), arr(ws));
      if (ws) {
        ctx.geo = g;
        ctx.save(xc, wIhc, wHhc, ws);
        ctx.inShapes = [x.shape, h0.shape, wIh.shape, wHh.shape, bIh?.shape, bHh?.shape];
        ctx.orig = [x, h0, wIh, wHh, bIh, bHh];
      }
      return [y, hN];
    },
    backward(ctx, [gy, ghN]) {
      if (isGradEnabled()) return compositeBackward(ctx, [gy ?? null, ghN ?? null]);
      const g = ctx.geo;
      const dt = g.dtype;
      const [xc, wIhc, wHhc, ws] = ctx.saved as [Tensor, Tensor, Tensor, Tensor];
      const [dx, dh0, dwIh, dwHh, dbIh, dbHh] = inputGrads(ctx);
      routine(bwdName)({
        T: g.T, B: g.B, I: g.I, H: g.H, reverse: g.reverse, batchSizes: g.batchSizes, nonlinearity: g.nonlinearity,
        x: dense(xc), wIh: dense(wIhc), wHh: dense(wHhc), ws: dense(ws),
        dy: gradArray(gy, dt), dhN: gradArray(ghN, dt),
        dx: arr(dx), dh0: arr(dh0), dwIh: arr(dwIh), dwHh: arr(dwHh), dbIh: arr(dbIh), dbHh: arr(dbHh),
      });
      return [dx, dh0, dwIh, dwHh, dbIh, dbHh];
    },
    // fixed slots: an absent bias keeps its place (null)
    inputs: (x: Tensor, h0: Tensor, wIh: Tensor, wHh: Tensor, bIh: Tensor | null, bHh: Tensor | null, _g: Geometry) => [x, h0, wIh, wHh, bIh, bHh],
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
  const bi = optTensorArg(fn, 'bias_ih', bIh);
  const bh = optTensorArg(fn, 'bias_hh', bHh);
  layerOptions(fn, opts);
  const g = geometry(kind, fn, kind === 'GRU' ? 3 : 1, x, h0, null, wIh, wHh, bi, bh, null, opts, 0);
  return (kind === 'GRU' ? gruOp : rnnOp)(x, h0, wIh, wHh, bi, bh, g) as [Tensor, Tensor];
}

/**
 * One direction of one GRU layer over a whole sequence, as a single fused autograd op.
 * x is [T, B, I] (or packed [sum(batchSizes), I]), h0 [B, H], weight_ih [3H, I], weight_hh [3H, H]
 * in PyTorch's gate order r|z|n, with n = tanh(W_in x + b_in + r * (W_hn h + b_hn)).
 * Returns [y [T, B, H], hN [B, H]]. Its backward is differentiable (createGraph).
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
 * Returns [y [T, B, H], hN [B, H]]. Its backward is differentiable (createGraph).
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
// The stack: PyTorch's _VF.lstm, _VF.gru, _VF.rnn_tanh and _VF.rnn_relu.
// ---------------------------------------------------------------------------------------------

/** The cell of a recurrent stack, PyTorch's `RNNBase.mode`. */
export type RNNMode = 'LSTM' | 'GRU' | 'RNN_TANH' | 'RNN_RELU';

/** What `rnnStack` takes besides the input, the states and the weights, as `_VF.lstm` does. */
export interface RnnStackOptions {
  /** Every (layer, direction) has bias_ih and bias_hh among the weights. */
  hasBiases: boolean;
  /** Number of stacked layers (at least 1). */
  numLayers: number;
  /** Dropout probability on the output of every layer but the last, when `train` (validated by the caller). */
  dropout: number;
  /** Training mode: inter-layer dropout applies. */
  train: boolean;
  /** Each layer also runs the reversed sequence; the two outputs are concatenated on the features. */
  bidirectional: boolean;
  /** Input and output are [B, T, *] instead of [T, B, *] (ignored for packed input). */
  batchFirst: boolean;
  /** Packed input: the input is a PackedSequence's data [sum(batchSizes), I], and these its batch_sizes. */
  batchSizes?: readonly number[] | Int32Array | Tensor | null;
}

/** The layer function whose checks (and messages) each (layer, direction) of a stack gets. */
const LAYER_FN = { LSTM: 'lstmLayer', GRU: 'gruLayer', RNN: 'rnnLayer' } as const;
const GATES = { LSTM: 4, GRU: 3, RNN: 1 } as const;

/** `v` when it is a Tensor, else checkTensor's TypeError (its message is only built then). */
function tensorArg(fn: string, name: string, v: unknown): Tensor {
  return v instanceof Tensor ? v : checkTensor(`${fn}(): argument '${name}'`, v);
}

function optTensorArg(fn: string, name: string, v: unknown): Tensor | null {
  return v === undefined || v === null ? null : tensorArg(fn, name, v);
}

/** Whether a call would record a graph: grad mode on and a tensor requiring grad, or anomaly mode (per-op checks). */
function recordsGraph(input: Tensor, hx: readonly Tensor[], params: readonly (Tensor | null)[]): boolean {
  if (isAnomalyEnabled()) return true;
  if (!isGradEnabled()) return false;
  if (input.requiresGrad) return true;
  for (const t of hx) if (t.requiresGrad) return true;
  for (const t of params) if (t?.requiresGrad) return true;
  return false;
}

/** Dims 0 and 1 of a 3-D tensor swapped: the autograd view op when recording, else a plain view. */
function swap01(t: Tensor, record: boolean): Tensor {
  if (record) return transpose(t, 0, 1);
  const s = t.shape;
  const st = t.strides;
  return makeView(t, [s[1]!, s[0]!, s[2]!], [st[1]!, st[0]!, st[2]!], t.offset);
}

/**
 * A layer input as a contiguous time-major array: for a batch-first input [B, T, I] a time-major
 * copy, unless T or B is 1, where both orders are the same.
 */
function timeMajor(x: Tensor, g: Geometry, batchFirst: boolean): FloatArray {
  return batchFirst && g.T > 1 && g.B > 1 ? (castRaw(swap01(x, false), g.dtype).storage.data as FloatArray) : dense(x);
}

/** Elements [k*n, (k+1)*n) of `a`, without a subarray object when that is all of `a`. */
function part(a: FloatArray, k: number, n: number): FloatArray {
  return k === 0 && a.length === n ? a : a.subarray(k * n, (k + 1) * n);
}

/**
 * PyTorch parity: at::dropout on a whole layer output between layers (the CPU path of
 * `_VF.lstm`), its mask drawn from the default generator as F.dropout draws it. In place on an
 * output no graph refers to.
 */
function layerDropout(t: Tensor, p: number, inPlace: boolean): Tensor {
  if (t.numel() === 0) return t;
  const mask = drawTensor(t.shape, t.dtype, (a) => defaultGenerator.dropoutMask(a, p));
  return inPlace ? t.mul_(mask) : t.mul(mask);
}

/**
 * A whole recurrent stack in one call, like PyTorch's `_VF.lstm` / `_VF.gru` / `_VF.rnn_tanh` /
 * `_VF.rnn_relu`: `numLayers` layers of one or two directions, each direction one fused kernel
 * over the sequence, the directions' outputs concatenated on the features, dropout between layers,
 * and the final states of every (layer, direction).
 *
 * `input` is [T, B, I] ([B, T, I] with `batchFirst`, packed [sum(batchSizes), I] with
 * `batchSizes`); `hx` is [h0] or, for LSTM, [h0, c0], each [S, B, *] with S = numLayers *
 * numDirections; `params` are the weights in PyTorch's flat order: per (layer, direction)
 * weight_ih, weight_hh, then bias_ih and bias_hh (`hasBiases`; a null bias is left out), then
 * weight_hr (LSTM with projections, told by the count). Returns `[output, [hN]]` or
 * `[output, [hN, cN]]`; output is [T, B, D*R] in the input's layout (packed [N, D*R]).
 *
 * When a graph is recorded (grad mode on and a tensor requires grad, or anomaly mode), each
 * (layer, direction) is one autograd op as `lstmLayer` / `gruLayer` / `rnnLayer` record it;
 * otherwise the same kernels run on the tensors' arrays with no workspace and no autograd node,
 * and write the final states straight into [S, B, *] tensors. Each (layer, direction) is checked
 * as those functions check their arguments, with their messages.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.LSTM.html
 * @example
 * const lstm = new nn.LSTM(10, 20, 2);
 * const [y, [hN, cN]] = rnnStack('LSTM', x, [h0, c0], lstm.flatWeights, {
 *   hasBiases: true, numLayers: 2, dropout: 0, train: false, bidirectional: false, batchFirst: false,
 * });
 */
export function rnnStack(
  mode: RNNMode, input: Tensor, hx: readonly Tensor[], params: readonly (Tensor | null)[], o: RnnStackOptions,
): [Tensor, Tensor[]] {
  const kind: Kind = mode === 'LSTM' ? 'LSTM' : mode === 'GRU' ? 'GRU' : 'RNN';
  const lstm = kind === 'LSTM';
  const fn = LAYER_FN[kind];
  const L = o.numLayers;
  const D = o.bidirectional ? 2 : 1;
  const S = L * D;
  const nb = o.hasBiases ? 4 : 2;
  const per = params.length / S;
  if (!(Number.isInteger(L) && L >= 1) || (per !== nb && !(lstm && per === nb + 1))) {
    throw new RuntimeError(
      `${mode.toLowerCase()}: expected ${lstm ? `${nb} or ${nb + 1}` : nb} weights per layer and direction for ${L} layers of ${D} directions, got ${params.length} weights`,
    );
  }
  if (hx.length !== (lstm ? 2 : 1)) throw new RuntimeError(`${mode.toLowerCase()}: expected ${lstm ? 2 : 1} hidden states, got ${hx.length}`);
  tensorArg(fn, 'input', input);
  const h = tensorArg(fn, 'hx', hx[0]);
  const c = lstm ? tensorArg(fn, 'cx', hx[1]) : null;
  const record = recordsGraph(input, hx, params);
  const packed = o.batchSizes !== undefined && o.batchSizes !== null;
  const batchFirst = o.batchFirst && !packed;
  if (!packed && input.dim() !== 3) {
    throw new RuntimeError(`${fn}: expected input of shape [seq_len, batch, input_size], got ${input.dim()}-D`);
  }
  if (!packed && input.shape[batchFirst ? 1 : 0] === 0) throw new RuntimeError('Expected sequence length to be larger than 0 in RNN');
  const nonlinearity = mode === 'RNN_RELU' ? 'relu' : 'tanh';
  const dt = input.dtype;

  // Recording: the ops' outputs, stacked at the end. Not recording: the states as arrays, and the
  // final states [S, B, *] that the kernels write into.
  const hOut: Tensor[] = [];
  const cOut: Tensor[] = [];
  let h0: FloatArray | null = null;
  let c0: FloatArray | null = null;
  let hAll: Tensor | null = null;
  let cAll: Tensor | null = null;
  // Time-major, except a batch-first input when not recording: read in place when its order is
  // the same, copied time-major by `timeMajor` otherwise.
  let layerIn = batchFirst && record ? swap01(input, true) : input;
  let inBatchFirst = batchFirst && !record;
  for (let layer = 0; layer < L; layer++) {
    let x: FloatArray | null = null;
    let y: Tensor | null = null; // this direction's output
    let yFwd: Tensor | null = null; // the forward direction's, while the reverse one runs
    for (let dir = 0; dir < D; dir++) {
      yFwd = y;
      const k = layer * D + dir;
      const j = k * per;
      const wIh = tensorArg(fn, 'weight_ih', params[j]);
      const wHh = tensorArg(fn, 'weight_hh', params[j + 1]);
      const bIh = o.hasBiases ? optTensorArg(fn, 'bias_ih', params[j + 2]) : null;
      const bHh = o.hasBiases ? optTensorArg(fn, 'bias_hh', params[j + 3]) : null;
      const wHr = per > nb ? optTensorArg(fn, 'weight_hr', params[j + nb]) : null;
      const g = geometry(kind, fn, GATES[kind], layerIn, h, c, wIh, wHh, bIh, bHh, wHr, { reverse: dir === 1, nonlinearity, batchSizes: o.batchSizes }, S, inBatchFirst);
      const R = g.P > 0 ? g.P : g.H;
      if (record) {
        // One autograd op per (layer, direction), on this layer's rows of the states.
        const hk = h.select(0, k);
        const outs = c
          ? lstmOp(layerIn, hk, c.select(0, k), wIh, wHh, bIh, bHh, wHr, g)
          : (kind === 'GRU' ? gruOp : rnnOp)(layerIn, hk, wIh, wHh, bIh, bHh, g);
        y = outs[0]!;
        hOut.push(outs[1]!);
        if (c) cOut.push(outs[2]!);
        continue;
      }
      const BR = g.B * R;
      const BH = g.B * g.H;
      if (k === 0) {
        h0 = dense(h);
        hAll = emptyTensor([S, g.B, R], dt);
        if (c) {
          c0 = dense(c);
          cAll = emptyTensor([S, g.B, g.H], dt);
        }
      }
      x ??= timeMajor(layerIn, g, inBatchFirst);
      y = emptyTensor(outShape(g, R), dt);
      const wi = dense(wIh);
      const wh = dense(wHh);
      const bi = arr(bIh);
      const bh = arr(bHh);
      if (c) {
        lstmKernel(
          g, x, part(h0!, k, BR), part(c0!, k, BH), wi, wh, bi, bh, arr(wHr),
          y.storage.data as FloatArray, part(hAll!.storage.data as FloatArray, k, BR), part(cAll!.storage.data as FloatArray, k, BH), null,
        );
      } else {
        gruLikeKernel(g, x, part(h0!, k, BR), wi, wh, bi, bh, y.storage.data as FloatArray, part(hAll!.storage.data as FloatArray, k, BR), null);
      }
    }
    layerIn = yFwd ? cat([yFwd, y!], -1) : y!;
    inBatchFirst = false;
    if (o.dropout !== 0 && o.train && layer < L - 1) layerIn = layerDropout(layerIn, o.dropout, !record);
  }
  const output = batchFirst ? swap01(layerIn, record) : layerIn;
  if (record) return [output, lstm ? [stack(hOut, 0), stack(cOut, 0)] : [stack(hOut, 0)]];
  return [output, cAll ? [hAll!, cAll] : [hAll!]];
}
