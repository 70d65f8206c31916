/**
 * Matrix products: `matmul` (with batching and broadcasting), `mm`, `bmm`, `mv`, `dot`, `addmm`.
 * One op (`bmm_broadcast`) runs the backend's batched gemm over >= 2-D operands; the 1-D cases
 * are unsqueeze/squeeze views around it, so every product shares one forward and backward.
 */
import { checkNumber, checkOptions, describeValue } from '../validate.js';
import { defineOp } from '../autograd/function.js';
import { RuntimeError } from '../errors.js';
import { emptyTensor } from '../tensor/create.js';
import { type DType, type FloatArray, isFloating, promoteTypes, scalarTypeName } from '../tensor/dtype.js';
import { routine } from '../backends/routine.js';
import { Tensor } from '../tensor/tensor.js';
import { broadcastShapes, castRaw, backendOf, dense, viewOf } from './util.js';
import type { MethodTable } from '../tensor/methods.js';

/** Batched product of a [..., M, K] and b [..., K, N] with broadcast batch dims. */
const batchedMatmul: (a: Tensor, b: Tensor, dtype: DType) => Tensor = defineOp({
  name: 'matmul',
  nodeName: 'MmBackward0',
  forward(ctx, a: Tensor, b: Tensor, dtype: DType) {
    const k = backendOf(a, b);
    const ac = a.dtype === dtype ? a : castRaw(a, dtype);
    const bc = b.dtype === dtype ? b : castRaw(b, dtype);
    const M = a.shape[a.dim() - 2]!;
    const K = a.shape[a.dim() - 1]!;
    const N = b.shape[b.dim() - 1]!;
    const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2));
    const out = emptyTensor([...batch, M, N], dtype, a.storage.device);
    // Broadcast batch strides of each operand.
    const bs = (t: Tensor): number[] => {
      const off = batch.length - (t.dim() - 2);
      return batch.map((s, i) => {
        const src = i - off;
        if (src < 0 || t.shape[src] === 1) return 0;
        return t.strides[src]!;
      });
    };
    const sa = bs(ac);
    const sb = bs(bc);
    // The last batch dim goes to the kernel; outer batch dims loop here.
    const inner = batch.length ? batch[batch.length - 1]! : 1;
    const outerShape = batch.slice(0, -1);
    let outer = 1;
    for (const s of outerShape) outer *= s;
    const idx = new Array<number>(outerShape.length).fill(0);
    const asr = [ac.strides[ac.dim() - 2]!, ac.strides[ac.dim() - 1]!];
    const bsr = [bc.strides[bc.dim() - 2]!, bc.strides[bc.dim() - 1]!];
    for (let o = 0; o < outer; o++) {
      let offA = ac.offset;
      let offB = bc.offset;
      let offO = 0;
      let mult = inner * M * N;
      for (let d = outerShape.length - 1; d >= 0; d--) {
        offA += idx[d]! * sa[d]!;
        offB += idx[d]! * sb[d]!;
        offO += idx[d]! * mult;
        mult *= outerShape[d]!;
      }
      k.gemm(
        { data: viewOf(ac).data, shape: [inner, M, K], strides: [sa[sa.length - 1] ?? 0, asr[0]!, asr[1]!], offset: offA },
        { data: viewOf(bc).data, shape: [inner, K, N], strides: [sb[sb.length - 1] ?? 0, bsr[0]!, bsr[1]!], offset: offB },
        { data: viewOf(out).data, shape: [inner, M, N], strides: [M * N, N, 1], offset: offO },
        { alpha: 1, beta: 0 },
      );
      for (let d = outerShape.length - 1; d >= 0; d--) {
        if (++idx[d]! < outerShape[d]!) break;
        idx[d] = 0;
      }
    }
    ctx.save(ac, bc);
    return out;
  },
  backward(ctx, [gy]): (Tensor | null)[] {
    const [a, b] = ctx.saved;
    const need = ctx.needsInputGrad;
    // the engine sums broadcast batch dims back to each input's shape
    return [
      need[0] ? batchedMatmul(gy!, b!.transpose(-1, -2), gy!.dtype) : null,
      need[1] ? batchedMatmul(a!.transpose(-1, -2), gy!, gy!.dtype) : null,
    ];
  },
});

function dtypeOf(a: Tensor, b: Tensor): DType {
  if (a.dtype !== b.dtype) {
    throw new RuntimeError(`expected scalar type ${scalarTypeName(a.dtype)} but found ${scalarTypeName(b.dtype)}`);
  }
  return promoteTypes(a.dtype, b.dtype);
}

function matArg(fn: string, name: string, v: unknown): void {
  if (!(v instanceof Tensor)) throw new TypeError(`${fn}(): argument '${name}' must be a Tensor, got ${describeValue(v)}`);
}

