/**
 * Recurrent modules, as in PyTorch 1.13's torch/nn/modules/rnn.py: `RNNBase` with `LSTM`, `GRU`
 * and `RNN`, and the cells `LSTMCell`, `GRUCell`, `RNNCell`.
 *
 * Each (layer, direction) is one fused autograd op from ops/rnn.ts over the whole sequence; this
 * file holds what PyTorch's Python layer and `_VF.lstm` glue do: validation, the order of the flat
 * weights, layers and directions, inter-layer dropout, `batchFirst`, unbatched input,
 * `PackedSequence` (hx permuted into sorted order and the states back), and zero `hx` by default.
 * When no graph is recorded (inference), unpacked input takes a fast path that runs the same
 * kernels straight on typed arrays (`_forwardNoGrad`). Double backward through the fused ops is
 * not supported.
 */
import { checkOptions, describeValue } from '../../validate.js';
import '../../ops/indexing.js';
import '../../ops/movement.js';
import { isAnomalyEnabled, isGradEnabled } from '../../autograd/grad-mode.js';
import { RuntimeError, ValueError } from '../../errors.js';
import { denseArray, gruLayer, gruLikeForwardRoutine, lstmForwardRoutine, lstmLayer, rnnLayer } from '../../ops/rnn.js';
import { cat, stack } from '../../ops/movement.js';
import { checkTensor } from '../../ops/util.js';
import { emptyTensor, makeView } from '../../tensor/create.js';
import type { DType, FloatArray } from '../../tensor/dtype.js';
import { zeros } from '../../tensor/factories.js';
import { Tensor } from '../../tensor/tensor.js';
import { AssertionError, dropout as dropoutFn } from '../functional.js';
import * as init from '../init.js';
import { Module, pyBool, pyFloat, pyNum, typeName } from '../module.js';
import { Parameter } from '../parameter.js';
import { PackedSequence } from '../utils/rnn.js';
import { sameShape } from '../../tensor/tensor.js';
import { warnOnce } from '../../warnings.js';

/** PyTorch's `mode` of an `RNNBase`. */
export type RNNMode = 'LSTM' | 'GRU' | 'RNN_TANH' | 'RNN_RELU';

/** Options shared by `LSTM`, `GRU` and `RNN` (PyTorch's keyword arguments, camelCase). */
export interface RNNBaseOptions {
  /** Number of stacked layers (default 1). */
  numLayers?: number;
  /** Use `bias_ih` and `bias_hh` (default true). */
  bias?: boolean;
  /** Input and output are [batch, seq, feature] instead of [seq, batch, feature] (default false; states are never batch-first). */
  batchFirst?: boolean;
  /** Dropout probability on the outputs of every layer but the last, in training mode (default 0). */
  dropout?: number;
  /** Run a second, reversed direction and concatenate (default false). */
  bidirectional?: boolean;
  /** Parameter dtype: 'float32' (default) or 'float64'. */
  dtype?: DType;
}

/** Options of `LSTM`. */
export interface LSTMOptions extends RNNBaseOptions {
  /** Project h to this many features with `weight_hr` (0, the default, disables projections). */
  projSize?: number;
}

/** Options of `GRU`. */
export type GRUOptions = RNNBaseOptions;

/** Options of `RNN`. */
export interface RNNOptions extends RNNBaseOptions {
  /** 'tanh' (default) or 'relu'. */
  nonlinearity?: 'tanh' | 'relu';
}

/** Options of the cells. */
export interface RNNCellOptions {
  /** Use `bias_ih` and `bias_hh` (default true). */
  bias?: boolean;
  /** Parameter dtype: 'float32' (default) or 'float64'. */
  dtype?: DType;
}

/** Options of `RNNCell`. */
export interface RNNCellModuleOptions extends RNNCellOptions {
  /** 'tanh' (default) or 'relu' (checked at forward, as in PyTorch). */
  nonlinearity?: 'tanh' | 'relu';
}

/** An LSTM state pair `[h, c]` (PyTorch's `(h, c)` tuple). */
export type LSTMState = [Tensor, Tensor];

// ---------------------------------------------------------------------------------- validation

const OPTION_KEYS = ['numLayers', 'bias', 'batchFirst', 'dropout', 'bidirectional', 'projSize', 'nonlinearity', 'dtype'];

/** Python's `'{}, {}'.format(tuple)` of an expected hidden size: `(1, 3, 20)`. */
function pyTupleStr(s: readonly number[]): string {
  return `(${s.join(', ')})`;
}

function checkBoolOpt(name: string, v: unknown): boolean {
  // Newer PyTorch (2.x) checks bias and batch_first; 1.13 accepts any truthy value.
  if (typeof v !== 'boolean') throw new TypeError(`${name} should be of type bool, got: ${typeName(v)}`);
  return v;
}

function checkSizeOpt(name: string, v: unknown): number {
  // Newer PyTorch's checks (1.13 has none for input_size and hidden_size = 0).
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`${name} should be of type int, got: ${typeName(v)}`);
  if (v <= 0) throw new ValueError(`${name} must be greater than zero`);
  return v;
}

function checkDType(v: unknown): DType {
  if (v !== 'float32' && v !== 'float64') {
    throw new TypeError(`dtype must be 'float32' or 'float64' for recurrent modules, got ${describeValue(v)}`);
  }
  return v;
}


/** Merges the two constructor forms `(I, H, numLayers?, opts?)` and `(I, H, opts?)`. */
function mergeArgs<O extends RNNBaseOptions>(name: string, numLayersOrOpts: number | O | undefined | null, opts: O | undefined | null): O {
  if (numLayersOrOpts !== null && typeof numLayersOrOpts === 'object') {
    if (opts !== undefined && opts !== null) throw new TypeError(`${name}(): options given twice`);
    return checkOptions<O>(`${name}()`, numLayersOrOpts, optionKeys(name));
  }
  if (numLayersOrOpts !== undefined && numLayersOrOpts !== null && typeof numLayersOrOpts !== 'number') {
    throw new TypeError(`${name}(): argument 'num_layers' must be an integer or an options object, got ${describeValue(numLayersOrOpts)}`);
  }
  const o = checkOptions<O>(`${name}()`, opts, optionKeys(name));
  if (numLayersOrOpts === undefined || numLayersOrOpts === null) return o;
  if ((o as RNNBaseOptions).numLayers !== undefined) {
    throw new TypeError(`__init__() got multiple values for argument 'num_layers'`);
  }
  return { ...o, numLayers: numLayersOrOpts };
}

