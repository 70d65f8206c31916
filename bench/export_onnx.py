# ONNX side of `npm run bench -- --compare` (bench/run.ts): exports the inference workloads of
# bench/run.ts from PyTorch 1.13 (/usr/bin/python3) to ONNX for onnxruntime-node, into a cache
# folder that is not committed (bench/.cache/onnx, written at bench run time):
#   <out>/<W>.onnx  the model (static shapes, opset 14; torch.onnx.export needs no `onnx` package)
#   <out>/<W>.pt    {"state": {"lstm": state_dict, ["fc": state_dict]}, "inputs": [...], "outputs": [...]}
#                   the same weights, one input and PyTorch's output on it, so the benchmark can
#                   load them into torchlet (torch.load) and check torchlet == onnxruntime == PyTorch
#   <out>/manifest.json  {"script_sha256", "torch", "workloads": {W: {"inputs": [names], "outputs": [names],
#                        "carry"?: {output: input}}}}  (carry: the state fed back into the next step, W5)
# Usage: /usr/bin/python3 bench/export_onnx.py <out dir>
#
#   W1 seed inference   LSTM(64->128, 2 layers, batch_first) + Linear(128->10) on the last step, x [32,10,64]
#   W3 large inference  LSTM(256->512, 2 layers, batch_first), x [64,100,256] -> y [64,100,512]
#   W5 streaming step   LSTM(128->128, batch_first), x [1,1,128], (h0, c0) [1,1,128] in -> (h, c) out
import hashlib
import json
import os
import sys
import warnings

import torch
import torch.nn as nn

# The exporter warns about LSTMs exported with batch > 1 (only a problem for a different batch
# size at run time; these graphs have static shapes) and about prim::Constant shape inference.
warnings.filterwarnings("ignore")


class SeedModel(nn.Module):
    """W1: LSTM + Linear on the last time step."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(64, 128, 2, batch_first=True)
        self.fc = nn.Linear(128, 10)

    def forward(self, x):
        y, _ = self.lstm(x)
        return self.fc(y[:, -1])


class LargeModel(nn.Module):
    """W3: the LSTM's output sequence."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(256, 512, 2, batch_first=True)

    def forward(self, x):
        y, _ = self.lstm(x)
        return y


class StreamModel(nn.Module):
    """W5: one step with the state carried in and out."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(128, 128, 1, batch_first=True)

    def forward(self, x, h0, c0):
        _, (h, c) = self.lstm(x, (h0, c0))
        return h, c


def workloads():
    return {
        "W1": (SeedModel, {"x": (32, 10, 64)}, ["y"], None),
        "W3": (LargeModel, {"x": (64, 100, 256)}, ["y"], None),
        "W5": (StreamModel, {"x": (1, 1, 128), "h0": (1, 1, 128), "c0": (1, 1, 128)}, ["h", "c"], {"h": "h0", "c": "c0"}),
    }


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    if os.path.exists(os.path.join(out, "manifest.json")):
        os.remove(os.path.join(out, "manifest.json"))
    with open(__file__, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    manifest = {"script_sha256": digest, "torch": torch.__version__, "workloads": {}}
    for i, (name, (cls, shapes, out_names, carry)) in enumerate(workloads().items()):
        torch.manual_seed(100 + i)
        model = cls().eval()
        inputs = tuple(torch.randn(*s) for s in shapes.values())
        with torch.no_grad():
            outputs = model(*inputs)
        if not isinstance(outputs, tuple):
            outputs = (outputs,)
        torch.onnx.export(
            model,
            inputs,
            os.path.join(out, f"{name}.onnx"),
            input_names=list(shapes),
            output_names=out_names,
            opset_version=14,
            do_constant_folding=True,
        )
        state = {k: m.state_dict() for k, m in model.named_children()}
        torch.save(
            {"state": state, "inputs": list(inputs), "outputs": [o.contiguous() for o in outputs]},
            os.path.join(out, f"{name}.pt"),
        )
        manifest["workloads"][name] = {"inputs": list(shapes), "outputs": out_names}
        if carry:
            manifest["workloads"][name]["carry"] = carry
    # Written last: its presence with the right digest means the export is complete.
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)


main()
