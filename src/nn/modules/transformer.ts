/**
 * Transformer encoder: `TransformerEncoderLayer` and `TransformerEncoder` (a stack of deep copies
 * of one layer, as PyTorch's `_get_clones`).
 */
import { checkBool, checkDTypeName, checkInt, checkNumber, checkOptions, describeValue, isPlainObject, optional } from '../../validate.js';
import { isGradEnabled, noGrad } from '../../autograd/grad-mode.js';
import { RuntimeError } from '../../errors.js';
import type { DType } from '../../tensor/dtype.js';
import { Tensor } from '../../tensor/tensor.js';
import { checkTensor } from '../../ops/util.js';
import * as F from '../functional.js';
import { checkKeyPaddingMaskDtype } from '../functional-attention.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { GELU, ReLU } from './activation.js';
import { MultiheadAttention } from './attention.js';
import { ModuleList } from './container.js';
import { Dropout } from './dropout.js';
import { Linear } from './linear.js';
import { LayerNorm } from './norm.js';

// ---------------------------------------------------------------- deep copy

/** Hidden bookkeeping of every module (copied through the maps, not as properties). */
const MODULE_INTERNALS = new Set(['_parameters', '_buffers', '_nonPersistentBuffers', '_modules', '_target', '_forwardPreHooks', '_forwardHooks', 'training']);

function deepCopyValue(v: unknown, memo: Map<unknown, unknown>): unknown {
  if (v === null || typeof v !== 'object') return v; // primitives; functions are shared, as copy.deepcopy does
  if (memo.has(v)) return memo.get(v);
  if (v instanceof Module) return deepCopyModule(v, memo);
  if (v instanceof Parameter) {
    // PyTorch's Parameter.__deepcopy__: the data cloned, requires_grad kept, no grad
    const p = new Parameter(noGrad(() => v.detach().clone()), v.requiresGrad);
    memo.set(v, p);
    return p;
  }
  if (v instanceof Tensor) {
    const t = noGrad(() => v.detach().clone());
    if (v.requiresGrad) t.requiresGrad_();
    memo.set(v, t);
    return t;
  }
  if (Array.isArray(v)) {
    const a: unknown[] = [];
    memo.set(v, a);
    for (const x of v) a.push(deepCopyValue(x, memo));
    return Object.isFrozen(v) ? Object.freeze(a) : a;
  }
  if (isPlainObject(v)) {
    const o: Record<string, unknown> = {};
    memo.set(v, o);
    for (const [k, x] of Object.entries(v)) o[k] = deepCopyValue(x, memo);
    return Object.isFrozen(v) ? Object.freeze(o) : o;
  }
  return v; // other objects are shared
}

/**
 * @internal A deep copy of a module, like Python's `copy.deepcopy(module)`: the same class, with
 * copies of its parameters (same values and requiresGrad, no grad), buffers, submodules (shared
 * ones stay shared within the copy), training flag, hooks and other attributes (arrays and plain
 * objects copied, functions and other objects shared). The constructor does not run again, so no
 * random numbers are drawn.
 */
export function deepCopyModule<M extends Module>(m: M, memo: Map<unknown, unknown> = new Map()): M {
  if (memo.has(m)) return memo.get(m) as M;
  // Module's constructor builds the instance (its prototype from new.target) without the subclass's constructor
  const copy = Reflect.construct(Module, [], m.constructor) as M;
  memo.set(m, copy);
  const src = m._target;
  const dst = copy._target;
  dst.training = m.training;
  for (const [k, p] of m._parameters) dst._parameters.set(k, deepCopyValue(p, memo) as Parameter | null);
  for (const [k, b] of m._buffers) dst._buffers.set(k, deepCopyValue(b, memo) as Tensor | null);
  for (const k of m._nonPersistentBuffers) dst._nonPersistentBuffers.add(k);
  for (const [k, c] of m._modules) dst._modules.set(k, c === null ? null : deepCopyModule(c, memo));
  for (const [k, h] of m._forwardPreHooks) dst._forwardPreHooks.set(k, h);
  for (const [k, h] of m._forwardHooks) dst._forwardHooks.set(k, h);
  for (const key of Reflect.ownKeys(src)) {
    if (typeof key === 'string' && MODULE_INTERNALS.has(key)) continue;
    const desc = Object.getOwnPropertyDescriptor(src, key)!;
    if (!('value' in desc)) {
      Object.defineProperty(dst, key, desc);
      continue;
    }
    let value: unknown;
    if (typeof key === 'string' && m._parameters.has(key)) value = dst._parameters.get(key);
    else if (typeof key === 'string' && m._buffers.has(key)) value = dst._buffers.get(key);
    else if (typeof key === 'string' && m._modules.has(key)) value = dst._modules.get(key);
    else value = deepCopyValue(desc.value, memo);
    Object.defineProperty(dst, key, { ...desc, value });
  }
  return copy;
}