/** The option names a constructor accepts (GRU keeps projSize for PyTorch's own ValueError). */
function optionKeys(name: string): string[] {
  return name === 'RNN' ? OPTION_KEYS : OPTION_KEYS.filter((k) => k !== 'nonlinearity');
}

function checkOptionKeys(name: string, opts: object): void {
  checkOptions(`${name}()`, opts, optionKeys(name));
}

/** The dtype check PyTorch's matmul makes when input, states and weights disagree. */
function checkSameDType(weight: Tensor, ...ts: (Tensor | null)[]): void {
  for (const t of ts) {
    if (t !== null && t.dtype !== weight.dtype) throw new RuntimeError('mat1 and mat2 must have the same dtype');
  }
}

/**
 * Checks the parts of a PackedSequence fit together (Deviation: PyTorch does not, and runs out of
 * bounds or silently uses a wrong order); returns the batch sizes as numbers.
 */
function checkPacked(name: string, ps: PackedSequence): readonly number[] {
  const sizes = ps.batchSizesArray;
  const bad = (what: string): never => {
    throw new RuntimeError(`${name}: invalid PackedSequence: ${what}`);
  };
  if (sizes.length === 0) bad('batch_sizes is empty');
  let total = 0;
  for (let t = 0; t < sizes.length; t++) {
    const b = sizes[t]!;
    if (!Number.isInteger(b) || b < 1) bad(`batch_sizes must be positive integers, got ${b} at step ${t}`);
    if (t > 0 && b > sizes[t - 1]!) bad(`batch_sizes must be non-increasing, got ${sizes[t - 1]} then ${b} at step ${t}`);
    total += b;
  }
  if (!(ps.data instanceof Tensor)) bad('data is not a Tensor');
  if (ps.data.dim() >= 1 && ps.data.shape[0] !== total) {
    bad(`data has ${ps.data.shape[0]} rows but batch_sizes sum to ${total}`);
  }
  const B = sizes[0]!;
  const perm = (t: Tensor | null, what: string): number[] | null => {
    if (t === null || t === undefined) return null;
    if (!(t instanceof Tensor) || t.dim() !== 1 || t.shape[0] !== B) bad(`${what} must be a 1-D tensor of batch_sizes[0] = ${B} indices`);
    const v = Array.from(t.dataSync(), Number);
    const seen = new Uint8Array(B);
    for (const i of v) {
      if (!Number.isInteger(i) || i < 0 || i >= B || seen[i]) bad(`${what} is not a permutation of 0..${B - 1}`);
      seen[i] = 1;
    }
    return v;
  };
  const sorted = perm(ps.sortedIndices, 'sorted_indices');
  const unsorted = perm(ps.unsortedIndices, 'unsorted_indices');
  if ((sorted === null) !== (unsorted === null)) bad('sorted_indices and unsorted_indices must both be given or both be null');
  if (sorted && unsorted && sorted.some((s, i) => unsorted[s] !== i)) bad('unsorted_indices is not the inverse of sorted_indices');
  return sizes;
}

// ------------------------------------------------------------------------ the no-grad fast path

/** Members of RNNBase the general forward path calls that a subclass may override. */
const FORWARD_MEMBERS = ['flatWeights', 'allWeights', 'expectedHiddenSize', 'expectedCellSize', 'checkInput', 'checkHiddenSize'];
const plainForward = new WeakMap<object, boolean>();

/** Whether instances of `ctor` run RNNBase's own forward helpers (no subclass overrides them). */
function runsBaseForward(ctor: { prototype: object }): boolean {
  let ok = plainForward.get(ctor);
  if (ok === undefined) {
    ok = true;
    for (let p: object | null = ctor.prototype; p !== null && p !== RNNBase.prototype; p = Object.getPrototypeOf(p) as object | null) {
      if (FORWARD_MEMBERS.some((k) => Object.hasOwn(p!, k))) ok = false;
    }
    plainForward.set(ctor, ok);
  }
  return ok;
}

/** A state `[S, B, F]` (batched) or `[S, F]` (unbatched, B = 1) of dtype `dt`. */
function stateFits(t: Tensor, batched: boolean, S: number, B: number, F: number, dt: DType): boolean {
  const s = t.shape;
  return t.dtype === dt && (batched ? s.length === 3 && s[0] === S && s[1] === B && s[2] === F : s.length === 2 && s[0] === S && s[1] === F);
}

/** A parameter of shape `[rows]` (cols < 0) or `[rows, cols]` and dtype `dt`. */
function weightFits(w: unknown, dt: DType, rows: number, cols: number): w is Tensor {
  if (!(w instanceof Tensor) || w.dtype !== dt) return false;
  const s = w.shape;
  return cols < 0 ? s.length === 1 && s[0] === rows : s.length === 2 && s[0] === rows && s[1] === cols;
}

/** Elements [i*n, (i+1)*n) of `a`, without a subarray object when that is all of `a`. */
function part(a: FloatArray, i: number, n: number): FloatArray {
  return i === 0 && a.length === n ? a : a.subarray(i * n, (i + 1) * n);
}

// ------------------------------------------------------------------------------------- RNNBase

/**
 * The base of `LSTM`, `GRU` and `RNN`, like `torch.nn.RNNBase`: builds the per-(layer, direction)
 * parameters with PyTorch's names, shapes and order (`weight_ih_l{k}`, `weight_hh_l{k}`,
 * `bias_ih_l{k}`, `bias_hh_l{k}`, `weight_hr_l{k}`, then `..._reverse`), initialises them from
 * U(-1/sqrt(hiddenSize), 1/sqrt(hiddenSize)) in that order with PyTorch's draws, and runs the
 * stack of fused layer ops. Use the subclasses.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.LSTM.html
 * @example const lstm = new nn.LSTM(10, 20, 2); lstm.flatWeightsNames[0] // 'weight_ih_l0'
 */
