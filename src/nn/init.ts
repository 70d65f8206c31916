/**
 * `nn.init`: in-place initialisers, drawing from the global generator so that
 * `torch.manualSeed(s)` reproduces PyTorch's numbers. Each runs without recording the graph.
 * See https://pytorch.org/docs/1.13/nn.init.html
 * @example nn.init.xavierUniform_(linear.weight); nn.init.zeros_(linear.bias!);
 * @module
 */
import { checkNumber, checkOptions, describeValue } from '../validate.js';
import '../ops/methods.js';
import { noGrad } from '../autograd/grad-mode.js';
import { RuntimeError, ValueError } from '../errors.js';
import { defaultGenerator } from '../random/generator.js';
import { type FloatArray, isFloating, scalarTypeName } from '../tensor/dtype.js';
import { eye } from '../tensor/factories.js';
import { Tensor } from '../tensor/tensor.js';
import { backend, viewOf } from '../ops/util.js';
import { routine } from '../backends/routine.js';
import { drawTensor } from '../ops/random.js';

/** Nonlinearities known to `calculateGain`. */
export type Nonlinearity =
  | 'linear'
  | 'conv1d'
  | 'conv2d'
  | 'conv3d'
  | 'conv_transpose1d'
  | 'conv_transpose2d'
  | 'conv_transpose3d'
  | 'sigmoid'
  | 'tanh'
  | 'relu'
  | 'leaky_relu'
  | 'selu';

/** Fan mode of the Kaiming initialisers. */
export type FanMode = 'fan_in' | 'fan_out';

const LINEAR_FNS = ['linear', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d'];

function checkTensorArg(fn: string, t: unknown): Tensor {
  if (!(t instanceof Tensor)) throw new TypeError(`${fn}(): argument 'tensor' must be Tensor, not ${t === null ? 'None' : typeof t}`);
  return t;
}

function floatOnly(op: string, t: Tensor): void {
  if (!isFloating(t.dtype)) {
    const title = scalarTypeName(t.dtype);
    throw new RuntimeError(`"${op}" not implemented for '${title}'`);
  }
}

/**
 * Writes `fill(buffer)` into `t` in place: the generator fills a fresh host array (it runs on the
 * host, like PyTorch's CPU generator), which is then copied into `t`. Bumps the version counter
 * like any in-place op.
 */
function fillInPlace(t: Tensor, fill: (out: FloatArray) => void): Tensor {
  backend().copy(viewOf(drawTensor(t.shape, t.dtype, fill)), viewOf(t));
  t._vc.version++;
  return t;
}

/**
 * The recommended gain for a nonlinearity, like `torch.nn.init.calculate_gain`.
 * See https://pytorch.org/docs/1.13/nn.init.html#torch.nn.init.calculate_gain
 * @example nn.init.calculateGain('tanh') // 5/3
 */
export function calculateGain(nonlinearity: Nonlinearity | string, param?: number | null): number {
  if (LINEAR_FNS.includes(nonlinearity) || nonlinearity === 'sigmoid') return 1;
  if (nonlinearity === 'tanh') return 5.0 / 3;
  if (nonlinearity === 'relu') return Math.sqrt(2.0);
  if (nonlinearity === 'leaky_relu') {
    let slope: number;
    if (param === undefined || param === null) slope = 0.01;
    else if (typeof param === 'number') slope = param;
    else throw new ValueError(`negative_slope ${typeof param === 'string' ? param : describeValue(param)} not a valid number`);
    return Math.sqrt(2.0 / (1 + slope ** 2));
  }
  if (nonlinearity === 'selu') return 3.0 / 4;
  throw new ValueError(`Unsupported nonlinearity ${typeof nonlinearity === 'string' ? nonlinearity : describeValue(nonlinearity)}`);
}

/**
 * `[fanIn, fanOut]` of a weight of shape [out, in, ...kernel], like
 * `torch.nn.init._calculate_fan_in_and_fan_out`.
 * See https://pytorch.org/docs/1.13/nn.init.html
 * @example nn.init.calculateFanInAndFanOut(torch.empty(10, 64)) // [64, 10]
 */
export function calculateFanInAndFanOut(tensor: Tensor): [number, number] {
  checkTensorArg('calculate_fan_in_and_fan_out', tensor);
  if (tensor.dim() < 2) {
    throw new ValueError('Fan in and fan out can not be computed for tensor with fewer than 2 dimensions');
  }
  let receptive = 1;
  for (const s of tensor.shape.slice(2)) receptive *= s;
  return [tensor.shape[1]! * receptive, tensor.shape[0]! * receptive];
}

function correctFan(tensor: Tensor, mode: string): number {
  const m = typeof mode === 'string' ? mode.toLowerCase() : mode;
  if (m !== 'fan_in' && m !== 'fan_out') {
    throw new ValueError(`Mode ${typeof mode === 'string' ? mode : describeValue(mode)} not supported, please use one of ['fan_in', 'fan_out']`);
  }
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensor);
  return m === 'fan_in' ? fanIn : fanOut;
}

