/**
 * 2-D convolution and the transposed convolutions: `conv2d`, `convTranspose1d`, `convTranspose2d`.
 * One autograd op (`convolution`, PyTorch's ConvolutionBackward0) serves all three; the arguments
 * are checked by `convolutionArgs` (ops/conv.ts) in PyTorch 1.13's order and wording.
 *
 * The numeric work runs in one of two ways, chosen per call by `useGemm`:
 *   - im2col + gemm: the `im2col2d` routine lays a slice of the batch out as windows
 *     col [nb, Cg*KH*KW, Ho*Wo], then the active backend's batched `gemm` (packed and threaded on
 *     native) computes y[n, g] = w[g] @ col[n]; the backward is two gemms and the `col2im2d`
 *     scatter. This is how the compiled backends get their speed without a conv kernel of their own.
 *   - the `conv2dForward` / `conv2dBackward` routines (direct loops): small problems, depthwise
 *     convolutions, integer dtypes.
 * A transposed convolution is the backward of a convolution with respect to its input (and its
 * backward is that convolution's forward and weight gradient), so both directions share the
 * same two code paths. The 1-D transposed convolution runs as a 2-D one of height 1.
 *
 * Deviation: the backward passes run outside the graph, so double backward (createGraph through
 * these ops) throws instead of building a second-order graph.
 */
import { defineOp } from '../autograd/function.js';
import type { OpCtx } from '../autograd/node.js';
import type { Backend, View } from '../backends/backend.js';
import type { Conv2dGeometry } from '../backends/routines/conv2d.js';
import { routine } from '../backends/routine.js';
import { emptyTensor } from '../tensor/create.js';
import type { DType, FloatArray } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import { RuntimeError } from '../errors.js';
import { type Conv1dOptions, type ConvTransposeOptions, type IntOrList, convolutionArgs, noDoubleBackward } from './conv.js';
import { backendOf, castRaw, dense } from './util.js';

/** Options of `conv2d` (PyTorch's keyword arguments); ints apply to both spatial dims. */
export interface Conv2dOptions {
  /** Step between output positions (default 1): an int or [sH, sW]. */
  stride?: IntOrList;
  /** Zeros added on both sides (default 0), or 'valid' (none) or 'same' (output size = input size; stride 1 only). */
  padding?: IntOrList | 'same' | 'valid';
  /** Spacing between kernel taps (default 1). */
  dilation?: IntOrList;
  /** Number of blocked connections from input to output channels (default 1). */
  groups?: number;
}

// ---------------------------------------------------------------- the two code paths

/**
 * When im2col + gemm beats the direct loops: at least 4 output channels per group (with fewer, as
 * in depthwise convolutions, the gemm degenerates into thin products) and at least 2^14
 * multiply-adds per sample and group. Integer dtypes always take the direct loops.
 */
function useGemm(g: Conv2dGeometry, dtype: DType): boolean {
  if (dtype !== 'float32' && dtype !== 'float64') return false;
  const Og = g.O / g.groups;
  return Og >= 4 && Og * (g.C / g.groups) * g.KH * g.KW * g.Ho * g.Wo >= 1 << 14;
}

/** Most elements of one im2col buffer (16 MB of float32): the batch is processed in slices below it. */
const MAX_COL = 1 << 22;

/** Scratch buffers (col, dcol, a bias plane) per element type, grown on demand, allocated by the backend. */
const scratch = new Map<string, FloatArray>();

function scratchArray(b: Backend, dtype: DType, which: 'col' | 'dcol' | 'bias', n: number): FloatArray {
  const key = `${dtype}:${which}`;
  let a = scratch.get(key);
  if (!a || a.length < n) {
    a = b.alloc(dtype, n) as FloatArray;
    scratch.set(key, a);
  }
  return a;
}

function view(data: FloatArray, shape: [number, number, number], strides: [number, number, number], offset: number): View {
  return { data, shape, strides, offset };
}

const SET = { alpha: 1, beta: 0 };
const ADD = { alpha: 1, beta: 1 };
const ONE = new Float32Array([1]);
const ONE64 = new Float64Array([1]);

