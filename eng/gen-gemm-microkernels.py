#!/usr/bin/env python3
"""Generates src/Recurrent/Numerics/Gemm.Microkernels.g.cs: the register-tiled GEMM microkernels.

The kernels are fully unrolled over the tile (one named accumulator per vector of C) so that the JIT keeps
every accumulator in a register. Run from the repository root: python3 eng/gen-gemm-microkernels.py
"""
import pathlib


def vec_accumulate(L, vt, w, mr, nv, fma, rows, comment, vectors=None):
    """Emits the accumulators of the top `rows` rows of an mr-row tile, in its left `vectors` vectors (all by
    default), and the k loop that fills them (A stride mr, B stride nr)."""
    nr = w * nv
    nv = nv if vectors is None else vectors
    for r in range(rows):
        L.append("        " + " ".join(f"{vt}<float> c{r}{v} = default;" for v in range(nv)))
    L.append("        for (int p = 0; p < kc; p++)")
    L.append("        {")
    if comment:
        L.append(f"            // One rank-1 update: row p of the packed B panel ({nr} floats) times column p of the packed A panel ({mr} floats).")
    for v in range(nv):
        L.append(f"            {vt}<float> b{v} = {vt}.Load(b + {v * w});")
    L.append(f"            {vt}<float> av;")
    for r in range(rows):
        L.append(f"            av = {vt}.Create(a[{r}]);")
        for v in range(nv):
            L.append(f"            c{r}{v} = {vt}.{fma}(av, b{v}, c{r}{v});")
    L.append(f"            a += {mr};")
    L.append(f"            b += {nr};")
    L.append("        }")


def vec_store(L, vt, w, mr, nv):
    """Emits the epilogue: C = alpha·acc + beta·C for the left nv vectors of each of the mr rows."""
    L.append(f"        {vt}<float> va = {vt}.Create(alpha);")
    L.append("        if (beta == 0f)")
    L.append("        {")
    L.append("            // Overwrite: C is not read, so NaN or garbage in C does not propagate.")
    for r in range(mr):
        for v in range(nv):
            L.append(f"            {vt}.Store(c{r}{v} * va, c + ({r} * ldc) + {v * w});")
    L.append("        }")
    L.append("        else")
    L.append("        {")
    L.append(f"            {vt}<float> vb = {vt}.Create(beta);")
    L.append("            float* cr;")
    for r in range(mr):
        L.append(f"            cr = c + ({r} * ldc);")
        for v in range(nv):
            L.append(f"            {vt}.Store({vt}.MultiplyAddEstimate(vb, {vt}.Load(cr + {v * w}), c{r}{v} * va), cr + {v * w});")
    L.append("        }")


def scalar_accumulate(L, mr, nr, rows):
    """Emits the scalar accumulators of the top `rows` rows of an mr×nr tile and the k loop (A stride mr)."""
    for r in range(rows):
        L.append("        " + " ".join(f"float c{r}{j} = 0f;" for j in range(nr)))
    L.append("        for (int p = 0; p < kc; p++)")
    L.append("        {")
    L.append("            " + " ".join(f"float b{j} = b[{j}];" for j in range(nr)))
    L.append("            float av;")
    for r in range(rows):
        L.append(f"            av = a[{r}];")
        L.append("            " + " ".join(f"c{r}{j} += av * b{j};" for j in range(nr)))
    L.append(f"            a += {mr};")
    L.append(f"            b += {nr};")
    L.append("        }")


def vec_kernel(name, vt, w, mr, nv, fma, comment, prefetch):
    nr = w * nv
    L = []
    L.append(f"/// <summary>{comment}</summary>")
    L.append(f"internal readonly struct {name} : IGemmMicrokernel")
    L.append("{")
    L.append(f"    /// <inheritdoc/>\n    public static int MR => {mr};\n")
    L.append(f"    /// <inheritdoc/>\n    public static int NR => {nr};\n")
    L.append(f"    /// <inheritdoc/>\n    public static int Lanes => {w};\n")
    L.append("    /// <inheritdoc/>")
    L.append("    [MethodImpl(MethodImplOptions.AggressiveOptimization)]")
    L.append("    public static unsafe void Run(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta)")
    L.append("    {")
    L.append("        Debug.Assert(kc > 0);")
    if prefetch:
        L.append("        if (Sse.IsSupported)")
        L.append("        {")
        L.append("            // Start fetching the C tile now; the k loop below hides the latency of the final read/write.")
        # Every cache line a row of the tile may touch (it need not be aligned): one prefetch per 16 floats
        # and one at the row's last float.
        offsets = list(range(16, nr - 1, 16)) + [nr - 1]
        for r in range(mr):
            L.append(f"            Sse.Prefetch0(c + ({r} * ldc));")
            for o in offsets:
                L.append(f"            Sse.Prefetch0(c + ({r} * ldc) + {o});")
        L.append("        }")
        L.append("")
    L.append(f"        // {mr}×{nr} tile of C in {mr * nv} accumulators (rows r, vectors v of {w} columns).")
    vec_accumulate(L, vt, w, mr, nv, fma, mr, comment=True)
    L.append("")
    vec_store(L, vt, w, mr, nv)
    L.append("    }")
    L.append("")
    half = mr // 2
    L.append("    /// <inheritdoc/>")
    L.append("    [MethodImpl(MethodImplOptions.AggressiveOptimization)]")
    L.append("    public static unsafe void RunHalf(int kc, float* a, float* b, float* tile)")
    L.append("    {")
    L.append("        Debug.Assert(kc > 0);")
    L.append(f"        // The top {half} rows of the tile: the same accumulations as Run, for half the rows.")
    vec_accumulate(L, vt, w, mr, nv, fma, half, comment=False)
    L.append("")
    for r in range(half):
        for v in range(nv):
            L.append(f"        {vt}.Store(c{r}{v}, tile + {r * nr + v * w});")
    L.append("    }")
    L.append("")
    L.append("    /// <inheritdoc/>")
    L.append("    [MethodImpl(MethodImplOptions.AggressiveInlining)]")
    L.append("    public static unsafe void RunLeft(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta, int columns)")
    L.append("    {")
    L.append("        Debug.Assert(kc > 0 && columns > 0 && columns <= NR);")
    for vectors in range(1, nv):
        L.append(f"        if (columns <= {vectors * w})")
        L.append("        {")
        L.append(f"            RunLeft{vectors}(kc, a, b, c, ldc, alpha, beta);")
        L.append("            return;")
        L.append("        }")
        L.append("")
    L.append("        Run(kc, a, b, c, ldc, alpha, beta);")
    L.append("    }")
    for vectors in range(1, nv):
        L.append("")
        L.append(f"    /// <summary>The left {vectors * w} columns of a tile (see <see cref=\"RunLeft\"/>).</summary>")
        L.append("    [MethodImpl(MethodImplOptions.AggressiveOptimization)]")
        L.append(f"    private static unsafe void RunLeft{vectors}(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta)")
        L.append("    {")
        L.append("        Debug.Assert(kc > 0);")
        vec_accumulate(L, vt, w, mr, nv, fma, mr, comment=False, vectors=vectors)
        L.append("")
        vec_store(L, vt, w, mr, vectors)
        L.append("    }")
    L.append("}")
    return "\n".join(L)


