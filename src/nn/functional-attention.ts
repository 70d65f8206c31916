/**
 * `nn.functional` attention: `multiHeadAttentionForward` (PyTorch 1.13's
 * `F.multi_head_attention_forward`, the computation behind `nn.MultiheadAttention`) and
 * `scaledDotProductAttention` (PyTorch 2.0's `F.scaled_dot_product_attention`).
 *
 * Both are composed from existing ops (linear, bmm/matmul, softmax, masked fill, dropout), step by
 * step in PyTorch's order, so autograd, the dropout draws and the mask quirks are PyTorch's.
 * See https://pytorch.org/docs/1.13/nn.functional.html#non-linear-activation-functions
 * @example
 * const [out, weights] = F.multiHeadAttentionForward(q, k, v, 6, 3, w, b, null, null, false, 0, wo, bo);
 * @module
 */
import { checkBool, checkNumber, checkOptions, optional } from '../validate.js';
import '../ops/methods.js';
import { AssertionError, RuntimeError } from '../errors.js';
import { isFloating } from '../tensor/dtype.js';
import { Tensor, sameShape } from '../tensor/tensor.js';
import { zeros, zerosLike, ones } from '../tensor/factories.js';
import { cat } from '../ops/movement.js';
import { bmm, matmul } from '../ops/matmul.js';
import { checkTensor } from '../ops/util.js';
import { warnOnce } from '../warnings.js';
import { dropout, linear, pad, softmax } from './functional.js';
import { pyTuple } from './module.js';

/** Python's repr of a torch.Size. */
function torchSize(shape: readonly number[]): string {
  return `torch.Size([${shape.join(', ')}])`;
}

function assert(cond: boolean, message: string): asserts cond {
  if (!cond) throw new AssertionError(message);
}

/** Options of `multiHeadAttentionForward` (PyTorch's keyword arguments). */
export interface MultiHeadAttentionForwardOptions {
  /** Apply dropout to the attention weights (default true). */
  training?: boolean;
  /** [N, S] (or [S] unbatched): true (bool) marks keys to ignore; a float mask is added. */
  keyPaddingMask?: Tensor | null;
  /** Return the attention weights (default true); otherwise the second result is null. */
  needWeights?: boolean;
  /** [L, S] or [N * numHeads, L, S]: true (bool) forbids attending; a float mask is added. */
  attnMask?: Tensor | null;
  /** Use `qProjWeight` / `kProjWeight` / `vProjWeight` instead of the packed `inProjWeight`. */
  useSeparateProjWeight?: boolean;
  /** [E, E] query projection (with `useSeparateProjWeight`). */
  qProjWeight?: Tensor | null;
  /** [E, kdim] key projection (with `useSeparateProjWeight`). */
  kProjWeight?: Tensor | null;
  /** [E, vdim] value projection (with `useSeparateProjWeight`). */
  vProjWeight?: Tensor | null;
  /** [N * numHeads, S, E / numHeads]: projected keys used as they are. */
  staticK?: Tensor | null;
  /** [N * numHeads, S, E / numHeads]: projected values used as they are. */
  staticV?: Tensor | null;
  /** Average the returned weights over the heads (default true); else [N, numHeads, L, S]. */
  averageAttnWeights?: boolean;
}

const MHA_OPTIONS = [
  'training',
  'keyPaddingMask',
  'needWeights',
  'attnMask',
  'useSeparateProjWeight',
  'qProjWeight',
  'kProjWeight',
  'vProjWeight',
  'staticK',
  'staticV',
  'averageAttnWeights',
] as const;

function optTensor(name: string, v: Tensor | null | undefined): Tensor | null {
  if (v === undefined || v === null) return null;
  checkTensor(name, v);
  return v;
}