/** The batch slices of the gemm path: [n0, nb] pairs with nb * Cg*KH*KW * Ho*Wo <= MAX_COL (at least one sample). */
function slices(g: Conv2dGeometry): [number, number][] {
  const per = (g.C / g.groups) * g.KH * g.KW * g.Ho * g.Wo;
  const nb = Math.max(1, Math.min(g.N, Math.floor(MAX_COL / Math.max(per, 1))));
  const out: [number, number][] = [];
  for (let n0 = 0; n0 < g.N; n0 += nb) out.push([n0, Math.min(nb, g.N - n0)]);
  return out;
}

/** y (overwritten) = conv2d(x, w) + b over contiguous arrays. */
function convForward(be: Backend, g: Conv2dGeometry, dtype: DType, x: FloatArray, w: FloatArray, b: FloatArray | null, y: FloatArray): void {
  if (!useGemm(g, dtype)) {
    routine('conv2dForward', be)({ ...g, x, w, b, y });
    return;
  }
  const G = g.groups;
  const Og = g.O / G;
  const CK = (g.C / G) * g.KH * g.KW;
  const P = g.Ho * g.Wo;
  for (const [n0, nb] of slices(g)) {
    const col = scratchArray(be, dtype, 'col', nb * CK * P);
    if (b) {
      // y[n, o, :] = b[o]: one sample's [O, P] bias plane (a product with K = 1 against a
      // broadcast one), then tiled over the slice; the gemms below add to it
      const plane = scratchArray(be, dtype, 'bias', g.O * P);
      const one = dtype === 'float32' ? ONE : ONE64;
      be.gemm(view(b, [1, g.O, 1], [0, 1, 0], 0), view(one, [1, 1, P], [0, 0, 0], 0), view(plane, [1, g.O, P], [0, P, 1], 0), SET);
      routine('tileRows', be)({ row: plane.subarray(0, g.O * P), out: y.subarray(n0 * g.O * P, (n0 + nb) * g.O * P) });
    }
    for (let gi = 0; gi < G; gi++) {
      routine('im2col2d', be)({ ...g, x, col, n0, nb, g: gi });
      be.gemm(
        view(w, [nb, Og, CK], [0, CK, 1], gi * Og * CK),
        view(col, [nb, CK, P], [CK * P, P, 1], 0),
        view(y, [nb, Og, P], [g.O * P, P, 1], (n0 * g.O + gi * Og) * P),
        b ? ADD : SET,
      );
    }
  }
}

/**
 * The geometry of the input gradient of a stride-1 convolution computed as a convolution of gy
 * with the flipped, channel-transposed weight (gx = gy (*) flip(w)ᵀ with padding d*(k-1) - p), or
 * null when that does not apply or costs more than col2im: its im2col reads O*KH*KW values per
 * output position where col2im adds C*KH*KW, but as block copies and one gemm instead of
 * scattered adds, so it wins up to O = 2C.
 */
function inputGradGeometry(g: Conv2dGeometry): Conv2dGeometry | null {
  if (g.strideH !== 1 || g.strideW !== 1 || g.O > 2 * g.C) return null;
  const padH = g.dilationH * (g.KH - 1) - g.padH;
  const padW = g.dilationW * (g.KW - 1) - g.padW;
  if (padH < 0 || padW < 0) return null;
  return { ...g, C: g.O, H: g.Ho, W: g.Wo, O: g.C, Ho: g.H, Wo: g.W, padH, padW };
}

/** The weight of `inputGradGeometry`'s convolution: [C, O/groups, KH, KW], flipped in both spatial dims. */
function flippedWeight(w: Tensor, groups: number): FloatArray {
  const w4 = w.dim() === 3 ? w.unsqueeze(2) : w; // a 1-D problem's weight has height 1
  const [O, Cg, KH, KW] = w4.shape as [number, number, number, number];
  return dense(w4.reshape([groups, O / groups, Cg, KH, KW]).transpose(1, 2).reshape([groups * Cg, O / groups, KH, KW]).flip([2, 3]));
}

/**
 * The non-null gradients gx (x's shape), gw, gb (overwritten) of conv2d from gy. `wFlipped` gives
 * the weight for computing gx as a convolution (stride 1; see inputGradGeometry).
 */
