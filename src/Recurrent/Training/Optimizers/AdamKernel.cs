using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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
