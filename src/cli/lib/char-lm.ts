/**
 * A character-level LSTM language model (Karpathy's char-rnn): `nn.Embedding` -> `nn.LSTM` ->
 * `nn.Linear` over the vocabulary, trained with cross-entropy on chunks of the text, sampled with
 * a temperature. Used by `torchlet train-text` and `torchlet sample`.
 */
import * as torch from '../../index.js';
import { CliError } from './errors.js';
import { cloneState } from './forecaster.js';
import { modelFromCheckpoint } from './checkpoint.js';

const { nn, optim } = torch;
type Tensor = torch.Tensor;

/** The model's configuration, saved with a checkpoint. */
export interface CharLmConfig {
  /** The characters, in index order. */
  vocab: string[];
  embed: number;
  hidden: number;
  layers: number;
  dropout: number;
}

/**
 * Embedding -> LSTM (batch first) -> Linear to vocabulary logits.
 * @example const [logits] = new CharLM(cfg).forward(torch.tensor([[0, 1, 2]], { dtype: 'int64' })); // [1, 3, V]
 */
export class CharLM extends nn.Module {
  embedding: torch.nn.Embedding;
  lstm: torch.nn.LSTM;
  fc: torch.nn.Linear;
  constructor(readonly cfg: CharLmConfig) {
    super();
    const V = cfg.vocab.length;
    this.embedding = new nn.Embedding(V, cfg.embed);
    this.lstm = new nn.LSTM(cfg.embed, cfg.hidden, { numLayers: cfg.layers, batchFirst: true, dropout: cfg.layers > 1 ? cfg.dropout : 0 });
    this.fc = new nn.Linear(cfg.hidden, V);
  }
  /** `x`: [B, T] int64 character indices -> logits [B, T, V] and the final `[h, c]`. */
  override forward(x: Tensor, state?: [Tensor, Tensor]): [Tensor, [Tensor, Tensor]] {
    const [out, hc] = this.lstm.forward(this.embedding.forward(x), state);
    return [this.fc.forward(out), hc as [Tensor, Tensor]];
  }
}

/** The sorted distinct characters (code points) of a text. */
export function buildVocab(text: string): string[] {
  return [...new Set(Array.from(text))].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
}

/** Character indices; throws a CliError naming characters missing from the vocabulary. */
export function encode(text: string, vocab: readonly string[], what = 'text'): number[] {
  const index = new Map(vocab.map((c, i) => [c, i]));
  const chars = Array.from(text);
  const missing = [...new Set(chars.filter((c) => !index.has(c)))];
  if (missing.length) throw new CliError(`${what} has characters the model never saw: ${missing.slice(0, 10).map((c) => JSON.stringify(c)).join(', ')}`);
  return chars.map((c) => index.get(c)!);
}

/**
 * Continues `prime` by `length` characters, sampling from softmax(logits / temperature) with the
 * package generator (so `torch.manualSeed` makes it repeatable). Temperature 0 takes the argmax;
 * the logits are shifted by their maximum and divided in float64, so a tiny temperature tends to
 * the argmax too instead of overflowing.
 */
export function sample(model: CharLM, prime: string, length: number, temperature: number): string {
  const vocab = model.cfg.vocab;
  const ids = encode(prime, vocab, '--prime');
  if (ids.length === 0) throw new CliError('--prime must not be empty');
  model.eval();
  let out = prime;
  torch.noGrad(() => {
    let [logits, state] = model.forward(torch.tensor([ids], { dtype: 'int64' }));
    for (let n = 0; n < length; n++) {
      const last = logits.select(1, -1).select(0, 0);
      let next: number;
      if (temperature === 0) next = last.argmax().item();
      else {
        const l = last.double(); // float64: a temperature like 1e-300 is 0 in float32
        const p = torch.softmax(l.sub(l.max()).div(temperature), 0).dataSync();
        if (p.some((x) => !Number.isFinite(x))) throw new CliError("the model's outputs are not finite numbers: its checkpoint holds NaN or infinite weights");
        const u = torch.rand(1).item();
        let acc = 0;
        next = p.length - 1;
        for (let k = 0; k < p.length; k++) {
          acc += p[k];
          if (u < acc) {
            next = k;
            break;
          }
        }
      }
      out += vocab[next];
      [logits, state] = model.forward(torch.tensor([[next]], { dtype: 'int64' }), state);
    }
  });
  return out;
}

/** Training options of {@link trainCharLm}. */
export interface CharLmTrainOptions {
  epochs: number;
  seqLen: number;
  batchSize: number;
  lr: number;
  valSplit: number;
  seed: number;
  patience: number;
  /** Called after each epoch with the mean training loss and validation loss (nats per char). */
  onEpoch?: (r: { epoch: number; loss: number; val: number; steps: number; best: boolean; model: CharLM }) => void | Promise<void>;
}

/** What {@link trainCharLm} returns. */
export interface CharLmResult {
  model: CharLM;
  losses: number[];
  valLosses: number[];
  bestEpoch: number;
  stoppedEarly: boolean;
}

