/**
 * Attention: `MultiheadAttention` and its output projection `NonDynamicallyQuantizableLinear`.
 */
import { checkBool, checkDTypeName, checkInt, checkNumber, checkOptions, optional } from '../../validate.js';
import { noGrad } from '../../autograd/grad-mode.js';
import { AssertionError } from '../../errors.js';
import { emptyTensor } from '../../tensor/create.js';
import type { DType } from '../../tensor/dtype.js';
import type { Tensor } from '../../tensor/tensor.js';
import { checkKeyPaddingMaskDtype, multiHeadAttentionForward } from '../functional-attention.js';
import * as init from '../init.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { Linear, type LinearOptions } from './linear.js';

/**
 * The output projection of `MultiheadAttention`: a `Linear` under PyTorch's class name (which
 * quantization tools treat specially), so printed models and `instanceof nn.Linear` read as in
 * PyTorch.
 * See https://github.com/pytorch/pytorch/blob/v1.13.1/torch/nn/modules/linear.py
 * @example new nn.NonDynamicallyQuantizableLinear(6, 6) // NonDynamicallyQuantizableLinear(in_features=6, out_features=6, bias=True)
 */
export class NonDynamicallyQuantizableLinear extends Linear {
  constructor(inFeatures: number, outFeatures: number, opts: LinearOptions = {}) {
    super(inFeatures, outFeatures, opts);
  }
}

/** Options of `MultiheadAttention` (PyTorch's keyword arguments). */
export interface MultiheadAttentionOptions {
  /** Dropout probability on the attention weights in training (default 0). */
  dropout?: number;
  /** Biases on the in- and out-projections (default true). */
  bias?: boolean;
  /** Learned `bias_k` / `bias_v` appended to the keys and values (default false). */
  addBiasKv?: boolean;
  /** Append an all-zero key and value (default false). */
  addZeroAttn?: boolean;
  /** Key feature size (default embedDim). */
  kdim?: number | null;
  /** Value feature size (default embedDim). */
  vdim?: number | null;
  /** Inputs and output are [N, L, E] instead of [L, N, E] (default false). */
  batchFirst?: boolean;
  /** Parameter dtype (default float32). */
  dtype?: DType;
}

/** Options of `MultiheadAttention.forward` (PyTorch's keyword arguments). */
export interface MultiheadAttentionForwardOptions {
  /** [N, S] (or [S] unbatched): true (bool) marks keys to ignore; a float mask is added. */
  keyPaddingMask?: Tensor | null;
  /** Return the attention weights (default true); otherwise the second result is null. */
  needWeights?: boolean;
  /** [L, S] or [N * numHeads, L, S]: true (bool) forbids attending; a float mask is added. */
  attnMask?: Tensor | null;
  /** Average the returned weights over the heads (default true); else [N, numHeads, L, S]. */
  averageAttnWeights?: boolean;
}

/**
 * Multi-head attention, like `torch.nn.MultiheadAttention` (PyTorch 1.13): projections of query,
 * key and value split into `numHeads` heads, scaled dot-product attention per head, and an output
 * projection. `forward(query, key, value, opts)` returns `[output, weights | null]`.
 *
 * Parameters and state_dict keys are PyTorch's: `in_proj_weight` [3E, E] (or `q_proj_weight`,
 * `k_proj_weight` [E, kdim], `v_proj_weight` [E, vdim] when kdim or vdim differ from E),
 * `in_proj_bias` [3E], `bias_k` / `bias_v` [1, 1, E] (with `addBiasKv`), `out_proj.weight` /
 * `out_proj.bias`. Initialisation draws in PyTorch's order, so `torch.manualSeed(s)` gives
 * PyTorch's weights: `out_proj` (a Linear) first, then xavier-uniform in-projections, zero biases
 * and xavier-normal `bias_k` / `bias_v`.
 *
 * torchlet runs PyTorch's general path. PyTorch 1.13 takes a fused fast path
 * (`torch._native_multi_head_attention`) for batch-first self-attention in eval mode without
 * gradients and with an even number of heads; it gives the same numbers up to float rounding.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.MultiheadAttention.html
 * @example
 * const mha = new nn.MultiheadAttention(6, 3, { batchFirst: true });
 * const [out, weights] = mha.forward(x, x, x, { keyPaddingMask: pad }); // x [N, L, 6]
 */