// ---------------------------------------------------------------- encoder layer

/** A layer's activation: PyTorch's names, a function of a tensor, or a module (registered as a child). */
export type TransformerActivation = 'relu' | 'gelu' | ((x: Tensor) => Tensor);

/** Options of `TransformerEncoderLayer` (PyTorch's keyword arguments). */
export interface TransformerEncoderLayerOptions {
  /** Hidden size of the feed-forward block (default 2048). */
  dimFeedforward?: number;
  /** Dropout probability, in the attention weights and after each block (default 0.1). */
  dropout?: number;
  /** `'relu'` (default), `'gelu'`, a function such as `F.gelu`, or a module such as `new nn.GELU()`. */
  activation?: TransformerActivation | Module;
  /** LayerNorm eps (default 1e-5). */
  layerNormEps?: number;
  /** Input and output are [N, S, E] instead of [S, N, E] (default false). */
  batchFirst?: boolean;
  /** Pre-norm: LayerNorm before each block instead of after the residual sum (default false). */
  normFirst?: boolean;
  /** Parameter dtype (default float32). */
  dtype?: DType;
}

/** Options of `TransformerEncoderLayer.forward`. */
export interface TransformerEncoderLayerForwardOptions {
  /** [S, S] or [N * nhead, S, S] attention mask (bool true = masked, float added). */
  srcMask?: Tensor | null;
  /** [N, S] (or [S] unbatched): true (bool) marks padding; a float mask is added. */
  srcKeyPaddingMask?: Tensor | null;
}

/**
 * One transformer encoder layer, like `torch.nn.TransformerEncoderLayer` (PyTorch 1.13):
 * self-attention and a feed-forward block (linear1, activation, dropout, linear2), each with
 * dropout and a residual connection, with LayerNorm after each sum (or before each block with
 * `normFirst`). Submodules are PyTorch's (`self_attn`, `linear1`, `dropout`, `linear2`, `norm1`,
 * `norm2`, `dropout1`, `dropout2`), so state_dict keys are too, and initialisation draws in
 * PyTorch's order (self_attn, linear1, linear2) for the same seed.
 *
 * torchlet runs PyTorch's general path. PyTorch 1.13 takes a fused fast path
 * (`torch._transformer_encoder_layer_fwd`) for batch-first input in eval mode without gradients
 * (relu or gelu, an even number of heads, no `srcMask`); it gives the same numbers up to float
 * rounding.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.TransformerEncoderLayer.html
 * @example
 * const layer = new nn.TransformerEncoderLayer(6, 3, { dimFeedforward: 16, batchFirst: true });
 * const y = layer.forward(x, { srcKeyPaddingMask: pad }); // x [N, S, 6]
 */
