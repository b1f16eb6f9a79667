using Recurrent.Models;
using Recurrent.Numerics;

namespace Recurrent.Tests.Training;

/// <summary>
/// A test double: a bigram softmax regression with a one-number recurrent state, so that carried state,
/// dropout randomness and the flat buffers all matter, without depending on the real models.
/// Per position: <c>h = 0.5·h + (x + 1)/V</c>; <c>logits = W[x] + b + u·(h·keep)</c>, where <c>keep</c> is
/// inverted dropout on the recurrent term. Gradients stop at the window edge. Allocation-free after warm-up.
/// </summary>
internal sealed class TinyModel : IRecurrentModel
{
    private readonly int _v;
    private readonly float[] _parameters;
    private readonly float[] _gradients;
    private float[] _logits = [];
    private float[] _recurrentTerm = [];
    private int[] _inputs = [];
    private int _positions;
    private bool _canBackward;

    public TinyModel(int vocabularySize, int seed = 1, float dropout = 0f)
    {
        _v = vocabularySize;
        Options = new RecurrentModelOptions { VocabularySize = vocabularySize, HiddenSize = 1, Cell = CellKind.Rnn, Dropout = dropout, Seed = seed };
        int v = vocabularySize;
        Tensors = [new("table", v, v, 0), new("bias", v, 0, v * v), new("carry", v, 0, (v * v) + v)];
        _parameters = new float[(v * v) + (2 * v)];
        _gradients = new float[_parameters.Length];
        var random = new DeterministicRandom(seed);
        for (int i = 0; i < _parameters.Length; i++)
        {
            _parameters[i] = (random.NextSingle() - 0.5f) * 0.2f;
        }
    }

    public RecurrentModelOptions Options { get; }

    public IReadOnlyList<ParameterTensor> Tensors { get; }

    public int ParameterCount => _parameters.Length;

    public Span<float> Parameters => _parameters;

    public Span<float> Gradients => _gradients;

    /// <summary>Gets the number of training forward passes so far.</summary>
    public int TrainingForwardCalls { get; private set; }

    /// <summary>Gets or sets a predicate on the (1-based) training call number that poisons that call's gradient with NaN.</summary>
    public Func<int, bool>? PoisonGradient { get; set; }

    /// <summary>Gets or sets a predicate on the (1-based) training call number that makes that call's loss NaN.</summary>
    public Func<int, bool>? PoisonLoss { get; set; }

    /// <summary>Gets or sets a replacement for the evaluation loss (mean per token) by evaluation call number (1-based).</summary>
    public Func<int, double>? ScriptedEvaluationLoss { get; set; }

    /// <summary>Gets the number of evaluation forward passes so far.</summary>
    public int EvaluationForwardCalls { get; private set; }

    /// <summary>Gets or sets a log of the lane-0 state at the start of each training forward pass (null: not recorded).</summary>
    public List<float>? StartStates { get; set; }

    public RecurrentState CreateState(int batchSize) => new(1, batchSize, 1, hasCellState: false);

    public LossSum Forward(ReadOnlySpan<int> inputs, ReadOnlySpan<int> targets, ReadOnlySpan<float> mask, RecurrentState state, ForwardMode mode, Random? random = null)
    {
        int n = inputs.Length;
        int batch = state.BatchSize;
        if (_logits.Length < n * _v)
        {
            _logits = new float[n * _v];
            _recurrentTerm = new float[n];
            _inputs = new int[n];
        }

        bool train = mode == ForwardMode.Train;
        if (train)
        {
            TrainingForwardCalls++;
            StartStates?.Add(state.AllHidden[0]);
        }
        else
        {
            EvaluationForwardCalls++;
        }

        float p = Options.Dropout;
        Span<float> h = state.AllHidden;
        ReadOnlySpan<float> w = _parameters.AsSpan(0, _v * _v);
        ReadOnlySpan<float> b = _parameters.AsSpan(_v * _v, _v);
        ReadOnlySpan<float> u = _parameters.AsSpan((_v * _v) + _v, _v);
        for (int i = 0; i < n; i++)
        {
            int lane = i % batch;
            int x = inputs[i];
            h[lane] = (0.5f * h[lane]) + ((x + 1f) / _v);
            float term = h[lane];
            if (train && p > 0f)
            {
                term = random!.NextSingle() >= p ? term / (1f - p) : 0f;
            }

            _recurrentTerm[i] = term;
            _inputs[i] = x;
            Span<float> row = _logits.AsSpan(i * _v, _v);
            for (int k = 0; k < _v; k++)
            {
                row[k] = w[(x * _v) + k] + b[k] + (u[k] * term);
            }
        }

        double sum = Kernels.SoftmaxCrossEntropy(_logits.AsSpan(0, n * _v), _v, targets, mask, train ? _logits.AsSpan(0, n * _v) : default, 1f);
        double count = 0;
        foreach (float m in mask)
        {
            count += m;
        }

        if (mask.IsEmpty)
        {
            count = n;
        }

        _positions = n;
        _canBackward = train;
        if (train && PoisonLoss?.Invoke(TrainingForwardCalls) == true)
        {
            sum = double.NaN;
        }

        if (!train && ScriptedEvaluationLoss is not null)
        {
            sum = ScriptedEvaluationLoss(EvaluationForwardCalls) * count;
        }

        return new LossSum(sum, count);
    }

    public void Backward()
    {
        if (!_canBackward)
        {
            throw new InvalidOperationException("No training forward pass preceded Backward.");
        }

        Span<float> dw = _gradients.AsSpan(0, _v * _v);
        Span<float> db = _gradients.AsSpan(_v * _v, _v);
        Span<float> du = _gradients.AsSpan((_v * _v) + _v, _v);
        for (int i = 0; i < _positions; i++)
        {
            ReadOnlySpan<float> d = _logits.AsSpan(i * _v, _v);
            int x = _inputs[i];
            float term = _recurrentTerm[i];
            for (int k = 0; k < _v; k++)
            {
                dw[(x * _v) + k] += d[k];
                db[k] += d[k];
                du[k] += d[k] * term;
            }
        }

        if (PoisonGradient?.Invoke(TrainingForwardCalls) == true)
        {
            _gradients[1] = float.NaN;
        }

        _canBackward = false;
    }

    public void ZeroGradients() => Array.Clear(_gradients);

    public void Step(ReadOnlySpan<int> tokenIds, RecurrentState state, Span<float> logits) => throw new NotSupportedException();
}