/** PyTorch's `_mha_shape_check`: validates the ranks and returns whether the input is batched. */
function mhaShapeCheck(query: Tensor, key: Tensor, value: Tensor, kpm: Tensor | null, attnMask: Tensor | null, numHeads: number): boolean {
  const d = query.dim();
  if (d !== 2 && d !== 3) throw new AssertionError(`query should be unbatched 2D or batched 3D tensor but received ${d}-D query tensor`);
  const prefix = d === 3 ? 'For batched (3-D) `query`' : 'For unbatched (2-D) `query`';
  assert(key.dim() === d && value.dim() === d, `${prefix}, expected \`key\` and \`value\` to be ${d}-D but found ${key.dim()}-D and ${value.dim()}-D tensors respectively`);
  if (kpm) assert(kpm.dim() === d - 1, `${prefix}, expected \`key_padding_mask\` to be \`None\` or ${d - 1}-D but found ${kpm.dim()}-D tensor instead`);
  if (attnMask) {
    assert(attnMask.dim() === 2 || attnMask.dim() === 3, `${prefix}, expected \`attn_mask\` to be \`None\`, 2-D or 3-D but found ${attnMask.dim()}-D tensor instead`);
    if (d === 2 && attnMask.dim() === 3) {
      const expected = [numHeads, query.shape[0]!, key.shape[0]!];
      assert(sameShape(attnMask.shape, expected), `Expected \`attn_mask\` shape to be ${pyTuple(expected)} but got ${torchSize(attnMask.shape)}`);
    }
  }
  return d === 3;
}

/** @internal PyTorch's key_padding_mask dtype check (bool or floating). */
export function checkKeyPaddingMaskDtype(kpm: Tensor | null | undefined): void {
  if (kpm && kpm.dtype !== 'bool' && !isFloating(kpm.dtype)) {
    throw new AssertionError('only bool and floating types of key_padding_mask are supported');
  }
}

/** PyTorch's `_in_projection_packed`: one packed weight, reusing the product when q, k, v are the same tensor. */
function inProjectionPacked(q: Tensor, k: Tensor, v: Tensor, w: Tensor, b: Tensor | null): Tensor[] {
  const E = q.size(-1);
  if (k === v) {
    if (q === k) return linear(q, w, b).chunk(3, -1); // self-attention
    const [wQ, wKV] = w.split([E, E * 2]);
    const [bQ, bKV] = b === null ? [null, null] : b.split([E, E * 2]);
    return [linear(q, wQ!, bQ), ...linear(k, wKV!, bKV).chunk(2, -1)];
  }
  const [wQ, wK, wV] = w.chunk(3);
  const [bQ, bK, bV] = b === null ? [null, null, null] : b.chunk(3);
  return [linear(q, wQ!, bQ), linear(k, wK!, bK), linear(v, wV!, bV)];
}

/** PyTorch's `_in_projection`: three weights, with its shape assertions. */
function inProjection(q: Tensor, k: Tensor, v: Tensor, wQ: Tensor, wK: Tensor, wV: Tensor, bQ: Tensor | null, bK: Tensor | null, bV: Tensor | null): Tensor[] {
  const [Eq, Ek, Ev] = [q.size(-1), k.size(-1), v.size(-1)];
  const shapeIs = (t: Tensor, s: number[]): boolean => sameShape(t.shape, s);
  assert(shapeIs(wQ, [Eq, Eq]), `expecting query weights shape of ${pyTuple([Eq, Eq])}, but got ${torchSize(wQ.shape)}`);
  assert(shapeIs(wK, [Eq, Ek]), `expecting key weights shape of ${pyTuple([Eq, Ek])}, but got ${torchSize(wK.shape)}`);
  assert(shapeIs(wV, [Eq, Ev]), `expecting value weights shape of ${pyTuple([Eq, Ev])}, but got ${torchSize(wV.shape)}`);
  assert(bQ === null || shapeIs(bQ, [Eq]), `expecting query bias shape of ${pyTuple([Eq])}, but got ${torchSize(bQ?.shape ?? [])}`);
  assert(bK === null || shapeIs(bK, [Eq]), `expecting key bias shape of ${pyTuple([Eq])}, but got ${torchSize(bK?.shape ?? [])}`);
  assert(bV === null || shapeIs(bV, [Eq]), `expecting value bias shape of ${pyTuple([Eq])}, but got ${torchSize(bV?.shape ?? [])}`);
  return [linear(q, wQ, bQ), linear(k, wK, bK), linear(v, wV, bV)];
}