export class RNNBase extends Module {
  /** 'LSTM', 'GRU', 'RNN_TANH' or 'RNN_RELU'. */
  readonly mode: RNNMode;
  /** Features of the input. */
  readonly inputSize: number;
  /** Features of the hidden state h (and cell state c). */
  readonly hiddenSize: number;
  /** Number of stacked layers. */
  readonly numLayers: number;
  /** Whether the layers have biases. */
  readonly bias: boolean;
  /** Whether input and output are [batch, seq, feature]. */
  readonly batchFirst: boolean;
  /** Inter-layer dropout probability (training mode only); may be changed after construction. */
  dropout: number;
  /** Whether there is a reversed direction. */
  readonly bidirectional: boolean;
  /** LSTM projection size (0 = none; always 0 for GRU and RNN). */
  readonly projSize: number;
  /** Parameter names in PyTorch's flat order (`_flat_weights_names`). */
  readonly flatWeightsNames: readonly string[];
  /** Parameter names per (layer, direction) (`_all_weights`). */
  private readonly _allWeightNames: readonly (readonly string[])[];

  /** Parameters by name; the names present depend on the options (`weight_ih_l0`, `bias_hh_l1_reverse`, ...). */
  [name: `weight_${string}` | `bias_${string}`]: Parameter;

  constructor(mode: RNNMode, inputSize: number, hiddenSize: number, numLayersOrOpts?: number | LSTMOptions | null, options?: LSTMOptions | null) {
    super();
    const name = mode.startsWith('RNN') ? 'RNN' : mode;
    const opts = mergeArgs(name, numLayersOrOpts, options);
    checkOptionKeys(name, opts);
    if (mode !== 'LSTM' && opts.projSize !== undefined) {
      throw new ValueError('proj_size argument is only supported for LSTM, not RNN or GRU');
    }
    const numLayers = opts.numLayers === undefined ? 1 : opts.numLayers;
    const dropout = opts.dropout === undefined ? 0 : opts.dropout;
    if (typeof dropout !== 'number' || Number.isNaN(dropout) || !(dropout >= 0 && dropout <= 1)) {
      throw new ValueError('dropout should be a number in range [0, 1] representing the probability of an element being zeroed');
    }
    if (dropout > 0 && numLayers === 1) {
      warnOnce(
        `dropout option adds dropout after all but last recurrent layer, so non-zero dropout expects num_layers greater than 1, but got dropout=${pyNum(dropout)} and num_layers=${pyNum(numLayers)}`,
      );
    }
    this.bias = checkBoolOpt('bias', opts.bias === undefined ? true : opts.bias);
    this.batchFirst = checkBoolOpt('batch_first', opts.batchFirst === undefined ? false : opts.batchFirst);
    this.inputSize = checkSizeOpt('input_size', inputSize);
    this.hiddenSize = checkSizeOpt('hidden_size', hiddenSize);
    if (typeof numLayers !== 'number' || !Number.isInteger(numLayers)) {
      throw new TypeError(`'${typeName(numLayers)}' object cannot be interpreted as an integer`);
    }
    if (numLayers <= 0) throw new ValueError('num_layers must be greater than zero');
    this.numLayers = numLayers;
    const projSize = opts.projSize === undefined ? 0 : opts.projSize;
    if (typeof projSize !== 'number' || !Number.isInteger(projSize)) {
      throw new TypeError(`proj_size should be of type int, got: ${typeName(projSize)}`);
    }
    if (projSize < 0) throw new ValueError('proj_size should be a positive integer or zero to disable projections');
    if (projSize >= hiddenSize) throw new ValueError('proj_size has to be smaller than hidden_size');
    this.projSize = projSize;
    this.bidirectional = checkBoolOpt('bidirectional', opts.bidirectional === undefined ? false : opts.bidirectional);
    const dtype = checkDType(opts.dtype ?? 'float32');
    this.mode = mode;
    this.dropout = dropout;

    const gateSize = { LSTM: 4, GRU: 3, RNN_TANH: 1, RNN_RELU: 1 }[mode] * hiddenSize;
    const D = this.bidirectional ? 2 : 1;
    const realHidden = projSize > 0 ? projSize : hiddenSize;
    const flat: string[] = [];
    const all: string[][] = [];
    for (let layer = 0; layer < numLayers; layer++) {
      for (let dir = 0; dir < D; dir++) {
        const layerInput = layer === 0 ? inputSize : realHidden * D;
        const suffix = dir === 1 ? '_reverse' : '';
        const params: [string, number[]][] = [
          [`weight_ih_l${layer}${suffix}`, [gateSize, layerInput]],
          [`weight_hh_l${layer}${suffix}`, [gateSize, realHidden]],
        ];
        if (this.bias) {
          // Second bias vector included for CuDNN compatibility (PyTorch); only one is needed.
          params.push([`bias_ih_l${layer}${suffix}`, [gateSize]], [`bias_hh_l${layer}${suffix}`, [gateSize]]);
        }
        if (projSize > 0) params.push([`weight_hr_l${layer}${suffix}`, [projSize, hiddenSize]]);
        for (const [pname, shape] of params) this.registerParameter(pname, new Parameter(emptyTensor(shape, dtype)));
        const names = params.map(([n]) => n);
        flat.push(...names);
        all.push(names);
      }
    }
    this.flatWeightsNames = flat;
    this._allWeightNames = all;
    this.resetParameters();
  }

  /** The parameters in PyTorch's flat order (read live, so reassigned parameters are seen). */
  get flatWeights(): Parameter[] {
    return this.flatWeightsNames.map((n) => this[n as `weight_${string}`]);
  }

  /** The parameters per (layer, direction), like PyTorch's `all_weights`. */
  get allWeights(): Parameter[][] {
    return this._allWeightNames.map((names) => names.map((n) => this[n as `weight_${string}`]));
  }

  /**
   * A no-op kept for API compatibility: PyTorch's `flatten_parameters` compacts weights for cuDNN
   * and does nothing on the CPU either.
   */
  flattenParameters(): void {}

  /** Re-draws every parameter from U(-1/sqrt(hiddenSize), 1/sqrt(hiddenSize)) in registration order. */
  resetParameters(): void {
    const stdv = this.hiddenSize > 0 ? 1.0 / Math.sqrt(this.hiddenSize) : 0;
    for (const w of this.parameters()) init.uniform_(w, -stdv, stdv);
  }

  /** The shape hx must have: [numLayers * numDirections, batch, projSize || hiddenSize]. */
  protected expectedHiddenSize(input: Tensor, batchSizes: readonly number[] | null): number[] {
    const miniBatch = batchSizes ? batchSizes[0]! : input.shape[this.batchFirst ? 0 : 1]!;
    const D = this.bidirectional ? 2 : 1;
    return [this.numLayers * D, miniBatch, this.projSize > 0 ? this.projSize : this.hiddenSize];
  }

