"""Step 2 of 3: continue torchlet's training checkpoint in PyTorch under DistributedDataParallel.

Run from the repository root, after step 1 (train-start.ts) has written scale-out-output/start.pt:

    torchrun --nproc_per_node=2 examples/scale-out/ddp_continue.py [--epochs 3] [--dir scale-out-output] [--checkpoint PATH]

(`torchrun` is `python3 -m torch.distributed.run`; see README.md for the flags PyTorch 1.13 needs on
Python 3.11.) Two CPU processes on this machine join a gloo process group. Each loads the
checkpoint that torchlet wrote: the model's weights and Adam's state (exp_avg, exp_avg_sq and the
step count, a tensor as PyTorch 1.12+ keeps it), wraps the model in DDP and trains on its half of
every shuffled batch; DDP averages the gradients, so both processes take the same Adam steps.
Rank 0 saves what a DDP program usually saves, `ddp_model.state_dict()`, whose keys carry DDP's
`module.` prefix, with the optimizer's state, to scale-out-output/ddp.pt. Step 3
(train-resume.ts) loads it back into torchlet.

The data, model and epoch loop are those of forecaster.ts, line for line.
"""
import argparse
import csv
import os

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.data.distributed import DistributedSampler

HERE = os.path.dirname(os.path.abspath(__file__))
WINDOW = 12  # months per input window
HIDDEN = 16  # LSTM units
BATCH = 16  # windows per optimizer step, over all processes
LR = 0.01  # Adam's learning rate


def airline_windows():
    """The windows x ([132, 12, 1]) and their next months y ([132, 1]), as forecaster.ts makes them."""
    with open(os.path.join(HERE, '..', 'data', 'airline-passengers.csv')) as f:
        values = [float(r['passengers']) for r in csv.DictReader(f)]
    lo, hi = min(values), max(values)
    scaled = [(v - lo) / (hi - lo) for v in values]
    windows = [scaled[i:i + WINDOW] for i in range(len(scaled) - WINDOW)]
    targets = [scaled[i + WINDOW] for i in range(len(scaled) - WINDOW)]
    return torch.tensor(windows).unsqueeze(-1), torch.tensor(targets).unsqueeze(-1)


class Forecaster(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(1, HIDDEN, batch_first=True)
        self.fc = nn.Linear(HIDDEN, 1)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.fc(out[:, -1, :])


def train_loader(seed):
    """A shuffled loader of the windows in one process, as forecaster.ts's trainLoader."""
    x, y = airline_windows()
    return DataLoader(TensorDataset(x, y), batch_size=BATCH, shuffle=True, generator=torch.Generator().manual_seed(seed))


def train_epoch(model, optimizer, loader):
    """One epoch of MSE training; returns each step's loss (this process's half of the batch under DDP)."""
    criterion = nn.MSELoss()
    losses = []
    model.train()
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--epochs', type=int, default=3)
    parser.add_argument('--dir', default='scale-out-output')
    parser.add_argument('--checkpoint', help='the checkpoint to continue (default: DIR/start.pt)')
    args = parser.parse_args()

    dist.init_process_group('gloo')  # CPU; torchrun sets RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT
    rank, world = dist.get_rank(), dist.get_world_size()

    # torchlet's checkpoint: {'model': state_dict, 'optimizer': Adam's state_dict, 'epoch', 'loss'}
    ck = torch.load(args.checkpoint or os.path.join(args.dir, 'start.pt'), map_location='cpu')
    model = Forecaster()
    model.load_state_dict(ck['model'])
    ddp_model = DistributedDataParallel(model)
    optimizer = torch.optim.Adam(ddp_model.parameters(), lr=LR)
    optimizer.load_state_dict(ck['optimizer'])

    x, y = airline_windows()
    dataset = TensorDataset(x, y)
    sampler = DistributedSampler(dataset, num_replicas=world, rank=rank, shuffle=True, seed=0)
    loader = DataLoader(dataset, batch_size=BATCH // world, sampler=sampler)

    start = ck['epoch']
    epoch_losses = []
    for epoch in range(start, start + args.epochs):
        sampler.set_epoch(epoch)  # a new shuffle each epoch, the same in every process
        losses = train_epoch(ddp_model, optimizer, loader)
        total = torch.tensor([sum(losses), float(len(losses))], dtype=torch.float64)
        dist.all_reduce(total)  # the mean step loss over both processes
        epoch_losses.append((total[0] / total[1]).item())
        if rank == 0:
            print(f'epoch {epoch + 1}: loss {epoch_losses[-1]:.6f} ({world} processes)', flush=True)

    if rank == 0:
        # What a DDP program saves: ddp_model.state_dict() has the keys 'module.lstm.weight_ih_l0', ...
        path = os.path.join(args.dir, 'ddp.pt')
        checkpoint = {'model': ddp_model.state_dict(), 'optimizer': optimizer.state_dict(),
                      'epoch': start + args.epochs, 'loss': epoch_losses[-1], 'losses': epoch_losses,
                      'world_size': world}
        torch.save(checkpoint, path + '.tmp')
        os.replace(path + '.tmp', path)
        print(f'saved {path} (epoch {start + args.epochs})', flush=True)
    dist.barrier()
    dist.destroy_process_group()


if __name__ == '__main__':
    main()
