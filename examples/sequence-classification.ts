/**
 * Sequence classification with an LSTM over variable-length, packed sequences.
 *
 * The task is a toy sentiment analysis in which word order matters. Sentences are 4 to 30 words
 * long, over 9 words: good/great/fun (+1), bad/dull/awful (-1), "not" (which flips the polarity of
 * the next word), and the neutral "the" and "movie". The label says whether the sentence's total
 * polarity is positive. Ties are dropped, so chance is about 50%. A bag of words cannot solve it
 * ("not bad" is positive); an LSTM that reads the words in order can. Each batch is padded to 30
 * and packed with `packPaddedSequence(..., { enforceSorted: false })`, so the LSTM stops at each
 * sentence's true length and `h_n` comes back in the batch's original order.
 *
 * Run: npx tsx examples/sequence-classification.ts   (about 10 s on 2 cores)
 * It prints the loss and test accuracy per epoch, then a few test sentences with predictions.
 * The data come from the seeded generator with PyTorch's draws, so the PyTorch program below
 * builds the same data set and the same initial weights.
 *
 * PyTorch (1.13):
 * ```python
 * import torch
 * import torch.nn as nn
 * from torch.nn.utils.rnn import pack_padded_sequence
 *
 * torch.manual_seed(0)
 *
 * # Toy sentiment: sentences over 9 words; "not" flips the polarity of the next word.
 * WORDS = ['<pad>', 'good', 'great', 'fun', 'bad', 'dull', 'awful', 'not', 'the', 'movie']
 * NOT = 7
 * MAX_LEN = 30
 * lengths = torch.randint(4, MAX_LEN + 1, (3000,))
 * tokens = torch.randint(1, len(WORDS), (3000, MAX_LEN))
 * tokens = tokens.masked_fill(torch.arange(MAX_LEN).unsqueeze(0) >= lengths.unsqueeze(1), 0)
 * polarity = torch.tensor([0, 1, 1, 1, -1, -1, -1, 0, 0, 0])[tokens]
 * sign = 1 - 2 * (tokens[:, :-1] == NOT).long()
 * score = polarity[:, 0] + (polarity[:, 1:] * sign).sum(1)
 * keep = score != 0  # drop ties
 * tokens, lengths, labels = tokens[keep], lengths[keep], (score[keep] > 0).long()
 * n_train = int(0.8 * len(labels))
 * x_train, len_train, y_train = tokens[:n_train], lengths[:n_train], labels[:n_train]
 * x_test, len_test, y_test = tokens[n_train:], lengths[n_train:], labels[n_train:]
 * chance = max(y_test.float().mean().item(), 1 - y_test.float().mean().item())
 * print(f'{n_train} train / {len(y_test)} test sequences, lengths 4-{MAX_LEN}; majority class {chance:.3f}')
 *
 * class Classifier(nn.Module):
 *     def __init__(self, vocab_size, embed_dim, hidden_size, num_classes):
 *         super().__init__()
 *         self.embedding = nn.Embedding(vocab_size, embed_dim, padding_idx=0)
 *         self.lstm = nn.LSTM(embed_dim, hidden_size, batch_first=True)
 *         self.fc = nn.Linear(hidden_size, num_classes)
 *
 *     def forward(self, x, lengths):
 *         packed = pack_padded_sequence(self.embedding(x), lengths, batch_first=True, enforce_sorted=False)
 *         _, (h_n, _) = self.lstm(packed)  # h_n: [1, B, H], in the batch's original order
 *         return self.fc(h_n[-1])
 *
 * model = Classifier(len(WORDS), 16, 32, 2)
 * criterion = nn.CrossEntropyLoss()
 * optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
 *
 * for epoch in range(8):
 *     model.train()
 *     perm = torch.randperm(n_train)
 *     total = 0.0
 *     for i in range(0, n_train, 32):
 *         idx = perm[i:i + 32]
 *         optimizer.zero_grad()
 *         loss = criterion(model(x_train[idx], len_train[idx]), y_train[idx])
 *         loss.backward()
 *         optimizer.step()
 *         total += loss.item() * len(idx)
 *     model.eval()
 *     with torch.no_grad():
 *         acc = (model(x_test, len_test).argmax(1) == y_test).float().mean().item()
 *     print(f'epoch {epoch + 1}: loss {total / n_train:.4f}  test accuracy {acc:.3f}')
 *
 * with torch.no_grad():
 *     pred = model(x_test[:4], len_test[:4]).argmax(1)
 * for i in range(4):
 *     words = ' '.join(WORDS[t] for t in x_test[i, :len_test[i]].tolist())
 *     print(f"{['negative', 'positive'][pred[i]]:>8} | {words}")
 * ```
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as torch from '../src/index.js';

const { nn, optim } = torch;
const { packPaddedSequence } = nn.utils.rnn;
type Tensor = torch.Tensor;

/** Settings of {@link main}; the defaults are the program above. */
export interface SequenceClassificationOptions {
  /** Candidate sentences drawn before ties are dropped (default 3000). */
  numSequences?: number;
  /** Training epochs (default 8). */
  epochs?: number;
  /** LSTM hidden size (default 32). */
  hiddenSize?: number;
  /** Where progress lines go (default console.log). */
  log?: (line: string) => void;
}