  /** The shape cx must have: [numLayers * numDirections, batch, hiddenSize]. */
  protected expectedCellSize(input: Tensor, batchSizes: readonly number[] | null): number[] {
    const s = this.expectedHiddenSize(input, batchSizes);
    s[2] = this.hiddenSize;
    return s;
  }

  /** PyTorch's `check_input`. */
  protected checkInput(input: Tensor, batchSizes: readonly number[] | null): void {
    const expected = batchSizes ? 2 : 3;
    if (input.dim() !== expected) throw new RuntimeError(`input must have ${expected} dimensions, got ${input.dim()}`);
    const last = input.shape[input.dim() - 1];
    if (this.inputSize !== last) {
      throw new RuntimeError(`input.size(-1) must be equal to input_size. Expected ${this.inputSize}, got ${last}`);
    }
  }

  /** PyTorch's `check_hidden_size`. */
  protected checkHiddenSize(hx: Tensor, expected: readonly number[], msg = 'Expected hidden size'): void {
    if (!sameShape(hx.shape, expected)) {
      throw new RuntimeError(`${msg} ${pyTupleStr(expected)}, got [${hx.shape.join(', ')}]`);
    }
  }

  /**
   * The shared forward. `states` is [h] or [h, c] (LSTM) in the caller's layout, or null for
   * zeros. Returns the output (a PackedSequence for packed input) and the final states.
   */
  protected _forwardImpl(input: Tensor | PackedSequence, states: Tensor[] | null): [Tensor | PackedSequence, Tensor[]] {
    const fast = this._forwardNoGrad(input, states);
    if (fast !== null) return fast;
    const name = this.mode.startsWith('RNN') ? 'RNN' : this.mode;
    const lstm = this.mode === 'LSTM';
    const packedIn = input instanceof PackedSequence ? input : null;
    let x: Tensor;
    let batchSizes: readonly number[] | null = null;
    let isBatched = true;
    const batchDim = this.batchFirst ? 0 : 1;
    if (packedIn) {
      batchSizes = checkPacked(name, packedIn);
      x = packedIn.data;
    } else {
      x = checkTensor(`${name}.forward(): argument 'input'`, input);
      if (x.dim() !== 2 && x.dim() !== 3) {
        // Newer PyTorch's check (PyTorch 1.13 unsqueezes and then says "input must have 3 dimensions, got 5").
        throw new ValueError(`${name}: Expected input to be 2-D or 3-D but received ${x.dim()}-D tensor`);
      }
      isBatched = x.dim() === 3;
      if (!isBatched) x = x.unsqueeze(batchDim);
    }
    let hs: Tensor[];
    if (states === null) {
      const hShape = this.expectedHiddenSize(x, batchSizes);
      hs = [zeros(hShape, { dtype: x.dtype })];
      if (lstm) hs.push(zeros(this.expectedCellSize(x, batchSizes), { dtype: x.dtype }));
    } else {
      hs = states;
      if (!packedIn) {
        const dims = hs.map((h) => `${h.dim()}-D`);
        const want = isBatched ? 3 : 2;
        if (hs.some((h) => h.dim() !== want)) {
          const what = isBatched ? 'batched 3-D' : 'unbatched 2-D';
          throw new RuntimeError(
            lstm
              ? `For ${what} input, hx and cx should also be ${want}-D but got (${dims.join(', ')}) tensors`
              : `For ${what} input, hx should also be ${want}-D but got ${dims[0]} tensor`,
          );
        }
        if (!isBatched) hs = hs.map((h) => h.unsqueeze(1));
      }
    }
    this.checkInput(x, batchSizes);
    const hidden = this.expectedHiddenSize(x, batchSizes);
    // Deviation: with packed input the states are checked before the permutation as well; PyTorch
    // permutes first and may accept a state with a larger batch.
    this.checkHiddenSize(hs[0]!, hidden, lstm ? 'Expected hidden[0] size' : 'Expected hidden size');
    if (lstm) this.checkHiddenSize(hs[1]!, this.expectedCellSize(x, batchSizes), 'Expected hidden[1] size');
    const sorted = packedIn?.sortedIndices ?? null;
    if (states !== null && sorted) hs = hs.map((h) => h.indexSelect(1, sorted));
    const weights = this.flatWeights;
    checkSameDType(weights[0]!, x, ...hs);
    if (!batchSizes && x.shape[this.batchFirst ? 1 : 0] === 0) {
      throw new RuntimeError('Expected sequence length to be larger than 0 in RNN');
    }

    // The stack of fused layer ops, time-major.
    let layerInput = this.batchFirst && !batchSizes ? x.transpose(0, 1) : x;
    const D = this.bidirectional ? 2 : 1;
    const hOut: Tensor[] = [];
    const cOut: Tensor[] = [];
    const all = this.allWeights;
    for (let layer = 0; layer < this.numLayers; layer++) {
      const outs: Tensor[] = [];
      for (let dir = 0; dir < D; dir++) {
        const idx = layer * D + dir;
        const [y, hN, cN] = this.runLayer(all[idx]!, layerInput, hs.map((h) => h.select(0, idx)), dir === 1, batchSizes);
        outs.push(y);
        hOut.push(hN);
        if (cN) cOut.push(cN);
      }
      layerInput = D === 1 ? outs[0]! : cat(outs, -1);
      // PyTorch parity: at::dropout on the whole layer output between layers (CPU path of _VF.lstm).
      if (this.dropout !== 0 && this.training && layer < this.numLayers - 1) {
        layerInput = dropoutFn(layerInput, this.dropout, true);
      }
    }
    let output = layerInput;
    let finals = [stack(hOut, 0)];
    if (lstm) finals.push(stack(cOut, 0));
    const unsorted = packedIn?.unsortedIndices ?? null;
    if (unsorted) finals = finals.map((h) => h.indexSelect(1, unsorted));
    if (packedIn) {
      return [new PackedSequence(output, packedIn.batchSizes, packedIn.sortedIndices, packedIn.unsortedIndices), finals];
    }
    if (this.batchFirst) output = output.transpose(0, 1);
    if (!isBatched) {
      output = output.squeeze(batchDim);
      finals = finals.map((h) => h.squeeze(1));
    }
    return [output, finals];
  }