export class MultiheadAttention extends Module {
  /** The model size E (query features and output features). */
  readonly embedDim: number;
  /** Key feature size. */
  readonly kdim: number;
  /** Value feature size. */
  readonly vdim: number;
  /** Whether kdim and vdim equal embedDim (one packed `in_proj_weight`). */
  readonly _qkvSameEmbedDim: boolean;
  /** Number of heads. */
  readonly numHeads: number;
  /** Dropout probability on the attention weights (a number, as PyTorch's `dropout` attribute). */
  dropout: number;
  /** Whether inputs and output are batch-first. */
  batchFirst: boolean;
  /** embedDim / numHeads. */
  readonly headDim: number;
  /** Whether an all-zero key and value are appended. */
  addZeroAttn: boolean;
  /** [3E, E], or null when kdim or vdim differ from E. */
  declare in_proj_weight: Parameter | null;
  /** [E, E], or null with a packed in_proj_weight. */
  declare q_proj_weight: Parameter | null;
  /** [E, kdim], or null with a packed in_proj_weight. */
  declare k_proj_weight: Parameter | null;
  /** [E, vdim], or null with a packed in_proj_weight. */
  declare v_proj_weight: Parameter | null;
  /** [3E], or null without bias. */
  declare in_proj_bias: Parameter | null;
  /** The output projection. */
  declare out_proj: NonDynamicallyQuantizableLinear;
  /** [1, 1, E] with addBiasKv, else null. */
  declare bias_k: Parameter | null;
  /** [1, 1, E] with addBiasKv, else null. */
  declare bias_v: Parameter | null;

  constructor(embedDim: number, numHeads: number, opts: MultiheadAttentionOptions = {}) {
    super();
    const fn = 'MultiheadAttention()';
    const o = checkOptions<MultiheadAttentionOptions>(fn, opts, ['dropout', 'bias', 'addBiasKv', 'addZeroAttn', 'kdim', 'vdim', 'batchFirst', 'dtype']);
    this.embedDim = checkInt(fn, 'embed_dim', embedDim, { min: 0 });
    this.kdim = optional(o.kdim, embedDim, (v) => checkInt(fn, 'kdim', v, { min: 0 }), true);
    this.vdim = optional(o.vdim, embedDim, (v) => checkInt(fn, 'vdim', v, { min: 0 }), true);
    this._qkvSameEmbedDim = this.kdim === embedDim && this.vdim === embedDim;
    // Deviation: PyTorch fails on num_heads 0 with Python's ZeroDivisionError.
    this.numHeads = checkInt(fn, 'num_heads', numHeads, { min: 1 });
    this.dropout = optional(o.dropout, 0, (v) => checkNumber(fn, 'dropout', v));
    this.batchFirst = optional(o.batchFirst, false, (v) => checkBool(fn, 'batchFirst', v));
    this.headDim = Math.floor(embedDim / numHeads);
    if (this.headDim * numHeads !== embedDim) throw new AssertionError('embed_dim must be divisible by num_heads');
    const bias = optional(o.bias, true, (v) => checkBool(fn, 'bias', v));
    const addBiasKv = optional(o.addBiasKv, false, (v) => checkBool(fn, 'addBiasKv', v));
    this.addZeroAttn = optional(o.addZeroAttn, false, (v) => checkBool(fn, 'addZeroAttn', v));
    const dtype = optional(o.dtype, 'float32', (v) => checkDTypeName(fn, v, true));

    // Registration order is PyTorch's (it fixes the state_dict order).
    const param = (shape: number[]): Parameter => new Parameter(emptyTensor(shape, dtype));
    if (!this._qkvSameEmbedDim) {
      this.q_proj_weight = param([embedDim, embedDim]);
      this.k_proj_weight = param([embedDim, this.kdim]);
      this.v_proj_weight = param([embedDim, this.vdim]);
      this.registerParameter('in_proj_weight', null);
    } else {
      this.in_proj_weight = param([3 * embedDim, embedDim]);
      this.registerParameter('q_proj_weight', null);
      this.registerParameter('k_proj_weight', null);
      this.registerParameter('v_proj_weight', null);
    }
    if (bias) this.in_proj_bias = param([3 * embedDim]);
    else this.registerParameter('in_proj_bias', null);
    // PyTorch parity: the Linear draws its own init here, before _reset_parameters below.
    this.out_proj = new NonDynamicallyQuantizableLinear(embedDim, embedDim, { bias, dtype });
    if (addBiasKv) {
      this.bias_k = param([1, 1, embedDim]);
      this.bias_v = param([1, 1, embedDim]);
    } else {
      // plain attributes, as PyTorch's `self.bias_k = self.bias_v = None`
      this.bias_k = null;
      this.bias_v = null;
    }
    this._resetParameters();
  }

