using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Recurrent.Numerics;

namespace Recurrent.Training.Optimizers;

/// <summary>The update loop shared by <see cref="Adam"/> (L2 in the gradient) and <see cref="AdamW"/> (decoupled decay).</summary>
internal static class AdamKernel
{
    public const string FirstMoment = "exp_avg";
    public const string SecondMoment = "exp_avg_sq";

    public static readonly string[] BufferNames = [FirstMoment, SecondMoment];

    /// <summary>
    /// One Adam step at step number <c>t = state.StepCount</c> (1-based): <c>m = β1·m + (1−β1)·g</c>,
    /// <c>v = β2·v + (1−β2)·g²</c>, <c>p −= (lr / (1−β1ᵗ))·m / (√v / √(1−β2ᵗ) + ε)</c> — PyTorch's arrangement.
    /// With <paramref name="decoupledDecay"/> the parameter is first shrunk by <c>(1 − lr·wd)</c> and the
    /// gradient is left alone (AdamW); otherwise <c>g = grad + wd·p</c> (Adam with L2). Here <c>grad</c> is the stored
    /// gradient times <paramref name="gradientScale"/> (one float multiply as it is read); with
    /// <paramref name="clearGradients"/> the stored gradient is zeroed in the same pass.
    /// </summary>
    /// <remarks>
    /// One pass over the four buffers (the gradient scale and clearing fold into it) (the step is bound by memory bandwidth on large models), in Vector512 or
    /// Vector256 blocks with a scalar tail. Every lane performs exactly the scalar operation sequence (separate
    /// multiplies and adds, IEEE square root and division), so the result does not depend on the vector width.
    /// </remarks>
    public static void Update(
        OptimizerState state, Span<float> parameters, Span<float> gradients, float learningRate, float gradientScale, bool clearGradients,
        float beta1, float beta2, float epsilon, float weightDecay, bool decoupledDecay)
    {
        Span<float> m = state.Buffer(FirstMoment).AsSpan(0, parameters.Length);
        Span<float> v = state.Buffer(SecondMoment).AsSpan(0, parameters.Length);
        double t = state.StepCount;
        var c = new Coefficients
        {
            StepSize = (float)(learningRate / (1.0 - Math.Pow(beta1, t))),
            Bias2Sqrt = (float)Math.Sqrt(1.0 - Math.Pow(beta2, t)),
            Beta1 = beta1,
            Beta2 = beta2,
            OneMinusBeta1 = 1f - beta1,
            OneMinusBeta2 = 1f - beta2,
            L2 = decoupledDecay ? 0f : weightDecay,
            Shrink = decoupledDecay ? 1f - (learningRate * weightDecay) : 1f,
            Epsilon = epsilon,
            Scale = gradientScale,
        };

        int n = parameters.Length;
        if (gradients.Length < n)
        {
            throw new ArgumentException("The gradient buffer is shorter than the parameter buffer.", nameof(gradients));
        }

        int threads = ComputeSettings.MaxDegreeOfParallelism;
        if (threads > 1 && n >= ParallelElements)
        {
            // Elementwise: ranges of whole vectors on the worker pool give every element the same operations.
            AdamWork.Run(parameters[..n], gradients[..n], m, v, in c, clearGradients, threads);
            return;
        }

        UpdateRange(parameters[..n], gradients[..n], m, v, in c, clearGradients);
    }

    /// <summary>Fewest parameters for which the update splits into ranges over the worker pool.</summary>
    internal const int ParallelElements = 1 << 18;

