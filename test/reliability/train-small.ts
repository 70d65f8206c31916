/**
 * A small seeded training run shared by the reproducibility and isolation tests: LSTM (with
 * inter-layer dropout, so the random stream matters) + Linear, Adam, cross-entropy. Everything
 * random (init, data, dropout masks) comes from `torch.manualSeed(seed)`.
 */
import * as torch from '../../src/index.js';

const { nn, optim } = torch;

/** Options of {@link trainSmall}. */
export interface TrainSmallOptions {
  seed: number;
  steps: number;
  /** Switch grad mode off and on around each step's data draw (exercises the per-thread flag). */
  toggleGradMode?: boolean;
}

/** Trains for `steps` steps and returns the losses (as numbers, bit for bit). */
export function trainSmall({ seed, steps, toggleGradMode = false }: TrainSmallOptions): number[] {
  torch.manualSeed(seed);
  const lstm = new nn.LSTM(8, 16, { numLayers: 2, batchFirst: true, dropout: 0.2 });
  const head = new nn.Linear(16, 3);
  const opt = new optim.Adam([...lstm.parameters(), ...head.parameters()], { lr: 1e-2 });
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    const draw = (): [torch.Tensor, torch.Tensor] => [torch.randn(4, 5, 8), torch.randint(0, 3, [4])];
    const [x, y] = toggleGradMode ? torch.noGrad(draw) : draw();
    opt.zeroGrad();
    const [out] = lstm.forward(x);
    const loss = nn.functional.crossEntropy(head.forward(out.select(1, -1)), y);
    loss.backward();
    opt.step();
    losses.push(loss.item());
  }
  return losses;
}
