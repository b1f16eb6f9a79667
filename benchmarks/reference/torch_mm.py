#!/usr/bin/env python3
"""torch.mm on the same shapes as Recurrent.Benchmarks' GemmBenchmarks, for a side-by-side GFLOP/s table.

Run with OpenBLAS's AVX-512 kernels and passive OpenMP waiting (see docs/performance.md for the command).
Prints one line per shape and thread count: median seconds per call and GFLOP/s over --repeats windows.
"""
import argparse
import ctypes
import statistics
import time

import torch

SHAPES = ["NT 20x800x200", "NT 700x10000x200", "NN 700x200x10000", "NT 64x2048x512",
          "NN 1024x1024x1024", "NN 4096x4096x256"]


def set_blas_threads(n):
    for name in ("libblas.so.3", "libopenblas.so.0"):
        try:
            h = ctypes.CDLL(name)
        except OSError:
            continue
        if hasattr(h, "openblas_set_num_threads"):
            h.openblas_set_num_threads(ctypes.c_int(n))
        return


def corename():
    try:
        h = ctypes.CDLL("libblas.so.3")
        f = h.openblas_get_corename
        f.restype = ctypes.c_char_p
        return f().decode()
    except (OSError, AttributeError):
        return "unknown"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--window", type=float, default=1.0)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    torch.manual_seed(0)
    print(f"torch {torch.__version__}, BLAS core {corename()}")
    for threads in [int(t) for t in args.threads.split(",")]:
        torch.set_num_threads(threads)
        set_blas_threads(threads)
        for shape in SHAPES:
            trans, dims = shape.split(" ")
            m, n, k = (int(d) for d in dims.split("x"))
            a = torch.rand(m, k) - 0.5
            # B stored [n, k] for NT (torch.mm sees its transposed view), [k, n] for NN.
            b = (torch.rand(n, k) - 0.5).t() if trans[1] == "T" else torch.rand(k, n) - 0.5
            c = torch.empty(m, n)
            torch.mm(a, b, out=c)
            rates = []
            for _ in range(args.repeats):
                calls = 0
                start = time.perf_counter()
                while True:
                    torch.mm(a, b, out=c)
                    calls += 1
                    elapsed = time.perf_counter() - start
                    if elapsed >= args.window and calls >= 2:
                        break
                rates.append(elapsed / calls)
            med = statistics.median(rates)
            print(f"{shape:20s} threads={threads}  median {med * 1e6:10.1f} us  {2.0 * m * n * k / med / 1e9:7.1f} GFLOP/s")


if __name__ == "__main__":
    main()