export class TransformerEncoderLayer extends Module {
  /** The self-attention block. */
  declare self_attn: MultiheadAttention;
  /** Feed-forward input projection [dimFeedforward, dModel]. */
  declare linear1: Linear;
  /** Dropout inside the feed-forward block. */
  declare dropout: Dropout;
  /** Feed-forward output projection [dModel, dimFeedforward]. */
  declare linear2: Linear;
  /** Whether LayerNorm comes before each block. */
  normFirst: boolean;
  /** LayerNorm of the attention block. */
  declare norm1: LayerNorm;
  /** LayerNorm of the feed-forward block. */
  declare norm2: LayerNorm;
  /** Dropout after the attention block. */
  declare dropout1: Dropout;
  /** Dropout after the feed-forward block. */
  declare dropout2: Dropout;
  /** 1 for relu, 2 for gelu, else 0 (PyTorch's `activation_relu_or_gelu`, which picks its fast path). */
  activationReluOrGelu: number;
  /** The activation function (or module) of the feed-forward block. */
  declare activation: ((x: Tensor) => Tensor) | Module;

  constructor(dModel: number, nhead: number, opts: TransformerEncoderLayerOptions = {}) {
    super();
    const fn = 'TransformerEncoderLayer()';
    const o = checkOptions<TransformerEncoderLayerOptions>(fn, opts, [
      'dimFeedforward',
      'dropout',
      'activation',
      'layerNormEps',
      'batchFirst',
      'normFirst',
      'dtype',
    ]);
    const dimFeedforward = optional(o.dimFeedforward, 2048, (v) => checkInt(fn, 'dim_feedforward', v, { min: 0 }));
    const dropout = optional(o.dropout, 0.1, (v) => checkNumber(fn, 'dropout', v));
    const eps = optional(o.layerNormEps, 1e-5, (v) => checkNumber(fn, 'layer_norm_eps', v));
    const batchFirst = optional(o.batchFirst, false, (v) => checkBool(fn, 'batchFirst', v));
    const dtype = optional(o.dtype, 'float32', (v) => checkDTypeName(fn, v, true));
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout, batchFirst, dtype });
    this.linear1 = new Linear(dModel, dimFeedforward, { dtype });
    this.dropout = new Dropout(dropout);
    this.linear2 = new Linear(dimFeedforward, dModel, { dtype });
    this.normFirst = optional(o.normFirst, false, (v) => checkBool(fn, 'normFirst', v));
    this.norm1 = new LayerNorm(dModel, { eps, dtype });
    this.norm2 = new LayerNorm(dModel, { eps, dtype });
    this.dropout1 = new Dropout(dropout);
    this.dropout2 = new Dropout(dropout);
    let activation: unknown = o.activation ?? F.relu;
    if (typeof activation === 'string') {
      if (activation === 'relu') activation = F.relu;
      else if (activation === 'gelu') activation = F.gelu;
      else throw new RuntimeError(`activation should be relu/gelu, not ${activation}`);
    }
    if (typeof activation !== 'function' && !(activation instanceof Module)) {
      throw new TypeError(`${fn}: argument 'activation' must be 'relu', 'gelu', a function or a module, got ${describeValue(activation)}`);
    }
    if (activation === F.relu || activation instanceof ReLU) this.activationReluOrGelu = 1;
    else if (activation === F.gelu || activation instanceof GELU) this.activationReluOrGelu = 2;
    else this.activationReluOrGelu = 0;
    this.activation = activation as ((x: Tensor) => Tensor) | Module; // a module registers as the child 'activation'
  }

  /**
   * `src` [S, N, E] ([N, S, E] with batchFirst, or unbatched [S, E]) -> the same shape.
   * @example const y = layer.forward(src, { srcMask: causal, srcKeyPaddingMask: pad });
   */
  override forward(src: Tensor, opts: TransformerEncoderLayerForwardOptions = {}): Tensor {
    const o = checkOptions<TransformerEncoderLayerForwardOptions>('TransformerEncoderLayer.forward()', opts, ['srcMask', 'srcKeyPaddingMask']);
    checkTensor('src', src);
    const srcMask = o.srcMask ?? null;
    const kpm = o.srcKeyPaddingMask ?? null;
    checkKeyPaddingMaskDtype(kpm);
    let x = src;
    if (this.normFirst) {
      x = x.add(this.saBlock(this.norm1(x), srcMask, kpm));
      x = x.add(this.ffBlock(this.norm2(x)));
    } else {
      x = this.norm1(x.add(this.saBlock(x, srcMask, kpm)));
      x = this.norm2(x.add(this.ffBlock(x)));
    }
    return x;
  }

  private saBlock(x: Tensor, attnMask: Tensor | null, keyPaddingMask: Tensor | null): Tensor {
    const [y] = this.self_attn(x, x, x, { attnMask, keyPaddingMask, needWeights: false });
    return this.dropout1(y);
  }

  private ffBlock(x: Tensor): Tensor {
    // a module activation is called as one (its hooks run), as PyTorch's self.activation(...)
    const act = this.activation as (x: Tensor) => Tensor;
    return this.dropout2(this.linear2(this.dropout(act(this.linear1(x)))));
  }
}

