using System.Runtime.Intrinsics;
using Recurrent.Models;
using Recurrent.Numerics;

namespace Recurrent.Benchmarks.Throughput;

/// <summary>
/// The memory-traffic floor of a batch-1 step: reads, once each and in buffer order, every parameter tensor that a
/// step reads in full (all but the embedding, of which a step reads one row), each tensor cut evenly over the
/// worker pool's threads as the step's mat-vecs cut their rows and read as eight sequential streams per thread (as
/// the mat-vec reads its eight rows per pass), and does nothing else with the floats but add them.
/// At the same memory bandwidth a step cannot take less time than this pass over the same bytes (it reads them and
/// also multiplies, reduces, runs the cells and picks a token), so <c>reads per second</c> bounds the batch-1 tokens
/// per second from above. The harness measures it in windows alternating with the sampling windows; on a machine
/// whose memory bandwidth moves from window to window (a shared host), a rate at the floor can read above it.
/// </summary>
/// <remarks>
/// Character-level sampling reuses the first layer's input projection of ids seen before (the memo), so its steps
/// can read less than this pass; its floor is then not a bound, only a reference.
/// </remarks>
internal sealed unsafe class WeightReadFloor : IParallelWork
{
    private readonly IRecurrentModel _model;
    private readonly (int Offset, int Length)[] _tensors;
    private readonly float[] _partSums;
    private float* _data;
    private int _length, _parts;

    /// <summary>Selects the tensors of <paramref name="model"/> that a batch-1 step reads in full.</summary>
    /// <param name="model">The model.</param>
    public WeightReadFloor(IRecurrentModel model)
    {
        _model = model;
        _tensors = [.. model.Tensors.Where(t => t.Name != "encoder.weight").Select(t => (t.Offset, t.Length))];
        BytesPerStep = 4L * _tensors.Sum(t => (long)t.Length);
        _partSums = new float[Math.Max(1, ComputeSettings.MaxDegreeOfParallelism)];
    }

    /// <summary>Gets the bytes one pass reads: the weights and biases of the layers and the decoder.</summary>
    public long BytesPerStep { get; }

    /// <summary>Reads every selected tensor once.</summary>
    public void ReadOnce()
    {
        int threads = ComputeSettings.MaxDegreeOfParallelism;
        fixed (float* p = _model.Parameters)
        {
            foreach ((int offset, int length) in _tensors)
            {
                _data = p + offset;
                _length = length;
                _parts = Math.Max(1, Math.Min(Math.Min(threads, _partSums.Length), length / 4096));
                ParallelWork.Run(this, _parts, threads);
            }

            _data = null;
        }
    }

    /// <inheritdoc />
    public void Run(int part)
    {
        // Cut on multiples of 16 floats (one cache line; the column sums' cut), as the mat-vec cuts its rows on multiples
        // of eight; each part is read as eight sequential streams, one per eighth, as the mat-vec reads its eight rows
        // per pass. Each part's sum is stored, so the reads have a result.
        (int i0, int i1) = global::Recurrent.Numerics.Kernels.ColumnRange(part, _parts, _length);
        float* p = _data + i0;
        int count = i1 - i0;
        int sub = count / 8 / 8 * 8;
        Vector256<float> s = default;
        for (int j = 0; j < sub; j += 8)
        {
            float* q = p + j;
            s += Vector256.Load(q) + Vector256.Load(q + sub) + Vector256.Load(q + (2 * sub)) + Vector256.Load(q + (3 * sub))
                + Vector256.Load(q + (4 * sub)) + Vector256.Load(q + (5 * sub)) + Vector256.Load(q + (6 * sub)) + Vector256.Load(q + (7 * sub));
        }

        float sum = Vector256.Sum(s);
        for (int j = 8 * sub; j < count; j++)
        {
            sum += p[j];
        }

        _partSums[part] = sum;
    }
}
