using System.Numerics.Tensors;

namespace Recurrent.Numerics;

internal static partial class Kernels
{
    /// <summary>Floats per chunk of <see cref="SumOfSquares"/>: each chunk is summed in float, the chunks in double.</summary>
    internal const int SumOfSquaresChunk = 1 << 16;

    /// <summary>
    /// Σ x² (e.g. a gradient's squared global norm): <paramref name="x"/> is cut into chunks of
    /// <see cref="SumOfSquaresChunk"/> floats, each chunk's squares are summed in float (TensorPrimitives.SumOfSquares),
    /// and the chunk sums are added in order in double. The chunks are split over the worker pool when there are
    /// several; the chunking does not depend on the thread count, so neither do the bits. A chunk whose float sum
    /// overflows makes the result infinite (the caller may recompute in double).
    /// </summary>
    public static unsafe double SumOfSquares(ReadOnlySpan<float> x)
    {
        int chunks = (int)(((long)x.Length + SumOfSquaresChunk - 1) / SumOfSquaresChunk);
        if (chunks <= 1)
        {
            return TensorPrimitives.SumOfSquares(x);
        }

        double[] partial = SumOfSquaresWork.Partials(chunks);
        int threads = ComputeSettings.MaxDegreeOfParallelism;
        fixed (float* px = x)
        {
            SumOfSquaresWork.Run(px, x.Length, partial, chunks, threads);
        }

        double sum = 0;
        for (int c = 0; c < chunks; c++)
        {
            sum += partial[c];
        }

        return sum;
    }

    /// <summary>The chunks of <see cref="SumOfSquares"/> cut into one part per thread. One instance per calling thread.</summary>
    private sealed unsafe class SumOfSquaresWork : IParallelWork
    {
        [ThreadStatic]
        private static SumOfSquaresWork? t_instance;

        private double[] _partial = [];
        private float* _x;
        private int _length, _chunks, _parts;

        /// <summary>The calling thread's buffer for the chunk sums (grown, never shrunk).</summary>
        public static double[] Partials(int chunks)
        {
            SumOfSquaresWork work = t_instance ??= new SumOfSquaresWork();
            if (work._partial.Length < chunks)
            {
                work._partial = new double[chunks];
            }

            return work._partial;
        }

        public static void Run(float* x, int length, double[] partial, int chunks, int threads)
        {
            SumOfSquaresWork work = t_instance!;
            work._x = x;
            work._length = length;
            work._chunks = chunks;
            work._parts = Math.Min(threads, chunks);
            try
            {
                ParallelWork.Run(work, work._parts, threads);
            }
            finally
            {
                work._x = null;
            }
        }

        public void Run(int part)
        {
            int c0 = (int)((long)part * _chunks / _parts), c1 = (int)((long)(part + 1) * _chunks / _parts);
            for (int c = c0; c < c1; c++)
            {
                long start = (long)c * SumOfSquaresChunk;
                int length = (int)Math.Min(SumOfSquaresChunk, _length - start);
                _partial[c] = TensorPrimitives.SumOfSquares(new ReadOnlySpan<float>(_x + start, length));
            }
        }
    }
}
