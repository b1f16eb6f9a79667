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

    /// <summary>
    /// Computes the top <c>MR / 2</c> rows of a tile, <c>tile = Ap·Bp</c> (row stride <c>NR</c>, overwritten), from
    /// the same packed panels: for a ragged bottom edge of at most <c>MR / 2</c> rows, at half the work of
    /// <see cref="Run"/>. Each element gets exactly the accumulations <see cref="Run"/> gives it (alpha = 1, beta = 0).
    /// </summary>
    static abstract unsafe void RunHalf(int kc, float* a, float* b, float* tile);

    /// <summary>Gets the columns of one vector: <see cref="RunLeft"/> computes and writes whole multiples of it.</summary>
    static abstract int Lanes { get; }

    /// <summary>
    /// <see cref="Run"/> for the left columns of a tile only: computes and writes the left <paramref name="columns"/>
    /// rounded up to whole <see cref="Lanes"/> (all <c>MR</c> rows; C's columns past them are neither read nor
    /// written), from the same packed panels (B stride still <c>NR</c>): for a ragged right edge, at the work of the
    /// vectors it needs, straight into C when the edge is a whole number of vectors. Each element gets exactly the
    /// operations <see cref="Run"/> gives it.
    /// </summary>
    static abstract unsafe void RunLeft(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta, int columns);
}
