/**
 * The seed program: a 2-layer batch-first LSTM (64 -> 128) with a Linear head (128 -> 10) on the
 * last time step, x [32, 10, 64], cross-entropy, Adam. The PyTorch original is below; with the
 * same seed, this program prints PyTorch's numbers (weights, data and losses come from the same
 * generator draws, in the same order).
 *
 * Run: npx tsx examples/lstm-seed.ts
 * (Inside the repository this imports the sources; a project using the package writes
 * `import * as torch from 'torchlet'`.)
 *
 * PyTorch (1.13):
 * ```python
 * import torch
 * import torch.nn as nn
 *
 * torch.manual_seed(0)
 *
 * class LSTMModel(nn.Module):
 *     def __init__(self, input_size, hidden_size, num_layers, output_size):
 *         super(LSTMModel, self).__init__()
 *         self.hidden_size = hidden_size
 *         self.num_layers = num_layers
 *         self.lstm = nn.LSTM(input_size, hidden_size, num_layers, batch_first=True)
 *         self.fc = nn.Linear(hidden_size, output_size)
 *
 *     def forward(self, x):
 *         h0 = torch.zeros(self.num_layers, x.size(0), self.hidden_size).to(x.device)
 *         c0 = torch.zeros(self.num_layers, x.size(0), self.hidden_size).to(x.device)
 *         out, _ = self.lstm(x, (h0, c0))
 *         out = self.fc(out[:, -1, :])
 *         return out
 *
 * x = torch.randn(32, 10, 64)
 * model = LSTMModel(input_size=64, hidden_size=128, num_layers=2, output_size=10)
 * output = model(x)
 * print(output.size())  # torch.Size([32, 10])
 *
 * y = torch.randint(0, 10, (32,))
 * criterion = nn.CrossEntropyLoss()
 * optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
 * for step in range(5):
 *     optimizer.zero_grad()
 *     loss = criterion(model(x), y)
 *     loss.backward()
 *     optimizer.step()
 *     print(f'step {step}: loss {loss.item():.6f}')
 * ```
 */
import * as torch from '../src/index.js';

const { nn, optim } = torch;
type Tensor = torch.Tensor;

torch.manualSeed(0);

class LSTMModel extends nn.Module {
  hiddenSize: number;
  numLayers: number;
  lstm: torch.nn.LSTM;
  fc: torch.nn.Linear;

  constructor(inputSize: number, hiddenSize: number, numLayers: number, outputSize: number) {
    super();
    this.hiddenSize = hiddenSize;
    this.numLayers = numLayers;
    this.lstm = new nn.LSTM(inputSize, hiddenSize, numLayers, { batchFirst: true });
    this.fc = new nn.Linear(hiddenSize, outputSize);
  }

  override forward(x: Tensor): Tensor {
    const h0 = torch.zeros(this.numLayers, x.size(0), this.hiddenSize).to(x.device);
    const c0 = torch.zeros(this.numLayers, x.size(0), this.hiddenSize).to(x.device);
    const [out] = this.lstm.forward(x, [h0, c0]);
    return this.fc.forward(out.select(1, -1)); // out[:, -1, :]
  }
}

const x = torch.randn(32, 10, 64);
const model = new LSTMModel(64, 128, 2, 10);
const output = model.forward(x);
console.log(output.size()); // [ 32, 10 ]

const y = torch.randint(0, 10, [32]);
const criterion = new nn.CrossEntropyLoss();
const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });
for (let step = 0; step < 5; step++) {
  optimizer.zeroGrad();
  const loss = criterion.forward(model.forward(x), y);
  loss.backward();
  optimizer.step();
  console.log(`step ${step}: loss ${loss.item().toFixed(6)}`);
}
