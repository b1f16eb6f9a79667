#!/usr/bin/env python3
"""Runs one entry of the PyTorch reference (pytorch_lm.py from the anchors directory) and prints its JSON lines.

    pytorch_reference.py ANCHORS_DIR CONFIG:CELL:OPTIMIZER [pytorch_lm.py options ...]

The reference's own model, loss, optimizer, clipping, timing protocol and record format are used unchanged. The
reference has no GRU, so for cell "gru" the same module is built with nn.GRU (3 gate blocks, counted as such in
the FLOPs per token); everything else about a GRU run is the reference's code path.
"""
import os
import sys

import torch.nn as nn


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    anchors, key, rest = os.path.abspath(sys.argv[1]), sys.argv[2], sys.argv[3:]
    config, cell, optimizer = key.split(":")
    sys.path.insert(0, anchors)
    import pytorch_lm as ref  # noqa: E402  (the reference script)

    base_lm = ref.LM

    class LM(base_lm):
        def __init__(self, V, H, L, cell):
            if cell != "gru":
                super().__init__(V, H, L, cell)
                return
            nn.Module.__init__(self)
            self.cell = cell
            self.L, self.H = L, H
            self.emb = nn.Embedding(V, H)
            self.rnn = nn.GRU(H, H, num_layers=L, batch_first=False)
            self.fc = nn.Linear(H, V)

    base_flops = ref.fwd_flops_per_token

    def fwd_flops_per_token(cfg, cell):
        if cell != "gru":
            return base_flops(cfg, cell)
        V, H, L = cfg["V"], cfg["H"], cfg["L"]
        return 2 * (L * 3 * H * (H + H) + H * V)

    metrics = next((m for (c, k, o, m) in ref.RUNS if (c, k, o) == (config, cell, optimizer)), None)
    if metrics is None:
        metrics = ref.ALL_METRICS if optimizer == "adam" else ("train",)
    ref.LM = LM
    ref.fwd_flops_per_token = fwd_flops_per_token
    ref.RUNS = [(config, cell, optimizer, metrics)]
    sys.argv = [ref.__file__, "--no-out"] + rest
    ref.main()


if __name__ == "__main__":
    main()
