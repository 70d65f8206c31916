/**
 * A character-level LSTM language model (after Karpathy's char-rnn) trained on a text file, with
 * truncated backpropagation through time and temperature sampling.
 *
 * The text is cut into 16 parallel streams (each a contiguous sixteenth of it) that are read in
 * chunks of 32 characters. The LSTM state is carried from one chunk to the next but detached, so
 * gradients flow back at most 32 steps (truncated BPTT). Sampling divides the logits by a
 * temperature, applies softmax and draws the next character with the seeded generator: the first
 * index whose cumulative probability exceeds u ~ U(0, 1) (what `torch.multinomial` does with one draw).
 *
 * The default text is fourteen of Shakespeare's sonnets (1609, public domain;
 * examples/data/sonnets.txt, 8.8 KB), small enough that the model starts to memorise it.
 *
 * Run: npx tsx examples/char-lm.ts [path/to/text.txt]   (about a minute on 2 cores for 30 epochs)
 * It prints the loss per epoch, a sample every 10 epochs and, at the end, samples at temperatures
 * 0.5 and 1.0.
 *
 * PyTorch (1.13):
 * ```python
 * import sys
 * import torch
 * import torch.nn as nn
 *
 * torch.manual_seed(0)
 *
 * path = sys.argv[1] if len(sys.argv) > 1 else 'examples/data/sonnets.txt'
 * text = open(path, encoding='utf-8').read()
 * chars = sorted(set(text))
 * stoi = {c: i for i, c in enumerate(chars)}
 * data = torch.tensor([stoi[c] for c in text])
 * BATCH, BPTT = 16, 32
 * # 16 parallel streams, each a contiguous sixteenth of the text; y is x shifted by one character.
 * n = (len(data) - 1) // BATCH
 * x_all = data[:n * BATCH].view(BATCH, n)
 * y_all = data[1:n * BATCH + 1].view(BATCH, n)
 * print(f'{len(text)} characters, {len(chars)} distinct; {BATCH} streams of {n}')
 *
 * class CharLM(nn.Module):
 *     def __init__(self, vocab_size, embed_dim, hidden_size):
 *         super().__init__()
 *         self.embedding = nn.Embedding(vocab_size, embed_dim)
 *         self.lstm = nn.LSTM(embed_dim, hidden_size, batch_first=True)
 *         self.fc = nn.Linear(hidden_size, vocab_size)
 *
 *     def forward(self, x, state=None):
 *         out, state = self.lstm(self.embedding(x), state)
 *         return self.fc(out), state
 *
 * def sample(model, prompt, length, temperature):
 *     prompt = ''.join(c for c in prompt if c in stoi) or text[0]  # drop characters the text lacks
 *     with torch.no_grad():
 *         logits, state = model(torch.tensor([[stoi[c] for c in prompt]]))
 *         out = prompt
 *         for _ in range(length):
 *             probs = torch.softmax(logits[0, -1] / temperature, 0)
 *             # multinomial draw: the first index whose cumulative probability exceeds u ~ U(0, 1)
 *             nxt = min(int((probs.cumsum(0) < torch.rand(1)).sum()), len(chars) - 1)
 *             out += chars[nxt]
 *             logits, state = model(torch.tensor([[nxt]]), state)
 *     return out
 *
 * def show(s):
 *     print('    ' + s.replace('\n', '\n    '))
 *
 * model = CharLM(len(chars), 32, 128)
 * criterion = nn.CrossEntropyLoss()
 * optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
 * for epoch in range(30):
 *     state = None
 *     total, steps = 0.0, 0
 *     for i in range(0, n, BPTT):
 *         x, y = x_all[:, i:i + BPTT], y_all[:, i:i + BPTT]
 *         if state is not None:
 *             state = tuple(s.detach() for s in state)  # truncated BPTT: keep the values, cut the graph
 *         logits, state = model(x, state)
 *         loss = criterion(logits.reshape(-1, len(chars)), y.reshape(-1))
 *         optimizer.zero_grad()
 *         loss.backward()
 *         nn.utils.clip_grad_norm_(model.parameters(), 1.0)
 *         optimizer.step()
 *         total, steps = total + loss.item(), steps + 1
 *     print(f'epoch {epoch + 1}: loss {total / steps:.4f}')
 *     if (epoch + 1) % 10 == 0:
 *         show(sample(model, 'Shall I ', 120, 0.8))
 * for t in (0.5, 1.0):
 *     print(f'temperature {t}:')
 *     show(sample(model, 'Love ', 200, t))
 * ```
 */
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as torch from '../src/index.js';

const { nn, optim } = torch;
type Tensor = torch.Tensor;
type LSTMState = torch.nn.LSTMState;

/** Settings of {@link main}; the defaults are the program above. */
export interface CharLmOptions {
  /** The text file to train on (default examples/data/sonnets.txt). */
  path?: string;
  /** Train on only the first `maxChars` characters (default: all). */
  maxChars?: number;
  /** Training epochs (default 30). */
  epochs?: number;
  /** LSTM hidden size (default 128). */
  hiddenSize?: number;
  /** Length of the final samples (default 200; the samples every 10 epochs are 120). */
  sampleLength?: number;
  /** Where progress lines go (default console.log). */
  log?: (line: string) => void;
}