/**
 * Fills with U(a, b) in place, like `torch.nn.init.uniform_`.
 * See https://pytorch.org/docs/1.13/nn.init.html#torch.nn.init.uniform_
 * @example nn.init.uniform_(w, -0.1, 0.1)
 */
export function uniform_(tensor: Tensor, a = 0, b = 1): Tensor {
  checkTensorArg('uniform_', tensor);
  checkNumber('uniform_()', 'a', a);
  checkNumber('uniform_()', 'b', b);
  floatOnly('check_uniform_bounds', tensor);
  if (!(a <= b)) throw new RuntimeError(`uniform_ expects to return a [from, to) range, but found from=${a} > to=${b}`);
  return noGrad(() => fillInPlace(tensor, (out) => defaultGenerator.uniform(out, a, b)));
}

/**
 * Fills with N(mean, std²) in place, like `torch.nn.init.normal_`.
 * See https://pytorch.org/docs/1.13/nn.init.html#torch.nn.init.normal_
 * @example nn.init.normal_(w, 0, 0.02)
 */
export function normal_(tensor: Tensor, mean = 0, std = 1): Tensor {
  checkTensorArg('normal_', tensor);
  checkNumber('normal_()', 'mean', mean);
  checkNumber('normal_()', 'std', std);
  floatOnly('normal_kernel_cpu', tensor);
  if (!(std >= 0)) throw new RuntimeError(`normal expects std >= 0.0, but found std ${std}`);
  return noGrad(() => fillInPlace(tensor, (out) => defaultGenerator.normal(out, mean, std)));
}

/**
 * Fills with `val` in place, like `torch.nn.init.constant_`.
 * See https://pytorch.org/docs/1.13/nn.init.html#torch.nn.init.constant_
 * @example nn.init.constant_(bias, 0.1)
 */
export function constant_(tensor: Tensor, val: number): Tensor {
  checkTensorArg('constant_', tensor);
  if (typeof val !== 'number' && typeof val !== 'boolean') throw new TypeError(`constant_(): argument 'val' must be a number, got ${describeValue(val)}`);
  return noGrad(() => tensor.fill_(val));
}

/**
 * Fills with zeros in place, like `torch.nn.init.zeros_`.
 * See https://pytorch.org/docs/1.13/nn.init.html#torch.nn.init.zeros_
 * @example nn.init.zeros_(bias)
 */
export function zeros_(tensor: Tensor): Tensor {
  checkTensorArg('zeros_', tensor);
  return noGrad(() => tensor.zero_());
}

/**
 * Fills with ones in place, like `torch.nn.init.ones_`.
 * See https://pytorch.org/docs/1.13/nn.init.html#torch.nn.init.ones_
 * @example nn.init.ones_(weight)
 */
export function ones_(tensor: Tensor): Tensor {
  checkTensorArg('ones_', tensor);
  return noGrad(() => tensor.fill_(1));
}

/**
 * Fills a 2-D tensor with the identity, like `torch.nn.init.eye_`.
 * See https://pytorch.org/docs/1.13/nn.init.html#torch.nn.init.eye_
 * @example nn.init.eye_(torch.empty(3, 5))
 */
export function eye_(tensor: Tensor): Tensor {
  checkTensorArg('eye_', tensor);
  if (tensor.dim() !== 2) throw new ValueError('Only tensors with 2 dimensions are supported');
  const [r, c] = tensor.shape as [number, number];
  return noGrad(() => tensor.copy_(eye(r, c, { dtype: tensor.dtype })));
}

/**
 * Glorot uniform: U(-a, a) with a = gain * sqrt(6 / (fanIn + fanOut)), like
 * `torch.nn.init.xavier_uniform_`.
 * See https://pytorch.org/docs/1.13/nn.init.html#torch.nn.init.xavier_uniform_
 * @example nn.init.xavierUniform_(w, nn.init.calculateGain('tanh'))
 */
export function xavierUniform_(tensor: Tensor, gain = 1): Tensor {
  checkNumber('xavier_uniform_()', 'gain', gain);
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensor);
  const std = gain * Math.sqrt(2.0 / (fanIn + fanOut));
  const a = Math.sqrt(3.0) * std;
  return uniform_(tensor, -a, a);
}

