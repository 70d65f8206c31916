/**
 * A CTC speech recogniser for telephone keypad digits: convolution over a log-spectrogram, a
 * bidirectional LSTM, a Linear layer and the CTC loss, trained on sound the program synthesises.
 *
 * Each utterance is 3 to 6 DTMF digits (the sum of a low and a high sine tone per digit, each
 * frequency off by up to ±1.5%, as keypads are) with random durations (50-120 ms), gaps (40-100 ms),
 * amplitudes and white noise, sampled at 8 kHz. The log-spectrogram is computed with torchlet's
 * own ops: 25 ms Hann-windowed frames every 10 ms (gathered by advanced indexing), a DFT written as
 * two matmuls against cos/sin matrices (40 bins of a 256-point DFT, 562-1781 Hz), log power,
 * normalised per utterance. No alignment is given: the model learns where the digits are from the
 * digit strings alone (CTC, blank = 0, digit d = class d + 1). Decoding is greedy (the best class
 * per frame, repeats merged, blanks dropped), and the digit error rate is the edit distance to the
 * reference summed over held-out utterances, divided by their total length.
 *
 * Run: npx tsx examples/speech-digits.ts   (about a minute on 2 cores with the native backend:
 * 55 s of CPU time)
 * It prints the loss and the held-out digit error rate per epoch, then a few decoded utterances.
 * Measured: a digit error rate of 0.07% on the 300 held-out utterances after 5 epochs (one digit
 * wrong in 1,398; the test holds a reduced run to below 20%, the full run stays below 1%). The data
 * come from the seeded generator with PyTorch's draws, so the PyTorch program below synthesises the
 * same sounds and starts from the same weights; it prints the same error rates (0.14% after epoch
 * 3, then 0.07%) and losses that differ in the fourth decimal at most (PyTorch 2.2459 and 0.3555 in
 * epochs 2 and 3, torchlet 2.2460 and 0.3556).
 *
 * The front end is a Conv1d over the frequency bins as channels; it becomes a Conv2d over the
 * (frequency, time) plane once torchlet has nn.Conv2d.
 *
 * PyTorch (1.13):
 * ```python
 * import math
 * import torch
 * import torch.nn as nn
 *
 * torch.manual_seed(0)
 * SR, FRAME, HOP, NFFT = 8000, 200, 80, 256
 * LOW = torch.tensor([941., 697, 697, 697, 770, 770, 770, 852, 852, 852])      # digit 0-9
 * HIGH = torch.tensor([1336., 1209, 1336, 1477, 1209, 1336, 1477, 1209, 1336, 1477])
 * MAX_DIGITS, MAX_ON, MAX_GAP = 6, 960, 800
 * MAX_SAMPLES = MAX_DIGITS * (MAX_ON + MAX_GAP) + MAX_GAP
 *
 * def utterance():
 *     n = int(torch.randint(3, MAX_DIGITS + 1, (1,)))
 *     digits = torch.randint(0, 10, (n,))
 *     on = torch.randint(400, MAX_ON + 1, (n,))           # tone samples (50-120 ms)
 *     gap = torch.randint(320, MAX_GAP + 1, (n + 1,))     # silence before, between and after
 *     amp = torch.rand(n) * 0.7 + 0.3
 *     detune = 1 + (torch.rand(n, 2) - 0.5) * 0.03
 *     pieces = [torch.zeros(int(gap[0]))]
 *     for k in range(n):
 *         t = torch.arange(int(on[k])) / SR
 *         d = digits[k]
 *         tone = (2 * math.pi * LOW[d] * detune[k, 0] * t).sin() + (2 * math.pi * HIGH[d] * detune[k, 1] * t).sin()
 *         pieces += [tone * amp[k], torch.zeros(int(gap[k + 1]))]
 *     x = torch.cat(pieces)
 *     return torch.cat([x, torch.zeros(MAX_SAMPLES - x.numel())]), digits
 *
 * n = torch.arange(FRAME)
 * window = 0.5 - 0.5 * (2 * math.pi * n / FRAME).cos()       # periodic Hann
 * angle = 2 * math.pi * n.unsqueeze(1) * torch.arange(18, 58).unsqueeze(0) / NFFT
 * COS, SIN = window.unsqueeze(1) * angle.cos(), window.unsqueeze(1) * angle.sin()
 * N_FRAMES = (MAX_SAMPLES - FRAME) // HOP + 1
 * FRAME_IDX = torch.arange(N_FRAMES).unsqueeze(1) * HOP + n.unsqueeze(0)
 *
 * def spectrogram(x):                                         # [B, samples] -> [B, 40, frames]
 *     frames = x[:, FRAME_IDX]                                # [B, frames, FRAME]
 *     logp = ((frames @ COS) ** 2 + (frames @ SIN) ** 2 + 1e-3).log()
 *     logp = (logp - logp.mean((1, 2), keepdim=True)) / logp.std((1, 2), keepdim=True)
 *     return logp.transpose(1, 2)
 *
 * def dataset(count):
 *     specs, targets, lengths = [], torch.zeros(count, MAX_DIGITS, dtype=torch.long), []
 *     for start in range(0, count, 100):
 *         xs = []
 *         for i in range(start, min(start + 100, count)):
 *             x, digits = utterance()
 *             xs.append(x)
 *             targets[i, :len(digits)] = digits + 1               # class 0 is the blank
 *             lengths.append(len(digits))
 *         x = torch.stack(xs)
 *         x = x + (torch.rand(x.shape) - 0.5) * (torch.rand(x.size(0), 1) * 1.6 + 0.4)  # uniform white noise
 *         specs.append(spectrogram(x))
 *     return torch.cat(specs), targets, torch.tensor(lengths)
 *
 * class Recogniser(nn.Module):
 *     def __init__(self, bins, channels, hidden, classes):
 *         super().__init__()
 *         self.conv = nn.Conv1d(bins, channels, 5, stride=2, padding=2)  # 20 ms per output frame
 *         self.lstm = nn.LSTM(channels, hidden, bidirectional=True)
 *         self.fc = nn.Linear(2 * hidden, classes)
 *
 *     def forward(self, spec):                                # [B, bins, T] -> [T, B, classes]
 *         out, _ = self.lstm(self.conv(spec).relu().permute(2, 0, 1))
 *         return self.fc(out).log_softmax(2)
 *
 * def greedy_decode(log_probs):                               # [T, B, classes] -> lists of digits
 *     best = log_probs.argmax(2).t().tolist()
 *     return [[c - 1 for j, c in enumerate(row) if c != 0 and (j == 0 or c != row[j - 1])] for row in best]
 *
 * def edit_distance(a, b):
 *     d = list(range(len(b) + 1))
 *     for i in range(1, len(a) + 1):
 *         prev, d[0] = d[0], i
 *         for j in range(1, len(b) + 1):
 *             prev, d[j] = d[j], min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1] != b[j - 1]))
 *     return d[len(b)]
 *
 * train_x, train_y, train_len = dataset(2400)
 * test_x, test_y, test_len = dataset(300)
 * model = Recogniser(40, 48, 64, 11)
 * ctc = nn.CTCLoss(blank=0)
 * optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
 * input_lengths = torch.full((32,), (N_FRAMES - 1) // 2 + 1, dtype=torch.long)  # after the stride-2 conv
 *
 * def error_rate():
 *     with torch.no_grad():
 *         hyp = greedy_decode(model(test_x))
 *     ref = [(test_y[i, :test_len[i]] - 1).tolist() for i in range(len(hyp))]
 *     return sum(edit_distance(h, r) for h, r in zip(hyp, ref)) / sum(len(r) for r in ref), hyp, ref
 *
 * for epoch in range(5):
 *     perm = torch.randperm(len(train_x))
 *     total = 0.0
 *     for i in range(0, len(train_x), 32):
 *         idx = perm[i:i + 32]
 *         optimizer.zero_grad()
 *         loss = ctc(model(train_x[idx]), train_y[idx], input_lengths[:len(idx)], train_len[idx])
 *         loss.backward()
 *         nn.utils.clip_grad_norm_(model.parameters(), 5.0)
 *         optimizer.step()
 *         total += loss.item() * len(idx)
 *     der, hyp, ref = error_rate()
 *     print(f'epoch {epoch + 1}: loss {total / len(train_x):.4f}  held-out digit error rate {100 * der:.2f}%')
 * for h, r in list(zip(hyp, ref))[:4]:
 *     print(f"{''.join(map(str, r)):>8} -> {''.join(map(str, h))}")
 * ```
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as torch from '../src/index.js';

const { nn, optim } = torch;
type Tensor = torch.Tensor;

/** Settings of {@link main}; the defaults are the program above. */
export interface SpeechDigitsOptions {
  /** Training utterances (default 2400). */
  numTrain?: number;
  /** Held-out utterances (default 300). */
  numTest?: number;
  /** Training epochs (default 5). */
  epochs?: number;
  /** Conv1d output channels (default 48). */
  channels?: number;
  /** LSTM hidden size per direction (default 64). */
  hiddenSize?: number;
  /** Utterances per training batch (default 32). */
  batchSize?: number;
  /** Adam's learning rate (default 3e-3). */
  lr?: number;
  /** Where progress lines go (default console.log). */
  log?: (line: string) => void;
}