/** What {@link main} measured and generated. */
export interface CharLmResult {
  /** Mean training loss of each epoch. */
  losses: number[];
  /** The final samples, at temperatures 0.5 and 1.0. */
  samples: string[];
}

class CharLM extends nn.Module {
  embedding: torch.nn.Embedding;
  lstm: torch.nn.LSTM;
  fc: torch.nn.Linear;

  constructor(vocabSize: number, embedDim: number, hiddenSize: number) {
    super();
    this.embedding = new nn.Embedding(vocabSize, embedDim);
    this.lstm = new nn.LSTM(embedDim, hiddenSize, { batchFirst: true });
    this.fc = new nn.Linear(hiddenSize, vocabSize);
  }

  override forward(x: Tensor, state?: LSTMState | null): [Tensor, LSTMState] {
    const [out, next] = this.lstm.forward(this.embedding.forward(x), state);
    return [this.fc.forward(out), next];
  }
}

/** Trains on the text, prints progress and samples, and returns the losses and final samples. */
export function main(opts: CharLmOptions = {}): CharLmResult {
  const epochs = opts.epochs ?? 30;
  const log = opts.log ?? console.log;
  torch.manualSeed(0);

  const path = opts.path ?? fileURLToPath(new URL('./data/sonnets.txt', import.meta.url));
  let text = readFileSync(path, 'utf8');
  if (opts.maxChars !== undefined) text = text.slice(0, opts.maxChars);
  const chars = [...new Set(text)].sort();
  const stoi = new Map(chars.map((c, i) => [c, i]));
  const data = torch.tensor(Array.from(text, (c) => stoi.get(c)!), { dtype: 'int64' });
  const [BATCH, BPTT] = [16, 32];
  // 16 parallel streams, each a contiguous sixteenth of the text; y is x shifted by one character.
  const n = Math.floor((data.size(0) - 1) / BATCH);
  const xAll = data.index(`:${n * BATCH}`).view(BATCH, n);
  const yAll = data.index(`1:${n * BATCH + 1}`).view(BATCH, n);
  log(`${text.length} characters, ${chars.length} distinct; ${BATCH} streams of ${n}`);

  const sample = (model: CharLM, prompt: string, length: number, temperature: number): string =>
    torch.noGrad(() => {
      prompt = Array.from(prompt).filter((c) => stoi.has(c)).join('') || text[0]!; // drop characters the text lacks
      let [logits, state] = model.forward(torch.tensor([Array.from(prompt, (c) => stoi.get(c)!)], { dtype: 'int64' }));
      let out = prompt;
      for (let k = 0; k < length; k++) {
        const probs = torch.softmax(logits.index(0, -1).div(temperature), 0);
        // multinomial draw: the first index whose cumulative probability exceeds u ~ U(0, 1)
        const next = Math.min(probs.cumsum(0).lt(torch.rand(1)).sum().item(), chars.length - 1);
        out += chars[next];
        [logits, state] = model.forward(torch.tensor([[next]], { dtype: 'int64' }), state);
      }
      return out;
    });
  const show = (s: string): void => log('    ' + s.replaceAll('\n', '\n    '));

  const model = new CharLM(chars.length, 32, opts.hiddenSize ?? 128);
  const criterion = new nn.CrossEntropyLoss();
  const optimizer = new optim.Adam(model.parameters(), { lr: 1e-2 });
  const losses: number[] = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    let state: LSTMState | null = null;
    let [total, steps] = [0, 0];
    for (let i = 0; i < n; i += BPTT) {
      const [x, y] = [xAll.index(':', `${i}:${i + BPTT}`), yAll.index(':', `${i}:${i + BPTT}`)];
      if (state !== null) {
        state = [state[0].detach(), state[1].detach()]; // truncated BPTT: keep the values, cut the graph
      }
      let logits: Tensor;
      [logits, state] = model.forward(x, state);
      const loss = criterion.forward(logits.reshape(-1, chars.length), y.reshape(-1));
      optimizer.zeroGrad();
      loss.backward();
      nn.utils.clipGradNorm_(model.parameters(), 1.0);
      optimizer.step();
      [total, steps] = [total + loss.item(), steps + 1];
    }
    losses.push(total / steps);
    log(`epoch ${epoch + 1}: loss ${(total / steps).toFixed(4)}`);
    if ((epoch + 1) % 10 === 0) show(sample(model, 'Shall I ', 120, 0.8));
  }
  const samples: string[] = [];
  for (const t of [0.5, 1.0]) {
    log(`temperature ${t.toFixed(1)}:`);
    samples.push(sample(model, 'Love ', opts.sampleLength ?? 200, t));
    show(samples[samples.length - 1]!);
  }
  return { losses, samples };
}

// Run main() when this file is the program (not when a test imports it).
if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) main({ path: process.argv[2] });