/**
 * The multi-head attention computation of `nn.MultiheadAttention`, like PyTorch 1.13's
 * `torch.nn.functional.multi_head_attention_forward` (sequence-first layout: query [L, N, E] or
 * unbatched [L, E], key [S, N, kdim], value [S, N, vdim]). Returns `[output, weights]`: output
 * [L, N, E]; weights [N, L, S] averaged over heads (or [N, numHeads, L, S]), null unless
 * `needWeights`.
 *
 * PyTorch 1.13's masks: a bool mask marks what may not be attended (true = masked), a float mask
 * is added to the scores; a key padding mask is merged into a bool attention mask with a logical
 * or and into a float one with -inf. A query row with every key masked gets NaN weights and
 * output, as in PyTorch. With `training` and `dropoutP > 0` the weights go through dropout with
 * PyTorch's draws.
 * Deviation: a float `attnMask` with a float `keyPaddingMask` are added; PyTorch 1.13 passes the
 * float padding mask to `masked_fill`, which reads its bytes as booleans (meaningless results).
 * See https://github.com/pytorch/pytorch/blob/v1.13.1/torch/nn/functional.py (multi_head_attention_forward)
 * @example
 * const [out, w] = F.multiHeadAttentionForward(x, x, x, 6, 3, mha.in_proj_weight, mha.in_proj_bias,
 *   null, null, false, 0, mha.out_proj.weight, mha.out_proj.bias, { keyPaddingMask: pad });
 */