  /**
   * `_forwardImpl` for unpacked input when no graph would be recorded (grad mode off, or nothing
   * requires grad) and anomaly mode is off: the fused kernels run straight on typed arrays, without
   * the autograd op, the per-layer state views and the final stack. Every check of the general path
   * is made first, before anything runs; a call that would fail one, or that this path does not
   * cover, returns null and the general path runs (and raises). Values, output shapes, strides
   * and views are those of the general path.
   */
  private _forwardNoGrad(input: Tensor | PackedSequence, states: Tensor[] | null): [Tensor, Tensor[]] | null {
    if (!(input instanceof Tensor) || isAnomalyEnabled()) return null;
    const m = this._target as this; // reads of the object behind the Proxy
    if (!runsBaseForward(m.constructor)) return null;
    const x = input;
    const nd = x.shape.length;
    const dt = x.dtype;
    if ((nd !== 2 && nd !== 3) || (dt !== 'float32' && dt !== 'float64')) return null;
    const batched = nd === 3;
    const bf = m.batchFirst;
    const T = x.shape[batched && bf ? 1 : 0]!;
    const B = batched ? x.shape[bf ? 0 : 1]! : 1;
    const I = m.inputSize;
    if (x.shape[nd - 1] !== I || T === 0 || B === 0) return null;
    const mode = m.mode;
    const lstm = mode === 'LSTM';
    const H = m.hiddenSize;
    const P = m.projSize;
    const R = P > 0 ? P : H;
    const G = (lstm ? 4 : mode === 'GRU' ? 3 : 1) * H;
    const D = m.bidirectional ? 2 : 1;
    const L = m.numLayers;
    const S = L * D;
    const grad = isGradEnabled();
    if (grad && x.requiresGrad) return null;
    let h: Tensor | null = null;
    let c: Tensor | null = null;
    if (states !== null) {
      h = states[0]!;
      if (!stateFits(h, batched, S, B, R, dt) || (grad && h.requiresGrad)) return null;
      if (lstm) {
        c = states[1]!;
        if (!stateFits(c, batched, S, B, H, dt) || (grad && c.requiresGrad)) return null;
      }
    }
    // Every (layer, direction)'s weights: wIh, wHh, bIh, bHh, wHr (null when absent).
    const names = m._allWeightNames;
    const params = m as unknown as Record<string, unknown>;
    const hasBias = m.bias;
    const w: (Tensor | null)[] = new Array<Tensor | null>(5 * S);
    for (let k = 0; k < S; k++) {
      const n = names[k]!;
      const inSize = k < D ? I : R * D;
      const wIh = params[n[0]!];
      const wHh = params[n[1]!];
      if (!weightFits(wIh, dt, G, inSize) || !weightFits(wHh, dt, G, R)) return null;
      if (grad && (wIh.requiresGrad || wHh.requiresGrad)) return null;
      w[5 * k] = wIh;
      w[5 * k + 1] = wHh;
      w[5 * k + 2] = w[5 * k + 3] = w[5 * k + 4] = null;
      if (hasBias) {
        const bIh = params[n[2]!];
        const bHh = params[n[3]!];
        if (!weightFits(bIh, dt, G, -1) || !weightFits(bHh, dt, G, -1)) return null;
        if (grad && (bIh.requiresGrad || bHh.requiresGrad)) return null;
        w[5 * k + 2] = bIh;
        w[5 * k + 3] = bHh;
      }
      if (P > 0) {
        const wHr = params[n[n.length - 1]!];
        if (!weightFits(wHr, dt, P, H) || (grad && wHr.requiresGrad)) return null;
        w[5 * k + 4] = wHr;
      }
    }

    // The kernel first: a backend without one raises here, as in the general path.
    const runLstm = lstm ? lstmForwardRoutine() : null;
    const runGruLike = lstm ? null : gruLikeForwardRoutine(mode === 'GRU' ? 'GRU' : 'RNN');
    // The time-major input [T, B, I]; x transposed only matters when both T and B exceed 1.
    let xin = batched && bf && T > 1 && B > 1
      ? denseArray(makeView(x, [T, B, I], [x.strides[1]!, x.strides[0]!, x.strides[2]!], x.offset))
      : denseArray(x);
    const h0 = denseArray(h ?? emptyTensor([S, B, R], dt));
    const c0 = lstm ? denseArray(c ?? emptyTensor([S, B, H], dt)) : null;
    const hAll = emptyTensor([S, B, R], dt);
    const cAll = lstm ? emptyTensor([S, B, H], dt) : null;
    const hN = hAll.data as FloatArray;
    const cN = cAll ? (cAll.data as FloatArray) : null;
    const nonlinearity = mode === 'RNN_RELU' ? 'relu' : 'tanh';
    let out: Tensor | null = null;
    for (let layer = 0; layer < L; layer++) {
      const inSize = layer === 0 ? I : R * D;
      const ys: Tensor[] = [];
      for (let dir = 0; dir < D; dir++) {
        const k = layer * D + dir;
        const y = emptyTensor([T, B, R], dt);
        const bIh = w[5 * k + 2];
        const bHh = w[5 * k + 3];
        const wHr = w[5 * k + 4];
        if (runLstm) {
          runLstm({
            T, B, I: inSize, H, P, reverse: dir === 1, batchSizes: null,
            x: xin, h0: part(h0, k, B * R), c0: part(c0!, k, B * H), wIh: denseArray(w[5 * k]!), wHh: denseArray(w[5 * k + 1]!),
            bIh: bIh ? denseArray(bIh) : null, bHh: bHh ? denseArray(bHh) : null, wHr: wHr ? denseArray(wHr) : null,
            y: y.data as FloatArray, hN: part(hN, k, B * R), cN: part(cN!, k, B * H), ws: null,
          });
        } else {
          runGruLike!({
            T, B, I: inSize, H, reverse: dir === 1, batchSizes: null, nonlinearity,
            x: xin, h0: part(h0, k, B * H), wIh: denseArray(w[5 * k]!), wHh: denseArray(w[5 * k + 1]!),
            bIh: bIh ? denseArray(bIh) : null, bHh: bHh ? denseArray(bHh) : null,
            y: y.data as FloatArray, hN: part(hN, k, B * H), ws: null,
          });
        }
        ys.push(y);
      }
      out = D === 1 ? ys[0]! : cat(ys, -1);
      if (layer < L - 1) {
        // PyTorch parity: at::dropout on the whole layer output between layers, as the general path.
        if (m.dropout !== 0 && m.training) out = dropoutFn(out, m.dropout, true);
        xin = denseArray(out);
      }
    }
    let output = out!;
    const finals = cAll ? [hAll, cAll] : [hAll];
    if (batched) {
      if (bf) output = makeView(output, [B, T, output.shape[2]!], [output.strides[1]!, output.strides[0]!, output.strides[2]!], output.offset);
      return [output, finals];
    }
    // Unbatched: the general path's views of the batch-1 results.
    if (bf) output = output.transpose(0, 1);
    return [output.squeeze(bf ? 0 : 1), finals.map((t) => t.squeeze(1))];
  }

