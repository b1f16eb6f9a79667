namespace Recurrent.Numerics;

internal static partial class Kernels
{
    /// <summary>
    /// The softmax cross-entropy with its rows split over the worker pool. Rows are independent; each part stores
    /// its rows' losses, and the caller adds them in row order, so the total is the same double as on one thread.
    /// One instance per calling thread (the pointers are valid only during a call); allocates only when
    /// a call has more rows than any before it on that thread.
    /// </summary>
    private sealed unsafe class SoftmaxCrossEntropyWork : IParallelWork
    {
        /// <summary>Parts per thread: small enough to balance when another process takes part of a core.</summary>
        private const int PartsPerThread = 4;

        [ThreadStatic]
        private static SoftmaxCrossEntropyWork? t_instance;

        private double[] _rowLosses = [];
        private float* _logits, _bias, _mask, _dlogits;
        private int* _targets;
        private int _logitsLength, _biasLength, _maskLength, _dlogitsLength, _rows, _vocabularySize, _parts;
        private float _gradScale;

        public static double Run(
            ReadOnlySpan<float> logits, ReadOnlySpan<float> bias, int vocabularySize, ReadOnlySpan<int> targets, ReadOnlySpan<float> mask,
            Span<float> dlogits, float gradScale, int threads)
        {
            SoftmaxCrossEntropyWork work = t_instance ??= new SoftmaxCrossEntropyWork();
            int rows = targets.Length;
            if (work._rowLosses.Length < rows)
            {
                work._rowLosses = new double[rows];
            }

            fixed (float* pl = logits)
            fixed (float* pb = bias)
            fixed (float* pm = mask)
            fixed (float* pd = dlogits)
            fixed (int* pt = targets)
            {
                work._logits = pl;
                work._logitsLength = logits.Length;
                work._bias = pb;
                work._biasLength = bias.Length;
                work._mask = pm;
                work._maskLength = mask.Length;
                work._dlogits = pd;
                work._dlogitsLength = dlogits.Length;
                work._targets = pt;
                work._rows = rows;
                work._vocabularySize = vocabularySize;
                work._gradScale = gradScale;
                work._parts = Math.Min(rows, PartsPerThread * threads);
                try
                {
                    ParallelWork.Run(work, work._parts, threads);
                }
                finally
                {
                    work._logits = work._bias = work._mask = work._dlogits = null;
                    work._targets = null;
                }
            }

            double loss = 0;
            ReadOnlySpan<double> rowLosses = work._rowLosses.AsSpan(0, rows);
            for (int n = 0; n < rows; n++)
            {
                loss += rowLosses[n];
            }

            return loss;
        }

        public void Run(int part)
        {
            int r0 = (int)((long)part * _rows / _parts), r1 = (int)((long)(part + 1) * _rows / _parts);
            double unused = 0;
            SoftmaxCrossEntropyRows(
                new ReadOnlySpan<float>(_logits, _logitsLength), new ReadOnlySpan<float>(_bias, _biasLength), _vocabularySize,
                new ReadOnlySpan<int>(_targets, _rows), new ReadOnlySpan<float>(_mask, _maskLength),
                new Span<float>(_dlogits, _dlogitsLength), _gradScale, r0, r1, ref unused, _rowLosses.AsSpan(r0, r1 - r0));
        }
    }
}