export function multiHeadAttentionForward(
  query: Tensor,
  key: Tensor,
  value: Tensor,
  embedDimToCheck: number,
  numHeads: number,
  inProjWeight: Tensor | null,
  inProjBias: Tensor | null,
  biasK: Tensor | null,
  biasV: Tensor | null,
  addZeroAttn: boolean,
  dropoutP: number,
  outProjWeight: Tensor,
  outProjBias: Tensor | null,
  opts: MultiHeadAttentionForwardOptions = {},
): [Tensor, Tensor | null] {
  const fn = 'multi_head_attention_forward()';
  const o = checkOptions<MultiHeadAttentionForwardOptions>(fn, opts, MHA_OPTIONS);
  checkTensor('query', query);
  checkTensor('key', key);
  checkTensor('value', value);
  checkNumber(fn, 'embed_dim_to_check', embedDimToCheck);
  checkNumber(fn, 'num_heads', numHeads);
  checkBool(fn, 'add_zero_attn', addZeroAttn);
  checkNumber(fn, 'dropout_p', dropoutP);
  checkTensor('out_proj_weight', outProjWeight);
  const training = optional(o.training, true, (v) => checkBool(fn, 'training', v));
  const needWeights = optional(o.needWeights, true, (v) => checkBool(fn, 'need_weights', v));
  const useSeparate = optional(o.useSeparateProjWeight, false, (v) => checkBool(fn, 'use_separate_proj_weight', v));
  const averageAttnWeights = optional(o.averageAttnWeights, true, (v) => checkBool(fn, 'average_attn_weights', v));
  let keyPaddingMask = optTensor('key_padding_mask', o.keyPaddingMask);
  let attnMask = optTensor('attn_mask', o.attnMask);
  const staticK = optTensor('static_k', o.staticK);
  const staticV = optTensor('static_v', o.staticV);

  const isBatched = mhaShapeCheck(query, key, value, keyPaddingMask, attnMask, numHeads);
  // Unbatched input runs as a batch of one (dim 1), squeezed again at the end.
  if (!isBatched) {
    query = query.unsqueeze(1);
    key = key.unsqueeze(1);
    value = value.unsqueeze(1);
    if (keyPaddingMask) keyPaddingMask = keyPaddingMask.unsqueeze(0);
  }
  const [tgtLen, bsz, embedDim] = query.shape as [number, number, number];
  let srcLen = key.shape[0]!;
  checkKeyPaddingMaskDtype(keyPaddingMask);
  assert(embedDim === embedDimToCheck, `was expecting embedding dimension of ${embedDimToCheck}, but got ${embedDim}`);
  const headDim = Math.floor(embedDim / numHeads);
  assert(headDim * numHeads === embedDim, `embed_dim ${embedDim} not divisible by num_heads ${numHeads}`);
  if (useSeparate) {
    // separate projection weights allow different key and value embedding sizes
    assert(
      sameShape(key.shape.slice(0, 2), value.shape.slice(0, 2)),
      `key's sequence and batch dims ${torchSize(key.shape.slice(0, 2))} do not match value's ${torchSize(value.shape.slice(0, 2))}`,
    );
  } else {
    assert(sameShape(key.shape, value.shape), `key shape ${torchSize(key.shape)} does not match value shape ${torchSize(value.shape)}`);
  }

  // in-projection
  let q: Tensor;
  let k: Tensor;
  let v: Tensor;
  if (!useSeparate) {
    assert(inProjWeight !== null && inProjWeight !== undefined, 'use_separate_proj_weight is False but in_proj_weight is None');
    [q, k, v] = inProjectionPacked(query, key, value, inProjWeight, inProjBias ?? null) as [Tensor, Tensor, Tensor];
  } else {
    const qw = optTensor('q_proj_weight', o.qProjWeight);
    const kw = optTensor('k_proj_weight', o.kProjWeight);
    const vw = optTensor('v_proj_weight', o.vProjWeight);
    assert(qw !== null, 'use_separate_proj_weight is True but q_proj_weight is None');
    assert(kw !== null, 'use_separate_proj_weight is True but k_proj_weight is None');
    assert(vw !== null, 'use_separate_proj_weight is True but v_proj_weight is None');
    const [bQ, bK, bV] = inProjBias ? inProjBias.chunk(3) : [null, null, null];
    [q, k, v] = inProjection(query, key, value, qw, kw, vw, bQ!, bK!, bV!) as [Tensor, Tensor, Tensor];
  }

  // attention mask: bool (or deprecated uint8) or float, made 3-D
  if (attnMask) {
    if (attnMask.dtype === 'uint8') {
      warnOnce('Byte tensor for attn_mask in nn.MultiheadAttention is deprecated. Use bool tensor instead.');
      attnMask = attnMask.to('bool');
    } else {
      assert(isFloating(attnMask.dtype) || attnMask.dtype === 'bool', `Only float, byte, and bool types are supported for attn_mask, not torch.${attnMask.dtype}`);
    }
    if (attnMask.dim() === 2) {
      const correct = [tgtLen, srcLen];
      if (!sameShape(attnMask.shape, correct)) {
        throw new RuntimeError(`The shape of the 2D attn_mask is ${torchSize(attnMask.shape)}, but should be ${pyTuple(correct)}.`);
      }
      attnMask = attnMask.unsqueeze(0);
    } else if (attnMask.dim() === 3) {
      const correct = [bsz * numHeads, tgtLen, srcLen];
      if (!sameShape(attnMask.shape, correct)) {
        throw new RuntimeError(`The shape of the 3D attn_mask is ${torchSize(attnMask.shape)}, but should be ${pyTuple(correct)}.`);
      }
    } else {
      throw new RuntimeError(`attn_mask's dimension ${attnMask.dim()} is not supported`);
    }
  }

  // bias_k / bias_v: one more key and value at the end of the sequence
  if (biasK && biasV) {
    assert(staticK === null, 'bias cannot be added to static key.');
    assert(staticV === null, 'bias cannot be added to static value.');
    k = cat([k, biasK.repeat(1, bsz, 1)]);
    v = cat([v, biasV.repeat(1, bsz, 1)]);
    if (attnMask) attnMask = pad(attnMask, [0, 1]);
    if (keyPaddingMask) keyPaddingMask = pad(keyPaddingMask, [0, 1]);
  } else {
    assert(!biasK, '');
    assert(!biasV, '');
  }

  // heads into the batch: [N * numHeads, L or S, headDim]
  q = q.contiguous().view([tgtLen, bsz * numHeads, headDim]).transpose(0, 1);
  if (staticK === null) {
    k = k.contiguous().view([k.shape[0]!, bsz * numHeads, headDim]).transpose(0, 1);
  } else {
    assert(staticK.size(0) === bsz * numHeads, `expecting static_k.size(0) of ${bsz * numHeads}, but got ${staticK.size(0)}`);
    assert(staticK.size(2) === headDim, `expecting static_k.size(2) of ${headDim}, but got ${staticK.size(2)}`);
    k = staticK;
  }
  if (staticV === null) {
    v = v.contiguous().view([v.shape[0]!, bsz * numHeads, headDim]).transpose(0, 1);
  } else {
    assert(staticV.size(0) === bsz * numHeads, `expecting static_v.size(0) of ${bsz * numHeads}, but got ${staticV.size(0)}`);
    assert(staticV.size(2) === headDim, `expecting static_v.size(2) of ${headDim}, but got ${staticV.size(2)}`);
    v = staticV;
  }

  // add_zero_attn: one more all-zero key and value
  if (addZeroAttn) {
    const zeroShape = [bsz * numHeads, 1, headDim];
    k = cat([k, zeros(zeroShape, { dtype: k.dtype })], 1);
    v = cat([v, zeros(zeroShape, { dtype: v.dtype })], 1);
    if (attnMask) attnMask = pad(attnMask, [0, 1]);
    if (keyPaddingMask) keyPaddingMask = pad(keyPaddingMask, [0, 1]);
  }
  srcLen = k.size(1);

  // merge the key padding mask into the attention mask: [N * numHeads, 1, S]
  if (keyPaddingMask) {
    assert(
      sameShape(keyPaddingMask.shape, [bsz, srcLen]),
      `expecting key_padding_mask shape of ${pyTuple([bsz, srcLen])}, but got ${torchSize(keyPaddingMask.shape)}`,
    );
    const kpm = keyPaddingMask.view([bsz, 1, 1, srcLen]).expand([-1, numHeads, -1, -1]).reshape([bsz * numHeads, 1, srcLen]);
    if (attnMask === null) attnMask = kpm;
    else if (attnMask.dtype === 'bool') attnMask = attnMask.logicalOr(kpm);
    else if (kpm.dtype !== 'bool') attnMask = attnMask.add(kpm); // Deviation: see the TSDoc
    // PyTorch's out-of-place masked_fill broadcasts the tensor to the mask's shape
    else attnMask = attnMask.expand([bsz * numHeads, attnMask.shape[1]!, srcLen]).maskedFill(kpm, -Infinity);
  }
  // a bool mask becomes 0 / -inf in q's dtype
  if (attnMask && attnMask.dtype === 'bool') attnMask = zerosLike(attnMask, { dtype: q.dtype }).maskedFill(attnMask, -Infinity);
  if (!training) dropoutP = 0;

  // scores, softmax, dropout, weighted values, out-projection
  const E = q.shape[2]!;
  const qScaled = q.div(Math.sqrt(E));
  let weights = bmm(qScaled, k.transpose(-2, -1));
  if (attnMask) {
    // PyTorch's baddbmm(attn_mask, q, kᵀ): the result has q's dtype
    weights = weights.add(attnMask.dtype === weights.dtype ? attnMask : attnMask.to(weights.dtype));
  }
  weights = softmax(weights, -1);
  if (dropoutP > 0) weights = dropout(weights, dropoutP);
  let out = bmm(weights, v);
  out = out.transpose(0, 1).contiguous().view([tgtLen * bsz, embedDim]);
  out = linear(out, outProjWeight, outProjBias);
  out = out.view([tgtLen, bsz, out.size(1)]);
  if (!needWeights) return [isBatched ? out : out.squeeze(1), null];
  weights = weights.view([bsz, numHeads, tgtLen, srcLen]);
  if (averageAttnWeights) weights = weights.sum(1).div(numHeads);
  if (!isBatched) return [out.squeeze(1), weights.squeeze(0)];
  return [out, weights];
}

