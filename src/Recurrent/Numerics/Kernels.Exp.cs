using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Recurrent.Numerics;

// Vectorised exp-based activations for the recurrent cells. Every width (Vector512, Vector256, Vector128) and the
// scalar tail run the same operation sequence (Cody–Waite reduction x = n·ln2 + r, a degree-7 Taylor polynomial for
// e^r − 1 evaluated by Horner with fused multiply-adds, exact scaling by 2^n), so a value's result does not depend on
// the tier or on its position in a row. sigmoid(x) = 1 / (1 + e^−x); tanh(x) = sign(x)·u / (u + 2) with
// u = e^{2|x|} − 1 computed without cancellation near 0. Maximum error a few ulp (tests check against double).
internal static partial class Kernels
{
    private const float ExpMin = -87.3f;        // e^x stays a normal float (n ≥ −126)
    private const float ExpMax = 88.3f;         // n ≤ 127
    private const float Log2E = 1.44269504f;
    private const float Ln2Hi = 0.693359375f;   // 9 significant bits: n·Ln2Hi is exact
    private const float Ln2Lo = -2.12194440e-4f;
    private const float P2 = 1f / 2, P3 = 1f / 6, P4 = 1f / 24, P5 = 1f / 120, P6 = 1f / 720, P7 = 1f / 5040;

    /// <summary>Scalar reduction: returns q = e^r − 1 and <paramref name="s"/> = 2^n, where x (clamped) = n·ln2 + r.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float ExpReduce(float x, out float s)
    {
        x = MathF.Min(MathF.Max(x, ExpMin), ExpMax);
        float n = MathF.Round(x * Log2E);
        float r = MathF.FusedMultiplyAdd(n, -Ln2Hi, x);
        r = MathF.FusedMultiplyAdd(n, -Ln2Lo, r);
        float p = MathF.FusedMultiplyAdd(P7, r, P6);
        p = MathF.FusedMultiplyAdd(p, r, P5);
        p = MathF.FusedMultiplyAdd(p, r, P4);
        p = MathF.FusedMultiplyAdd(p, r, P3);
        p = MathF.FusedMultiplyAdd(p, r, P2);
        p = MathF.FusedMultiplyAdd(p, r, 1f);
        s = BitConverter.Int32BitsToSingle(((int)n + 127) << 23);
        return p * r;
    }

    /// <summary>Scalar logistic sigmoid (same operations as the vector forms).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float SigmoidScalar(float x)
    {
        float q = ExpReduce(-x, out float s);
        return 1f / (1f + MathF.FusedMultiplyAdd(q, s, s));
    }

    /// <summary>Scalar tanh (same operations as the vector forms).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float TanhScalar(float x)
    {
        float q = ExpReduce(2f * MathF.Abs(x), out float s);
        float u = MathF.FusedMultiplyAdd(q, s, s - 1f);
        return MathF.CopySign(u / (u + 2f), x);
    }

