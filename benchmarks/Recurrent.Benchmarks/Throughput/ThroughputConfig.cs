using Recurrent.Models;

namespace Recurrent.Benchmarks.Throughput;

/// <summary>One model shape of the PyTorch reference (<c>pytorch_lm.py</c>'s <c>CONFIGS</c>): V, H (= E), L, T, B.</summary>
/// <param name="Name">The configuration name used by the reference.</param>
/// <param name="Vocabulary">V.</param>
/// <param name="Hidden">H, also the embedding size E.</param>
/// <param name="Layers">L.</param>
/// <param name="Steps">T, the window length.</param>
/// <param name="Batch">B, the number of lanes.</param>
public sealed record ThroughputConfig(string Name, int Vocabulary, int Hidden, int Layers, int Steps, int Batch)
{
    /// <summary>Gets the reference's configurations, in its order.</summary>
    public static IReadOnlyList<ThroughputConfig> All { get; } =
    [
        new("char-s", 65, 128, 2, 50, 50),
        new("char-m", 65, 512, 2, 64, 64),
        new("word-seed", 4000, 128, 1, 20, 1),
        new("word-b32", 4000, 128, 1, 35, 32),
        new("word-ptb-small", 10000, 200, 2, 20, 20),
        new("word-m", 10000, 650, 2, 35, 20),
    ];

    /// <summary>Looks a configuration up by name.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The configuration.</returns>
    public static ThroughputConfig Get(string name) =>
        All.FirstOrDefault(c => c.Name == name) ?? throw new ArgumentException($"Unknown configuration '{name}'.", nameof(name));

    /// <summary>
    /// FLOPs per token of the forward matrix products, counted as the reference does: 2 × (L × G·H·(E + H) + H·V)
    /// (embedding lookup, pointwise gate math, softmax and the optimizer are not counted).
    /// </summary>
    /// <param name="cell">The cell kind (G = 4 LSTM, 3 GRU, 1 RNN).</param>
    /// <returns>The forward FLOPs per token; training counts three times this.</returns>
    public long ForwardFlopsPerToken(CellKind cell)
    {
        long gates = Gates(cell);
        long multiplies = (Layers * gates * Hidden * (Hidden + (long)Hidden)) + ((long)Hidden * Vocabulary);
        return 2 * multiplies;
    }

    /// <summary>
    /// FLOPs per token that the first layer's input side does not execute when it reads the embedding table by id
    /// (<c>RecurrentLanguageModel.EmbeddingTableMinPositionsPerId</c>: a window of N = T·B positions with at least that
    /// many per vocabulary id): its products run over the V table rows instead of the N positions, so of the
    /// 2·G·H·E per token and product only the share V/N is executed. Zero when the table is not used.
    /// </summary>
    /// <param name="cell">The cell kind.</param>
    /// <returns>The forward FLOPs per token saved; training saves three times this (input projection, dW_ih, dE).</returns>
    public long ForwardFlopsSavedPerToken(CellKind cell)
    {
        long n = (long)Steps * Batch;
        if ((long)Vocabulary * RecurrentLanguageModel.EmbeddingTableMinPositionsPerId > n)
        {
            return 0;
        }

        long gates = Gates(cell);
        long perToken = 2 * gates * Hidden * (long)Hidden;
        return perToken - (perToken * Vocabulary / n);
    }

    // Gate blocks G of a cell: 4 LSTM, 3 GRU, 1 RNN.
    private static long Gates(CellKind cell) => cell switch
    {
        CellKind.Lstm => 4,
        CellKind.Gru => 3,
        _ => 1,
    };
}

/// <summary>One entry of the run list: a configuration, a cell, an optimizer and the metrics to measure.</summary>
/// <param name="Config">The configuration.</param>
/// <param name="Cell">The cell kind.</param>
/// <param name="Optimizer">"adam" (lr 1e-3) or "sgd" (lr 0.005), as the reference.</param>
/// <param name="Train">Whether to measure training throughput.</param>
/// <param name="EvaluateAndSample">Whether to measure evaluation and batch-1 sampling throughput.</param>
public sealed record ThroughputRun(ThroughputConfig Config, CellKind Cell, string Optimizer, bool Train, bool EvaluateAndSample)
{
    /// <summary>
    /// Gets the reference's run list (<c>RUNS</c> in <c>pytorch_lm.py</c>) followed by the GRU runs that the reference
    /// lacks (the compare script adds the same GRU runs on the PyTorch side, with <c>nn.GRU</c>).
    /// </summary>
    public static IReadOnlyList<ThroughputRun> All { get; } =
    [
        new(ThroughputConfig.Get("char-s"), CellKind.Lstm, "adam", true, true),
        new(ThroughputConfig.Get("char-m"), CellKind.Lstm, "adam", true, true),
        new(ThroughputConfig.Get("word-seed"), CellKind.Lstm, "adam", true, true),
        new(ThroughputConfig.Get("word-seed"), CellKind.Rnn, "adam", true, true),
        new(ThroughputConfig.Get("word-seed"), CellKind.Lstm, "sgd", true, false),
        new(ThroughputConfig.Get("word-seed"), CellKind.Rnn, "sgd", true, false),
        new(ThroughputConfig.Get("word-b32"), CellKind.Lstm, "adam", true, true),
        new(ThroughputConfig.Get("word-b32"), CellKind.Rnn, "adam", true, true),
        new(ThroughputConfig.Get("word-ptb-small"), CellKind.Lstm, "adam", true, true),
        new(ThroughputConfig.Get("word-m"), CellKind.Lstm, "adam", true, true),
        new(ThroughputConfig.Get("word-seed"), CellKind.Gru, "adam", true, true),
        new(ThroughputConfig.Get("word-seed"), CellKind.Gru, "sgd", true, false),
        new(ThroughputConfig.Get("word-b32"), CellKind.Gru, "adam", true, true),
        new(ThroughputConfig.Get("char-s"), CellKind.Gru, "adam", true, true),
    ];

    /// <summary>Gets the key <c>config:cell:optimizer</c> used on the command line and by the compare script.</summary>
    public string Key => $"{Config.Name}:{CellName}:{Optimizer}";

    /// <summary>Gets the cell name as the reference writes it (lstm, rnn, gru).</summary>
    public string CellName => Cell switch
    {
        CellKind.Lstm => "lstm",
        CellKind.Gru => "gru",
        _ => "rnn",
    };
}