/** What {@link main} measured. */
export interface SpeechDigitsResult {
  /** Mean training loss of each epoch. */
  losses: number[];
  /** Held-out digit error rate after each epoch (edit distance / reference length). */
  errorRates: number[];
  /** Some held-out references and their greedy decodings, as digit strings. */
  examples: { reference: string; decoded: string }[];
}

const SR = 8000;
const FRAME = 200;
const HOP = 80;
const NFFT = 256;
/** The DTMF low and high tones of digits 0-9 (Hz). */
const LOW = [941, 697, 697, 697, 770, 770, 770, 852, 852, 852];
const HIGH = [1336, 1209, 1336, 1477, 1209, 1336, 1477, 1209, 1336, 1477];
const MAX_DIGITS = 6;
const MAX_ON = 960;
const MAX_GAP = 800;
const MAX_SAMPLES = MAX_DIGITS * (MAX_ON + MAX_GAP) + MAX_GAP;
const N_FRAMES = Math.floor((MAX_SAMPLES - FRAME) / HOP) + 1;
/** Frames after the stride-2 convolution. */
const OUT_FRAMES = Math.floor((N_FRAMES - 1) / 2) + 1;

/** One utterance, zero-padded to MAX_SAMPLES, and its digits. */
function utterance(): [Tensor, number[]] {
  const n = torch.randint(3, MAX_DIGITS + 1, [1]).item();
  const digits = torch.randint(0, 10, [n]).tolist() as number[];
  const on = torch.randint(400, MAX_ON + 1, [n]).tolist() as number[]; // tone samples (50-120 ms)
  const gap = torch.randint(320, MAX_GAP + 1, [n + 1]).tolist() as number[]; // silence before, between and after
  const amp = torch.rand(n).mul(0.7).add(0.3);
  const detune = torch.rand(n, 2).sub(0.5).mul(0.03).add(1);
  const pieces = [torch.zeros(gap[0]!)];
  for (let k = 0; k < n; k++) {
    const t = torch.arange(on[k]!).div(SR);
    const d = digits[k]!;
    const low = t.mul(detune.index(k, 0).mul(2 * Math.PI * LOW[d]!)).sin();
    const high = t.mul(detune.index(k, 1).mul(2 * Math.PI * HIGH[d]!)).sin();
    pieces.push(low.add(high).mul(amp.index(k)), torch.zeros(gap[k + 1]!));
  }
  const x = torch.cat(pieces);
  return [torch.cat([x, torch.zeros(MAX_SAMPLES - x.numel())]), digits];
}