  /** One (layer, direction): the fused op with this layer's weights. */
  private runLayer(
    w: Parameter[], x: Tensor, hs: Tensor[], reverse: boolean, batchSizes: readonly number[] | null,
  ): [Tensor, Tensor, Tensor | null] {
    const [wIh, wHh] = [w[0]!, w[1]!];
    const bIh = this.bias ? w[2]! : null;
    const bHh = this.bias ? w[3]! : null;
    const opts = { reverse, batchSizes };
    switch (this.mode) {
      case 'LSTM': {
        const wHr = this.projSize > 0 ? w[w.length - 1]! : null;
        return lstmLayer(x, hs[0]!, hs[1]!, wIh, wHh, bIh, bHh, wHr, opts);
      }
      case 'GRU':
        return [...gruLayer(x, hs[0]!, wIh, wHh, bIh, bHh, opts), null];
      case 'RNN_TANH':
      case 'RNN_RELU':
        return [...rnnLayer(x, hs[0]!, wIh, wHh, bIh, bHh, { ...opts, nonlinearity: this.mode === 'RNN_RELU' ? 'relu' : 'tanh' }), null];
      default:
        return this.mode satisfies never;
    }
  }

  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.projSize !== 0) s += `, proj_size=${this.projSize}`;
    if (this.numLayers !== 1) s += `, num_layers=${this.numLayers}`;
    if (this.bias !== true) s += `, bias=${pyBool(this.bias)}`;
    if (this.batchFirst !== false) s += `, batch_first=${pyBool(this.batchFirst)}`;
    if (this.dropout !== 0) s += `, dropout=${pyFloat(this.dropout)}`;
    if (this.bidirectional !== false) s += `, bidirectional=${pyBool(this.bidirectional)}`;
    return s;
  }
}

function lstmStateArg(hx: unknown, what: string): [Tensor, Tensor] | null {
  if (hx === undefined || hx === null) return null;
  if (!Array.isArray(hx) || hx.length !== 2 || !(hx[0] instanceof Tensor) || !(hx[1] instanceof Tensor)) {
    throw new TypeError(`${what}: hx must be a pair [h_0, c_0] of Tensors, got ${typeName(hx)}`);
  }
  return [hx[0], hx[1]];
}

function tensorStateArg(hx: unknown, what: string): Tensor | null {
  if (hx === undefined || hx === null) return null;
  return checkTensor(`${what}: argument 'hx'`, hx);
}

/**
 * A multi-layer LSTM, like `torch.nn.LSTM`: gates i, f, g, o; optional projection of h
 * (`projSize`); input batched 3-D, unbatched 2-D or a `PackedSequence`. `forward` returns
 * `[output, [hN, cN]]`; hN has projSize (or hiddenSize) features, cN hiddenSize.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.LSTM.html
 * @example
 * const lstm = new nn.LSTM(10, 20, 2);                       // or new nn.LSTM(10, 20, { numLayers: 2 })
 * const [output, [hN, cN]] = lstm.forward(torch.randn(5, 3, 10), [torch.zeros(2, 3, 20), torch.zeros(2, 3, 20)]);
 */
export class LSTM extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, numLayersOrOpts?: number | LSTMOptions | null, options?: LSTMOptions | null) {
    super('LSTM', inputSize, hiddenSize, numLayersOrOpts, options);
  }

  /**
   * Runs the LSTM over a sequence. `input` is [T, B, inputSize] ([B, T, inputSize] with
   * `batchFirst`), unbatched [T, inputSize], or a `PackedSequence`; `hx = [h0, c0]`, each
   * [numLayers * numDirections, B, H] (zeros when omitted). Returns `[output, [hN, cN]]`, output
   * [T, B, numDirections * (projSize || hiddenSize)] in the input's form.
   * @example const [out, [hN, cN]] = lstm.forward(x);
   */
  override forward(input: PackedSequence, hx?: LSTMState | null): [PackedSequence, LSTMState];
  override forward(input: Tensor, hx?: LSTMState | null): [Tensor, LSTMState];
  override forward(input: Tensor | PackedSequence, hx?: LSTMState | null): [Tensor | PackedSequence, LSTMState];
  override forward(input: Tensor | PackedSequence, hx?: LSTMState | null): [Tensor | PackedSequence, LSTMState] {
    const [out, [h, c]] = this._forwardImpl(input, lstmStateArg(hx, 'LSTM.forward()'));
    return [out, [h!, c!]];
  }
}

/**
 * A multi-layer GRU, like `torch.nn.GRU`: gates r, z, n with PyTorch's reset-after form
 * n = tanh(W_in x + b_in + r * (W_hn h + b_hn)). `forward` returns `[output, hN]`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.GRU.html
 * @example
 * const gru = new nn.GRU(10, 20, { numLayers: 2, batchFirst: true });
 * const [output, hN] = gru.forward(torch.randn(3, 5, 10));
 */
export class GRU extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, numLayersOrOpts?: number | GRUOptions | null, options?: GRUOptions | null) {
    super('GRU', inputSize, hiddenSize, numLayersOrOpts, options);
  }

  /**
   * Runs the GRU over a sequence: `input` as for `LSTM.forward`, `hx` = h0
   * [numLayers * numDirections, B, hiddenSize] (zeros when omitted). Returns `[output, hN]`.
   * @example const [out, hN] = gru.forward(x, h0);
   */
  override forward(input: PackedSequence, hx?: Tensor | null): [PackedSequence, Tensor];
  override forward(input: Tensor, hx?: Tensor | null): [Tensor, Tensor];
  override forward(input: Tensor | PackedSequence, hx?: Tensor | null): [Tensor | PackedSequence, Tensor];
  override forward(input: Tensor | PackedSequence, hx?: Tensor | null): [Tensor | PackedSequence, Tensor] {
    const h = tensorStateArg(hx, 'GRU.forward()');
    const [out, [hN]] = this._forwardImpl(input, h ? [h] : null);
    return [out, hN!];
  }
}

