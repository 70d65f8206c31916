/**
 * `torch.einsum`, composed from permute, reshape, sum, mul and bmm so that autograd (and double
 * backward) comes from those ops. The steps are PyTorch 1.13's (ATen's einsum in Linear.cpp):
 * parse the equation (implicit or explicit output, `...`), take diagonals for labels repeated in
 * one operand, align every operand to [output dims, contracted dims] with size-1 dims for the labels
 * it lacks, then contract the operands left to right, summing a contracted dim as soon as no later
 * operand has it, through one batched matrix product per pair (sumproduct_pair).
 */
import { RuntimeError, ValueError } from '../errors.js';
import { arange } from '../tensor/factories.js';
import { Tensor } from '../tensor/tensor.js';
import { describeValue } from '../validate.js';
import { indexSelect } from './indexing.js';
import { bmm } from './matmul.js';
import { permute } from './movement.js';
import { checkTensor } from './util.js';

/** Labels A-Z are 0-25 and a-z are 26-51, as in ATen (so uppercase sorts first in an implicit output). */
const LETTERS = 26;
const ELLIPSIS = 2 * LETTERS;

function labelIndex(c: string): number {
  return c >= 'A' && c <= 'Z' ? c.charCodeAt(0) - 65 : LETTERS + c.charCodeAt(0) - 97;
}

function labelChar(i: number): string {
  return String.fromCharCode(i < LETTERS ? 65 + i : 97 + i - LETTERS);
}