  /** PyTorch's `_reset_parameters`: xavier-uniform in-projections, zero biases, xavier-normal bias_k / bias_v. */
  _resetParameters(): void {
    noGrad(() => {
      if (this._qkvSameEmbedDim) init.xavierUniform_(this.in_proj_weight!);
      else {
        init.xavierUniform_(this.q_proj_weight!);
        init.xavierUniform_(this.k_proj_weight!);
        init.xavierUniform_(this.v_proj_weight!);
      }
      if (this.in_proj_bias) {
        init.constant_(this.in_proj_bias, 0);
        init.constant_(this.out_proj.bias!, 0);
      }
      if (this.bias_k) init.xavierNormal_(this.bias_k);
      if (this.bias_v) init.xavierNormal_(this.bias_v);
    });
  }

  /**
   * Attends from `query` ([L, N, E], [N, L, E] with batchFirst, or unbatched [L, E]) over `key`
   * ([S, N, kdim]) and `value` ([S, N, vdim]). Returns `[output, weights]`: output shaped like the
   * query; weights [N, L, S] averaged over heads (or [N, numHeads, L, S] without
   * `averageAttnWeights`; [L, S] / [numHeads, L, S] unbatched), null unless `needWeights`.
   * Masks are PyTorch 1.13's: bool true = masked, float = added (see `F.multiHeadAttentionForward`).
   * @example const [out, w] = mha.forward(q, k, v, { attnMask: causal, needWeights: false });
   */
  override forward(query: Tensor, key: Tensor, value: Tensor, opts: MultiheadAttentionForwardOptions = {}): [Tensor, Tensor | null] {
    const fn = 'MultiheadAttention.forward()';
    const o = checkOptions<MultiheadAttentionForwardOptions>(fn, opts, ['keyPaddingMask', 'needWeights', 'attnMask', 'averageAttnWeights']);
    const isBatched = query.dim() === 3;
    checkKeyPaddingMaskDtype(o.keyPaddingMask);
    if (this.batchFirst && isBatched) {
      // keep the identities (self-attention shares one projection product)
      if (key === value) {
        if (query === key) query = key = value = query.transpose(1, 0);
        else {
          query = query.transpose(1, 0);
          key = value = key.transpose(1, 0);
        }
      } else {
        query = query.transpose(1, 0);
        key = key.transpose(1, 0);
        value = value.transpose(1, 0);
      }
    }
    const common = {
      training: this.training,
      keyPaddingMask: o.keyPaddingMask ?? null,
      needWeights: o.needWeights ?? true,
      attnMask: o.attnMask ?? null,
      averageAttnWeights: o.averageAttnWeights ?? true,
    };
    const [out, weights] = multiHeadAttentionForward(
      query,
      key,
      value,
      this.embedDim,
      this.numHeads,
      this.in_proj_weight,
      this.in_proj_bias,
      this.bias_k,
      this.bias_v,
      this.addZeroAttn,
      this.dropout,
      this.out_proj.weight,
      this.out_proj.bias,
      this._qkvSameEmbedDim
        ? common
        : { ...common, useSeparateProjWeight: true, qProjWeight: this.q_proj_weight, kProjWeight: this.k_proj_weight, vProjWeight: this.v_proj_weight },
    );
    return [this.batchFirst && isBatched ? out.transpose(1, 0) : out, weights];
  }
}
