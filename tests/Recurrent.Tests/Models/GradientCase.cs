using Recurrent.Models;

namespace Recurrent.Tests.Models;

/// <summary>A small random model + window + carried initial state, derived entirely from one seed.</summary>
internal sealed class GradientCase
{
    public GradientCase(CellKind cell, int seed)
    {
        var r = new DeterministicRandom(seed);
        int h = r.Next(1, 5);
        bool tie = r.Next(3) == 0;
        int e = tie ? h : r.Next(0, 5); // 0 = one-hot input straight into W_ih
        Options = new RecurrentModelOptions
        {
            VocabularySize = r.Next(2, 7),
            EmbeddingSize = e,
            HiddenSize = h,
            Layers = r.Next(1, 4),
            Cell = cell,
            TieWeights = tie,
            UseBias = r.Next(4) != 0,
            InitRange = 0.6f, // larger than the default so the nonlinearities are exercised away from 0
            ForgetGateBias = r.Next(2) == 0 ? 0f : 1f,
            Seed = seed,
        };
        Batch = r.Next(1, 4);
        int steps = r.Next(1, 5);
        int n = steps * Batch;
        Inputs = [.. Enumerable.Range(0, n).Select(_ => r.Next(Options.VocabularySize))];
        Targets = [.. Enumerable.Range(0, n).Select(_ => r.Next(Options.VocabularySize))];
        Mask = r.Next(3) == 0 ? null : [.. Enumerable.Range(0, n).Select(_ => r.Next(5) switch { 0 => 0f, 1 => 0.5f, _ => 1f })];
        Model = RecurrentModel.Create(Options);
        State = Model.CreateState(Batch);
        foreach (ref float v in State.AllHidden)
        {
            v = (2f * r.NextSingle()) - 1f; // a carried (non-zero) initial state
        }

        foreach (ref float v in State.AllCell)
        {
            v = (2f * r.NextSingle()) - 1f;
        }
    }

    public RecurrentModelOptions Options { get; }

    public IRecurrentModel Model { get; }

    public RecurrentState State { get; }

    public int Batch { get; }

    public int[] Inputs { get; }

    public int[] Targets { get; }

    public float[]? Mask { get; }

    public override string ToString() =>
        $"{Options} B={Batch} T={Inputs.Length / Batch} mask={(Mask is null ? "none" : string.Join(",", Mask))}";
}
