#!/usr/bin/env python3
"""Writes the PyTorch golden files for the serialization tests.

For each cell kind it builds nn.Embedding -> nn.RNN/nn.LSTM/nn.GRU -> nn.Linear with a fixed seed,
saves the state_dict as a safetensors file (written here with struct + json, in the layout of the
safetensors package, no __metadata__), and records the logits and final states for a fixed input in a
JSON file beside it. The C# test loads the weights with ModelFile.LoadStateDict and reproduces the logits.

With --check DIR it instead loads every `*.safetensors` written by the library into DIR (with a
`*.expected.json` beside each) into the PyTorch module with load_state_dict(strict=True) and compares the
logits (the reverse direction).

Usage: python3 make_golden.py [--check DIR]
"""
import json
import struct
import sys
from pathlib import Path

import torch
from torch import nn

HERE = Path(__file__).resolve().parent

# name, cell, vocabulary, embedding, hidden, layers, tied, bias
CONFIGS = [
    ("lstm", "Lstm", 11, 6, 5, 2, False, True),
    ("gru", "Gru", 11, 5, 5, 1, True, True),
    ("rnn", "Rnn", 11, 4, 3, 2, False, True),
]

# time-major [T, B]
TOKENS = [[1, 4], [2, 10], [3, 0], [7, 7], [0, 5], [9, 2], [5, 8]]


class LanguageModel(nn.Module):
    def __init__(self, cell, vocabulary, embedding, hidden, layers, tied, bias):
        super().__init__()
        self.encoder = nn.Embedding(vocabulary, embedding)
        rnn = {"Lstm": nn.LSTM, "Gru": nn.GRU, "Rnn": nn.RNN}[cell]
        self.rnn = rnn(embedding, hidden, layers, bias=bias)
        self.decoder = nn.Linear(hidden, vocabulary, bias=bias)
        if tied:
            self.decoder.weight = self.encoder.weight

    def forward(self, tokens, state=None):
        output, state = self.rnn(self.encoder(tokens), state)
        return self.decoder(output), state


def write_safetensors(path, tensors, metadata=None):
    """The safetensors layout: u64 LE header length, compact JSON header padded with spaces, raw LE data."""
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    offset = 0
    blobs = []
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous().to(torch.float32)
        data = struct.pack("<%df" % t.numel(), *t.flatten().tolist())
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - (8 + len(text)) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def read_safetensors(path):
    raw = Path(path).read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    metadata = header.pop("__metadata__", {})
    tensors = {}
    for name, info in header.items():
        assert info["dtype"] == "F32", name
        begin, end = info["data_offsets"]
        values = struct.unpack("<%df" % ((end - begin) // 4), raw[8 + n + begin : 8 + n + end])
        tensors[name] = torch.tensor(values, dtype=torch.float32).reshape(info["shape"])
    return tensors, metadata


def make():
    for name, cell, v, e, h, layers, tied, bias in CONFIGS:
        torch.manual_seed(1234)
        model = LanguageModel(cell, v, e, h, layers, tied, bias).eval()
        tokens = torch.tensor(TOKENS, dtype=torch.long)
        with torch.no_grad():
            logits, state = model(tokens)
        write_safetensors(HERE / f"{name}.safetensors", model.state_dict())
        hn = state[0] if cell == "Lstm" else state
        record = {
            "cell": cell, "vocabularySize": v, "embeddingSize": e, "hiddenSize": h, "layers": layers,
            "tieWeights": tied, "useBias": bias, "tokens": TOKENS,
            "logits": logits.flatten().tolist(), "hn": hn.flatten().tolist(),
            "torch": torch.__version__,
        }
        if cell == "Lstm":
            record["cn"] = state[1].flatten().tolist()
        (HERE / f"{name}.json").write_text(json.dumps(record, indent=1) + "\n")
        print(f"{name}: {sum(p.numel() for p in model.state_dict().values())} values, logits {tuple(logits.shape)}")


def check(directory):
    ok = True
    for path in sorted(Path(directory).glob("*.safetensors")):
        expected = json.loads(path.with_suffix(".expected.json").read_text())
        tensors, metadata = read_safetensors(path)
        options = json.loads(metadata["recurrent.options"])
        model = LanguageModel(options["cell"], options["vocabularySize"], options["embeddingSize"],
                              options["hiddenSize"], options["layers"], options["tieWeights"], options["useBias"]).eval()
        model.load_state_dict(tensors, strict=True)
        with torch.no_grad():
            logits, _ = model(torch.tensor(expected["tokens"], dtype=torch.long))
        diff = (logits.flatten() - torch.tensor(expected["logits"])).abs().max().item()
        print(f"{path.name}: load_state_dict(strict=True) ok, max |logits - ours| = {diff:.3g}")
        ok = ok and diff <= 1e-5
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        check(sys.argv[2])
    else:
        make()