function isLetter(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/** An equation element of the sublist format: a label number in [0, 52) or '...'. */
export type EinsumSubscript = number | '...';

/**
 * The equation of the sublist format (`einsum(a, [0, 1], b, [1, 2], [0, 2])`), as PyTorch's
 * Python wrapper builds it; returns it with the operands.
 */
function fromSublists(args: readonly unknown[]): [string, Tensor[]] {
  const sub = (s: unknown): string => {
    if (s === '...') return '...';
    if (typeof s === 'number' && Number.isInteger(s) && s >= 0 && s < ELLIPSIS) return labelChar(s);
    throw new ValueError('einsum(): subscript in subscript list is not within the valid range [0, 52)');
  };
  const list = (l: unknown): string => {
    if (!Array.isArray(l)) throw new TypeError(`einsum(): expected a subscript list, got ${describeValue(l)}`);
    return l.map(sub).join('');
  };
  const operands: Tensor[] = [];
  const terms: string[] = [];
  for (let i = 0; i + 1 < args.length; i += 2) {
    operands.push(checkTensor('operand', args[i]));
    terms.push(list(args[i + 1]));
  }
  let equation = terms.join(',');
  if (args.length % 2 === 1) equation += '->' + list(args[args.length - 1]);
  return [equation, operands];
}

/** Parsed input labels per operand (ELLIPSIS marks `...`), with ATen's checks and messages. */
function parseInputs(lhs: string, numOps: number): number[][] {
  const labels: number[][] = Array.from({ length: numOps }, () => []);
  let op = 0;
  let sawEllipsis = false;
  for (let i = 0; i < lhs.length; i++) {
    const c = lhs[i]!;
    if (c === ' ') continue;
    if (c === '.') {
      if (sawEllipsis) throw new RuntimeError(`einsum(): found '.' for operand ${op} for which an ellipsis was already found`);
      if (!(i + 2 < lhs.length && lhs[++i] === '.' && lhs[++i] === '.')) {
        throw new RuntimeError(`einsum(): found '.' for operand ${op} that is not part of any ellipsis`);
      }
      labels[op]!.push(ELLIPSIS);
      sawEllipsis = true;
    } else if (c === ',') {
      op++;
      if (op >= numOps) throw new RuntimeError('einsum(): fewer operands were provided than specified in the equation');
      sawEllipsis = false;
    } else {
      if (!isLetter(c)) {
        throw new RuntimeError(`einsum(): invalid subscript given at index ${i} in the equation string, subscripts must be in [a-zA-Z]`);
      }
      labels[op]!.push(labelIndex(c));
    }
  }
  if (op !== numOps - 1) throw new RuntimeError('einsum(): more operands were provided than specified in the equation');
  return labels;
}

/** `x` with the diagonal of dims `a` < `b` (equal sizes) at `a` and `b` removed (diagonal + movedim). */
function diagonalAt(x: Tensor, a: number, b: number): Tensor {
  const n = x.shape[a]!;
  const rest = [...x.shape.keys()].filter((i) => i !== a && i !== b);
  const last = permute(x, [...rest, a, b]).reshape([...rest.map((i) => x.shape[i]!), n * n]);
  const diag = indexSelect(last, -1, arange(n).mul(n + 1));
  // the diagonal is the last dim; move it to `a`
  const order = [...Array(rest.length).keys()];
  order.splice(a, 0, rest.length);
  return permute(diag, order);
}

/** Which dims of two aligned operands are in both, only one, or summed (sumproduct_pair). */
function contractPair(a: Tensor, b: Tensor, sumDims: readonly number[]): Tensor {
  if (sumDims.length === 0) return a.mul(b);
  const both: number[] = [];
  const onlyA: number[] = [];
  const onlyB: number[] = [];
  let sumSize = 1;
  for (let i = 0; i < a.dim(); i++) {
    const inA = a.shape[i] !== 1;
    const inB = b.shape[i] !== 1;
    if (sumDims.includes(i)) {
      if (inA && inB) sumSize *= a.shape[i]!;
      else if (inA) a = a.sum(i, true);
      else if (inB) b = b.sum(i, true);
    } else if (inA && inB) both.push(i);
    else if (inA) onlyA.push(i);
    else onlyB.push(i);
  }
  const size = (t: Tensor, dims: readonly number[]): number => dims.reduce((p, d) => p * t.shape[d]!, 1);
  if (a.dtype === 'bool' && b.dtype === 'bool') throw new RuntimeError(`"bmm" not implemented for 'Bool'`);
  const left = permute(a, [...both, ...onlyA, ...sumDims, ...onlyB]).reshape(size(a, both), size(a, onlyA), sumSize);
  const right = permute(b, [...both, ...sumDims, ...onlyB, ...onlyA]).reshape(size(b, both), sumSize, size(b, onlyB));
  const outShape = [...both.map((d) => a.shape[d]!), ...onlyA.map((d) => a.shape[d]!), ...sumDims.map(() => 1), ...onlyB.map((d) => b.shape[d]!)];
  const placed = [...both, ...onlyA, ...sumDims, ...onlyB];
  return permute(bmm(left, right).view(outShape), placed.map((_, i) => placed.indexOf(i)));
}

function run(equation: string, operands: readonly Tensor[]): Tensor {
  if (operands.length === 0) throw new RuntimeError('einsum(): must provide at least one operand');
  const numOps = operands.length;
  const arrow = equation.indexOf('->');
  const lhs = arrow === -1 ? equation : equation.slice(0, arrow);
  const opLabels = parseInputs(lhs, numOps);

  // label counts and the number of dims the ellipsis covers
  const count = new Array<number>(ELLIPSIS).fill(0);
  let ellDims = 0;
  opLabels.forEach((labels, i) => {
    const ndim = operands[i]!.dim();
    let n = labels.length;
    let hasEllipsis = false;
    for (const l of labels) {
      if (l === ELLIPSIS) {
        n--;
        hasEllipsis = true;
      } else count[l]!++;
    }
    if (hasEllipsis) ellDims = Math.max(ellDims, ndim - n);
    if (hasEllipsis ? n > ndim : n !== ndim) {
      throw new RuntimeError(
        `einsum(): the number of subscripts in the equation (${n}) ${hasEllipsis ? 'is more than' : 'does not match'} the number of dimensions (${ndim}) for operand ${i}${hasEllipsis ? '' : ' and no ellipsis was given'}`,
      );
    }
  });

  // where each label goes in the aligned layout: output dims first, then contracted dims
  const place = new Array<number>(ELLIPSIS).fill(-1);
  let next = 0;
  let ellAt = 0;
  let ellInOutput = false;
  if (arrow === -1) {
    // implicit output: the ellipsis dims, then the labels seen once, in label order
    next = ellDims;
    ellInOutput = true;
    for (let l = 0; l < ELLIPSIS; l++) if (count[l] === 1) place[l] = next++;
  } else {
    const rhs = equation.slice(arrow + 2);
    for (let i = 0; i < rhs.length; i++) {
      const c = rhs[i]!;
      if (c === ' ') continue;
      if (c === '.') {
        if (ellInOutput) throw new RuntimeError("einsum(): found '.' for output but an ellipsis (...) was already found");
        if (!(i + 2 < rhs.length && rhs[++i] === '.' && rhs[++i] === '.')) {
          throw new RuntimeError("einsum(): found '.' for output that is not part of any ellipsis (...)");
        }
        ellAt = next;
        next += ellDims;
        ellInOutput = true;
      } else {
        if (!isLetter(c)) {
          throw new RuntimeError(
            `einsum(): invalid subscript given at index ${lhs.length + 2 + i} in the equation string, subscripts must be in [a-zA-Z]`,
          );
        }
        const l = labelIndex(c);
        if (!(count[l]! > 0 && place[l] === -1)) {
          throw new RuntimeError(
            `einsum(): output subscript ${c}${place[l]! > -1 ? ' appears more than once in the output' : ' does not appear in the equation for any input operand'}`,
          );
        }
        place[l] = next++;
      }
    }
  }
  const outDims = next;
  if (!ellInOutput) {
    ellAt = next;
    next += ellDims;
  }
  for (let l = 0; l < ELLIPSIS; l++) if (count[l]! > 0 && place[l] === -1) place[l] = next++;
  const total = next;

  // align each operand to the layout, checking that sizes broadcast
  const labelSize = new Array<number>(ELLIPSIS).fill(1);
  const ellSize = new Array<number>(ellDims).fill(1);
  const nonTrivial = new Array<number>(total).fill(0); // how many operands have each dim with size != 1
  const ops: Tensor[] = operands.map((operand, i) => {
    let op = operand;
    const perm = new Array<number>(total).fill(-1);
    let dim = 0;
    for (const l of opLabels[i]!) {
      if (l === ELLIPSIS) {
        const covered = operand.dim() - (opLabels[i]!.length - 1);
        for (let j = ellDims - covered; j < ellDims; j++) {
          const s = op.shape[dim]!;
          if (s !== 1) {
            if (ellSize[j] !== 1 && ellSize[j] !== s) {
              throw new RuntimeError(
                `einsum(): dimension ${dim} covered by ellipsis in operand ${i}has size ${s} which does not broadcast with previously seen ellipsis with size ${ellSize[j]} for the respective dimension`,
              );
            }
            ellSize[j] = s;
            nonTrivial[ellAt + j]!++;
          }
          perm[ellAt + j] = dim++;
        }
      } else if (perm[place[l]!] === -1) {
        const s = op.shape[dim]!;
        if (s !== 1) {
          if (labelSize[l] !== 1 && labelSize[l] !== s) {
            throw new RuntimeError(
              `einsum(): subscript ${labelChar(l)} has size ${s} for operand ${i} which does not broadcast with previously seen size ${labelSize[l]}`,
            );
          }
          labelSize[l] = s;
          nonTrivial[place[l]!]!++;
        }
        perm[place[l]!] = dim++;
      } else {
        // a label repeated in one operand: its diagonal
        const prev = perm[place[l]!]!;
        if (op.shape[dim] !== op.shape[prev]) {
          throw new RuntimeError(
            `einsum(): subscript ${labelChar(l)} is repeated for operand ${i} but the sizes don't match, ${op.shape[dim]} != ${op.shape[prev]}`,
          );
        }
        op = diagonalAt(op, prev, dim);
      }
    }
    for (let k = 0; k < total; k++) {
      if (perm[k] === -1) {
        op = op.unsqueeze(dim);
        perm[k] = dim++;
      }
    }
    return permute(op, perm);
  });

  const contracted = [...Array(total - outDims).keys()].map((k) => outDims + k);
  if (numOps === 1) return contracted.length > 0 ? ops[0]!.sum(contracted) : ops[0]!;

  // contract left to right; a contracted dim is summed as soon as no later operand has it
  let acc = ops[0]!;
  for (let i = 1; i < numOps; i++) {
    let a = acc;
    let b = ops[i]!;
    const sumDims: number[] = [];
    const sumA: number[] = [];
    const sumB: number[] = [];
    for (const d of contracted) {
      if (a.shape[d] !== 1 && b.shape[d] !== 1) {
        if (--nonTrivial[d]! === 1) {
          sumDims.push(d);
          nonTrivial[d] = 0;
        }
      } else if (nonTrivial[d] === 1) {
        if (a.shape[d] !== 1) {
          sumA.push(d);
          nonTrivial[d] = 0;
        } else if (b.shape[d] !== 1) {
          sumB.push(d);
          nonTrivial[d] = 0;
        }
      }
    }
    if (sumA.length > 0) a = a.sum(sumA, true);
    if (sumB.length > 0) b = b.sum(sumB, true);
    acc = contractPair(a, b, sumDims);
  }
  // every contracted dim now has size 1
  return contracted.length > 0 ? acc.reshape(acc.shape.slice(0, outDims)) : acc;
}

/**
 * Einstein summation, like `torch.einsum`: `equation` names each operand's dims with letters
 * (`'ij,jk->ik'`); an explicit output follows `->`, else the output is the labels seen once in
 * alphabetical order (uppercase first); `...` stands for broadcast dims; a label repeated in one
 * operand takes its diagonal (`'ii->i'`, `'ii'` is the trace); labels missing from the output are
 * summed. Operands are varargs or one array; the sublist format
 * (`einsum(a, [0, 1], b, [1, 2], [0, 2])`, numbers 0-51 and `'...'`) works too. Composed from
 * differentiable ops (left-to-right contraction through `bmm`, as PyTorch 1.13 without opt_einsum).
 * See https://pytorch.org/docs/1.13/generated/torch.einsum.html
 * @example torch.einsum('bij,bjk->bik', a, b); torch.einsum('ii', m)
 */
export function einsum(equation: string, ...operands: (Tensor | readonly Tensor[])[]): Tensor;
export function einsum(operand: Tensor, ...sublistsAndOperands: (Tensor | readonly EinsumSubscript[])[]): Tensor;
export function einsum(...args: unknown[]): Tensor {
  if (args.length < 2) {
    throw new ValueError(
      'einsum(): must specify the equation string and at least one operand, or at least one operand and its subscripts list',
    );
  }
  let equation: string;
  let operands: unknown[];
  if (args[0] instanceof Tensor) [equation, operands] = fromSublists(args);
  else {
    if (typeof args[0] !== 'string') throw new TypeError(`einsum(): argument 'equation' must be a string, got ${describeValue(args[0])}`);
    equation = args[0];
    operands = args.slice(1);
  }
  if (operands.length === 1 && Array.isArray(operands[0])) operands = [...(operands[0] as unknown[])];
  operands.forEach((o, i) => {
    if (!(o instanceof Tensor)) throw new TypeError(`einsum(): argument 'tensors' must be Tensors, got ${describeValue(o)} at position ${i}`);
  });
  return run(equation, operands as Tensor[]);
}