// ---------------------------------------------------------------- encoder

/** Options of `TransformerEncoder` (PyTorch's keyword arguments). */
export interface TransformerEncoderOptions {
  /** A module applied to the output of the last layer, usually a LayerNorm (default none). */
  norm?: Module | null;
  /** In eval mode without gradients, PyTorch 1.13 runs padded batches as nested tensors (default true): see the class. */
  enableNestedTensor?: boolean;
  /** Check that the padding is at the end of each sequence before taking the nested path (default true). */
  maskCheck?: boolean;
}

/** Options of `TransformerEncoder.forward`. */
export interface TransformerEncoderForwardOptions {
  /** [S, S] or [N * nhead, S, S] attention mask (bool true = masked, float added). */
  mask?: Tensor | null;
  /** [N, S] (or [S] unbatched): true (bool) marks padding; a float mask is added. */
  srcKeyPaddingMask?: Tensor | null;
}

/**
 * A stack of `numLayers` encoder layers, like `torch.nn.TransformerEncoder` (PyTorch 1.13). The
 * layers are deep copies of `encoderLayer` (PyTorch's `_get_clones`): equal parameter values, no
 * new random draws, registered as `layers.0`, `layers.1`, ... so state_dict keys are PyTorch's
 * (`layers.0.self_attn.in_proj_weight`, ...). `norm`, when given, is applied to the output.
 *
 * PyTorch parity: in eval mode, when no gradient is being recorded and the first layer qualifies
 * for PyTorch's fast path (a post-norm `TransformerEncoderLayer`, batch-first, relu or gelu, an
 * even number of heads, equal LayerNorm eps), with a `srcKeyPaddingMask` whose padding is at the
 * end of each sequence and no `mask`, PyTorch 1.13 runs the batch as nested tensors: padded
 * positions of the result are 0 (before `norm`), and the sequence dim is cut to the longest
 * unpadded length. torchlet reproduces that result (`enableNestedTensor: false` turns it off);
 * every other position equals the general path's.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.TransformerEncoder.html
 * @example
 * const layer = new nn.TransformerEncoderLayer(6, 3, { dimFeedforward: 16 });
 * const encoder = new nn.TransformerEncoder(layer, 2, { norm: new nn.LayerNorm(6) });
 * const y = encoder.forward(src, { mask: causal }); // src [S, N, 6]
 */
export class TransformerEncoder extends Module {
  /** The layers: deep copies of the layer given to the constructor. */
  declare layers: ModuleList;
  /** Number of layers. */
  readonly numLayers: number;
  /** Applied to the output of the last layer, or null. */
  declare norm: Module | null;
  /** Whether the nested-tensor result of PyTorch's eval fast path is reproduced. */
  enableNestedTensor: boolean;
  /** Whether the padding is checked to be at the end of each sequence before taking that path. */
  maskCheck: boolean;