/**
 * Glorot normal: N(0, std²) with std = gain * sqrt(2 / (fanIn + fanOut)), like
 * `torch.nn.init.xavier_normal_`.
 * See https://pytorch.org/docs/1.13/nn.init.html#torch.nn.init.xavier_normal_
 * @example nn.init.xavierNormal_(w)
 */
export function xavierNormal_(tensor: Tensor, gain = 1): Tensor {
  checkNumber('xavier_normal_()', 'gain', gain);
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensor);
  const std = gain * Math.sqrt(2.0 / (fanIn + fanOut));
  return normal_(tensor, 0, std);
}

/** Options of the Kaiming initialisers. */
export interface KaimingOptions {
  /** Negative slope of the rectifier after this layer (leaky_relu only). Default 0. */
  a?: number;
  /** 'fan_in' (default) preserves the forward variance, 'fan_out' the backward. */
  mode?: FanMode;
  /** Default 'leaky_relu'. */
  nonlinearity?: Nonlinearity;
}

/**
 * He uniform: U(-b, b) with b = gain * sqrt(3 / fan), like `torch.nn.init.kaiming_uniform_`.
 * See https://pytorch.org/docs/1.13/nn.init.html#torch.nn.init.kaiming_uniform_
 * @example nn.init.kaimingUniform_(w, { a: Math.sqrt(5) }) // what nn.Linear does
 */
export function kaimingUniform_(tensor: Tensor, opts: KaimingOptions = {}): Tensor {
  checkTensorArg('kaiming_uniform_', tensor);
  opts = checkOptions<KaimingOptions>('kaiming_uniform_()', opts, ['a', 'mode', 'nonlinearity']);
  if (tensor.shape.includes(0)) return tensor; // PyTorch warns "Initializing zero-element tensors is a no-op"
  const fan = correctFan(tensor, opts.mode ?? 'fan_in');
  const gain = calculateGain(opts.nonlinearity ?? 'leaky_relu', opts.a ?? 0);
  const std = gain / Math.sqrt(fan);
  const bound = Math.sqrt(3.0) * std;
  return uniform_(tensor, -bound, bound);
}

/**
 * He normal: N(0, std²) with std = gain / sqrt(fan), like `torch.nn.init.kaiming_normal_`.
 * See https://pytorch.org/docs/1.13/nn.init.html#torch.nn.init.kaiming_normal_
 * @example nn.init.kaimingNormal_(w, { mode: 'fan_out', nonlinearity: 'relu' })
 */
export function kaimingNormal_(tensor: Tensor, opts: KaimingOptions = {}): Tensor {
  checkTensorArg('kaiming_normal_', tensor);
  opts = checkOptions<KaimingOptions>('kaiming_normal_()', opts, ['a', 'mode', 'nonlinearity']);
  if (tensor.shape.includes(0)) return tensor;
  const fan = correctFan(tensor, opts.mode ?? 'fan_in');
  const gain = calculateGain(opts.nonlinearity ?? 'leaky_relu', opts.a ?? 0);
  const std = gain / Math.sqrt(fan);
  return normal_(tensor, 0, std);
}

/**
 * A (semi-)orthogonal matrix, like `torch.nn.init.orthogonal_`: the Q of the QR decomposition of
 * a standard normal matrix drawn like PyTorch's, with R's diagonal made positive, times `gain`.
 * Dims after the first are flattened.
 *
 * Deviation: PyTorch runs LAPACK's QR in the tensor's dtype; torchlet runs Householder QR in
 * float64, so float32 results agree to about 1e-6 rather than bit for bit.
 * See https://pytorch.org/docs/1.13/nn.init.html#torch.nn.init.orthogonal_
 * @example nn.init.orthogonal_(lstm.weight_hh_l0)
 */
export function orthogonal_(tensor: Tensor, gain = 1): Tensor {
  checkTensorArg('orthogonal_', tensor);
  checkNumber('orthogonal_()', 'gain', gain);
  if (tensor.dim() < 2) throw new ValueError('Only tensors with 2 or more dimensions are supported');
  if (tensor.numel() === 0) return tensor;
  floatOnly('normal_kernel_cpu', tensor);
  const rows = tensor.shape[0]!;
  const cols = tensor.numel() / rows;
  const drawn = tensor.dtype === 'float32' ? new Float32Array(rows * cols) : new Float64Array(rows * cols);
  defaultGenerator.normal(drawn, 0, 1);
  return noGrad(() => fillInPlace(tensor, (out) => routine('orthogonal')({ rows, cols, gain, x: drawn, out })));
}

