/**
 * Recurrent modules, as in PyTorch 1.13's torch/nn/modules/rnn.py: `RNNBase` with `LSTM`, `GRU`
 * and `RNN`, and the cells `LSTMCell`, `GRUCell`, `RNNCell`.
 *
 * This file holds what PyTorch's rnn.py does: validation, the parameters and their flat order,
 * zero `hx` by default, unbatched input, and `PackedSequence` (hx permuted into sorted order and
 * the states back). The stack itself (layers, directions, inter-layer dropout, `batchFirst`, the
 * final states) is one call to ops/rnn.ts's `rnnStack`, PyTorch's `_VF.lstm`; the cells run the
 * layer ops over one step. Double backward through the fused ops is not supported.
 */
import { checkOptions, describeValue } from '../../validate.js';
import '../../ops/methods.js';
import { RuntimeError, ValueError } from '../../errors.js';
import { type RNNMode, gruLayer, lstmLayer, rnnLayer, rnnStack } from '../../ops/rnn.js';
import { checkTensor } from '../../ops/util.js';
import { emptyTensor } from '../../tensor/create.js';
import type { DType } from '../../tensor/dtype.js';
import { zeros } from '../../tensor/factories.js';
import { Tensor } from '../../tensor/tensor.js';
import { AssertionError, checkDropoutP } from '../functional.js';
import * as init from '../init.js';
import { Module, pyBool, pyFloat, pyNum, typeName } from '../module.js';
import { Parameter } from '../parameter.js';
import { PackedSequence } from '../utils/rnn.js';
import { sameShape } from '../../tensor/tensor.js';
import { warnOnce } from '../../warnings.js';