  constructor(encoderLayer: Module, numLayers: number, opts: TransformerEncoderOptions = {}) {
    super();
    const fn = 'TransformerEncoder()';
    if (!(encoderLayer instanceof Module)) throw new TypeError(`${fn}: argument 'encoder_layer' must be a Module, got ${describeValue(encoderLayer)}`);
    checkInt(fn, 'num_layers', numLayers, { min: 0 });
    const o = checkOptions<TransformerEncoderOptions>(fn, opts, ['norm', 'enableNestedTensor', 'maskCheck']);
    if (o.norm !== undefined && o.norm !== null && !(o.norm instanceof Module)) {
      throw new TypeError(`${fn}: argument 'norm' must be a Module or null, got ${describeValue(o.norm)}`);
    }
    this.layers = new ModuleList(Array.from({ length: numLayers }, () => deepCopyModule(encoderLayer)));
    this.numLayers = numLayers;
    this.norm = o.norm ?? null;
    this.enableNestedTensor = optional(o.enableNestedTensor, true, (v) => checkBool(fn, 'enableNestedTensor', v));
    this.maskCheck = optional(o.maskCheck, true, (v) => checkBool(fn, 'maskCheck', v));
  }

  /**
   * Runs `src` through the layers (and `norm`).
   * @example const y = encoder.forward(src, { srcKeyPaddingMask: pad });
   */
  override forward(src: Tensor, opts: TransformerEncoderForwardOptions = {}): Tensor {
    const o = checkOptions<TransformerEncoderForwardOptions>('TransformerEncoder.forward()', opts, ['mask', 'srcKeyPaddingMask']);
    checkTensor('src', src);
    const mask = o.mask ?? null;
    const kpm = o.srcKeyPaddingMask ?? null;
    checkKeyPaddingMaskDtype(kpm);
    const keep = this.nestedKeep(src, mask, kpm);
    let output = src;
    // on the nested path every layer sees the padding as absent keys: the same as a bool mask
    const layerKpm = keep === null ? kpm : keep.logicalNot();
    for (const layer of this.layers) output = (layer as TransformerEncoderLayer)(output, { srcMask: mask, srcKeyPaddingMask: layerKpm });
    if (keep !== null) {
      // PyTorch's to_padded_tensor(0.): padding zeroed, the length cut to the longest sequence
      const longest = keep.sum(1).max().item();
      output = output.maskedFill(keep.logicalNot().unsqueeze(-1), 0).narrow(1, 0, longest);
    }
    if (this.norm !== null) output = this.norm(output) as Tensor;
    return output;
  }

  /**
   * The [N, S] keep mask when PyTorch 1.13 would convert `src` to a nested tensor
   * (TransformerEncoder.forward's sparsity fast path), else null.
   */
  private nestedKeep(src: Tensor, mask: Tensor | null, kpm: Tensor | null): Tensor | null {
    const first = this.layers.length > 0 ? this.layers.get(0) : null;
    if (!(first instanceof TransformerEncoderLayer)) return null;
    const attn = first.self_attn;
    if (first.normFirst || first.training || !attn.batchFirst || !attn._qkvSameEmbedDim || !first.activationReluOrGelu) return null;
    if (first.norm1.eps !== first.norm2.eps || src.dim() !== 3 || !this.enableNestedTensor || kpm === null) return null;
    const keep = kpm.logicalNot();
    if (this.maskCheck && !leftAligned(keep)) return null;
    if (mask !== null || attn.numHeads % 2 === 1) return null;
    const args = [src, attn.in_proj_weight, attn.in_proj_bias, attn.out_proj.weight, attn.out_proj.bias, first.norm1.weight, first.norm1.bias];
    args.push(first.norm2.weight, first.norm2.bias, first.linear1.weight, first.linear1.bias, first.linear2.weight, first.linear2.bias);
    if (isGradEnabled() && args.some((t) => t !== null && t.requiresGrad)) return null;
    return keep;
  }
}

/** Whether every row of a [N, S] keep mask is true up to some point and false after it. */
function leftAligned(keep: Tensor): boolean {
  const s = keep.size(1);
  if (s < 2) return true;
  // a kept position right after a dropped one breaks the alignment
  return !(keep.narrow(1, 1, s - 1).logicalAnd(keep.narrow(1, 0, s - 1).logicalNot()).any().item() as unknown);
}
