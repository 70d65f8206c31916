# PyTorch side of `npm run bench -- --compare` (bench/run.ts): builds the same workloads W1..W6
# as bench/run.ts, then answers requests on stdin, one JSON line each:
#   {"w": "W1", "threads": 1, "reps": 5}  ->  {"times": [ms, ...]}
# so the benchmark can alternate torchlet and PyTorch batches in one run. Started with
# OMP_WAIT_POLICY=PASSIVE (idle OpenMP threads sleep instead of spinning against the other process).
import json
import sys
import time

import torch
import torch.nn as nn

torch.manual_seed(0)


def lstm_head(i, h, layers, out):
    lstm = nn.LSTM(i, h, layers, batch_first=True)
    fc = nn.Linear(h, out)
    return lstm, fc


def make():
    w = {}
    # W1 / W2: LSTM(64->128, 2 layers, batch_first) + Linear(128->10) on the last step, x [32,10,64]
    l1, f1 = lstm_head(64, 128, 2, 10)
    x1 = torch.randn(32, 10, 64)
    y1 = torch.randint(0, 10, (32,))
    opt1 = torch.optim.Adam(list(l1.parameters()) + list(f1.parameters()), lr=1e-3)

    def w1():
        with torch.no_grad():
            out, _ = l1(x1)
            f1(out[:, -1])

    def w2():
        opt1.zero_grad()
        out, _ = l1(x1)
        loss = nn.functional.cross_entropy(f1(out[:, -1]), y1)
        loss.backward()
        opt1.step()

    # W3: LSTM(256->512, 2 layers), x [64,100,256], inference
    l3 = nn.LSTM(256, 512, 2, batch_first=True)
    x3 = torch.randn(64, 100, 256)

    def w3():
        with torch.no_grad():
            l3(x3)

    # W4: W3's LSTM + Linear(512->10) on the last step, x [64,50,256], one Adam step
    f4 = nn.Linear(512, 10)
    x4 = torch.randn(64, 50, 256)
    y4 = torch.randint(0, 10, (64,))
    opt4 = torch.optim.Adam(list(l3.parameters()) + list(f4.parameters()), lr=1e-3)

    def w4():
        opt4.zero_grad()
        out, _ = l3(x4)
        loss = nn.functional.cross_entropy(f4(out[:, -1]), y4)
        loss.backward()
        opt4.step()

    # W5: LSTM(128->128), batch 1, one step with the state carried in and out
    l5 = nn.LSTM(128, 128, 1, batch_first=True)
    x5 = torch.randn(1, 1, 128)
    st = [(torch.zeros(1, 1, 128), torch.zeros(1, 1, 128))]

    def w5():
        with torch.no_grad():
            _, s = l5(x5, st[0])
            st[0] = s

    # W6: Embedding(65,64) -> LSTM(64->256, 2 layers) -> Linear(256->65) at every step, B 32, T 64
    e6 = nn.Embedding(65, 64)
    l6, f6 = lstm_head(64, 256, 2, 65)
    t6 = torch.randint(0, 65, (32, 64))
    y6 = torch.randint(0, 65, (32, 64))
    opt6 = torch.optim.Adam(list(e6.parameters()) + list(l6.parameters()) + list(f6.parameters()), lr=1e-3)

    def w6():
        opt6.zero_grad()
        out, _ = l6(e6(t6))
        loss = nn.functional.cross_entropy(f6(out).reshape(-1, 65), y6.reshape(-1))
        loss.backward()
        opt6.step()

    w.update(W1=w1, W2=w2, W3=w3, W4=w4, W5=w5, W6=w6)
    return w


def main():
    work = make()
    print(json.dumps({"ready": torch.__version__}), flush=True)
    for line in sys.stdin:
        req = json.loads(line)
        torch.set_num_threads(int(req["threads"]))
        fn = work[req["w"]]
        fn()  # warm-up at this thread count
        times = []
        for _ in range(int(req["reps"])):
            t0 = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t0) * 1e3)
        print(json.dumps({"times": times}), flush=True)


main()
