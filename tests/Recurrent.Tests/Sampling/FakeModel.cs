using Recurrent.Models;
using Recurrent.Numerics;

namespace Recurrent.Tests.Sampling;

/// <summary>
/// A tiny stand-in language model with a known next-token distribution. The state of each lane is
/// (previous token, running mix of all earlier tokens); the logits are a fixed bigram row of the previous token
/// plus <c>historyWeight·sin((i + 1)·mix)</c>, so with <c>historyWeight = 0</c> it is an exact bigram table and with
/// a non-zero weight the output depends on the whole history (which exercises state copies between lanes).
/// </summary>
internal sealed class FakeModel : IRecurrentModel
{
    private readonly float[] _table; // [V, V] bigram logits
    private readonly float _historyWeight;
    private readonly float[] _parameters;
    private readonly float[] _gradients;

    public FakeModel(int vocabularySize, int seed, float historyWeight = 0f, float scale = 2f)
    {
        var random = new DeterministicRandom(seed);
        _table = new float[vocabularySize * vocabularySize];
        for (int i = 0; i < _table.Length; i++)
        {
            _table[i] = (float)((random.NextDouble() * 2) - 1) * scale;
        }

        _historyWeight = historyWeight;
        _parameters = _table;
        _gradients = new float[_table.Length];
        Options = new RecurrentModelOptions { VocabularySize = vocabularySize, HiddenSize = 2, Layers = 1, Cell = CellKind.Rnn };
    }

    public RecurrentModelOptions Options { get; }

    public IReadOnlyList<ParameterTensor> Tensors => [new ParameterTensor("table", Options.VocabularySize, Options.VocabularySize, 0)];

    public int ParameterCount => _parameters.Length;

    public Span<float> Parameters => _parameters;

    public Span<float> Gradients => _gradients;

    /// <summary>Gets the bigram logits row of a previous token (the whole table when historyWeight = 0).</summary>
    public ReadOnlySpan<float> Row(int previous) => _table.AsSpan(previous * Options.VocabularySize, Options.VocabularySize);

    /// <summary>Sets one bigram logit (to shape a test's distribution).</summary>
    public void SetLogit(int previous, int next, float value) => _table[(previous * Options.VocabularySize) + next] = value;

    public RecurrentState CreateState(int batchSize) => new(1, batchSize, 2, hasCellState: false);

    public void Step(ReadOnlySpan<int> tokenIds, RecurrentState state, Span<float> logits)
    {
        int v = Options.VocabularySize;
        int b = state.BatchSize;
        if (tokenIds.Length != b || logits.Length < b * v)
        {
            throw new ArgumentException("Bad shapes.");
        }

        Span<float> h = state.Hidden(0);
        for (int lane = 0; lane < b; lane++)
        {
            int token = tokenIds[lane];
            float mix = (0.5f * h[(lane * 2) + 1]) + (0.37f * (token + 1));
            h[lane * 2] = token;
            h[(lane * 2) + 1] = mix;
            Span<float> row = logits.Slice(lane * v, v);
            Row(token).CopyTo(row);
            if (_historyWeight != 0f)
            {
                for (int i = 0; i < v; i++)
                {
                    row[i] += _historyWeight * MathF.Sin((i + 1) * mix);
                }
            }
        }
    }

    public LossSum Forward(ReadOnlySpan<int> inputs, ReadOnlySpan<int> targets, ReadOnlySpan<float> mask, RecurrentState state, ForwardMode mode, Random? random = null)
    {
        int b = state.BatchSize;
        int v = Options.VocabularySize;
        int steps = inputs.Length / b;
        float[] logits = new float[b * v];
        double sum = 0;
        double count = 0;
        for (int t = 0; t < steps; t++)
        {
            Step(inputs.Slice(t * b, b), state, logits);
            ReadOnlySpan<float> m = mask.IsEmpty ? default : mask.Slice(t * b, b);
            sum += Kernels.SoftmaxCrossEntropy(logits, v, targets.Slice(t * b, b), m, default, 0f);
            for (int lane = 0; lane < b; lane++)
            {
                count += m.IsEmpty ? 1 : m[lane];
            }
        }

        return new LossSum(sum, count);
    }

    public void Backward() => throw new NotSupportedException("The fake model does not train.");

    public void ZeroGradients() => Array.Clear(_gradients);
}