/** Non-overlapping chunks of `len + 1` ids (input + shifted target) starting at `offset`. */
function chunks(ids: readonly number[], len: number, offset: number): number[][] {
  const out: number[][] = [];
  for (let s = offset; s + len + 1 <= ids.length; s += len) out.push(ids.slice(s, s + len + 1));
  return out;
}

/** Mean cross-entropy of `model` over chunks (no grad). */
function evaluate(model: CharLM, batches: number[][][], criterion: torch.nn.CrossEntropyLoss): number {
  model.eval();
  let sum = 0;
  let n = 0;
  torch.noGrad(() => {
    for (const b of batches) {
      const t = torch.tensor(b, { dtype: 'int64' });
      const L = b[0].length - 1;
      const [logits] = model.forward(t.narrow(1, 0, L));
      sum += criterion.forward(logits.reshape(-1, model.cfg.vocab.length), t.narrow(1, 1, L).reshape(-1)).item() * b.length;
      n += b.length;
    }
  });
  return sum / n;
}

/**
 * Trains on the start of `text`, validates on its end; keeps the weights with the best validation
 * loss. Each epoch is one pass over the training text in `seqLen` chunks from a random offset.
 */
export async function trainCharLm(text: string, arch: Omit<CharLmConfig, 'vocab'>, o: CharLmTrainOptions): Promise<CharLmResult> {
  const vocab = buildVocab(text);
  if (vocab.length < 2) throw new CliError('the text needs at least two different characters');
  const ids = encode(text, vocab);
  const split = ids.length - Math.round(ids.length * o.valSplit);
  const trainIds = ids.slice(0, split);
  const valIds = ids.slice(split);
  if (trainIds.length < o.seqLen + 1) throw new CliError(`the text is too short: ${trainIds.length} training characters for --seq-len ${o.seqLen}; use a shorter --seq-len`);
  const valChunks = chunks(valIds, Math.min(o.seqLen, Math.max(1, valIds.length - 1)), 0).slice(0, 256);
  if (o.valSplit > 0 && valChunks.length === 0) throw new CliError(`the validation part (${valIds.length} characters) is too short; raise --val-split`);
  const valBatches: number[][][] = [];
  for (let i = 0; i < valChunks.length; i += o.batchSize) valBatches.push(valChunks.slice(i, i + o.batchSize));

  torch.manualSeed(o.seed);
  const model = new CharLM({ ...arch, vocab });
  const opt = new optim.Adam(model.parameters(), { lr: o.lr });
  const criterion = new nn.CrossEntropyLoss();
  const V = vocab.length;
  const losses: number[] = [];
  const valLosses: number[] = [];
  let best = Infinity;
  let bestEpoch = 0;
  let bestState = cloneState(model);
  let steps = 0;
  let stoppedEarly = false;
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    model.train();
    const offset = torch.randint(0, o.seqLen, [1]).item();
    let data = chunks(trainIds, o.seqLen, Math.min(offset, trainIds.length - o.seqLen - 1));
    const perm = torch.randperm(data.length).tolist() as number[];
    data = perm.map((i) => data[i]);
    let sum = 0;
    for (let b = 0; b < data.length; b += o.batchSize) {
      const batch = torch.tensor(data.slice(b, b + o.batchSize), { dtype: 'int64' });
      opt.zeroGrad();
      const [logits] = model.forward(batch.narrow(1, 0, o.seqLen));
      const loss = criterion.forward(logits.reshape(-1, V), batch.narrow(1, 1, o.seqLen).reshape(-1));
      loss.backward();
      nn.utils.clipGradNorm_(model.parameters(), 5.0);
      opt.step();
      sum += loss.item() * batch.shape[0];
      steps++;
    }
    losses.push(sum / data.length);
    if (!Number.isFinite(sum / data.length)) throw new CliError(`training diverged at epoch ${epoch}: loss is ${sum / data.length}; nothing was saved (try a smaller --lr)`);
    const v = valBatches.length ? evaluate(model, valBatches, criterion) : NaN;
    valLosses.push(v);
    const metric = valBatches.length ? v : losses[losses.length - 1];
    const improved = metric < best;
    if (improved) {
      best = metric;
      bestEpoch = epoch;
      bestState = cloneState(model);
    }
    await o.onEpoch?.({ epoch, loss: losses[losses.length - 1], val: v, steps, best: improved, model });
    if (o.patience > 0 && epoch - bestEpoch >= o.patience) {
      stoppedEarly = true;
      break;
    }
  }
  model.loadStateDict(bestState);
  model.eval();
  return { model, losses, valLosses, bestEpoch, stoppedEarly };
}

/** Safetensors metadata of a character-model checkpoint. */
export function charLmMetadata(cfg: CharLmConfig, extra: Record<string, unknown> = {}): Record<string, string> {
  return { format: 'torchlet-char-lm', config: JSON.stringify(cfg), training: JSON.stringify(extra) };
}

/** Rebuilds a character model from checkpoint metadata + tensors. */
export function charLmFromCheckpoint(meta: Record<string, string> | null, tensors: Record<string, Tensor>, file: string): CharLM {
  return modelFromCheckpoint<CharLmConfig, CharLM>(meta, tensors, file, { format: 'torchlet-char-lm', what: 'character-model', writer: 'train-text', build: (c) => new CharLM(c) });
}