/**
 * A multi-layer Elman RNN, like `torch.nn.RNN`: h_t = act(x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh)
 * with act = tanh (default) or relu. `forward` returns `[output, hN]`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.RNN.html
 * @example
 * const rnn = new nn.RNN(10, 20, 2, { nonlinearity: 'relu' });
 * const [output, hN] = rnn.forward(torch.randn(5, 3, 10), torch.zeros(2, 3, 20));
 */
export class RNN extends RNNBase {
  /** 'tanh' or 'relu'. */
  readonly nonlinearity: 'tanh' | 'relu';

  constructor(inputSize: number, hiddenSize: number, numLayersOrOpts?: number | RNNOptions | null, options?: RNNOptions | null) {
    const merged = mergeArgs('RNN', numLayersOrOpts, options);
    const nonlinearity = merged.nonlinearity ?? 'tanh';
    if (nonlinearity !== 'tanh' && nonlinearity !== 'relu') {
      throw new ValueError(`Unknown nonlinearity ${typeof nonlinearity === 'string' ? `'${nonlinearity}'` : describeValue(nonlinearity)}`);
    }
    const { nonlinearity: _n, ...rest } = merged;
    super(nonlinearity === 'tanh' ? 'RNN_TANH' : 'RNN_RELU', inputSize, hiddenSize, rest);
    this.nonlinearity = nonlinearity;
  }

  /**
   * Runs the RNN over a sequence: `input` as for `LSTM.forward`, `hx` = h0
   * [numLayers * numDirections, B, hiddenSize] (zeros when omitted). Returns `[output, hN]`.
   * @example const [out, hN] = rnn.forward(x);
   */
  override forward(input: PackedSequence, hx?: Tensor | null): [PackedSequence, Tensor];
  override forward(input: Tensor, hx?: Tensor | null): [Tensor, Tensor];
  override forward(input: Tensor | PackedSequence, hx?: Tensor | null): [Tensor | PackedSequence, Tensor];
  override forward(input: Tensor | PackedSequence, hx?: Tensor | null): [Tensor | PackedSequence, Tensor] {
    const h = tensorStateArg(hx, 'RNN.forward()');
    const [out, [hN]] = this._forwardImpl(input, h ? [h] : null);
    return [out, hN!];
  }
}

// --------------------------------------------------------------------------------------- cells

/** ATen's `check_rnn_cell_forward_input`. */
function checkCellInput(input: Tensor, inputSize: number): void {
  if (input.size(1) !== inputSize) {
    throw new RuntimeError(`input has inconsistent input_size: got ${input.size(1)} expected ${inputSize}`);
  }
}

/** ATen's `check_rnn_cell_forward_hidden` (PyTorch parity: lstm_cell labels both h and c "hidden0"). */
function checkCellHidden(input: Tensor, hx: Tensor, hiddenSize: number, label: number): void {
  if (input.size(0) !== hx.size(0)) {
    throw new RuntimeError(`Input batch size ${input.size(0)} doesn't match hidden${label} batch size ${hx.size(0)}`);
  }
  if (hx.size(1) !== hiddenSize) {
    throw new RuntimeError(`hidden${label} has inconsistent hidden_size: got ${hx.size(1)}, expected ${hiddenSize}`);
  }
}

/**
 * The base of the cells, like `torch.nn.RNNCellBase`: `weight_ih` [numChunks*H, I],
 * `weight_hh` [numChunks*H, H], `bias_ih` and `bias_hh` [numChunks*H] (null without bias), all from
 * U(-1/sqrt(H), 1/sqrt(H)) with PyTorch's draws.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.LSTMCell.html
 * @example new nn.LSTMCell(10, 20).weight_ih.shape // [80, 10]
 */
export class RNNCellBase extends Module {
  /** Features of the input. */
  readonly inputSize: number;
  /** Features of the hidden state. */
  readonly hiddenSize: number;
  /** Whether the cell has biases. */
  readonly bias: boolean;
  /** [numChunks * hiddenSize, inputSize]. */
  weight_ih: Parameter;
  /** [numChunks * hiddenSize, hiddenSize]. */
  weight_hh: Parameter;
  /** [numChunks * hiddenSize], or null without bias. */
  declare bias_ih: Parameter | null;
  /** [numChunks * hiddenSize], or null without bias. */
  declare bias_hh: Parameter | null;

  constructor(inputSize: number, hiddenSize: number, bias: boolean, numChunks: number, dtype: DType = 'float32') {
    super();
    for (const [n, v] of [['input_size', inputSize], ['hidden_size', hiddenSize]] as const) {
      // PyTorch 1.13 accepts 0 here (as does 2.x); negative sizes fail in torch.empty.
      if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`${n} should be of type int, got: ${typeName(v)}`);
      if (v < 0) throw new RuntimeError(`Trying to create tensor with negative dimension ${v}: [${numChunks * hiddenSize}, ${inputSize}]`);
    }
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.bias = checkBoolOpt('bias', bias);
    checkDType(dtype);
    this.weight_ih = new Parameter(emptyTensor([numChunks * hiddenSize, inputSize], dtype));
    this.weight_hh = new Parameter(emptyTensor([numChunks * hiddenSize, hiddenSize], dtype));
    if (bias) {
      this.bias_ih = new Parameter(emptyTensor([numChunks * hiddenSize], dtype));
      this.bias_hh = new Parameter(emptyTensor([numChunks * hiddenSize], dtype));
    } else {
      this.registerParameter('bias_ih', null);
      this.registerParameter('bias_hh', null);
    }
    this.resetParameters();
  }

  /** Re-draws every parameter from U(-1/sqrt(hiddenSize), 1/sqrt(hiddenSize)) in registration order. */
  resetParameters(): void {
    const stdv = this.hiddenSize > 0 ? 1.0 / Math.sqrt(this.hiddenSize) : 0;
    for (const w of this.parameters()) init.uniform_(w, -stdv, stdv);
  }

  /** The input as 2-D and whether it was batched (PyTorch's assert on 1-D / 2-D input). */
  protected batchedInput(name: string, input: unknown): [Tensor, boolean] {
    checkTensor(`${name}.forward(): argument 'input'`, input);
    const x = input as Tensor;
    if (x.dim() !== 1 && x.dim() !== 2) {
      throw new AssertionError(`${name}: Expected input to be 1-D or 2-D but received ${x.dim()}-D tensor`);
    }
    return x.dim() === 2 ? [x, true] : [x.unsqueeze(0), false];
  }

  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.bias !== true) s += `, bias=${pyBool(this.bias)}`;
    const nl = (this as { nonlinearity?: string }).nonlinearity;
    if (nl !== undefined && nl !== 'tanh') s += `, nonlinearity=${nl}`;
    return s;
  }
}

