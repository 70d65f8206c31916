/**
 * `Embedding`: a lookup table of learned vectors.
 */
import { checkBool, checkDTypeName, checkNumber, checkOptions, checkShape, describeValue, optional } from '../../validate.js';
import { noGrad } from '../../autograd/grad-mode.js';
import { NotImplementedError } from '../../errors.js';
import { emptyTensor } from '../../tensor/create.js';
import type { DType } from '../../tensor/dtype.js';
import { Tensor } from '../../tensor/tensor.js';
import { checkInt } from '../../ops/util.js';
import { AssertionError, embedding, normPaddingIdx } from '../functional.js';
import * as init from '../init.js';
import { Module, pyFloat } from '../module.js';
import { Parameter } from '../parameter.js';

/** Options of `Embedding`. */
export interface EmbeddingModuleOptions {
  /** Row that gets no gradient and starts at zero (negative counts from the end). */
  paddingIdx?: number | null;
  /** Looked-up rows with a larger norm are renormalised in place to this norm. */
  maxNorm?: number | null;
  /** p of the p-norm for `maxNorm` (default 2). */
  normType?: number;
  /** Scale gradients by the inverse frequency of the indices in the batch. */
  scaleGradByFreq?: boolean;
  /** Sparse gradients: not supported by torchlet. */
  sparse?: boolean;
  /** Use this [numEmbeddings, embeddingDim] tensor as the weight (shares its storage). */
  _weight?: Tensor | null;
  /** Create the weight with requiresGrad false (used by `fromPretrained`). */
  _freeze?: boolean;
  /** Parameter dtype (default float32). */
  dtype?: DType;
}

/**
 * A table of `numEmbeddings` vectors of size `embeddingDim`, looked up by integer indices, like
 * `torch.nn.Embedding`. The weight is drawn from N(0, 1) with PyTorch's draws; the `paddingIdx`
 * row starts at zero and never gets a gradient.
 * See https://pytorch.org/docs/1.13/generated/torch.nn.Embedding.html
 * @example const emb = new nn.Embedding(10, 3, { paddingIdx: 0 }); emb.forward(torch.tensor([[1, 2, 0]]));
 */
export class Embedding extends Module {
  /** Number of rows of the table. */
  readonly numEmbeddings: number;
  /** Size of each embedding vector. */
  readonly embeddingDim: number;
  /** The padding row (already made non-negative), or null. */
  readonly paddingIdx: number | null;
  /** Rows looked up with a larger norm are renormalised in place to this norm, or null. */
  maxNorm: number | null;
  /** p of the p-norm for `maxNorm` (default 2). */
  normType: number;
  /** Scale gradients by the inverse frequency of the indices in the batch. */
  scaleGradByFreq: boolean;
  /** Always false: sparse gradients are not supported. */
  readonly sparse: boolean;
  /** [numEmbeddings, embeddingDim]. */
  weight: Parameter;

  constructor(numEmbeddings: number, embeddingDim: number, opts: EmbeddingModuleOptions = {}) {
    super();
    this.numEmbeddings = checkInt('num_embeddings', numEmbeddings);
    this.embeddingDim = checkInt('embedding_dim', embeddingDim);
    checkShape('Embedding()', [numEmbeddings, embeddingDim]);
    opts = checkOptions<EmbeddingModuleOptions>('Embedding()', opts, ['paddingIdx', 'maxNorm', 'normType', 'scaleGradByFreq', 'sparse', 'dtype', '_weight', '_freeze']);
    const fn = 'Embedding()';
    optional(opts.maxNorm, null, (v) => checkNumber(fn, 'maxNorm', v), true);
    optional(opts.normType, 2, (v) => checkNumber(fn, 'normType', v));
    optional(opts.scaleGradByFreq, false, (v) => checkBool(fn, 'scaleGradByFreq', v));
    optional(opts.sparse, false, (v) => checkBool(fn, 'sparse', v));
    optional(opts._freeze, false, (v) => checkBool(fn, '_freeze', v));
    optional(opts.dtype, 'float32', (v) => checkDTypeName(fn, v, true));
    if (opts._weight !== undefined && opts._weight !== null && !(opts._weight instanceof Tensor)) {
      throw new TypeError(`${fn}: argument '_weight' must be a Tensor, got ${describeValue(opts._weight)}`);
    }
    const pad = opts.paddingIdx ?? null;
    this.paddingIdx = pad === null ? null : normPaddingIdx(pad, numEmbeddings);
    this.maxNorm = opts.maxNorm ?? null;
    this.normType = opts.normType ?? 2;
    this.scaleGradByFreq = opts.scaleGradByFreq ?? false;
    if (opts.sparse) throw new NotImplementedError('torchlet does not support sparse gradients (sparse=True)');
    this.sparse = false;
    const w = opts._weight ?? null;
    if (w === null) {
      this.weight = new Parameter(emptyTensor([numEmbeddings, embeddingDim], opts.dtype ?? 'float32'), !(opts._freeze ?? false));
      this.resetParameters();
    } else {
      if (w.dim() !== 2 || w.shape[0] !== numEmbeddings || w.shape[1] !== embeddingDim) {
        throw new AssertionError('Shape of weight does not match num_embeddings and embedding_dim');
      }
      this.weight = new Parameter(w, !(opts._freeze ?? false));
    }
  }

  /** Re-draws the weight from N(0, 1) and zeroes the padding row. */
  resetParameters(): void {
    init.normal_(this.weight);
    this.fillPaddingIdxWithZero();
  }

  private fillPaddingIdxWithZero(): void {
    if (this.paddingIdx !== null) noGrad(() => this.weight.select(0, this.paddingIdx!).fill_(0));
  }

  /** Integer indices of any shape -> [...indices.shape, embeddingDim]. */
  override forward(input: Tensor): Tensor {
    return embedding(input, this.weight, {
      paddingIdx: this.paddingIdx,
      maxNorm: this.maxNorm,
      normType: this.normType,
      scaleGradByFreq: this.scaleGradByFreq,
    });
  }

  override extraRepr(): string {
    let s = `${this.numEmbeddings}, ${this.embeddingDim}`;
    if (this.paddingIdx !== null) s += `, padding_idx=${this.paddingIdx}`;
    if (this.maxNorm !== null) s += `, max_norm=${pyFloat(this.maxNorm)}`;
    if (this.normType !== 2) s += `, norm_type=${pyFloat(this.normType)}`;
    if (this.scaleGradByFreq) s += ', scale_grad_by_freq=True';
    return s;
  }

  /**
   * An Embedding whose weight is `embeddings` (storage shared), frozen unless `freeze: false`,
   * like `Embedding.from_pretrained`.
   * @example const emb = nn.Embedding.fromPretrained(torch.tensor([[1, 2.3, 3], [4, 5.1, 6.3]]));
   */
  static fromPretrained(
    embeddings: Tensor,
    opts: { freeze?: boolean } & Omit<EmbeddingModuleOptions, '_weight' | '_freeze' | 'dtype'> = {},
  ): Embedding {
    if (!(embeddings instanceof Tensor) || embeddings.dim() !== 2) {
      throw new AssertionError('Embeddings parameter is expected to be 2-dimensional');
    }
    const [rows, cols] = embeddings.shape as [number, number];
    const { freeze = true, ...rest } = checkOptions<{ freeze?: boolean } & EmbeddingModuleOptions>('Embedding.fromPretrained()', opts, ['freeze', 'paddingIdx', 'maxNorm', 'normType', 'scaleGradByFreq', 'sparse']);
    return new Embedding(rows, cols, { ...rest, _weight: embeddings, _freeze: freeze });
  }
}
