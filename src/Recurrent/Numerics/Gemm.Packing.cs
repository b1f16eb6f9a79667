using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Recurrent.Numerics;

/// <summary>Packing: copies blocks of op(A) and op(B) into the contiguous, zero-padded panels the microkernels read.</summary>
internal static unsafe partial class Gemm
{
    /// <summary>
    /// Packs op(A)[ic..ic+mc, p0..p0+kc] into MR-tall panels: panel q (at <c>q·kc</c>) holds, for each p, the MR
    /// values op(A)[ic+q+r, p0+p] contiguously; rows past mc are zero.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void PackA(bool transA, float* a, nint lda, int ic, int mc, int p0, int kc, float* dst, int mr)
    {
        Debug.Assert(mc > 0 && kc > 0);
        if (transA)
        {
            // A stored [k, m]: the values for one p are contiguous along i. Walk row p of the storage once for all
            // panels (a sequential read the hardware prefetcher follows).
            int mcFull = mr == 8 && Vector256.IsHardwareAccelerated ? mc & ~7 : 0;
            for (int p = 0; p < kc; p++)
            {
                float* s = a + ((nint)(p0 + p) * lda) + ic;
                float* dp = dst + ((nint)p * mr);

                // Full panels of MR = 8: each is one contiguous 8-float run of the storage row.
                for (int q = 0; q < mcFull; q += 8)
                {
                    Vector256.Store(Vector256.Load(s + q), dp + ((nint)q * kc));
                }

                for (int q = mcFull; q < mc; q += mr)
                {
                    int rows = Math.Min(mr, mc - q);
                    float* d = dst + ((nint)q * kc) + ((nint)p * mr);
                    int r = 0;
                    for (; r < rows; r++)
                    {
                        d[r] = s[q + r];
                    }

                    for (; r < mr; r++)
                    {
                        d[r] = 0f;
                    }
                }
            }

            return;
        }

        // A stored [m, k]: row i is contiguous along p. Interleave MR rows (a transpose of MR×kc).
        for (int q = 0; q < mc; q += mr)
        {
            int rows = Math.Min(mr, mc - q);
            float* d = dst + ((nint)q * kc);
            float* s = a + ((nint)(ic + q) * lda) + p0;
            int p = 0;
            if (Avx.IsSupported && mr == 8 && rows == 8)
            {
                for (; p + 8 <= kc; p += 8)
                {
                    Transpose8x8(s + p, lda, d + (p * 8), 8);
                }
            }

            for (int r = 0; r < rows; r++)
            {
                float* sr = s + (r * lda);
                for (int pp = p; pp < kc; pp++)
                {
                    d[(pp * mr) + r] = sr[pp];
                }
            }

            if (rows < mr)
            {
                for (int pp = 0; pp < kc; pp++)
                {
                    new Span<float>(d + (pp * mr) + rows, mr - rows).Clear();
                }
            }
        }
    }