    private static void UpdateRange(Span<float> parameters, Span<float> gradients, Span<float> m, Span<float> v, in Coefficients c, bool clearGradients)
    {
        int n = parameters.Length;
        ref float p = ref MemoryMarshal.GetReference(parameters);
        ref float g = ref MemoryMarshal.GetReference(gradients);
        ref float mr = ref MemoryMarshal.GetReference(m);
        ref float vr = ref MemoryMarshal.GetReference(v);
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                Step512(ref Unsafe.Add(ref p, i), ref Unsafe.Add(ref g, i), ref Unsafe.Add(ref mr, i), ref Unsafe.Add(ref vr, i), in c);
                if (clearGradients)
                {
                    Vector512<float>.Zero.StoreUnsafe(ref g, (nuint)i);
                }
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                Step256(ref Unsafe.Add(ref p, i), ref Unsafe.Add(ref g, i), ref Unsafe.Add(ref mr, i), ref Unsafe.Add(ref vr, i), in c);
                if (clearGradients)
                {
                    Vector256<float>.Zero.StoreUnsafe(ref g, (nuint)i);
                }
            }
        }

        for (; i < n; i++)
        {
            float pi = Unsafe.Add(ref p, i) * c.Shrink;
            float gi = (Unsafe.Add(ref g, i) * c.Scale) + (c.L2 * pi);
            if (clearGradients)
            {
                Unsafe.Add(ref g, i) = 0f;
            }

            float mi = (c.Beta1 * Unsafe.Add(ref mr, i)) + (c.OneMinusBeta1 * gi);
            float vi = (c.Beta2 * Unsafe.Add(ref vr, i)) + (c.OneMinusBeta2 * gi * gi);
            Unsafe.Add(ref mr, i) = mi;
            Unsafe.Add(ref vr, i) = vi;
            float denom = (MathF.Sqrt(vi) / c.Bias2Sqrt) + c.Epsilon;
            Unsafe.Add(ref p, i) = pi - (c.StepSize * mi / denom);
        }
    }


    /// <summary>The update with its elements cut into ranges of whole 16-float blocks, run on the worker pool.</summary>
    private sealed unsafe class AdamWork : IParallelWork
    {
        private const int PartsPerThread = 4;

        [ThreadStatic]
        private static AdamWork? t_instance;

        private float* _p, _g, _m, _v;
        private int _n, _parts;
        private Coefficients _c;
        private bool _clear;

        public static void Run(Span<float> parameters, Span<float> gradients, Span<float> m, Span<float> v, in Coefficients c, bool clear, int threads)
        {
            AdamWork work = t_instance ??= new AdamWork();
            fixed (float* pp = parameters)
            fixed (float* pg = gradients)
            fixed (float* pm = m)
            fixed (float* pv = v)
            {
                work._p = pp;
                work._g = pg;
                work._m = pm;
                work._v = pv;
                work._n = parameters.Length;
                work._c = c;
                work._clear = clear;
                work._parts = PartsPerThread * threads;
                try
                {
                    ParallelWork.Run(work, work._parts, threads);
                }
                finally
                {
                    work._p = work._g = work._m = work._v = null;
                }
            }
        }

        public void Run(int part)
        {
            int blocks = (_n + 15) / 16;
            int i0 = Math.Min(_n, (int)((long)part * blocks / _parts) * 16);
            int i1 = Math.Min(_n, (int)((long)(part + 1) * blocks / _parts) * 16);
            int len = i1 - i0;
            UpdateRange(new Span<float>(_p + i0, len), new Span<float>(_g + i0, len), new Span<float>(_m + i0, len), new Span<float>(_v + i0, len), in _c, _clear);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Step512(ref float p, ref float g, ref float m, ref float v, in Coefficients c)
    {
        Vector512<float> pi = Vector512.LoadUnsafe(ref p) * c.Shrink;
        Vector512<float> gi = (Vector512.LoadUnsafe(ref g) * c.Scale) + (c.L2 * pi);
        Vector512<float> mi = (c.Beta1 * Vector512.LoadUnsafe(ref m)) + (c.OneMinusBeta1 * gi);
        Vector512<float> vi = (c.Beta2 * Vector512.LoadUnsafe(ref v)) + (c.OneMinusBeta2 * gi * gi);
        mi.StoreUnsafe(ref m);
        vi.StoreUnsafe(ref v);
        Vector512<float> denom = (Vector512.Sqrt(vi) / c.Bias2Sqrt) + Vector512.Create(c.Epsilon);
        (pi - (c.StepSize * mi / denom)).StoreUnsafe(ref p);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Step256(ref float p, ref float g, ref float m, ref float v, in Coefficients c)
    {
        Vector256<float> pi = Vector256.LoadUnsafe(ref p) * c.Shrink;
        Vector256<float> gi = (Vector256.LoadUnsafe(ref g) * c.Scale) + (c.L2 * pi);
        Vector256<float> mi = (c.Beta1 * Vector256.LoadUnsafe(ref m)) + (c.OneMinusBeta1 * gi);
        Vector256<float> vi = (c.Beta2 * Vector256.LoadUnsafe(ref v)) + (c.OneMinusBeta2 * gi * gi);
        mi.StoreUnsafe(ref m);
        vi.StoreUnsafe(ref v);
        Vector256<float> denom = (Vector256.Sqrt(vi) / c.Bias2Sqrt) + Vector256.Create(c.Epsilon);
        (pi - (c.StepSize * mi / denom)).StoreUnsafe(ref p);
    }

    private struct Coefficients
    {
        public float StepSize;
        public float Bias2Sqrt;
        public float Beta1;
        public float Beta2;
        public float OneMinusBeta1;
        public float OneMinusBeta2;
        public float L2;
        public float Shrink;
        public float Epsilon;
        public float Scale;
    }
}