/**
 * Matrix product with PyTorch's rules for 1-D, 2-D and batched (broadcast) operands.
 * See https://pytorch.org/docs/1.13/generated/torch.matmul.html
 * @example torch.matmul(torch.randn(10, 3, 4), torch.randn(4, 5)).shape // [10, 3, 5]
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  matArg('matmul', 'input', a);
  matArg('matmul', 'other', b);
  const da = a.dim();
  const db = b.dim();
  if (da === 0 || db === 0) {
    throw new RuntimeError(`both arguments to matmul need to be at least 1D, but they are ${da}D and ${db}D`);
  }
  if (da === 1 && db === 1) return dot(a, b);
  const dtype = dtypeOf(a, b);
  if (da === 2 && db === 1) return mv(a, b);
  const a2 = da === 1 ? a.unsqueeze(0) : a;
  const b2 = db === 1 ? b.unsqueeze(-1) : b;
  if (a2.dim() > 2 || b2.dim() > 2) broadcastShapes(a2.shape.slice(0, -2), b2.shape.slice(0, -2));
  const K = a2.shape[a2.dim() - 1]!;
  const Kb = b2.shape[b2.dim() - 2]!;
  if (K !== Kb) {
    if (da >= 3 && db === 1) {
      throw new RuntimeError(`size mismatch, got ${a.shape[0]}, ${a.shape.slice(-2).join('x')},${b.shape[0]}`);
    }
    throw new RuntimeError(
      `mat1 and mat2 shapes cannot be multiplied (${matShape(a2)} and ${b2.shape[b2.dim() - 2]}x${b2.shape[b2.dim() - 1]})`,
    );
  }
  let out = batchedMatmul(a2, b2, dtype);
  if (da === 1) out = out.squeeze(-2);
  if (db === 1) out = out.squeeze(-1);
  return out;
}

function matShape(a: Tensor): string {
  const rows = a.numel() / a.shape[a.dim() - 1]!;
  return `${a.dim() > 2 ? rows : a.shape[a.dim() - 2]}x${a.shape[a.dim() - 1]}`;
}

/**
 * 2-D matrix product, like `torch.mm`.
 * See https://pytorch.org/docs/1.13/generated/torch.mm.html
 * @example torch.mm(torch.randn(2, 3), torch.randn(3, 4)).shape // [2, 4]
 */
export function mm(a: Tensor, b: Tensor): Tensor {
  matArg('mm', 'input', a);
  matArg('mm', 'mat2', b);
  if (a.dim() !== 2) throw new RuntimeError('self must be a matrix');
  if (b.dim() !== 2) throw new RuntimeError('mat2 must be a matrix');
  if (a.shape[1] !== b.shape[0]) {
    throw new RuntimeError(`mat1 and mat2 shapes cannot be multiplied (${a.shape[0]}x${a.shape[1]} and ${b.shape[0]}x${b.shape[1]})`);
  }
  return batchedMatmul(a, b, dtypeOf(a, b));
}

/**
 * Batched 3-D product, like `torch.bmm`.
 * See https://pytorch.org/docs/1.13/generated/torch.bmm.html
 * @example torch.bmm(torch.randn(8, 2, 3), torch.randn(8, 3, 4)).shape // [8, 2, 4]
 */
export function bmm(a: Tensor, b: Tensor): Tensor {
  matArg('bmm', 'input', a);
  matArg('bmm', 'mat2', b);
  if (a.dim() !== 3) throw new RuntimeError('batch1 must be a 3D tensor');
  if (b.dim() !== 3) throw new RuntimeError('batch2 must be a 3D tensor');
  if (b.shape[0] !== a.shape[0] || b.shape[1] !== a.shape[2]) {
    throw new RuntimeError(
      `Expected size for first two dimensions of batch2 tensor to be: [${a.shape[0]}, ${a.shape[2]}] but got: [${b.shape[0]}, ${b.shape[1]}].`,
    );
  }
  return batchedMatmul(a, b, dtypeOf(a, b));
}

/**
 * Matrix-vector product, like `torch.mv`.
 * See https://pytorch.org/docs/1.13/generated/torch.mv.html
 * @example torch.mv(torch.randn(2, 3), torch.randn(3)).shape // [2]
 */
export function mv(a: Tensor, v: Tensor): Tensor {
  matArg('mv', 'input', a);
  matArg('mv', 'vec', v);
  if (a.dim() !== 2 || v.dim() !== 1) throw new RuntimeError(`vector + matrix @ vector expected, got 1, ${a.dim()}, ${v.dim()}`);
  if (a.shape[1] !== v.shape[0]) {
    throw new RuntimeError(`size mismatch, got ${a.shape[0]}, ${a.shape[0]}x${a.shape[1]},${v.shape[0]}`);
  }
  return batchedMatmul(a, v.unsqueeze(-1), dtypeOf(a, v)).squeeze(-1);
}