/**
 * One LSTM step, like `torch.nn.LSTMCell`: `forward(x, [h, c]?)` returns `[h1, c1]`; x is
 * [batch, inputSize] or unbatched [inputSize].
 * See https://pytorch.org/docs/1.13/generated/torch.nn.LSTMCell.html
 * @example const cell = new nn.LSTMCell(10, 20); const [h1, c1] = cell.forward(torch.randn(3, 10));
 */
export class LSTMCell extends RNNCellBase {
  constructor(inputSize: number, hiddenSize: number, opts: RNNCellOptions = {}) {
    opts = checkOptions<RNNCellOptions>('LSTMCell()', opts, ['bias', 'dtype']);
    super(inputSize, hiddenSize, opts.bias === undefined ? true : opts.bias, 4, opts.dtype);
  }

  /**
   * One step: `input` [B, inputSize] (or [inputSize]), `hx = [h, c]` each [B, hiddenSize]
   * (zeros when omitted). Returns `[h1, c1]`.
   * @example [h, c] = cell.forward(xT, [h, c]);
   */
  override forward(input: Tensor, hx?: LSTMState | null): LSTMState {
    const [x, batched] = this.batchedInput('LSTMCell', input);
    let h: Tensor;
    let c: Tensor;
    const given = lstmStateArg(hx, 'LSTMCell.forward()');
    if (given === null) {
      h = c = zeros([x.shape[0]!, this.hiddenSize], { dtype: x.dtype });
    } else {
      [h, c] = batched ? given : [given[0].unsqueeze(0), given[1].unsqueeze(0)];
    }
    checkCellInput(x, this.weight_ih.size(1));
    const H = this.weight_hh.size(1);
    checkCellHidden(x, h, H, 0);
    checkCellHidden(x, c, H, 0);
    checkSameDType(this.weight_ih, x, h, c);
    // One fused step: the layer op over a length-1 sequence.
    const [, h1, c1] = lstmLayer(x.unsqueeze(0), h, c, this.weight_ih, this.weight_hh, this.bias_ih, this.bias_hh);
    return batched ? [h1, c1] : [h1.squeeze(0), c1.squeeze(0)];
  }
}

/**
 * One GRU step, like `torch.nn.GRUCell`: `forward(x, h?)` returns h1.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.GRUCell.html
 * @example const cell = new nn.GRUCell(10, 20); const h1 = cell.forward(torch.randn(3, 10));
 */
export class GRUCell extends RNNCellBase {
  constructor(inputSize: number, hiddenSize: number, opts: RNNCellOptions = {}) {
    opts = checkOptions<RNNCellOptions>('GRUCell()', opts, ['bias', 'dtype']);
    super(inputSize, hiddenSize, opts.bias === undefined ? true : opts.bias, 3, opts.dtype);
  }

  /**
   * One step: `input` [B, inputSize] (or [inputSize]), `hx` [B, hiddenSize] (zeros when
   * omitted). Returns h1.
   * @example h = cell.forward(xT, h);
   */
  override forward(input: Tensor, hx?: Tensor | null): Tensor {
    const [x, batched] = this.batchedInput('GRUCell', input);
    const given = tensorStateArg(hx, 'GRUCell.forward()');
    const h = given === null ? zeros([x.shape[0]!, this.hiddenSize], { dtype: x.dtype }) : batched ? given : given.unsqueeze(0);
    checkCellInput(x, this.weight_ih.size(1));
    checkCellHidden(x, h, this.weight_hh.size(1), 0);
    checkSameDType(this.weight_ih, x, h);
    const [, h1] = gruLayer(x.unsqueeze(0), h, this.weight_ih, this.weight_hh, this.bias_ih, this.bias_hh);
    return batched ? h1 : h1.squeeze(0);
  }
}

/**
 * One Elman RNN step, like `torch.nn.RNNCell`: `forward(x, h?)` returns h1 = act(x W_ihᵀ + b_ih +
 * h W_hhᵀ + b_hh), act = tanh (default) or relu.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.RNNCell.html
 * @example const cell = new nn.RNNCell(10, 20, { nonlinearity: 'relu' }); const h1 = cell.forward(torch.randn(3, 10));
 */
export class RNNCell extends RNNCellBase {
  /** 'tanh' or 'relu'; PyTorch checks it only in forward. */
  nonlinearity: 'tanh' | 'relu';

  constructor(inputSize: number, hiddenSize: number, opts: RNNCellModuleOptions = {}) {
    opts = checkOptions<RNNCellModuleOptions>('RNNCell()', opts, ['bias', 'dtype', 'nonlinearity']);
    super(inputSize, hiddenSize, opts.bias === undefined ? true : opts.bias, 1, opts.dtype);
    this.nonlinearity = opts.nonlinearity ?? 'tanh';
  }

  /**
   * One step: `input` [B, inputSize] (or [inputSize]), `hx` [B, hiddenSize] (zeros when
   * omitted). Returns h1.
   * @example h = cell.forward(xT, h);
   */
  override forward(input: Tensor, hx?: Tensor | null): Tensor {
    const [x, batched] = this.batchedInput('RNNCell', input);
    const given = tensorStateArg(hx, 'RNNCell.forward()');
    const h = given === null ? zeros([x.shape[0]!, this.hiddenSize], { dtype: x.dtype }) : batched ? given : given.unsqueeze(0);
    const nl = this.nonlinearity;
    if (nl !== 'tanh' && nl !== 'relu') throw new RuntimeError(`Unknown nonlinearity: ${String(nl)}`);
    checkCellInput(x, this.weight_ih.size(1));
    checkCellHidden(x, h, this.weight_hh.size(1), 0);
    checkSameDType(this.weight_ih, x, h);
    const [, h1] = rnnLayer(x.unsqueeze(0), h, this.weight_ih, this.weight_hh, this.bias_ih, this.bias_hh, { nonlinearity: nl });
    return batched ? h1 : h1.squeeze(0);
  }
}