export type { RNNMode };

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
function checkSameDType(weight: Tensor, x: Tensor, h: Tensor, c: Tensor | null = null): void {
  const dt = weight.dtype;
  if (x.dtype !== dt || h.dtype !== dt || (c !== null && c.dtype !== dt)) throw new RuntimeError('mat1 and mat2 must have the same dtype');
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

// ------------------------------------------------------------------------------------- RNNBase

/** What an `RNNBase` fixes at construction (its read-only attributes). */
interface RNNSettings {
  readonly mode: RNNMode;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly bidirectional: boolean;
  readonly projSize: number;
  readonly flatWeightsNames: readonly string[];
}

/**
 * The base of `LSTM`, `GRU` and `RNN`, like `torch.nn.RNNBase`: builds the per-(layer, direction)
 * parameters with PyTorch's names, shapes and order (`weight_ih_l{k}`, `weight_hh_l{k}`,
 * `bias_ih_l{k}`, `bias_hh_l{k}`, `weight_hr_l{k}`, then `..._reverse`), initialises them from
 * U(-1/sqrt(hiddenSize), 1/sqrt(hiddenSize)) in that order with PyTorch's draws, checks the
 * forward's arguments and runs the stack (`rnnStack`). Use the subclasses.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.LSTM.html
 * @example const lstm = new nn.LSTM(10, 20, 2); lstm.flatWeightsNames[0] // 'weight_ih_l0'
 */
export class RNNBase extends Module {
  /**
   * @internal The settings fixed at construction, which the read-only attributes below return.
   * The forward reads this one object rather than attribute after attribute: each read of a
   * module attribute goes through the module's Proxy, and a streaming step (one time step, batch
   * 1) would pay for every one of them.
   */
  readonly _settings: RNNSettings;
  /** Inter-layer dropout probability (training mode only); may be changed after construction. */
  dropout: number;
  /** Parameter names per (layer, direction) (`_all_weights`). */
  private readonly _allWeightNames: readonly (readonly string[])[];
  /** 'LSTM', 'GRU', 'RNN_TANH' or 'RNN_RELU'. */
  declare readonly mode: RNNMode;
  /** Features of the input. */
  declare readonly inputSize: number;
  /** Features of the hidden state h (and cell state c). */
  declare readonly hiddenSize: number;
  /** Number of stacked layers. */
  declare readonly numLayers: number;
  /** Whether the layers have biases. */
  declare readonly bias: boolean;
  /** Whether input and output are [batch, seq, feature]. */
  declare readonly batchFirst: boolean;
  /** Whether there is a reversed direction. */
  declare readonly bidirectional: boolean;
  /** LSTM projection size (0 = none; always 0 for GRU and RNN). */
  declare readonly projSize: number;
  /** Parameter names in PyTorch's flat order (`_flat_weights_names`). */
  declare readonly flatWeightsNames: readonly string[];

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
    const bias = checkBoolOpt('bias', opts.bias === undefined ? true : opts.bias);
    const batchFirst = checkBoolOpt('batch_first', opts.batchFirst === undefined ? false : opts.batchFirst);
    checkSizeOpt('input_size', inputSize);
    checkSizeOpt('hidden_size', hiddenSize);
    if (typeof numLayers !== 'number' || !Number.isInteger(numLayers)) {
      throw new TypeError(`'${typeName(numLayers)}' object cannot be interpreted as an integer`);
    }
    if (numLayers <= 0) throw new ValueError('num_layers must be greater than zero');
    const projSize = opts.projSize === undefined ? 0 : opts.projSize;
    if (typeof projSize !== 'number' || !Number.isInteger(projSize)) {
      throw new TypeError(`proj_size should be of type int, got: ${typeName(projSize)}`);
    }
    if (projSize < 0) throw new ValueError('proj_size should be a positive integer or zero to disable projections');
    if (projSize >= hiddenSize) throw new ValueError('proj_size has to be smaller than hidden_size');
    const bidirectional = checkBoolOpt('bidirectional', opts.bidirectional === undefined ? false : opts.bidirectional);
    const dtype = checkDType(opts.dtype ?? 'float32');
    this.dropout = dropout;

    const gateSize = { LSTM: 4, GRU: 3, RNN_TANH: 1, RNN_RELU: 1 }[mode] * hiddenSize;
    const D = bidirectional ? 2 : 1;
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
        if (bias) {
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
    this._settings = Object.freeze({
      mode, inputSize, hiddenSize, numLayers, bias, batchFirst, bidirectional, projSize, flatWeightsNames: flat,
    });
    this._allWeightNames = all;
    this.resetParameters();
  }

  /**
   * The weights in PyTorch's flat order, read live by name at every forward: reassigned
   * parameters are seen, and so is a weight that a reparametrization keeps as a plain attribute
   * (`nn.utils.weightNorm(lstm, 'weight_hh_l0')`, `nn.utils.prune`), as PyTorch's
   * `RNNBase.__setattr__` refreshes `_flat_weights`.
   */
  get flatWeights(): Tensor[] {
    const params = this._parameters;
    const names = this._settings.flatWeightsNames;
    const out = new Array<Tensor>(names.length);
    for (let i = 0; i < names.length; i++) {
      const n = names[i]!;
      out[i] = params.get(n) ?? (this as unknown as Record<string, Tensor>)[n]!;
    }
    return out;
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
    const s = this._settings;
    const miniBatch = batchSizes ? batchSizes[0]! : input.shape[s.batchFirst ? 0 : 1]!;
    return [s.numLayers * (s.bidirectional ? 2 : 1), miniBatch, s.projSize > 0 ? s.projSize : s.hiddenSize];
  }

  /** The shape cx must have: [numLayers * numDirections, batch, hiddenSize] (LSTM's `get_expected_cell_size`). */
  protected expectedCellSize(input: Tensor, batchSizes: readonly number[] | null): number[] {
    const s = this._settings;
    const miniBatch = batchSizes ? batchSizes[0]! : input.shape[s.batchFirst ? 0 : 1]!;
    return [s.numLayers * (s.bidirectional ? 2 : 1), miniBatch, s.hiddenSize];
  }

  /** PyTorch's `check_input`. */
  protected checkInput(input: Tensor, batchSizes: readonly number[] | null): void {
    const expected = batchSizes ? 2 : 3;
    if (input.dim() !== expected) throw new RuntimeError(`input must have ${expected} dimensions, got ${input.dim()}`);
    const last = input.shape[input.dim() - 1];
    const inputSize = this._settings.inputSize;
    if (inputSize !== last) {
      throw new RuntimeError(`input.size(-1) must be equal to input_size. Expected ${inputSize}, got ${last}`);
    }
  }

  /** PyTorch's `check_hidden_size`. */
  protected checkHiddenSize(hx: Tensor, expected: readonly number[], msg = 'Expected hidden size'): void {
    if (!sameShape(hx.shape, expected)) {
      throw new RuntimeError(`${msg} ${pyTupleStr(expected)}, got [${hx.shape.join(', ')}]`);
    }
  }

  /**
   * The shared forward, PyTorch's `RNNBase.forward` / `LSTM.forward`: checks the input and the
   * states (`checkInput`, `checkHiddenSize`), makes zero states when `states` is null, permutes
   * given states into a packed input's sorted order, runs the stack (`rnnStack`, PyTorch's
   * `_VF.lstm`) and permutes the final states back. `states` is [h] or [h, c] (LSTM) in the
   * caller's layout. Returns the output (a PackedSequence for packed input) and the final states.
   */
  protected _forwardImpl(input: Tensor | PackedSequence, states: Tensor[] | null): [Tensor | PackedSequence, Tensor[]] {
    const s = this._settings;
    const mode = s.mode;
    const name = mode.startsWith('RNN') ? 'RNN' : mode;
    const lstm = mode === 'LSTM';
    const packedIn = input instanceof PackedSequence ? input : null;
    let x: Tensor;
    let batchSizes: readonly number[] | null = null;
    let isBatched = true;
    const batchFirst = s.batchFirst;
    const batchDim = batchFirst ? 0 : 1;
    if (packedIn) {
      batchSizes = checkPacked(name, packedIn);
      x = packedIn.data;
    } else {
      x = input instanceof Tensor ? input : checkTensor(`${name}.forward(): argument 'input'`, input);
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
        const want = isBatched ? 3 : 2;
        if (hs[0]!.dim() !== want || (lstm && hs[1]!.dim() !== want)) {
          const what = isBatched ? 'batched 3-D' : 'unbatched 2-D';
          const dims = hs.map((h) => `${h.dim()}-D`);
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
    // Deviation: with packed input the states are checked before the permutation as well; PyTorch
    // permutes first and may accept a state with a larger batch.
    this.checkHiddenSize(hs[0]!, this.expectedHiddenSize(x, batchSizes), lstm ? 'Expected hidden[0] size' : 'Expected hidden size');
    if (lstm) this.checkHiddenSize(hs[1]!, this.expectedCellSize(x, batchSizes), 'Expected hidden[1] size');
    const sorted = packedIn?.sortedIndices ?? null;
    if (states !== null && sorted) hs = hs.map((h) => h.indexSelect(1, sorted));
    const weights = this.flatWeights;
    checkSameDType(weights[0]!, x, hs[0]!, lstm ? hs[1]! : null);
    // Dropout (and so the training flag) only acts between layers: a single layer reads neither.
    const numLayers = s.numLayers;
    const training = numLayers > 1 && this.training;
    const dropout = numLayers > 1 ? this.dropout : 0;
    // at::dropout's check, made where the stack would apply dropout.
    if (dropout !== 0 && training) checkDropoutP(dropout);
    const result = rnnStack(mode, x, hs, weights, {
      hasBiases: s.bias, numLayers, dropout, train: training, bidirectional: s.bidirectional, batchFirst, batchSizes,
    });
    if (isBatched && !packedIn) return result;
    let [output, finals] = result;
    const unsorted = packedIn?.unsortedIndices ?? null;
    if (unsorted) finals = finals.map((h) => h.indexSelect(1, unsorted));
    if (packedIn) {
      return [new PackedSequence(output, packedIn.batchSizes, packedIn.sortedIndices, packedIn.unsortedIndices), finals];
    }
    if (!isBatched) {
      output = output.squeeze(batchDim);
      finals = finals.map((h) => h.squeeze(1));
    }
    return [output, finals];
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

// RNNBase's read-only attributes are getters of its settings.
for (const key of ['mode', 'inputSize', 'hiddenSize', 'numLayers', 'bias', 'batchFirst', 'bidirectional', 'projSize', 'flatWeightsNames'] as const) {
  Object.defineProperty(RNNBase.prototype, key, {
    get(this: RNNBase) {
      return this._settings[key];
    },
    configurable: true,
  });
}

function lstmStateArg(hx: unknown, what: string): [Tensor, Tensor] | null {
  if (hx === undefined || hx === null) return null;
  if (!Array.isArray(hx) || hx.length !== 2 || !(hx[0] instanceof Tensor) || !(hx[1] instanceof Tensor)) {
    throw new TypeError(`${what}: hx must be a pair [h_0, c_0] of Tensors, got ${typeName(hx)}`);
  }
  return hx as [Tensor, Tensor]; // read only: the forward never writes into the caller's array
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
    return this._forwardImpl(input, lstmStateArg(hx, 'LSTM.forward()')) as [Tensor | PackedSequence, LSTMState];
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