/** The framing indices and the windowed DFT matrices (40 bins of a 256-point DFT). */
function spectrogramOperators(): { frameIdx: Tensor; cos: Tensor; sin: Tensor } {
  const n = torch.arange(FRAME);
  const window = n.mul(2 * Math.PI / FRAME).cos().mul(-0.5).add(0.5); // periodic Hann
  const angle = n.unsqueeze(1).mul(torch.arange(18, 58).unsqueeze(0)).mul(2 * Math.PI).div(NFFT);
  const w = window.unsqueeze(1);
  const frameIdx = torch.arange(N_FRAMES).unsqueeze(1).mul(HOP).add(n.unsqueeze(0));
  return { frameIdx, cos: w.mul(angle.cos()), sin: w.mul(angle.sin()) };
}

/** [B, samples] -> normalised log power [B, 40, frames]. */
function spectrogram(x: Tensor, ops: ReturnType<typeof spectrogramOperators>): Tensor {
  const frames = x.index(':', ops.frameIdx); // [B, frames, FRAME]
  let logp = frames.matmul(ops.cos).pow(2).add(frames.matmul(ops.sin).pow(2)).add(1e-3).log();
  logp = logp.sub(logp.mean([1, 2], true)).div(logp.std([1, 2], true, true));
  return logp.transpose(1, 2);
}

/** `count` utterances as spectrograms [count, 40, frames], padded targets [count, 6] (digit + 1) and target lengths. */
function dataset(count: number, ops: ReturnType<typeof spectrogramOperators>): [Tensor, Tensor, Tensor] {
  const specs: Tensor[] = [];
  const targets: number[][] = [];
  const lengths: number[] = [];
  for (let start = 0; start < count; start += 100) {
    const xs: Tensor[] = [];
    for (let i = start; i < Math.min(start + 100, count); i++) {
      const [x, digits] = utterance();
      xs.push(x);
      targets.push(Array.from({ length: MAX_DIGITS }, (_, j) => (j < digits.length ? digits[j]! + 1 : 0))); // class 0 is the blank
      lengths.push(digits.length);
    }
    let x = torch.stack(xs);
    x = x.add(torch.rand(x.shape).sub(0.5).mul(torch.rand(x.size(0), 1).mul(1.6).add(0.4))); // uniform white noise
    specs.push(spectrogram(x, ops));
  }
  return [torch.cat(specs), torch.tensor(targets), torch.tensor(lengths)];
}