    /// <summary>
    /// Packs op(B)[p0..p0+kc, jc..jc+nc] into NR-wide panels: panel q (at <c>q·kc</c>) holds, for each p, the NR
    /// values op(B)[p0+p, jc+q+j] contiguously; columns past nc are zero.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void PackB(bool transB, float* b, nint ldb, int p0, int kc, int jc, int nc, float* dst, int nr)
    {
        Debug.Assert(nc > 0 && kc > 0);
        if (!transB)
        {
            // B stored [k, n]: the values for one p are contiguous along j. Walk row p once for all panels.
            for (int p = 0; p < kc; p++)
            {
                float* s = b + ((nint)(p0 + p) * ldb) + jc;
                for (int q = 0; q < nc; q += nr)
                {
                    int cols = Math.Min(nr, nc - q);
                    float* d = dst + ((nint)q * kc) + ((nint)p * nr);
                    if (cols == nr && Vector256.IsHardwareAccelerated && nr % 8 == 0)
                    {
                        for (int v = 0; v < nr; v += 8)
                        {
                            Vector256.Store(Vector256.Load(s + q + v), d + v);
                        }
                    }
                    else
                    {
                        int j = 0;
                        for (; j < cols; j++)
                        {
                            d[j] = s[q + j];
                        }

                        for (; j < nr; j++)
                        {
                            d[j] = 0f;
                        }
                    }
                }
            }

            return;
        }

        // B stored [n, k]: column j of op(B) is row j of the storage, contiguous along p. Interleave NR rows
        // (a transpose), 8×8 blocks at a time where AVX is available.
        for (int q = 0; q < nc; q += nr)
        {
            int cols = Math.Min(nr, nc - q);
            float* d = dst + ((nint)q * kc);
            float* s = b + ((nint)(jc + q) * ldb) + p0;
            int j0 = 0;
            if (Avx.IsSupported && kc >= 8)
            {
                int kc8 = kc & ~7;
                for (; j0 + 8 <= cols; j0 += 8)
                {
                    float* sj = s + (j0 * ldb);
                    for (int p = 0; p < kc8; p += 8)
                    {
                        Transpose8x8(sj + p, ldb, d + (p * nr) + j0, nr);
                    }

                    for (int j = j0; j < j0 + 8; j++)
                    {
                        float* sr = s + (j * ldb);
                        for (int p = kc8; p < kc; p++)
                        {
                            d[(p * nr) + j] = sr[p];
                        }
                    }
                }
            }

            for (int j = j0; j < cols; j++)
            {
                float* sr = s + (j * ldb);
                for (int p = 0; p < kc; p++)
                {
                    d[(p * nr) + j] = sr[p];
                }
            }

            if (cols < nr)
            {
                for (int p = 0; p < kc; p++)
                {
                    new Span<float>(d + (p * nr) + cols, nr - cols).Clear();
                }
            }
        }
    }

    /// <summary>Transposes an 8×8 block: <c>d[t·ldD + r] = s[r·ldS + t]</c>, with 24 in-register AVX shuffles.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* s, nint ldS, float* d, nint ldD)
    {
        Vector256<float> r0 = Avx.LoadVector256(s);
        Vector256<float> r1 = Avx.LoadVector256(s + ldS);
        Vector256<float> r2 = Avx.LoadVector256(s + (2 * ldS));
        Vector256<float> r3 = Avx.LoadVector256(s + (3 * ldS));
        Vector256<float> r4 = Avx.LoadVector256(s + (4 * ldS));
        Vector256<float> r5 = Avx.LoadVector256(s + (5 * ldS));
        Vector256<float> r6 = Avx.LoadVector256(s + (6 * ldS));
        Vector256<float> r7 = Avx.LoadVector256(s + (7 * ldS));

        // Per 128-bit lane: interleave pairs of rows, then pairs of pairs; finally swap lanes.
        Vector256<float> t0 = Avx.UnpackLow(r0, r1);   // r0[0] r1[0] r0[1] r1[1] | r0[4] r1[4] r0[5] r1[5]
        Vector256<float> t1 = Avx.UnpackHigh(r0, r1);  // r0[2] r1[2] r0[3] r1[3] | r0[6] r1[6] r0[7] r1[7]
        Vector256<float> t2 = Avx.UnpackLow(r2, r3);
        Vector256<float> t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5);
        Vector256<float> t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7);
        Vector256<float> t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44); // r0[0] r1[0] r2[0] r3[0] | …[4]
        Vector256<float> u1 = Avx.Shuffle(t0, t2, 0xEE); // …[1] | …[5]
        Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44); // …[2] | …[6]
        Vector256<float> u3 = Avx.Shuffle(t1, t3, 0xEE); // …[3] | …[7]
        Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44);
        Vector256<float> u5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> u6 = Avx.Shuffle(t5, t7, 0x44);
        Vector256<float> u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(d, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(d + ldD, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(d + (2 * ldD), Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(d + (3 * ldD), Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(d + (4 * ldD), Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(d + (5 * ldD), Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(d + (6 * ldD), Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(d + (7 * ldD), Avx.Permute2x128(u3, u7, 0x31));
    }
}
