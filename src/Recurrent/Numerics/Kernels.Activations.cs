using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Recurrent.Numerics;

// Legend: B batch rows, H hidden size. Gate order as PyTorch: LSTM i, f, g, o; GRU r, z, n.
// "pre" = pre-activation (before σ / tanh); "act" = after. Gradients are named d<x>.
internal static partial class Kernels
{
    /// <summary>Backward of tanh through its output: <c>dx[i] = dy[i]·(1 − y[i]²)</c>.</summary>
    /// <remarks><paramref name="dx"/> may alias <paramref name="y"/> or <paramref name="dy"/> exactly.</remarks>
    /// <exception cref="ArgumentException"><paramref name="dy"/> differs in length from <paramref name="y"/>,
    /// <paramref name="dx"/> is too short, or <paramref name="dx"/> partially overlaps an input.</exception>
    public static void TanhBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) =>
        InvokeSpanSpanIntoSpan<TanhBackwardOperator>(y, dy, dx);

    /// <summary>Backward of the logistic sigmoid through its output: <c>dx[i] = dy[i]·y[i]·(1 − y[i])</c>.</summary>
    /// <remarks><paramref name="dx"/> may alias <paramref name="y"/> or <paramref name="dy"/> exactly.</remarks>
    /// <exception cref="ArgumentException"><paramref name="dy"/> differs in length from <paramref name="y"/>,
    /// <paramref name="dx"/> is too short, or <paramref name="dx"/> partially overlaps an input.</exception>
    public static void SigmoidBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) =>
        InvokeSpanSpanIntoSpan<SigmoidBackwardOperator>(y, dy, dx);

    /// <summary>
    /// LSTM pointwise forward for B rows (B = <paramref name="c"/>.Length / H). Effectively computes, per row:
    /// <c>i, f, o = σ(gates_i,f,o); g = tanh(gates_g)</c> (in place in <paramref name="gates"/> [B, 4H]),
    /// <c>c = f·cPrev + i·g</c>, <c>tanhC = tanh(c)</c>, <c>h = o·tanhC</c>.
    /// </summary>
    /// <remarks>One call per step, one pass per row: the activations are the vectorised exp-based ones of this class
    /// (a few ulp from the exact values; every SIMD tier gives the same bits).</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="hiddenSize"/> is not positive.</exception>
    /// <exception cref="ArgumentException">A span's length does not match B and H.</exception>
    public static void LstmForwardPointwise(
        int hiddenSize, Span<float> gates, ReadOnlySpan<float> cPrev, Span<float> c, Span<float> tanhC, Span<float> h) =>
        LstmForwardPointwise(SimdTiers.Best, hiddenSize, gates, cPrev, c, tanhC, h);

    /// <summary><see cref="LstmForwardPointwise(int, Span{float}, ReadOnlySpan{float}, Span{float}, Span{float}, Span{float})"/>
    /// at a given SIMD tier (every tier gives the same bits; tests cover each one).</summary>
    internal static void LstmForwardPointwise(
        SimdTier tier, int hiddenSize, Span<float> gates, ReadOnlySpan<float> cPrev, Span<float> c, Span<float> tanhC, Span<float> h)
    {
        int rows = RowsOf(hiddenSize, c.Length, nameof(c));
        int hs = hiddenSize;
        CheckLength(gates.Length, rows * 4 * hs, nameof(gates));
        CheckLength(cPrev.Length, rows * hs, nameof(cPrev));
        CheckLength(tanhC.Length, rows * hs, nameof(tanhC));
        CheckLength(h.Length, rows * hs, nameof(h));
        for (int b = 0; b < rows; b++)
        {
            LstmForwardRow(
                tier, (nuint)hs,
                ref Unsafe.Add(ref MemoryMarshal.GetReference(gates), b * 4 * hs),
                ref Unsafe.Add(ref MemoryMarshal.GetReference(cPrev), b * hs),
                ref Unsafe.Add(ref MemoryMarshal.GetReference(c), b * hs),
                ref Unsafe.Add(ref MemoryMarshal.GetReference(tanhC), b * hs),
                ref Unsafe.Add(ref MemoryMarshal.GetReference(h), b * hs));
        }
    }

    /// <summary>
    /// <see cref="LstmForwardPointwise(int, Span{float}, ReadOnlySpan{float}, Span{float}, Span{float}, Span{float})"/> with the
    /// preactivations given as two halves, <c>gates = xg + hg</c> (each [B, 4H]), added in the same pass; writes the activated
    /// gates to <paramref name="gates"/>. The same bits as adding first and calling the in-place form.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="hiddenSize"/> is not positive.</exception>
    /// <exception cref="ArgumentException">A span's length does not match B and H.</exception>
    internal static void LstmForwardPointwise(
        SimdTier tier, int hiddenSize, ReadOnlySpan<float> xg, ReadOnlySpan<float> hg, Span<float> gates, ReadOnlySpan<float> cPrev, Span<float> c, Span<float> tanhC, Span<float> h)
    {
        int rows = RowsOf(hiddenSize, c.Length, nameof(c));
        int hs = hiddenSize;
        CheckLength(xg.Length, rows * 4 * hs, nameof(xg));
        CheckLength(hg.Length, rows * 4 * hs, nameof(hg));
        CheckLength(gates.Length, rows * 4 * hs, nameof(gates));
        CheckLength(cPrev.Length, rows * hs, nameof(cPrev));
        CheckLength(tanhC.Length, rows * hs, nameof(tanhC));
        CheckLength(h.Length, rows * hs, nameof(h));
        for (int b = 0; b < rows; b++)
        {
            int g0 = b * 4 * hs;
            LstmForwardSumRow(
                tier, (nuint)hs,
                ref Unsafe.Add(ref MemoryMarshal.GetReference(xg), g0),
                ref Unsafe.Add(ref MemoryMarshal.GetReference(hg), g0),
                ref Unsafe.Add(ref MemoryMarshal.GetReference(gates), g0),
                ref Unsafe.Add(ref MemoryMarshal.GetReference(cPrev), b * hs),
                ref Unsafe.Add(ref MemoryMarshal.GetReference(c), b * hs),
                ref Unsafe.Add(ref MemoryMarshal.GetReference(tanhC), b * hs),
                ref Unsafe.Add(ref MemoryMarshal.GetReference(h), b * hs));
        }
    }

    /// <summary>
    /// LSTM pointwise backward for B rows, in one pass. Given the activated gates [B, 4H] (i, f, g, o), cPrev,
    /// tanhC = tanh(c), the incoming dh and dcNext (the cell-state gradient from step t+1; empty = zero), writes
    /// the pre-activation gradients <paramref name="dGates"/> [B, 4H] and <paramref name="dcPrev"/> [B, H]:
    /// <c>dc = dcNext + dh·o·(1 − tanhC²)</c>; <c>dI = dc·g·i(1 − i)</c>; <c>dF = dc·cPrev·f(1 − f)</c>;
    /// <c>dG = dc·i·(1 − g²)</c>; <c>dO = dh·tanhC·o(1 − o)</c>; <c>dcPrev = dc·f</c>.
    /// </summary>
    /// <remarks><paramref name="dcPrev"/> may alias <paramref name="dcNext"/> exactly (an in-place dc carry).</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="hiddenSize"/> is not positive.</exception>
    /// <exception cref="ArgumentException">A span's length does not match B and H.</exception>
    public static void LstmBackwardPointwise(
        int hiddenSize, ReadOnlySpan<float> gates, ReadOnlySpan<float> cPrev, ReadOnlySpan<float> tanhC,
        ReadOnlySpan<float> dh, ReadOnlySpan<float> dcNext, Span<float> dGates, Span<float> dcPrev)
    {
        int rows = RowsOf(hiddenSize, dh.Length, nameof(dh));
        int hs = hiddenSize;
        int n = rows * hs;
        CheckLength(gates.Length, 4 * n, nameof(gates));
        CheckLength(cPrev.Length, n, nameof(cPrev));
        CheckLength(tanhC.Length, n, nameof(tanhC));
        if (!dcNext.IsEmpty)
        {
            CheckLength(dcNext.Length, n, nameof(dcNext));
        }

        CheckLength(dGates.Length, 4 * n, nameof(dGates));
        CheckLength(dcPrev.Length, n, nameof(dcPrev));
        for (int b = 0; b < rows; b++)
        {
            int g0 = b * 4 * hs;
            int h0 = b * hs;
            ref float i_ = ref Unsafe.Add(ref MemoryMarshal.GetReference(gates), g0);
            ref float f_ = ref Unsafe.Add(ref i_, hs);
            ref float g_ = ref Unsafe.Add(ref i_, 2 * hs);
            ref float o_ = ref Unsafe.Add(ref i_, 3 * hs);
            ref float cp = ref Unsafe.Add(ref MemoryMarshal.GetReference(cPrev), h0);
            ref float tc = ref Unsafe.Add(ref MemoryMarshal.GetReference(tanhC), h0);
            ref float dhr = ref Unsafe.Add(ref MemoryMarshal.GetReference(dh), h0);
            bool hasDc = !dcNext.IsEmpty;
            ref float dcn = ref hasDc ? ref Unsafe.Add(ref MemoryMarshal.GetReference(dcNext), h0) : ref dhr;
            ref float dI = ref Unsafe.Add(ref MemoryMarshal.GetReference(dGates), g0);
            ref float dF = ref Unsafe.Add(ref dI, hs);
            ref float dG = ref Unsafe.Add(ref dI, 2 * hs);
            ref float dO = ref Unsafe.Add(ref dI, 3 * hs);
            ref float dcp = ref Unsafe.Add(ref MemoryMarshal.GetReference(dcPrev), h0);
            int j = 0;
            if (Vector.IsHardwareAccelerated)
            {
                var one = Vector<float>.One;
                for (; j <= hs - Vector<float>.Count; j += Vector<float>.Count)
                {
                    nuint u = (nuint)j;
                    Vector<float> i = Vector.LoadUnsafe(ref i_, u), f = Vector.LoadUnsafe(ref f_, u);
                    Vector<float> g = Vector.LoadUnsafe(ref g_, u), o = Vector.LoadUnsafe(ref o_, u);
                    Vector<float> t = Vector.LoadUnsafe(ref tc, u), d = Vector.LoadUnsafe(ref dhr, u);
                    Vector<float> dc = (d * o * (one - (t * t))) + (hasDc ? Vector.LoadUnsafe(ref dcn, u) : Vector<float>.Zero);
                    Vector.StoreUnsafe(dc * g * i * (one - i), ref dI, u);
                    Vector.StoreUnsafe(dc * Vector.LoadUnsafe(ref cp, u) * f * (one - f), ref dF, u);
                    Vector.StoreUnsafe(dc * i * (one - (g * g)), ref dG, u);
                    Vector.StoreUnsafe(d * t * o * (one - o), ref dO, u);
                    Vector.StoreUnsafe(dc * f, ref dcp, u);
                }
            }

            for (; j < hs; j++)
            {
                float i = Unsafe.Add(ref i_, j), f = Unsafe.Add(ref f_, j), g = Unsafe.Add(ref g_, j), o = Unsafe.Add(ref o_, j);
                float t = Unsafe.Add(ref tc, j), d = Unsafe.Add(ref dhr, j);
                float dc = (d * o * (1f - (t * t))) + (hasDc ? Unsafe.Add(ref dcn, j) : 0f);
                Unsafe.Add(ref dI, j) = dc * g * i * (1f - i);
                Unsafe.Add(ref dF, j) = dc * Unsafe.Add(ref cp, j) * f * (1f - f);
                Unsafe.Add(ref dG, j) = dc * i * (1f - (g * g));
                Unsafe.Add(ref dO, j) = d * t * o * (1f - o);
                Unsafe.Add(ref dcp, j) = dc * f;
            }
        }
    }

    /// <summary>
    /// GRU pointwise forward (PyTorch's formulation) for B rows (B = <paramref name="h"/>.Length / H). From the
    /// input projection <paramref name="gx"/> [B, 3H] (W_ih·x + b_ih) and the recurrent projection
    /// <paramref name="gh"/> [B, 3H] (W_hh·h + b_hh), effectively computes
    /// <c>r = σ(gx_r + gh_r); z = σ(gx_z + gh_z); n = tanh(gx_n + r·gh_n); h = (1 − z)·n + z·hPrev</c>,
    /// storing r, z, n in <paramref name="gates"/> [B, 3H].
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="hiddenSize"/> is not positive.</exception>
    /// <exception cref="ArgumentException">A span's length does not match B and H.</exception>
    public static void GruForwardPointwise(
        int hiddenSize, ReadOnlySpan<float> gx, ReadOnlySpan<float> gh, ReadOnlySpan<float> hPrev, Span<float> gates, Span<float> h) =>
        GruForwardPointwise(SimdTiers.Best, hiddenSize, gx, gh, hPrev, gates, h);

    /// <summary><see cref="GruForwardPointwise(int, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float})"/>
    /// at a given SIMD tier (every tier gives the same bits; tests cover each one).</summary>
    internal static void GruForwardPointwise(
        SimdTier tier, int hiddenSize, ReadOnlySpan<float> gx, ReadOnlySpan<float> gh, ReadOnlySpan<float> hPrev, Span<float> gates, Span<float> h)
    {
        int rows = RowsOf(hiddenSize, h.Length, nameof(h));
        int hs = hiddenSize;
        CheckLength(gx.Length, rows * 3 * hs, nameof(gx));
        CheckLength(gh.Length, rows * 3 * hs, nameof(gh));
        CheckLength(hPrev.Length, rows * hs, nameof(hPrev));
        CheckLength(gates.Length, rows * 3 * hs, nameof(gates));
        for (int b = 0; b < rows; b++)
        {
            int g0 = b * 3 * hs;
            GruForwardRow(
                tier, (nuint)hs,
                ref Unsafe.Add(ref MemoryMarshal.GetReference(gx), g0),
                ref Unsafe.Add(ref MemoryMarshal.GetReference(gh), g0),
                ref Unsafe.Add(ref MemoryMarshal.GetReference(hPrev), b * hs),
                ref Unsafe.Add(ref MemoryMarshal.GetReference(gates), g0),
                ref Unsafe.Add(ref MemoryMarshal.GetReference(h), b * hs));
        }
    }

    /// <summary>
    /// Logistic sigmoid <c>y = 1 / (1 + e^−x)</c>, vectorised (a few ulp from the exact value; the same bits on every
    /// SIMD tier). <paramref name="y"/> may alias <paramref name="x"/> exactly.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="y"/> differs in length from <paramref name="x"/>, or
    /// partially overlaps it.</exception>
    public static void Sigmoid(ReadOnlySpan<float> x, Span<float> y) => Sigmoid(SimdTiers.Best, x, y);

    /// <summary><see cref="Sigmoid(ReadOnlySpan{float}, Span{float})"/> at a given SIMD tier.</summary>
    internal static void Sigmoid(SimdTier tier, ReadOnlySpan<float> x, Span<float> y)
    {
        CheckLength(y.Length, x.Length, nameof(y));
        if (x.Overlaps(y, out int offset) && offset != 0)
        {
            ThrowHelper.ThrowArgument_Overlap(nameof(y));
        }

        SigmoidCore(tier, (nuint)x.Length, ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(y));
    }

    /// <summary>
    /// Hyperbolic tangent, vectorised (a few ulp from the exact value; the same bits on every SIMD tier).
    /// <paramref name="y"/> may alias <paramref name="x"/> exactly.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="y"/> differs in length from <paramref name="x"/>, or
    /// partially overlaps it.</exception>
    public static void Tanh(ReadOnlySpan<float> x, Span<float> y) => Tanh(SimdTiers.Best, x, y);

    /// <summary><see cref="Tanh(ReadOnlySpan{float}, Span{float})"/> at a given SIMD tier.</summary>
    internal static void Tanh(SimdTier tier, ReadOnlySpan<float> x, Span<float> y)
    {
        CheckLength(y.Length, x.Length, nameof(y));
        if (x.Overlaps(y, out int offset) && offset != 0)
        {
            ThrowHelper.ThrowArgument_Overlap(nameof(y));
        }

        TanhCore(tier, (nuint)x.Length, ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(y));
    }

    /// <summary>
    /// GRU pointwise backward for B rows, in one pass. From the gates [B, 3H] (r, z, n), the recurrent n
    /// pre-activation (taken from <paramref name="gh"/> [B, 3H]), hPrev and dh, writes
    /// <c>dn = dh·(1 − z)·(1 − n²)</c>, <c>dr = dn·gh_n·r(1 − r)</c>, <c>dz = dh·(hPrev − n)·z(1 − z)</c> as
    /// <paramref name="dgx"/> = (dr, dz, dn) and <paramref name="dgh"/> = (dr, dz, dn·r), and
    /// <c>dhPrev = dh·z</c> (overwritten: the recurrent GEMM then accumulates onto it with beta = 1).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="hiddenSize"/> is not positive.</exception>
    /// <exception cref="ArgumentException">A span's length does not match B and H.</exception>
    public static void GruBackwardPointwise(
        int hiddenSize, ReadOnlySpan<float> gates, ReadOnlySpan<float> gh, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> dh,
        Span<float> dgx, Span<float> dgh, Span<float> dhPrev)
    {
        int rows = RowsOf(hiddenSize, dh.Length, nameof(dh));
        int hs = hiddenSize;
        int n3 = rows * 3 * hs;
        CheckLength(gates.Length, n3, nameof(gates));
        CheckLength(gh.Length, n3, nameof(gh));
        CheckLength(hPrev.Length, rows * hs, nameof(hPrev));
        CheckLength(dgx.Length, n3, nameof(dgx));
        CheckLength(dgh.Length, n3, nameof(dgh));
        CheckLength(dhPrev.Length, rows * hs, nameof(dhPrev));
        for (int b = 0; b < rows; b++)
        {
            int g0 = b * 3 * hs;
            int h0 = b * hs;
            ref float r_ = ref Unsafe.Add(ref MemoryMarshal.GetReference(gates), g0);
            ref float z_ = ref Unsafe.Add(ref r_, hs);
            ref float n_ = ref Unsafe.Add(ref r_, 2 * hs);
            ref float ghn = ref Unsafe.Add(ref MemoryMarshal.GetReference(gh), g0 + (2 * hs));
            ref float hp = ref Unsafe.Add(ref MemoryMarshal.GetReference(hPrev), h0);
            ref float dhr = ref Unsafe.Add(ref MemoryMarshal.GetReference(dh), h0);
            ref float dxr = ref Unsafe.Add(ref MemoryMarshal.GetReference(dgx), g0);
            ref float dxz = ref Unsafe.Add(ref dxr, hs);
            ref float dxn = ref Unsafe.Add(ref dxr, 2 * hs);
            ref float dhR = ref Unsafe.Add(ref MemoryMarshal.GetReference(dgh), g0);
            ref float dhZ = ref Unsafe.Add(ref dhR, hs);
            ref float dhN = ref Unsafe.Add(ref dhR, 2 * hs);
            ref float dhp = ref Unsafe.Add(ref MemoryMarshal.GetReference(dhPrev), h0);
            int j = 0;
            if (Vector.IsHardwareAccelerated)
            {
                var one = Vector<float>.One;
                for (; j <= hs - Vector<float>.Count; j += Vector<float>.Count)
                {
                    nuint u = (nuint)j;
                    Vector<float> r = Vector.LoadUnsafe(ref r_, u), z = Vector.LoadUnsafe(ref z_, u), nn = Vector.LoadUnsafe(ref n_, u);
                    Vector<float> d = Vector.LoadUnsafe(ref dhr, u);
                    Vector<float> dn = d * (one - z) * (one - (nn * nn));
                    Vector<float> dr = dn * Vector.LoadUnsafe(ref ghn, u) * r * (one - r);
                    Vector<float> dz = d * (Vector.LoadUnsafe(ref hp, u) - nn) * z * (one - z);
                    Vector.StoreUnsafe(dr, ref dxr, u);
                    Vector.StoreUnsafe(dz, ref dxz, u);
                    Vector.StoreUnsafe(dn, ref dxn, u);
                    Vector.StoreUnsafe(dr, ref dhR, u);
                    Vector.StoreUnsafe(dz, ref dhZ, u);
                    Vector.StoreUnsafe(dn * r, ref dhN, u);
                    Vector.StoreUnsafe(d * z, ref dhp, u);
                }
            }

            for (; j < hs; j++)
            {
                float r = Unsafe.Add(ref r_, j), z = Unsafe.Add(ref z_, j), nn = Unsafe.Add(ref n_, j), d = Unsafe.Add(ref dhr, j);
                float dn = d * (1f - z) * (1f - (nn * nn));
                float dr = dn * Unsafe.Add(ref ghn, j) * r * (1f - r);
                float dz = d * (Unsafe.Add(ref hp, j) - nn) * z * (1f - z);
                Unsafe.Add(ref dxr, j) = dr;
                Unsafe.Add(ref dxz, j) = dz;
                Unsafe.Add(ref dxn, j) = dn;
                Unsafe.Add(ref dhR, j) = dr;
                Unsafe.Add(ref dhZ, j) = dz;
                Unsafe.Add(ref dhN, j) = dn * r;
                Unsafe.Add(ref dhp, j) = d * z;
            }
        }
    }

    private static int RowsOf(int hiddenSize, int length, string name)
    {
        if (hiddenSize <= 0)
        {
            ThrowHelper.ThrowArgumentOutOfRange_NotPositive(nameof(hiddenSize));
        }

        if (length % hiddenSize != 0)
        {
            ThrowHelper.ThrowArgument_LengthMismatch(name);
        }

        return length / hiddenSize;
    }

    private static void CheckLength(int actual, int expected, string name)
    {
        if (actual != expected)
        {
            ThrowHelper.ThrowArgument_LengthMismatch(name);
        }
    }

    /// <summary>
    /// Driver for two-input elementwise operators: validates once, then runs Vector512, Vector256, Vector128
    /// and scalar loops over the span (each tier mops up what the wider one left).
    /// </summary>
    private static void InvokeSpanSpanIntoSpan<TOperator>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination)
        where TOperator : struct, IBinaryOperator
    {
        if (x.Length != y.Length)
        {
            ThrowHelper.ThrowArgument_LengthMismatch("dy");
        }

        if (destination.Length < x.Length)
        {
            ThrowHelper.ThrowArgument_SpanTooShort("dx");
        }

        destination = destination[..x.Length];
        if ((x.Overlaps(destination, out int ox) && ox != 0) || (y.Overlaps(destination, out int oy) && oy != 0))
        {
            ThrowHelper.ThrowArgument_Overlap("dx");
        }

        ref float px = ref MemoryMarshal.GetReference(x);
        ref float py = ref MemoryMarshal.GetReference(y);
        ref float pd = ref MemoryMarshal.GetReference(destination);
        nuint length = (nuint)x.Length;
        nuint i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + (nuint)Vector512<float>.Count <= length; i += (nuint)Vector512<float>.Count)
            {
                TOperator.Invoke(Vector512.LoadUnsafe(ref px, i), Vector512.LoadUnsafe(ref py, i)).StoreUnsafe(ref pd, i);
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + (nuint)Vector256<float>.Count <= length; i += (nuint)Vector256<float>.Count)
            {
                TOperator.Invoke(Vector256.LoadUnsafe(ref px, i), Vector256.LoadUnsafe(ref py, i)).StoreUnsafe(ref pd, i);
            }
        }

        if (Vector128.IsHardwareAccelerated)
        {
            for (; i + (nuint)Vector128<float>.Count <= length; i += (nuint)Vector128<float>.Count)
            {
                TOperator.Invoke(Vector128.LoadUnsafe(ref px, i), Vector128.LoadUnsafe(ref py, i)).StoreUnsafe(ref pd, i);
            }
        }

        for (; i < length; i++)
        {
            Unsafe.Add(ref pd, i) = TOperator.Invoke(Unsafe.Add(ref px, i), Unsafe.Add(ref py, i));
        }

        Debug.Assert(i == length);
    }

    /// <summary>An elementwise operator of two inputs at every vector width (the BCL's operator-struct design).</summary>
    private interface IBinaryOperator
    {
        static abstract float Invoke(float x, float y);

        static abstract Vector128<float> Invoke(Vector128<float> x, Vector128<float> y);

        static abstract Vector256<float> Invoke(Vector256<float> x, Vector256<float> y);

        static abstract Vector512<float> Invoke(Vector512<float> x, Vector512<float> y);
    }

    /// <summary><c>dy·(1 − y²)</c>.</summary>
    private readonly struct TanhBackwardOperator : IBinaryOperator
    {
        public static float Invoke(float y, float dy) => dy * (1f - (y * y));

        public static Vector128<float> Invoke(Vector128<float> y, Vector128<float> dy) => dy * (Vector128<float>.One - (y * y));

        public static Vector256<float> Invoke(Vector256<float> y, Vector256<float> dy) => dy * (Vector256<float>.One - (y * y));

        public static Vector512<float> Invoke(Vector512<float> y, Vector512<float> dy) => dy * (Vector512<float>.One - (y * y));
    }

    /// <summary><c>dy·y·(1 − y)</c>.</summary>
    private readonly struct SigmoidBackwardOperator : IBinaryOperator
    {
        public static float Invoke(float y, float dy) => dy * y * (1f - y);

        public static Vector128<float> Invoke(Vector128<float> y, Vector128<float> dy) => dy * y * (Vector128<float>.One - y);

        public static Vector256<float> Invoke(Vector256<float> y, Vector256<float> dy) => dy * y * (Vector256<float>.One - y);

        public static Vector512<float> Invoke(Vector512<float> y, Vector512<float> dy) => dy * y * (Vector512<float>.One - y);
    }
}