class Recogniser extends nn.Module {
  conv: torch.nn.Conv1d;
  lstm: torch.nn.LSTM;
  fc: torch.nn.Linear;

  constructor(bins: number, channels: number, hidden: number, classes: number) {
    super();
    this.conv = new nn.Conv1d(bins, channels, 5, { stride: 2, padding: 2 }); // 20 ms per output frame
    this.lstm = new nn.LSTM(channels, hidden, { bidirectional: true });
    this.fc = new nn.Linear(2 * hidden, classes);
  }

  /** [B, bins, T] -> log-probabilities [T, B, classes]. */
  override forward(spec: Tensor): Tensor {
    const [out] = this.lstm.forward(this.conv.forward(spec).relu().permute(2, 0, 1));
    return this.fc.forward(out).logSoftmax(2);
  }
}

/**
 * Greedy CTC decoding: the most probable class of each frame, repeats merged, blanks (class 0)
 * dropped; classes c >= 1 are digits c - 1.
 * @example greedyDecode(model.forward(spec)) // [[4, 1, 1], [0, 9, 2, 7], ...]
 */
export function greedyDecode(logProbs: Tensor): number[][] {
  const best = logProbs.argmax(2).t().tolist() as number[][];
  return best.map((row) => row.filter((c, j) => c !== 0 && (j === 0 || c !== row[j - 1])).map((c) => c - 1));
}

/** Levenshtein distance between two digit strings. */
export function editDistance(a: readonly number[], b: readonly number[]): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = d[j]!;
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] !== b[j - 1] ? 1 : 0));
      prev = cur;
    }
  }
  return d[b.length]!;
}

/** Synthesises the data, trains, prints progress and returns the losses and error rates. */
export function main(opts: SpeechDigitsOptions = {}): SpeechDigitsResult {
  const log = opts.log ?? console.log;
  const epochs = opts.epochs ?? 5;
  torch.manualSeed(0);
  const ops = spectrogramOperators();
  const [trainX, trainY, trainLen] = dataset(opts.numTrain ?? 2400, ops);
  const [testX, testY, testLen] = dataset(opts.numTest ?? 300, ops);
  const nTrain = trainX.size(0);
  log(`${nTrain} training / ${testX.size(0)} held-out utterances of 3-${MAX_DIGITS} digits, ${N_FRAMES} frames of 40 bins`);

  const model = new Recogniser(40, opts.channels ?? 48, opts.hiddenSize ?? 64, 11);
  const ctc = new nn.CTCLoss({ blank: 0 });
  const optimizer = new optim.Adam(model.parameters(), { lr: opts.lr ?? 3e-3 });
  const batch = opts.batchSize ?? 32;
  const inputLengths = torch.full([batch], OUT_FRAMES, { dtype: 'int64' });

  const errorRate = (): [number, number[][], number[][]] => {
    const hyp = torch.noGrad(() => greedyDecode(model.forward(testX)));
    const ref = hyp.map((_, i) => (testY.index(i, `:${testLen.index(i).item()}`).sub(1).tolist() as number[]));
    const errors = hyp.reduce((s, h, i) => s + editDistance(h, ref[i]!), 0);
    return [errors / ref.reduce((s, r) => s + r.length, 0), hyp, ref];
  };

  const losses: number[] = [];
  const errorRates: number[] = [];
  let hyp: number[][] = [];
  let ref: number[][] = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    const perm = torch.randperm(nTrain);
    let total = 0;
    for (let i = 0; i < nTrain; i += batch) {
      const idx = perm.index(`${i}:${i + batch}`);
      optimizer.zeroGrad();
      const loss = ctc.forward(model.forward(trainX.index(idx)), trainY.index(idx), inputLengths.index(`:${idx.size(0)}`), trainLen.index(idx));
      loss.backward();
      nn.utils.clipGradNorm_(model.parameters(), 5.0);
      optimizer.step();
      total += loss.item() * idx.size(0);
    }
    let der: number;
    [der, hyp, ref] = errorRate();
    losses.push(total / nTrain);
    errorRates.push(der);
    log(`epoch ${epoch + 1}: loss ${(total / nTrain).toFixed(4)}  held-out digit error rate ${(100 * der).toFixed(2)}%`);
  }
  const examples = hyp.slice(0, 4).map((h, i) => ({ reference: ref[i]!.join(''), decoded: h.join('') }));
  for (const e of examples) log(`${e.reference.padStart(8)} -> ${e.decoded}`);
  return { losses, errorRates, examples };
}

// Run main() when this file is the program (not when a test imports it).
if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) main();
