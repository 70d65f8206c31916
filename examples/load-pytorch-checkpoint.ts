/**
 * Train in PyTorch, serve in Node: load a checkpoint written by PyTorch's `torch.save` into the
 * same model written with torchlet, and check that it gives PyTorch's outputs.
 *
 * Run: npx tsx examples/load-pytorch-checkpoint.ts
 *
 * The checkpoint (examples/data/pytorch-lstm.pt) was written by tools/fixtures/gen_example_checkpoint.py:
 *
 *   class Forecaster(nn.Module):
 *       def __init__(self):
 *           super().__init__()
 *           self.lstm = nn.LSTM(1, 16, num_layers=2, batch_first=True)
 *           self.head = nn.Linear(16, 1)
 *       def forward(self, x):
 *           out, _ = self.lstm(x)
 *           return self.head(out[:, -1, :])
 *   ...
 *   torch.save({'state_dict': model.state_dict(), 'example_input': example,
 *               'expected_output': expected, 'final_loss': loss.item()}, path)
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as torch from '../src/index.js';

const { nn } = torch;

class Forecaster extends nn.Module {
  lstm = new nn.LSTM(1, 16, { numLayers: 2, batchFirst: true });
  head = new nn.Linear(16, 1);
  override forward(x: torch.Tensor): torch.Tensor {
    const [out] = this.lstm.forward(x);
    return this.head.forward(out.select(1, -1));
  }
}

/** Loads the checkpoint, runs the example input and returns the largest difference from PyTorch's output. */
export function main(log: (s: string) => void = console.log): number {
  const ckpt = torch.load(fileURLToPath(new URL('./data/pytorch-lstm.pt', import.meta.url)));
  log(`checkpoint keys: ${Object.keys(ckpt).join(', ')} (PyTorch's final training loss ${ckpt.final_loss.toFixed(5)})`);
  const model = new Forecaster();
  const { missingKeys, unexpectedKeys } = model.loadStateDict(ckpt.state_dict);
  log(`loaded ${Object.keys(ckpt.state_dict).length} tensors; missing ${missingKeys.length}, unexpected ${unexpectedKeys.length}`);
  model.eval();
  const out = torch.noGrad(() => model.forward(ckpt.example_input));
  const diff = out.sub(ckpt.expected_output).abs().max().item();
  log(`torchlet:  ${out.flatten().toString()}`);
  log(`PyTorch:   ${ckpt.expected_output.flatten().toString()}`);
  log(`largest difference: ${diff.toExponential(2)}`);
  return diff;
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) main();