/**
 * Inner product of two 1-D tensors, like `torch.dot`.
 * See https://pytorch.org/docs/1.13/generated/torch.dot.html
 * @example torch.dot(torch.tensor([1, 2]), torch.tensor([3, 4])) // tensor(11)
 */
export function dot(a: Tensor, b: Tensor): Tensor {
  matArg('dot', 'input', a);
  matArg('dot', 'other', b);
  if (a.dim() !== 1 || b.dim() !== 1) {
    throw new RuntimeError(`1D tensors expected, but got ${a.dim()}D and ${b.dim()}D tensors`);
  }
  if (a.shape[0] !== b.shape[0]) {
    throw new RuntimeError(
      `inconsistent tensor size, expected tensor [${a.shape[0]}] and src [${b.shape[0]}] to have the same number of elements, but got ${a.shape[0]} and ${b.shape[0]} elements respectively`,
    );
  }
  if (a.dtype !== b.dtype) {
    throw new RuntimeError(`dot : expected both vectors to have same dtype, but found ${scalarTypeName(a.dtype)} and ${scalarTypeName(b.dtype)}`);
  }
  const dtype = a.dtype;
  return isFloating(dtype) ? dotOp(a, b) : batchedMatmul(a.unsqueeze(0), b.unsqueeze(-1), dtype).reshape([]);
}

/** A floating inner product summed in the BLAS order PyTorch's `dot` gets (the `dot` routine). */
const dotOp = defineOp({
  name: 'dot',
  nodeName: 'DotBackward0',
  forward(ctx, a: Tensor, b: Tensor) {
    const k = backendOf(a, b);
    const out = emptyTensor([], a.dtype, a.storage.device);
    routine('dot', k)({ x: dense(a), y: dense(b), out: viewOf(out).data as FloatArray });
    ctx.save(a, b);
    return out;
  },
  backward(ctx, [gy]) {
    const [a, b] = ctx.saved as [Tensor, Tensor];
    return [ctx.needsInputGrad[0] ? gy!.mul(b) : null, ctx.needsInputGrad[1] ? gy!.mul(a) : null];
  },
});

/**
 * `beta * input + alpha * (a @ b)`, like `torch.addmm`.
 * See https://pytorch.org/docs/1.13/generated/torch.addmm.html
 * @example const y = torch.addmm(bias, x, w.t()); // bias + x @ w.T, as in nn.Linear
 */
export function addmm(input: Tensor, a: Tensor, b: Tensor, opts: { beta?: number; alpha?: number } = {}): Tensor {
  matArg('addmm', 'input', input);
  const o = checkOptions<{ beta?: number; alpha?: number }>('addmm()', opts, ['beta', 'alpha']);
  const alpha = o.alpha === undefined ? 1 : checkNumber('addmm()', 'alpha', o.alpha);
  const beta = o.beta === undefined ? 1 : checkNumber('addmm()', 'beta', o.beta);
  const p = mm(a, b);
  if (input.dtype !== p.dtype) throw new RuntimeError('self and mat2 must have the same dtype');
  return (beta === 1 ? input : input.mul(beta)).add(alpha === 1 ? p : p.mul(alpha));
}

declare module '../tensor/tensor.js' {
  interface Tensor {
    /**
     * Matrix product, like `Tensor.matmul`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.matmul.html
     * @example torch.randn(10, 3, 4).matmul(torch.randn(4, 5)).shape // [10, 3, 5]
     */
    matmul(other: Tensor): Tensor;
    /**
     * 2-D product, like `Tensor.mm`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.mm.html
     * @example x.mm(w.t())
     */
    mm(other: Tensor): Tensor;
    /**
     * Batched 3-D product, like `Tensor.bmm`.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.bmm.html
     * @example q.bmm(k.transpose(1, 2))
     */
    bmm(other: Tensor): Tensor;
    /**
     * Matrix-vector product.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.mv.html
     * @example A.mv(v)
     */
    mv(v: Tensor): Tensor;
    /**
     * 1-D inner product.
     * See https://pytorch.org/docs/1.13/generated/torch.Tensor.dot.html
     * @example torch.tensor([1, 2]).dot(torch.tensor([3, 4])) // tensor(11)
     */
    dot(other: Tensor): Tensor;
  }
}

/** This file's `Tensor` methods, installed by ops/methods.ts. @internal */
export const matmulMethods: MethodTable = {
  matmul(this: Tensor, o: Tensor) {
    return matmul(this, o);
  },
  mm(this: Tensor, o: Tensor) {
    return mm(this, o);
  },
  bmm(this: Tensor, o: Tensor) {
    return bmm(this, o);
  },
  mv(this: Tensor, o: Tensor) {
    return mv(this, o);
  },
  dot(this: Tensor, o: Tensor) {
    return dot(this, o);
  },
};