/** Options of `scaledDotProductAttention` (PyTorch 2.0's keyword arguments). */
export interface ScaledDotProductAttentionOptions {
  /** [..., L, S] (broadcast): a bool mask where true marks what TAKES PART in attention; a float mask is added. */
  attnMask?: Tensor | null;
  /** Dropout probability applied to the attention weights (default 0; applied whenever > 0). */
  dropoutP?: number;
  /** Apply a causal (lower-triangular) mask; `attnMask` must then be unset (default false). */
  isCausal?: boolean;
}

/**
 * softmax(Q Kᵀ / sqrt(E) + mask) V over the last two dims, like PyTorch 2.0's
 * `torch.nn.functional.scaled_dot_product_attention` (query [..., L, E], key [..., S, E], value
 * [..., S, Ev] -> [..., L, Ev]).
 *
 * This is PyTorch 2.0 API (PyTorch 1.13, torchlet's reference, has no public equivalent):
 * torchlet implements 2.0's documented semantics, which are those of 1.13's private math path
 * `torch._C._nn._scaled_dot_product_attention` it is checked against. Note the bool mask's sense:
 * true means "may attend", the opposite of `nn.MultiheadAttention`'s masks. Dropout (with
 * PyTorch's draws) is applied whenever `dropoutP > 0`, in training or not, as in PyTorch.
 * 2.1's `scale` argument is not taken.
 * See https://pytorch.org/docs/2.0/generated/torch.nn.functional.scaled_dot_product_attention.html
 * @example
 * const out = F.scaledDotProductAttention(q, k, v, { isCausal: true });
 */