def scalar_kernel(mr, nr):
    L = []
    L.append(f"/// <summary>Scalar {mr}×{nr} microkernel: the fallback when no vector hardware is accelerated.</summary>")
    L.append("internal readonly struct GemmScalarKernel : IGemmMicrokernel")
    L.append("{")
    L.append(f"    /// <inheritdoc/>\n    public static int MR => {mr};\n")
    L.append(f"    /// <inheritdoc/>\n    public static int NR => {nr};\n")
    L.append(f"    /// <inheritdoc/>\n    public static int Lanes => {nr};\n")
    L.append("    /// <inheritdoc/>")
    L.append("    [MethodImpl(MethodImplOptions.AggressiveOptimization)]")
    L.append("    public static unsafe void Run(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta)")
    L.append("    {")
    L.append("        Debug.Assert(kc > 0);")
    scalar_accumulate(L, mr, nr, mr)
    L.append("")
    L.append("        float* cr;")
    L.append("        if (beta == 0f)")
    L.append("        {")
    for r in range(mr):
        L.append(f"            cr = c + ({r} * ldc);")
        L.append("            " + " ".join(f"cr[{j}] = alpha * c{r}{j};" for j in range(nr)))
    L.append("        }")
    L.append("        else")
    L.append("        {")
    for r in range(mr):
        L.append(f"            cr = c + ({r} * ldc);")
        L.append("            " + " ".join(f"cr[{j}] = (alpha * c{r}{j}) + (beta * cr[{j}]);" for j in range(nr)))
    L.append("        }")
    L.append("    }")
    L.append("")
    half = mr // 2
    L.append("    /// <inheritdoc/>")
    L.append("    [MethodImpl(MethodImplOptions.AggressiveOptimization)]")
    L.append("    public static unsafe void RunHalf(int kc, float* a, float* b, float* tile)")
    L.append("    {")
    L.append("        Debug.Assert(kc > 0);")
    scalar_accumulate(L, mr, nr, half)
    L.append("")
    for r in range(half):
        L.append("        " + " ".join(f"tile[{r * nr + j}] = c{r}{j};" for j in range(nr)))
    L.append("    }")
    L.append("")
    L.append("    /// <inheritdoc/>")
    L.append("    public static unsafe void RunLeft(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta, int columns)")
    L.append("    {")
    L.append("        Debug.Assert(kc > 0 && columns > 0 && columns <= NR);")
    L.append("        Run(kc, a, b, c, ldc, alpha, beta);")
    L.append("    }")
    L.append("}")
    return "\n".join(L)


HEADER = """// <auto-generated>
// Generated by eng/gen-gemm-microkernels.py; edit the generator, not this file.
// </auto-generated>
#nullable enable
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Recurrent.Numerics;
"""

# (name, vector type, lanes, MR, vectors per row, FMA flavour, summary)
TIERS = [
    ("Gemm512Kernel", "Vector512", 16, 8, 3, "FusedMultiplyAdd",
     "AVX-512 microkernel: an 8×48 tile of C in 24 zmm accumulators; per k step 3 loads + 8 broadcasts feed 24 FMAs.", True),
    ("Gemm256Kernel", "Vector256", 8, 6, 2, "MultiplyAddEstimate",
     "AVX2 microkernel: a 6×16 tile of C in 12 ymm accumulators (15 of the 16 registers in use).", True),
    ("Gemm128Kernel", "Vector128", 4, 6, 2, "MultiplyAddEstimate",
     "128-bit microkernel (SSE, Arm NEON): a 6×8 tile of C in 12 accumulators.", False),
]

parts = [HEADER] + [vec_kernel(*t) for t in TIERS] + [scalar_kernel(4, 4)]
out = pathlib.Path("src/Recurrent/Numerics/Gemm.Microkernels.g.cs")
out.write_text("\n\n".join(parts) + "\n", encoding="utf-8")
print(f"wrote {out}")
