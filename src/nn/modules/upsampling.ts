/**
 * Resampling layers: `Upsample`, `UpsamplingNearest2d`, `UpsamplingBilinear2d`.
 */
import { checkOptions, describeValue } from '../../validate.js';
import { pyFloat } from '../../format.js';
import { type InterpolateMode, type InterpolateOptions, interpolate } from '../../ops/upsample.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Module } from '../module.js';

/** Options of `Upsample` (PyTorch's keyword arguments): `size` or `scaleFactor`. */
export type UpsampleOptions = Omit<InterpolateOptions, 'antialias'>;

/** Python's str of a size or factor as PyTorch stores it: a number, or a tuple. */
function pyValue(v: number | readonly number[], float: boolean): string {
  const one = (x: number): string => (float ? pyFloat(x) : String(x));
  if (typeof v === 'number') return one(v);
  return v.length === 1 ? `(${one(v[0]!)},)` : `(${v.map(one).join(', ')})`;
}

/**
 * Resamples [N, C, L] or [N, C, H, W] input to `size` or by `scaleFactor`, like `torch.nn.Upsample`
 * (F.interpolate with the module's options; mode 'nearest' by default).
 * See https://pytorch.org/docs/1.13/generated/torch.nn.Upsample.html
 * @example new nn.Upsample({ scaleFactor: 2, mode: 'bilinear' }).forward(torch.randn(1, 3, 4, 4)).shape // [1, 3, 8, 8]
 */
export class Upsample extends Module {
  /** Output spatial size, or null. */
  readonly size: number | number[] | null;
  /** Scale factor(s) (stored as floats, like PyTorch), or null. */
  readonly scaleFactor: number | number[] | null;
  /** Interpolation mode. */
  readonly mode: InterpolateMode;
  /** Linear modes: align the corner pixels, or null (default). */
  readonly alignCorners: boolean | null;
  /** Whether the kernels recompute the scale from the sizes, or null (default). */
  readonly recomputeScaleFactor: boolean | null;

  constructor(opts: UpsampleOptions = {}) {
    super();
    const fn = `${this.constructor.name}()`;
    opts = checkOptions<UpsampleOptions>(fn, opts, ['size', 'scaleFactor', 'mode', 'alignCorners', 'recomputeScaleFactor']);
    const size = opts.size ?? null;
    if (size !== null && typeof size !== 'number' && !Array.isArray(size)) {
      throw new TypeError(`${fn}: size must be an int or a list of ints, got ${describeValue(size)}`);
    }
    this.size = size === null || typeof size === 'number' ? size : [...size];
    const sf = opts.scaleFactor ?? null;
    // PyTorch parity: `float(scale_factor) if scale_factor else None` (a factor of 0 is no factor).
    this.scaleFactor = sf === null || sf === 0 ? null : typeof sf === 'number' ? sf : [...sf];
    this.mode = opts.mode ?? 'nearest';
    this.alignCorners = opts.alignCorners ?? null;
    this.recomputeScaleFactor = opts.recomputeScaleFactor ?? null;
  }

  /** The input resampled by F.interpolate. */
  override forward(input: Tensor): Tensor {
    return interpolate(input, {
      size: this.size, scaleFactor: this.scaleFactor, mode: this.mode, alignCorners: this.alignCorners, recomputeScaleFactor: this.recomputeScaleFactor,
    });
  }

  override extraRepr(): string {
    const info = this.scaleFactor !== null ? `scale_factor=${pyValue(this.scaleFactor, true)}` : `size=${this.size === null ? 'None' : pyValue(this.size, false)}`;
    return `${info}, mode=${this.mode}`;
  }
}

/**
 * Nearest-neighbour upsampling of [N, C, H, W] input, like `torch.nn.UpsamplingNearest2d`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.UpsamplingNearest2d.html
 * @example new nn.UpsamplingNearest2d({ scaleFactor: 2 }).forward(torch.randn(1, 1, 2, 2)).shape // [1, 1, 4, 4]
 */
export class UpsamplingNearest2d extends Upsample {
  constructor(opts: Pick<UpsampleOptions, 'size' | 'scaleFactor'> = {}) {
    super({ ...checkOptions<UpsampleOptions>('UpsamplingNearest2d()', opts, ['size', 'scaleFactor']), mode: 'nearest' });
  }
}

/**
 * Bilinear upsampling of [N, C, H, W] input with aligned corners, like `torch.nn.UpsamplingBilinear2d`.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.UpsamplingBilinear2d.html
 * @example new nn.UpsamplingBilinear2d({ scaleFactor: 2 }).forward(torch.randn(1, 1, 2, 2)).shape // [1, 1, 4, 4]
 */
export class UpsamplingBilinear2d extends Upsample {
  constructor(opts: Pick<UpsampleOptions, 'size' | 'scaleFactor'> = {}) {
    super({ ...checkOptions<UpsampleOptions>('UpsamplingBilinear2d()', opts, ['size', 'scaleFactor']), mode: 'bilinear', alignCorners: true });
  }
}