/** What {@link main} measured. */
export interface SequenceClassificationResult {
  /** Mean training loss of each epoch. */
  losses: number[];
  /** Test accuracy after the last epoch. */
  testAccuracy: number;
  /** Accuracy of always predicting the test set's majority class. */
  chance: number;
}

// Toy sentiment: sentences over 9 words; "not" flips the polarity of the next word.
const WORDS = ['<pad>', 'good', 'great', 'fun', 'bad', 'dull', 'awful', 'not', 'the', 'movie'];
const NOT = 7;
const MAX_LEN = 30;

class Classifier extends nn.Module {
  embedding: torch.nn.Embedding;
  lstm: torch.nn.LSTM;
  fc: torch.nn.Linear;

  constructor(vocabSize: number, embedDim: number, hiddenSize: number, numClasses: number) {
    super();
    this.embedding = new nn.Embedding(vocabSize, embedDim, { paddingIdx: 0 });
    this.lstm = new nn.LSTM(embedDim, hiddenSize, { batchFirst: true });
    this.fc = new nn.Linear(hiddenSize, numClasses);
  }

  override forward(x: Tensor, lengths: Tensor): Tensor {
    const packed = packPaddedSequence(this.embedding.forward(x), lengths, { batchFirst: true, enforceSorted: false });
    const [, [hN]] = this.lstm.forward(packed); // hN: [1, B, H], in the batch's original order
    return this.fc.forward(hN.select(0, -1)); // h_n[-1]
  }
}

/** Builds the data set, trains, prints progress and returns the losses and the test accuracy. */
export function main(opts: SequenceClassificationOptions = {}): SequenceClassificationResult {
  const n = opts.numSequences ?? 3000;
  const epochs = opts.epochs ?? 8;
  const log = opts.log ?? console.log;
  torch.manualSeed(0);

  let lengths = torch.randint(4, MAX_LEN + 1, [n]);
  let tokens = torch.randint(1, WORDS.length, [n, MAX_LEN]);
  tokens = tokens.maskedFill(torch.arange(MAX_LEN).unsqueeze(0).ge(lengths.unsqueeze(1)), 0);
  const polarity = torch.tensor([0, 1, 1, 1, -1, -1, -1, 0, 0, 0], { dtype: 'int64' }).index(tokens);
  const sign = tokens.index(':', ':-1').eq(NOT).long().mul(-2).add(1); // 1 - 2 * (tokens[:, :-1] == NOT)
  const score = polarity.select(1, 0).add(polarity.index(':', '1:').mul(sign).sum(1));
  const keep = score.ne(0); // drop ties
  [tokens, lengths] = [tokens.index(keep), lengths.index(keep)];
  const labels = score.index(keep).gt(0).long();
  const nTrain = Math.trunc(0.8 * labels.size(0));
  const [xTrain, lenTrain, yTrain] = [tokens.index(`:${nTrain}`), lengths.index(`:${nTrain}`), labels.index(`:${nTrain}`)];
  const [xTest, lenTest, yTest] = [tokens.index(`${nTrain}:`), lengths.index(`${nTrain}:`), labels.index(`${nTrain}:`)];
  const positive = yTest.float().mean().item();
  const chance = Math.max(positive, 1 - positive);
  log(`${nTrain} train / ${yTest.size(0)} test sequences, lengths 4-${MAX_LEN}; majority class ${chance.toFixed(3)}`);

  const model = new Classifier(WORDS.length, 16, opts.hiddenSize ?? 32, 2);
  const criterion = new nn.CrossEntropyLoss();
  const optimizer = new optim.Adam(model.parameters(), { lr: 1e-2 });

  const losses: number[] = [];
  let acc = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    model.train();
    const perm = torch.randperm(nTrain);
    let total = 0;
    for (let i = 0; i < nTrain; i += 32) {
      const idx = perm.index(`${i}:${i + 32}`);
      optimizer.zeroGrad();
      const loss = criterion.forward(model.forward(xTrain.index(idx), lenTrain.index(idx)), yTrain.index(idx));
      loss.backward();
      optimizer.step();
      total += loss.item() * idx.size(0);
    }
    model.eval();
    acc = torch.noGrad(() => model.forward(xTest, lenTest).argmax(1).eq(yTest).float().mean().item());
    losses.push(total / nTrain);
    log(`epoch ${epoch + 1}: loss ${(total / nTrain).toFixed(4)}  test accuracy ${acc.toFixed(3)}`);
  }

  const pred = torch.noGrad(() => model.forward(xTest.index(':4'), lenTest.index(':4')).argmax(1));
  for (let i = 0; i < 4; i++) {
    const ids = xTest.index(i, `:${lenTest.index(i).item()}`).tolist() as number[];
    const words = ids.map((t) => WORDS[t]).join(' ');
    log(`${['negative', 'positive'][pred.index(i).item()]!.padStart(8)} | ${words}`);
  }
  return { losses, testAccuracy: acc, chance };
}

// Run main() when this file is the program (not when a test imports it).
if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) main();
