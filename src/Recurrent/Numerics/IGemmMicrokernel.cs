namespace Recurrent.Numerics;

/// <summary>
/// A register-tiled GEMM microkernel: computes one <c>MR×NR</c> tile
/// <c>C = alpha·(Ap·Bp) + beta·C</c> from a packed A micro-panel (<c>kc</c> columns of <c>MR</c> floats) and a
/// packed B micro-panel (<c>kc</c> rows of <c>NR</c> floats).
/// </summary>
/// <remarks>The driver is generic over the kernel struct, so the JIT specialises it per tier and folds MR/NR.</remarks>
internal interface IGemmMicrokernel
{
    /// <summary>Gets the tile height (rows of C per call).</summary>
    static abstract int MR { get; }

    /// <summary>Gets the tile width (columns of C per call).</summary>
    static abstract int NR { get; }

    /// <summary>Computes one full tile. When <paramref name="beta"/> is 0, C is not read.</summary>
    static abstract unsafe void Run(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta);
}