function convBackward(
  be: Backend,
  g: Conv2dGeometry,
  dtype: DType,
  x: FloatArray,
  w: FloatArray,
  gy: FloatArray,
  gx: FloatArray | null,
  gw: FloatArray | null,
  gb: FloatArray | null,
  wFlipped?: () => FloatArray,
): void {
  if (!useGemm(g, dtype)) {
    routine('conv2dBackward', be)({ ...g, x, w, gy, gx, gw, gb });
    return;
  }
  const gi = gx && wFlipped ? inputGradGeometry(g) : null;
  if (gi && gx && wFlipped) {
    convForward(be, gi, dtype, gy, wFlipped(), null, gx);
    gx = null;
  }
  const G = g.groups;
  const Og = g.O / G;
  const CK = (g.C / G) * g.KH * g.KW;
  const P = g.Ho * g.Wo;
  if (gb) be.reduce('sum', { data: gy, shape: [g.N, g.O, P], strides: [g.O * P, P, 1], offset: 0 }, [0, 2], { data: gb, shape: [g.O], strides: [1], offset: 0 });
  if (gx) gx.fill(0);
  if (gw && g.N === 0) gw.fill(0);
  for (const [n0, nb] of slices(g)) {
    const col = gw ? scratchArray(be, dtype, 'col', nb * CK * P) : null;
    const dcol = gx ? scratchArray(be, dtype, 'dcol', nb * CK * P) : null;
    for (let gi = 0; gi < G; gi++) {
      const gyOff = (n0 * g.O + gi * Og) * P;
      if (col && gw) {
        routine('im2col2d', be)({ ...g, x, col, n0, nb, g: gi });
        // gw[g] [Og, CK] (+)= gy[n, g] [Og, P] @ col[n]ᵀ [P, CK], summed over the batch in order
        for (let i = 0; i < nb; i++) {
          be.gemm(
            view(gy, [1, Og, P], [0, P, 1], gyOff + i * g.O * P),
            view(col, [1, P, CK], [0, 1, P], i * CK * P),
            view(gw, [1, Og, CK], [0, CK, 1], gi * Og * CK),
            n0 === 0 && i === 0 ? SET : ADD,
          );
        }
      }
      if (dcol && gx) {
        // dcol[n] [CK, P] = w[g]ᵀ [CK, Og] @ gy[n, g] [Og, P]
        be.gemm(view(w, [nb, CK, Og], [0, 1, CK], gi * Og * CK), view(gy, [nb, Og, P], [g.O * P, P, 1], gyOff), view(dcol, [nb, CK, P], [CK * P, P, 1], 0), SET);
        routine('col2im2d', be)({ ...g, col: dcol, gx, n0, nb, g: gi });
      }
    }
  }
}

// ---------------------------------------------------------------- the autograd op

/** What the op needs besides its tensors: the geometry without N, and whether it is transposed. */
interface ConvSpec {
  transposed: boolean;
  KH: number;
  KW: number;
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
  dilationH: number;
  dilationW: number;
  groups: number;
  /** Output plane (for transposed: the output, which is the underlying convolution's input). */
  Ho: number;
  Wo: number;
}

/**
 * The underlying convolution's geometry: for a plain convolution x -> y; for a transposed one,
 * the convolution whose input has the transposed output's shape and whose output has x's shape.
 */
function geometryOf(s: ConvSpec, x: Tensor, w: Tensor): Conv2dGeometry {
  // a 1-D problem ([N, C, L]) is a 2-D one of height 1
  const [N, Cx, Hx, Wx] = (x.dim() === 3 ? [x.shape[0]!, x.shape[1]!, 1, x.shape[2]!] : x.shape) as [number, number, number, number];
  const taps = { KH: s.KH, KW: s.KW, strideH: s.strideH, strideW: s.strideW, padH: s.padH, padW: s.padW, dilationH: s.dilationH, dilationW: s.dilationW, groups: s.groups };
  if (!s.transposed) return { N, C: Cx, H: Hx, W: Wx, O: w.shape[0]!, Ho: s.Ho, Wo: s.Wo, ...taps };
  return { N, C: w.shape[1]! * s.groups, H: s.Ho, W: s.Wo, O: Cx, Ho: Hx, Wo: Wx, ...taps };
}