    /// <summary>Vector512 reduction: returns q = e^r − 1 and <paramref name="s"/> = 2^n, where x (clamped) = n·ln2 + r.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> ExpReduce(Vector512<float> x, out Vector512<float> s)
    {
        x = Vector512.Min(Vector512.Max(x, Vector512.Create(ExpMin)), Vector512.Create(ExpMax));
        Vector512<float> n = Vector512.Round(x * Vector512.Create(Log2E));
        Vector512<float> r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2Hi), x);
        r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2Lo), r);
        Vector512<float> p = Vector512.FusedMultiplyAdd(Vector512.Create(P7), r, Vector512.Create(P6));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P5));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P4));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P3));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P2));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512<float>.One);
        s = Vector512.ShiftLeft(Vector512.ConvertToInt32(n) + Vector512.Create(127), 23).AsSingle();
        return p * r;
    }

    /// <summary>Logistic sigmoid, Vector512.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> Sigmoid(Vector512<float> x)
    {
        Vector512<float> q = ExpReduce(-x, out Vector512<float> s);
        return Vector512<float>.One / (Vector512<float>.One + Vector512.FusedMultiplyAdd(q, s, s));
    }

    /// <summary>tanh, Vector512.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> Tanh(Vector512<float> x)
    {
        Vector512<float> q = ExpReduce(Vector512.Create(2f) * Vector512.Abs(x), out Vector512<float> s);
        Vector512<float> u = Vector512.FusedMultiplyAdd(q, s, s - Vector512<float>.One);
        return Vector512.ConditionalSelect(Vector512.Create(-0f), x, u / (u + Vector512.Create(2f)));
    }

    /// <summary>Vector256 reduction: returns q = e^r − 1 and <paramref name="s"/> = 2^n, where x (clamped) = n·ln2 + r.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> ExpReduce(Vector256<float> x, out Vector256<float> s)
    {
        x = Vector256.Min(Vector256.Max(x, Vector256.Create(ExpMin)), Vector256.Create(ExpMax));
        Vector256<float> n = Vector256.Round(x * Vector256.Create(Log2E));
        Vector256<float> r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2Hi), x);
        r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2Lo), r);
        Vector256<float> p = Vector256.FusedMultiplyAdd(Vector256.Create(P7), r, Vector256.Create(P6));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P5));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P4));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P3));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P2));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256<float>.One);
        s = Vector256.ShiftLeft(Vector256.ConvertToInt32(n) + Vector256.Create(127), 23).AsSingle();
        return p * r;
    }

    /// <summary>Logistic sigmoid, Vector256.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> Sigmoid(Vector256<float> x)
    {
        Vector256<float> q = ExpReduce(-x, out Vector256<float> s);
        return Vector256<float>.One / (Vector256<float>.One + Vector256.FusedMultiplyAdd(q, s, s));
    }

    /// <summary>tanh, Vector256.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> Tanh(Vector256<float> x)
    {
        Vector256<float> q = ExpReduce(Vector256.Create(2f) * Vector256.Abs(x), out Vector256<float> s);
        Vector256<float> u = Vector256.FusedMultiplyAdd(q, s, s - Vector256<float>.One);
        return Vector256.ConditionalSelect(Vector256.Create(-0f), x, u / (u + Vector256.Create(2f)));
    }

    /// <summary>Vector128 reduction: returns q = e^r − 1 and <paramref name="s"/> = 2^n, where x (clamped) = n·ln2 + r.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> ExpReduce(Vector128<float> x, out Vector128<float> s)
    {
        x = Vector128.Min(Vector128.Max(x, Vector128.Create(ExpMin)), Vector128.Create(ExpMax));
        Vector128<float> n = Vector128.Round(x * Vector128.Create(Log2E));
        Vector128<float> r = Vector128.FusedMultiplyAdd(n, Vector128.Create(-Ln2Hi), x);
        r = Vector128.FusedMultiplyAdd(n, Vector128.Create(-Ln2Lo), r);
        Vector128<float> p = Vector128.FusedMultiplyAdd(Vector128.Create(P7), r, Vector128.Create(P6));
        p = Vector128.FusedMultiplyAdd(p, r, Vector128.Create(P5));
        p = Vector128.FusedMultiplyAdd(p, r, Vector128.Create(P4));
        p = Vector128.FusedMultiplyAdd(p, r, Vector128.Create(P3));
        p = Vector128.FusedMultiplyAdd(p, r, Vector128.Create(P2));
        p = Vector128.FusedMultiplyAdd(p, r, Vector128<float>.One);
        s = Vector128.ShiftLeft(Vector128.ConvertToInt32(n) + Vector128.Create(127), 23).AsSingle();
        return p * r;
    }

    /// <summary>Logistic sigmoid, Vector128.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> Sigmoid(Vector128<float> x)
    {
        Vector128<float> q = ExpReduce(-x, out Vector128<float> s);
        return Vector128<float>.One / (Vector128<float>.One + Vector128.FusedMultiplyAdd(q, s, s));
    }

    /// <summary>tanh, Vector128.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> Tanh(Vector128<float> x)
    {
        Vector128<float> q = ExpReduce(Vector128.Create(2f) * Vector128.Abs(x), out Vector128<float> s);
        Vector128<float> u = Vector128.FusedMultiplyAdd(q, s, s - Vector128<float>.One);
        return Vector128.ConditionalSelect(Vector128.Create(-0f), x, u / (u + Vector128.Create(2f)));
    }

    /// <summary>One LSTM row: the four gate blocks start at <paramref name="gi"/> (n = H apart).</summary>
    private static void LstmForwardRow(SimdTier tier, nuint n, ref float gi, ref float cp, ref float c, ref float tc, ref float h)
    {
        nuint j = 0;
        if (tier >= SimdTier.Vector512)
        {
            j = LstmForwardRow512(j, n, ref gi, ref cp, ref c, ref tc, ref h);
        }

        if (tier >= SimdTier.Vector256)
        {
            j = LstmForwardRow256(j, n, ref gi, ref cp, ref c, ref tc, ref h);
        }

        if (tier >= SimdTier.Vector128)
        {
            j = LstmForwardRow128(j, n, ref gi, ref cp, ref c, ref tc, ref h);
        }

        ref float gf = ref Unsafe.Add(ref gi, n);
        ref float gg = ref Unsafe.Add(ref gi, 2 * n);
        ref float go = ref Unsafe.Add(ref gi, 3 * n);
        for (; j < n; j++)
        {
            float i = SigmoidScalar(Unsafe.Add(ref gi, j)), f = SigmoidScalar(Unsafe.Add(ref gf, j));
            float g = TanhScalar(Unsafe.Add(ref gg, j)), o = SigmoidScalar(Unsafe.Add(ref go, j));
            float cc = MathF.FusedMultiplyAdd(i, g, f * Unsafe.Add(ref cp, j));
            float t = TanhScalar(cc);
            Unsafe.Add(ref gi, j) = i;
            Unsafe.Add(ref gf, j) = f;
            Unsafe.Add(ref gg, j) = g;
            Unsafe.Add(ref go, j) = o;
            Unsafe.Add(ref c, j) = cc;
            Unsafe.Add(ref tc, j) = t;
            Unsafe.Add(ref h, j) = o * t;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static nuint LstmForwardRow512(nuint j, nuint n, ref float gi, ref float cp, ref float c, ref float tc, ref float h)
    {
        ref float gf = ref Unsafe.Add(ref gi, n);
        ref float gg = ref Unsafe.Add(ref gi, 2 * n);
        ref float go = ref Unsafe.Add(ref gi, 3 * n);
        for (; j + (nuint)Vector512<float>.Count <= n; j += (nuint)Vector512<float>.Count)
        {
            Vector512<float> i = Sigmoid(Vector512.LoadUnsafe(ref gi, j));
            Vector512<float> f = Sigmoid(Vector512.LoadUnsafe(ref gf, j));
            Vector512<float> g = Tanh(Vector512.LoadUnsafe(ref gg, j));
            Vector512<float> o = Sigmoid(Vector512.LoadUnsafe(ref go, j));
            Vector512<float> cc = Vector512.FusedMultiplyAdd(i, g, f * Vector512.LoadUnsafe(ref cp, j));
            Vector512<float> t = Tanh(cc);
            i.StoreUnsafe(ref gi, j);
            f.StoreUnsafe(ref gf, j);
            g.StoreUnsafe(ref gg, j);
            o.StoreUnsafe(ref go, j);
            cc.StoreUnsafe(ref c, j);
            t.StoreUnsafe(ref tc, j);
            (o * t).StoreUnsafe(ref h, j);
        }

        return j;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static nuint LstmForwardRow256(nuint j, nuint n, ref float gi, ref float cp, ref float c, ref float tc, ref float h)
    {
        ref float gf = ref Unsafe.Add(ref gi, n);
        ref float gg = ref Unsafe.Add(ref gi, 2 * n);
        ref float go = ref Unsafe.Add(ref gi, 3 * n);
        for (; j + (nuint)Vector256<float>.Count <= n; j += (nuint)Vector256<float>.Count)
        {
            Vector256<float> i = Sigmoid(Vector256.LoadUnsafe(ref gi, j));
            Vector256<float> f = Sigmoid(Vector256.LoadUnsafe(ref gf, j));
            Vector256<float> g = Tanh(Vector256.LoadUnsafe(ref gg, j));
            Vector256<float> o = Sigmoid(Vector256.LoadUnsafe(ref go, j));
            Vector256<float> cc = Vector256.FusedMultiplyAdd(i, g, f * Vector256.LoadUnsafe(ref cp, j));
            Vector256<float> t = Tanh(cc);
            i.StoreUnsafe(ref gi, j);
            f.StoreUnsafe(ref gf, j);
            g.StoreUnsafe(ref gg, j);
            o.StoreUnsafe(ref go, j);
            cc.StoreUnsafe(ref c, j);
            t.StoreUnsafe(ref tc, j);
            (o * t).StoreUnsafe(ref h, j);
        }

        return j;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static nuint LstmForwardRow128(nuint j, nuint n, ref float gi, ref float cp, ref float c, ref float tc, ref float h)
    {
        ref float gf = ref Unsafe.Add(ref gi, n);
        ref float gg = ref Unsafe.Add(ref gi, 2 * n);
        ref float go = ref Unsafe.Add(ref gi, 3 * n);
        for (; j + (nuint)Vector128<float>.Count <= n; j += (nuint)Vector128<float>.Count)
        {
            Vector128<float> i = Sigmoid(Vector128.LoadUnsafe(ref gi, j));
            Vector128<float> f = Sigmoid(Vector128.LoadUnsafe(ref gf, j));
            Vector128<float> g = Tanh(Vector128.LoadUnsafe(ref gg, j));
            Vector128<float> o = Sigmoid(Vector128.LoadUnsafe(ref go, j));
            Vector128<float> cc = Vector128.FusedMultiplyAdd(i, g, f * Vector128.LoadUnsafe(ref cp, j));
            Vector128<float> t = Tanh(cc);
            i.StoreUnsafe(ref gi, j);
            f.StoreUnsafe(ref gf, j);
            g.StoreUnsafe(ref gg, j);
            o.StoreUnsafe(ref go, j);
            cc.StoreUnsafe(ref c, j);
            t.StoreUnsafe(ref tc, j);
            (o * t).StoreUnsafe(ref h, j);
        }

        return j;
    }

    /// <summary>One LSTM row from the two preactivation halves: gate block k is xi[k·n..] + hxi[k·n..]; the activated gates go to gi.</summary>
    private static void LstmForwardSumRow(SimdTier tier, nuint n, ref float xi, ref float hxi, ref float gi, ref float cp, ref float c, ref float tc, ref float h)
    {
        nuint j = 0;
        if (tier >= SimdTier.Vector512)
        {
            j = LstmForwardSumRow512(j, n, ref xi, ref hxi, ref gi, ref cp, ref c, ref tc, ref h);
        }

        if (tier >= SimdTier.Vector256)
        {
            j = LstmForwardSumRow256(j, n, ref xi, ref hxi, ref gi, ref cp, ref c, ref tc, ref h);
        }

        if (tier >= SimdTier.Vector128)
        {
            j = LstmForwardSumRow128(j, n, ref xi, ref hxi, ref gi, ref cp, ref c, ref tc, ref h);
        }

        ref float gf = ref Unsafe.Add(ref gi, n);
        ref float gg = ref Unsafe.Add(ref gi, 2 * n);
        ref float go = ref Unsafe.Add(ref gi, 3 * n);

        ref float xf = ref Unsafe.Add(ref xi, n);
        ref float xgg = ref Unsafe.Add(ref xi, 2 * n);
        ref float xo = ref Unsafe.Add(ref xi, 3 * n);
        ref float hxf = ref Unsafe.Add(ref hxi, n);
        ref float hxgg = ref Unsafe.Add(ref hxi, 2 * n);
        ref float hxo = ref Unsafe.Add(ref hxi, 3 * n);
        for (; j < n; j++)
        {
            float i = SigmoidScalar(Unsafe.Add(ref xi, j) + Unsafe.Add(ref hxi, j)), f = SigmoidScalar(Unsafe.Add(ref xf, j) + Unsafe.Add(ref hxf, j));
            float g = TanhScalar(Unsafe.Add(ref xgg, j) + Unsafe.Add(ref hxgg, j)), o = SigmoidScalar(Unsafe.Add(ref xo, j) + Unsafe.Add(ref hxo, j));
            float cc = MathF.FusedMultiplyAdd(i, g, f * Unsafe.Add(ref cp, j));
            float t = TanhScalar(cc);
            Unsafe.Add(ref gi, j) = i;
            Unsafe.Add(ref gf, j) = f;
            Unsafe.Add(ref gg, j) = g;
            Unsafe.Add(ref go, j) = o;
            Unsafe.Add(ref c, j) = cc;
            Unsafe.Add(ref tc, j) = t;
            Unsafe.Add(ref h, j) = o * t;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static nuint LstmForwardSumRow512(nuint j, nuint n, ref float xi, ref float hxi, ref float gi, ref float cp, ref float c, ref float tc, ref float h)
    {
        ref float gf = ref Unsafe.Add(ref gi, n);
        ref float gg = ref Unsafe.Add(ref gi, 2 * n);
        ref float go = ref Unsafe.Add(ref gi, 3 * n);

        ref float xf = ref Unsafe.Add(ref xi, n);
        ref float xgg = ref Unsafe.Add(ref xi, 2 * n);
        ref float xo = ref Unsafe.Add(ref xi, 3 * n);
        ref float hxf = ref Unsafe.Add(ref hxi, n);
        ref float hxgg = ref Unsafe.Add(ref hxi, 2 * n);
        ref float hxo = ref Unsafe.Add(ref hxi, 3 * n);
        for (; j + (nuint)Vector512<float>.Count <= n; j += (nuint)Vector512<float>.Count)
        {
            Vector512<float> i = Sigmoid(Vector512.LoadUnsafe(ref xi, j) + Vector512.LoadUnsafe(ref hxi, j));
            Vector512<float> f = Sigmoid(Vector512.LoadUnsafe(ref xf, j) + Vector512.LoadUnsafe(ref hxf, j));
            Vector512<float> g = Tanh(Vector512.LoadUnsafe(ref xgg, j) + Vector512.LoadUnsafe(ref hxgg, j));
            Vector512<float> o = Sigmoid(Vector512.LoadUnsafe(ref xo, j) + Vector512.LoadUnsafe(ref hxo, j));
            Vector512<float> cc = Vector512.FusedMultiplyAdd(i, g, f * Vector512.LoadUnsafe(ref cp, j));
            Vector512<float> t = Tanh(cc);
            i.StoreUnsafe(ref gi, j);
            f.StoreUnsafe(ref gf, j);
            g.StoreUnsafe(ref gg, j);
            o.StoreUnsafe(ref go, j);
            cc.StoreUnsafe(ref c, j);
            t.StoreUnsafe(ref tc, j);
            (o * t).StoreUnsafe(ref h, j);
        }

        return j;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static nuint LstmForwardSumRow256(nuint j, nuint n, ref float xi, ref float hxi, ref float gi, ref float cp, ref float c, ref float tc, ref float h)
    {
        ref float gf = ref Unsafe.Add(ref gi, n);
        ref float gg = ref Unsafe.Add(ref gi, 2 * n);
        ref float go = ref Unsafe.Add(ref gi, 3 * n);

        ref float xf = ref Unsafe.Add(ref xi, n);
        ref float xgg = ref Unsafe.Add(ref xi, 2 * n);
        ref float xo = ref Unsafe.Add(ref xi, 3 * n);
        ref float hxf = ref Unsafe.Add(ref hxi, n);
        ref float hxgg = ref Unsafe.Add(ref hxi, 2 * n);
        ref float hxo = ref Unsafe.Add(ref hxi, 3 * n);
        for (; j + (nuint)Vector256<float>.Count <= n; j += (nuint)Vector256<float>.Count)
        {
            Vector256<float> i = Sigmoid(Vector256.LoadUnsafe(ref xi, j) + Vector256.LoadUnsafe(ref hxi, j));
            Vector256<float> f = Sigmoid(Vector256.LoadUnsafe(ref xf, j) + Vector256.LoadUnsafe(ref hxf, j));
            Vector256<float> g = Tanh(Vector256.LoadUnsafe(ref xgg, j) + Vector256.LoadUnsafe(ref hxgg, j));
            Vector256<float> o = Sigmoid(Vector256.LoadUnsafe(ref xo, j) + Vector256.LoadUnsafe(ref hxo, j));
            Vector256<float> cc = Vector256.FusedMultiplyAdd(i, g, f * Vector256.LoadUnsafe(ref cp, j));
            Vector256<float> t = Tanh(cc);
            i.StoreUnsafe(ref gi, j);
            f.StoreUnsafe(ref gf, j);
            g.StoreUnsafe(ref gg, j);
            o.StoreUnsafe(ref go, j);
            cc.StoreUnsafe(ref c, j);
            t.StoreUnsafe(ref tc, j);
            (o * t).StoreUnsafe(ref h, j);
        }

        return j;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static nuint LstmForwardSumRow128(nuint j, nuint n, ref float xi, ref float hxi, ref float gi, ref float cp, ref float c, ref float tc, ref float h)
    {
        ref float gf = ref Unsafe.Add(ref gi, n);
        ref float gg = ref Unsafe.Add(ref gi, 2 * n);
        ref float go = ref Unsafe.Add(ref gi, 3 * n);

        ref float xf = ref Unsafe.Add(ref xi, n);
        ref float xgg = ref Unsafe.Add(ref xi, 2 * n);
        ref float xo = ref Unsafe.Add(ref xi, 3 * n);
        ref float hxf = ref Unsafe.Add(ref hxi, n);
        ref float hxgg = ref Unsafe.Add(ref hxi, 2 * n);
        ref float hxo = ref Unsafe.Add(ref hxi, 3 * n);
        for (; j + (nuint)Vector128<float>.Count <= n; j += (nuint)Vector128<float>.Count)
        {
            Vector128<float> i = Sigmoid(Vector128.LoadUnsafe(ref xi, j) + Vector128.LoadUnsafe(ref hxi, j));
            Vector128<float> f = Sigmoid(Vector128.LoadUnsafe(ref xf, j) + Vector128.LoadUnsafe(ref hxf, j));
            Vector128<float> g = Tanh(Vector128.LoadUnsafe(ref xgg, j) + Vector128.LoadUnsafe(ref hxgg, j));
            Vector128<float> o = Sigmoid(Vector128.LoadUnsafe(ref xo, j) + Vector128.LoadUnsafe(ref hxo, j));
            Vector128<float> cc = Vector128.FusedMultiplyAdd(i, g, f * Vector128.LoadUnsafe(ref cp, j));
            Vector128<float> t = Tanh(cc);
            i.StoreUnsafe(ref gi, j);
            f.StoreUnsafe(ref gf, j);
            g.StoreUnsafe(ref gg, j);
            o.StoreUnsafe(ref go, j);
            cc.StoreUnsafe(ref c, j);
            t.StoreUnsafe(ref tc, j);
            (o * t).StoreUnsafe(ref h, j);
        }

        return j;
    }

    /// <summary>One GRU row: gate blocks n = H apart in xr (input side), hr (recurrent side), gr (gates).</summary>
    private static void GruForwardRow(SimdTier tier, nuint n, ref float xr, ref float hr, ref float hp, ref float gr, ref float h)
    {
        nuint j = 0;
        if (tier >= SimdTier.Vector512)
        {
            j = GruForwardRow512(j, n, ref xr, ref hr, ref hp, ref gr, ref h);
        }

        if (tier >= SimdTier.Vector256)
        {
            j = GruForwardRow256(j, n, ref xr, ref hr, ref hp, ref gr, ref h);
        }

        if (tier >= SimdTier.Vector128)
        {
            j = GruForwardRow128(j, n, ref xr, ref hr, ref hp, ref gr, ref h);
        }

        ref float xz = ref Unsafe.Add(ref xr, n);
        ref float xn = ref Unsafe.Add(ref xr, 2 * n);
        ref float hz = ref Unsafe.Add(ref hr, n);
        ref float hn = ref Unsafe.Add(ref hr, 2 * n);
        ref float gz = ref Unsafe.Add(ref gr, n);
        ref float gn = ref Unsafe.Add(ref gr, 2 * n);
        for (; j < n; j++)
        {
            float r = SigmoidScalar(Unsafe.Add(ref xr, j) + Unsafe.Add(ref hr, j));
            float z = SigmoidScalar(Unsafe.Add(ref xz, j) + Unsafe.Add(ref hz, j));
            float nn = TanhScalar(MathF.FusedMultiplyAdd(r, Unsafe.Add(ref hn, j), Unsafe.Add(ref xn, j)));
            Unsafe.Add(ref gr, j) = r;
            Unsafe.Add(ref gz, j) = z;
            Unsafe.Add(ref gn, j) = nn;
            Unsafe.Add(ref h, j) = MathF.FusedMultiplyAdd(z, Unsafe.Add(ref hp, j) - nn, nn);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static nuint GruForwardRow512(nuint j, nuint n, ref float xr, ref float hr, ref float hp, ref float gr, ref float h)
    {
        ref float xz = ref Unsafe.Add(ref xr, n);
        ref float xn = ref Unsafe.Add(ref xr, 2 * n);
        ref float hz = ref Unsafe.Add(ref hr, n);
        ref float hn = ref Unsafe.Add(ref hr, 2 * n);
        ref float gz = ref Unsafe.Add(ref gr, n);
        ref float gn = ref Unsafe.Add(ref gr, 2 * n);
        for (; j + (nuint)Vector512<float>.Count <= n; j += (nuint)Vector512<float>.Count)
        {
            Vector512<float> r = Sigmoid(Vector512.LoadUnsafe(ref xr, j) + Vector512.LoadUnsafe(ref hr, j));
            Vector512<float> z = Sigmoid(Vector512.LoadUnsafe(ref xz, j) + Vector512.LoadUnsafe(ref hz, j));
            Vector512<float> nn = Tanh(Vector512.FusedMultiplyAdd(r, Vector512.LoadUnsafe(ref hn, j), Vector512.LoadUnsafe(ref xn, j)));
            r.StoreUnsafe(ref gr, j);
            z.StoreUnsafe(ref gz, j);
            nn.StoreUnsafe(ref gn, j);
            Vector512.FusedMultiplyAdd(z, Vector512.LoadUnsafe(ref hp, j) - nn, nn).StoreUnsafe(ref h, j);
        }

        return j;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static nuint GruForwardRow256(nuint j, nuint n, ref float xr, ref float hr, ref float hp, ref float gr, ref float h)
    {
        ref float xz = ref Unsafe.Add(ref xr, n);
        ref float xn = ref Unsafe.Add(ref xr, 2 * n);
        ref float hz = ref Unsafe.Add(ref hr, n);
        ref float hn = ref Unsafe.Add(ref hr, 2 * n);
        ref float gz = ref Unsafe.Add(ref gr, n);
        ref float gn = ref Unsafe.Add(ref gr, 2 * n);
        for (; j + (nuint)Vector256<float>.Count <= n; j += (nuint)Vector256<float>.Count)
        {
            Vector256<float> r = Sigmoid(Vector256.LoadUnsafe(ref xr, j) + Vector256.LoadUnsafe(ref hr, j));
            Vector256<float> z = Sigmoid(Vector256.LoadUnsafe(ref xz, j) + Vector256.LoadUnsafe(ref hz, j));
            Vector256<float> nn = Tanh(Vector256.FusedMultiplyAdd(r, Vector256.LoadUnsafe(ref hn, j), Vector256.LoadUnsafe(ref xn, j)));
            r.StoreUnsafe(ref gr, j);
            z.StoreUnsafe(ref gz, j);
            nn.StoreUnsafe(ref gn, j);
            Vector256.FusedMultiplyAdd(z, Vector256.LoadUnsafe(ref hp, j) - nn, nn).StoreUnsafe(ref h, j);
        }

        return j;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static nuint GruForwardRow128(nuint j, nuint n, ref float xr, ref float hr, ref float hp, ref float gr, ref float h)
    {
        ref float xz = ref Unsafe.Add(ref xr, n);
        ref float xn = ref Unsafe.Add(ref xr, 2 * n);
        ref float hz = ref Unsafe.Add(ref hr, n);
        ref float hn = ref Unsafe.Add(ref hr, 2 * n);
        ref float gz = ref Unsafe.Add(ref gr, n);
        ref float gn = ref Unsafe.Add(ref gr, 2 * n);
        for (; j + (nuint)Vector128<float>.Count <= n; j += (nuint)Vector128<float>.Count)
        {
            Vector128<float> r = Sigmoid(Vector128.LoadUnsafe(ref xr, j) + Vector128.LoadUnsafe(ref hr, j));
            Vector128<float> z = Sigmoid(Vector128.LoadUnsafe(ref xz, j) + Vector128.LoadUnsafe(ref hz, j));
            Vector128<float> nn = Tanh(Vector128.FusedMultiplyAdd(r, Vector128.LoadUnsafe(ref hn, j), Vector128.LoadUnsafe(ref xn, j)));
            r.StoreUnsafe(ref gr, j);
            z.StoreUnsafe(ref gz, j);
            nn.StoreUnsafe(ref gn, j);
            Vector128.FusedMultiplyAdd(z, Vector128.LoadUnsafe(ref hp, j) - nn, nn).StoreUnsafe(ref h, j);
        }

        return j;
    }

    /// <summary>y = sigmoid(x) over n floats.</summary>
    private static void SigmoidCore(SimdTier tier, nuint n, ref float px, ref float py)
    {
        nuint j = 0;
        if (tier >= SimdTier.Vector512)
        {
            j = SigmoidCore512(j, n, ref px, ref py);
        }

        if (tier >= SimdTier.Vector256)
        {
            j = SigmoidCore256(j, n, ref px, ref py);
        }

        if (tier >= SimdTier.Vector128)
        {
            j = SigmoidCore128(j, n, ref px, ref py);
        }


        for (; j < n; j++)
        {
            Unsafe.Add(ref py, j) = SigmoidScalar(Unsafe.Add(ref px, j));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static nuint SigmoidCore512(nuint j, nuint n, ref float px, ref float py)
    {

        for (; j + (nuint)Vector512<float>.Count <= n; j += (nuint)Vector512<float>.Count)
        {
            Sigmoid(Vector512.LoadUnsafe(ref px, j)).StoreUnsafe(ref py, j);
        }

        return j;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static nuint SigmoidCore256(nuint j, nuint n, ref float px, ref float py)
    {

        for (; j + (nuint)Vector256<float>.Count <= n; j += (nuint)Vector256<float>.Count)
        {
            Sigmoid(Vector256.LoadUnsafe(ref px, j)).StoreUnsafe(ref py, j);
        }

        return j;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static nuint SigmoidCore128(nuint j, nuint n, ref float px, ref float py)
    {

        for (; j + (nuint)Vector128<float>.Count <= n; j += (nuint)Vector128<float>.Count)
        {
            Sigmoid(Vector128.LoadUnsafe(ref px, j)).StoreUnsafe(ref py, j);
        }

        return j;
    }

    /// <summary>y = tanh(x) over n floats.</summary>
    private static void TanhCore(SimdTier tier, nuint n, ref float px, ref float py)
    {
        nuint j = 0;
        if (tier >= SimdTier.Vector512)
        {
            j = TanhCore512(j, n, ref px, ref py);
        }

        if (tier >= SimdTier.Vector256)
        {
            j = TanhCore256(j, n, ref px, ref py);
        }

        if (tier >= SimdTier.Vector128)
        {
            j = TanhCore128(j, n, ref px, ref py);
        }


        for (; j < n; j++)
        {
            Unsafe.Add(ref py, j) = TanhScalar(Unsafe.Add(ref px, j));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static nuint TanhCore512(nuint j, nuint n, ref float px, ref float py)
    {

        for (; j + (nuint)Vector512<float>.Count <= n; j += (nuint)Vector512<float>.Count)
        {
            Tanh(Vector512.LoadUnsafe(ref px, j)).StoreUnsafe(ref py, j);
        }

        return j;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static nuint TanhCore256(nuint j, nuint n, ref float px, ref float py)
    {

        for (; j + (nuint)Vector256<float>.Count <= n; j += (nuint)Vector256<float>.Count)
        {
            Tanh(Vector256.LoadUnsafe(ref px, j)).StoreUnsafe(ref py, j);
        }

        return j;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static nuint TanhCore128(nuint j, nuint n, ref float px, ref float py)
    {

        for (; j + (nuint)Vector128<float>.Count <= n; j += (nuint)Vector128<float>.Count)
        {
            Tanh(Vector128.LoadUnsafe(ref px, j)).StoreUnsafe(ref py, j);
        }

        return j;
    }
}