export function scaledDotProductAttention(query: Tensor, key: Tensor, value: Tensor, opts: ScaledDotProductAttentionOptions = {}): Tensor {
  const fn = 'scaled_dot_product_attention()';
  const o = checkOptions<ScaledDotProductAttentionOptions>(fn, opts, ['attnMask', 'dropoutP', 'isCausal']);
  checkTensor('query', query);
  checkTensor('key', key);
  checkTensor('value', value);
  let attnMask = optTensor('attn_mask', o.attnMask);
  const dropoutP = optional(o.dropoutP, 0, (v) => checkNumber(fn, 'dropout_p', v));
  const isCausal = optional(o.isCausal, false, (v) => checkBool(fn, 'is_causal', v));
  const q = query.mul(1 / Math.sqrt(query.size(-1)));
  if (isCausal) {
    if (attnMask) throw new RuntimeError('_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True');
    // lower-triangular elements take part in attention
    attnMask = ones([q.size(-2), key.size(-2)], { dtype: 'bool' }).tril();
  }
  // a bool mask says what takes part: the rest gets -inf
  if (attnMask && attnMask.dtype === 'bool') attnMask = zerosLike(attnMask, { dtype: q.dtype }).maskedFill(attnMask.logicalNot(), -Infinity);
  let attn = matmul(q, key.transpose(-2, -1));
  // PyTorch adds the mask in place (attn.add_), keeping the scores' dtype
  if (attnMask) attn = attn.add(attnMask.dtype === attn.dtype ? attnMask : attnMask.to(attn.dtype));
  attn = softmax(attn, -1);
  if (dropoutP > 0) attn = dropout(attn, dropoutP, true);
  return matmul(attn, value);
}