/** `t` as a contiguous array of `dtype` (a converted copy when its dtype differs). */
function denseAs(t: Tensor, dtype: DType): FloatArray {
  return dense(t.dtype === dtype ? t : castRaw(t, dtype));
}

const convolutionOp = defineOp({
  name: 'convolution',
  nodeName: 'ConvolutionBackward0',
  forward(ctx: OpCtx<{ spec: ConvSpec }>, x: Tensor, w: Tensor, b: Tensor | null, s: ConvSpec): Tensor {
    const g = geometryOf(s, x, w);
    const be = backendOf(x, w, b);
    const dt = x.dtype;
    const flat = x.dim() === 3; // 1-D: the output drops the height of 1
    let y: Tensor;
    if (!s.transposed) {
      y = emptyTensor(flat ? [g.N, g.O, g.Wo] : [g.N, g.O, g.Ho, g.Wo], dt);
      convForward(be, g, dt, dense(x), dense(w), b ? dense(b) : null, y.storage.data as FloatArray);
    } else {
      y = emptyTensor(flat ? [g.N, g.C, g.W] : [g.N, g.C, g.H, g.W], dt);
      const ya = y.storage.data as FloatArray;
      convBackward(be, g, dt, ya, dense(w), dense(x), ya, null, null, () => flippedWeight(w, s.groups));
      if (b) {
        // y[n, c, :] += b[c]: a product with K = 1 against a broadcast one
        const P = g.H * g.W;
        const one = dt === 'float32' ? ONE : ONE64;
        be.gemm(view(dense(b), [g.N, g.C, 1], [0, 1, 0], 0), view(one, [g.N, 1, P], [0, 0, 0], 0), view(ya, [g.N, g.C, P], [g.C * P, P, 1], 0), ADD);
      }
    }
    ctx.save(x, w);
    ctx.spec = s;
    return y;
  },
  backward(ctx, [gy]) {
    noDoubleBackward(ctx.spec.transposed ? 'conv_transpose' : 'conv2d');
    const [x, w] = ctx.saved as [Tensor, Tensor];
    const s = ctx.spec;
    const need = ctx.needsInputGrad;
    const g = geometryOf(s, x, w);
    const be = backendOf(x, w);
    const dt = x.dtype;
    const gya = denseAs(gy!, dt);
    const gx = need[0] ? emptyTensor(x.shape, dt) : null;
    const gw = need[1] ? emptyTensor(w.shape, dt) : null;
    const nOut = s.transposed ? g.C : g.O;
    const gb = need[2] ? emptyTensor([nOut], dt) : null;
    const arr = (t: Tensor | null): FloatArray | null => (t ? (t.storage.data as FloatArray) : null);
    if (!s.transposed) {
      convBackward(be, g, dt, dense(x), dense(w), gya, arr(gx), arr(gw), arr(gb), () => flippedWeight(w, s.groups));
    } else {
      // x is the underlying convolution's output: its gradient is that convolution of gy
      if (gx) convForward(be, g, dt, gya, dense(w), null, arr(gx)!);
      if (gw) convBackward(be, g, dt, gya, dense(w), dense(x), null, arr(gw), null);
      if (gb) {
        const P = g.H * g.W;
        be.reduce('sum', { data: gya, shape: [g.N, g.C, P], strides: [g.C * P, P, 1], offset: 0 }, [0, 2], { data: arr(gb)!, shape: [g.C], strides: [1], offset: 0 });
      }
    }
    return [gx, gw, gb];
  },
  // fixed slots: an absent bias keeps its place (null, needing no gradient)
  inputs: (x: Tensor, w: Tensor, b: Tensor | null, _s: ConvSpec) => [x, w, b],
});

// ---------------------------------------------------------------- public functions

/** C++'s name of a dtype's element type, as caffe2::TypeMeta::name() prints it. */
function cTypeName(d: DType): string {
  const names: Partial<Record<DType, string>> = {
    float32: 'float', float64: 'double', int64: 'long int', int32: 'int', int16: 'short int', int8: 'signed char', uint8: 'unsigned char',
    bool: 'bool', float16: 'c10::Half', bfloat16: 'c10::BFloat16',
  };
  return names[d] ?? d;
}

/**
 * 2-D convolution over [N, C, H, W] (or unbatched [C, H, W]) input with a [O, C/groups, KH, KW]
 * weight, like `torch.nn.functional.conv2d` (cross-correlation, PyTorch's argument checks and
 * messages). Ints in `stride`, `padding` and `dilation` apply to both dims.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.conv2d.html
 * @example F.conv2d(torch.randn(2, 3, 8, 8), torch.randn(4, 3, 3, 3), null, { padding: 1 }).shape // [2, 4, 8, 8]
 */
export function conv2d(input: Tensor, weight: Tensor, bias: Tensor | null = null, opts: Conv2dOptions = {}): Tensor {
  // PyTorch parity: at::conv2d (int padding) compares the bias's dtype first, in C++ type names.
  if (bias instanceof Tensor && input instanceof Tensor && typeof opts?.padding !== 'string' && bias.dtype !== input.dtype) {
    throw new RuntimeError(`Input type (${cTypeName(input.dtype)}) and bias type (${cTypeName(bias.dtype)}) should be the same`);
  }
  const p = convolutionArgs('conv2d', 2, false, input, weight, bias, opts as Conv1dOptions);
  const [KH, KW] = weight.shape.slice(2) as [number, number];
  const [Ho, Wo] = p.out as [number, number];
  const y = convolutionOp(p.x, weight, p.bias, {
    transposed: false, KH, KW, Ho, Wo, groups: p.groups,
    strideH: p.stride[0]!, strideW: p.stride[1]!, padH: p.padding[0]!, padW: p.padding[1]!, dilationH: p.dilation[0]!, dilationW: p.dilation[1]!,
  });
  return p.batched ? y : y.squeeze(0);
}

/**
 * 2-D transposed convolution ("deconvolution") over [N, Cin, H, W] (or unbatched [Cin, H, W])
 * input with a [Cin, Cout/groups, KH, KW] weight, like `torch.nn.functional.conv_transpose2d`:
 * the gradient of `conv2d` with respect to its input. Output size per dim:
 * (in - 1) * stride - 2 * padding + dilation * (k - 1) + outputPadding + 1.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.conv_transpose2d.html
 * @example F.convTranspose2d(torch.randn(1, 4, 5, 5), torch.randn(4, 2, 3, 3), null, { stride: 2 }).shape // [1, 2, 11, 11]
 */
export function convTranspose2d(input: Tensor, weight: Tensor, bias: Tensor | null = null, opts: ConvTransposeOptions = {}): Tensor {
  const p = convolutionArgs('conv_transpose2d', 2, true, input, weight, bias, opts);
  const [KH, KW] = weight.shape.slice(2) as [number, number];
  const [Ho, Wo] = p.out as [number, number];
  const y = convolutionOp(p.x, weight, p.bias, {
    transposed: true, KH, KW, Ho, Wo, groups: p.groups,
    strideH: p.stride[0]!, strideW: p.stride[1]!, padH: p.padding[0]!, padW: p.padding[1]!, dilationH: p.dilation[0]!, dilationW: p.dilation[1]!,
  });
  return p.batched ? y : y.squeeze(0);
}

/**
 * 1-D transposed convolution over [N, Cin, L] (or unbatched [Cin, L]) input with a
 * [Cin, Cout/groups, K] weight, like `torch.nn.functional.conv_transpose1d`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.functional.conv_transpose1d.html
 * @example F.convTranspose1d(torch.randn(2, 4, 5), torch.randn(4, 3, 3), null, { stride: 2 }).shape // [2, 3, 11]
 */
export function convTranspose1d(input: Tensor, weight: Tensor, bias: Tensor | null = null, opts: ConvTransposeOptions = {}): Tensor {
  const p = convolutionArgs('conv_transpose1d', 1, true, input, weight, bias, opts);
  const [Lo] = p.out as [number];
  // PyTorch runs it as a 2-D problem of height 1 (view1d_as_2d); so does the op
  const y = convolutionOp(p.x, weight, p.bias, {
    transposed: true, KH: 1, KW: weight.shape[2]!, Ho: 1, Wo: Lo, groups: p.groups,
    strideH: 1, strideW: p.stride[0]!, padH: 0, padW: p.padding[0]!, dilationH: 1, dilationW: p.dilation[0]!,
  });
  return p.batched ? y : y.squeeze(0);
}
