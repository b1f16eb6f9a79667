using Recurrent.Models;

namespace Recurrent.Experiments;

/// <summary>Which corpus an experiment reads and how it turns it into datasets.</summary>
internal enum CorpusKind
{
    /// <summary>Penn Treebank (Mikolov's split): whitespace tokens, the files' own vocabulary, <c>&lt;eos&gt;</c> at line ends, stream mode.</summary>
    PennTreebank,

    /// <summary>Tiny Shakespeare at character level: first 90% of the characters train, last 10% validation, stream mode.</summary>
    TinyShakespeare,

    /// <summary>Reddit comments: lower-cased NLTK-style words, sentences, 90/10 split by comment, sentence mode.</summary>
    RedditComments,
}

/// <summary>The optimizer of an experiment.</summary>
internal enum OptimizerKind
{
    /// <summary>Plain SGD.</summary>
    Sgd,

    /// <summary>Adam (PyTorch defaults apart from the rate).</summary>
    Adam,
}

/// <summary>The learning-rate schedule of an experiment.</summary>
internal enum ScheduleKind
{
    /// <summary>A constant rate.</summary>
    Constant,

    /// <summary>Zaremba et al.: constant for <see cref="Experiment.ConstantEpochs"/> epochs, then × <see cref="Experiment.DecayFactor"/> per epoch.</summary>
    StepDecay,

    /// <summary>The original reddit tutorial: halve when the loss rose since the look 5 epochs earlier.</summary>
    HalveOnLossIncrease,
}

/// <summary>A published figure or a target the run is compared with (the report decides whether it was reached).</summary>
/// <param name="Description">What the target is, in words.</param>
/// <param name="Metric"><c>perplexity</c> (validation perplexity) or <c>loss</c> (validation loss, nats per token).</param>
/// <param name="Threshold">The value to reach or beat (at most).</param>
/// <param name="AtEpoch">The epoch count by which it must be reached (0 = any time within the run's budget).</param>
internal sealed record Target(string Description, string Metric, double Threshold, int AtEpoch);

/// <summary>
/// One named, fixed experiment configuration. The numbers are the published set-ups; the only things a command line may
/// change are the epoch count, the wall-clock budget, the thread count, the seed and where files go.
/// </summary>
internal sealed record Experiment
{
    /// <summary>Gets the name used on the command line and as the results folder.</summary>
    public required string Name { get; init; }

    /// <summary>Gets a one-line title.</summary>
    public required string Title { get; init; }

    /// <summary>Gets what the configuration reproduces and where its numbers come from.</summary>
    public required string Reference { get; init; }

    /// <summary>Gets the corpus.</summary>
    public required CorpusKind Corpus { get; init; }

    /// <summary>Gets the recurrent cell.</summary>
    public required CellKind Cell { get; init; }

    /// <summary>Gets the embedding size (0 = one-hot input).</summary>
    public required int EmbeddingSize { get; init; }

    /// <summary>Gets the hidden units per layer.</summary>
    public required int HiddenSize { get; init; }

    /// <summary>Gets the number of layers.</summary>
    public required int Layers { get; init; }

    /// <summary>Gets the dropout probability.</summary>
    public float Dropout { get; init; }

    /// <summary>Gets whether the layers have biases.</summary>
    public bool UseBias { get; init; } = true;

    /// <summary>Gets the uniform initialisation range (0 = PyTorch's defaults).</summary>
    public float InitRange { get; init; }

    /// <summary>Gets the vocabulary cap, special tokens included (null = every token of the training text).</summary>
    public int? VocabularySize { get; init; }

    /// <summary>Gets the batch size (lanes in stream mode, sentences in sentence mode).</summary>
    public required int BatchSize { get; init; }

    /// <summary>Gets the window length in stream mode (0 in sentence mode: whole sentences).</summary>
    public int Steps { get; init; }

    /// <summary>Gets the optimizer.</summary>
    public required OptimizerKind Optimizer { get; init; }

    /// <summary>Gets the base learning rate.</summary>
    public required double LearningRate { get; init; }

    /// <summary>Gets the schedule.</summary>
    public ScheduleKind Schedule { get; init; }

    /// <summary>Gets the epochs at the base rate (step decay).</summary>
    public int ConstantEpochs { get; init; }

    /// <summary>Gets the decay factor (step decay).</summary>
    public double DecayFactor { get; init; } = 0.5;

    /// <summary>Gets the loss normalisation.</summary>
    public required Training.LossNormalization LossNormalization { get; init; }

    /// <summary>Gets the global gradient-norm clip (0 = off).</summary>
    public float MaxGradientNorm { get; init; }

    /// <summary>Gets the default number of epochs.</summary>
    public required int Epochs { get; init; }

    /// <summary>Gets the number of evaluations per epoch (the epoch end included).</summary>
    public int EvaluationsPerEpoch { get; init; } = 1;

    /// <summary>Gets the steps between training-loss reports.</summary>
    public int ProgressInterval { get; init; } = 50;

    /// <summary>Gets the target or published figure the report compares with.</summary>
    public Target? Target { get; init; }

    /// <summary>Gets whether the random-model baseline ln V is worth showing.</summary>
    public bool ShowRandomBaseline { get; init; }

    /// <summary>Gets a note on choices the reference leaves open or that differ from it.</summary>
    public string? Notes { get; init; }

    private static readonly Experiment s_shakespeare = new()
    {
        Name = "shakespeare",
        Title = "Tiny Shakespeare, character-level 2-layer LSTM",
        Reference = "char-rnn's set-up (Karpathy): 2-layer LSTM, one-hot characters, sequences of 50, batch 50, clipping 5. " +
            "Published marks: char-rnn's example checkpoints reach 1.40 validation loss after about 30 epochs; nanoGPT's small " +
            "character transformer 1.88 in about 3 minutes on a laptop CPU (1.47 on a GPU).",
        Corpus = CorpusKind.TinyShakespeare,
        Cell = CellKind.Lstm,
        EmbeddingSize = 0,
        HiddenSize = 128,
        Layers = 2,
        BatchSize = 50,
        Steps = 50,
        Optimizer = OptimizerKind.Adam,
        LearningRate = 2e-3,
        LossNormalization = Training.LossNormalization.MeanPerToken,
        MaxGradientNorm = 5,
        Epochs = 30,
        EvaluationsPerEpoch = 4,
        ProgressInterval = 10,
        Target = new("validation loss ≤ 1.50 nats/char within the run's budget", "loss", 1.50, 0),
        Notes = "Adam at char-rnn's rate 2e-3 rather than RMSProp; no dropout (the short budgets here under-fit rather than over-fit).",
    };

    /// <summary>Gets every experiment, in report order.</summary>
    public static IReadOnlyList<Experiment> All { get; } =
    [
        s_shakespeare,
        s_shakespeare with
        {
            Name = "shakespeare-large",
            Title = "Tiny Shakespeare, character-level 2×512 LSTM with dropout",
            Reference = "The same data and split as shakespeare, with char-rnn's larger set-up: a 2-layer LSTM of 512 units and dropout " +
                "between the layers and before the output (char-rnn's tiny-Shakespeare examples use 512 units; its example " +
                "checkpoints reach 1.40 validation loss after about 30 epochs).",
            HiddenSize = 512,
            Dropout = 0.2f,
            Notes = "Adam at char-rnn's rate 2e-3 rather than RMSProp; dropout 0.2, since a 3.3M-parameter model over-fits a " +
                "1M-character corpus within a few epochs without it. Meant to be run with a time budget (the report states it).",
        },
        new()
        {
            Name = "reddit-rnn",
            Title = "Reddit comments, word-level vanilla RNN (the original tutorial's model)",
            Reference = "The original write-up's model (WildML RNN tutorial, as used in \"RNNs, LSTMs, and Reddit Comments\"): one-hot " +
                "words, a tanh RNN of 100 units without biases (U, W, V), SGD at 0.005 one sentence at a time on the summed loss, " +
                "the rate halved when the loss rose since the look 5 epochs earlier. A random model scores ln 4000 ≈ 8.29.",
            Corpus = CorpusKind.RedditComments,
            Cell = CellKind.Rnn,
            EmbeddingSize = 0,
            HiddenSize = 100,
            Layers = 1,
            UseBias = false,
            VocabularySize = 4000,
            BatchSize = 1,
            Optimizer = OptimizerKind.Sgd,
            LearningRate = 0.005,
            Schedule = ScheduleKind.HalveOnLossIncrease,
            LossNormalization = Training.LossNormalization.Sum,
            MaxGradientNorm = 0,
            Epochs = 100,
            EvaluationsPerEpoch = 8,
            ProgressInterval = 500,
            ShowRandomBaseline = true,
            Notes = "Vocabulary 4,000 in total (3,997 words + UNKNOWN_TOKEN, SENTENCE_START, SENTENCE_END), as the original's " +
                "`most_common(vocabulary_size - 1)` counted the sentence tokens among the words. No gradient clipping (the " +
                "original had none; its BPTT truncation of 4 steps is not reproduced: the gradient is exact over the sentence). " +
                "Initialisation: PyTorch's U(±1/√H) rather than the original's per-matrix U(±1/√n). The schedule monitors the " +
                "validation loss (the original looked at the training loss). Without clipping, per-sentence SGD on the summed loss " +
                "can blow up on one long sentence (exploding gradients); such a spike shows in the evaluations and the curve.",
        },
        new()
        {
            Name = "reddit-lstm",
            Title = "Reddit comments, word-level LSTM",
            Reference = "The same data and vocabulary as reddit-rnn, with a 1-layer LSTM (embedding 128, 256 units) trained with Adam " +
                "on batches of 32 sentences. A random model scores ln 4000 ≈ 8.29.",
            Corpus = CorpusKind.RedditComments,
            Cell = CellKind.Lstm,
            EmbeddingSize = 128,
            HiddenSize = 256,
            Layers = 1,
            VocabularySize = 4000,
            BatchSize = 32,
            Optimizer = OptimizerKind.Adam,
            LearningRate = 2e-3,
            LossNormalization = Training.LossNormalization.MeanPerToken,
            MaxGradientNorm = 5,
            Epochs = 20,
            EvaluationsPerEpoch = 4,
            ProgressInterval = 20,
            ShowRandomBaseline = true,
        },
        new()
        {
            Name = "ptb-small",
            Title = "Penn Treebank, Zaremba et al. (2014) small LSTM",
            Reference = "Zaremba, Sutskever & Vinyals (2014), \"small\": 2×200 LSTM, 20 steps, batch 20, no dropout, init U(±0.1), " +
                "SGD lr 1.0 for 4 epochs then ×0.5 per epoch, global-norm clip 5, 13 epochs. Published: about 120 validation " +
                "perplexity (the TensorFlow reproduction: 121.4 valid / 115.9 test).",
            Corpus = CorpusKind.PennTreebank,
            Cell = CellKind.Lstm,
            EmbeddingSize = 200,
            HiddenSize = 200,
            Layers = 2,
            InitRange = 0.1f,
            BatchSize = 20,
            Steps = 20,
            Optimizer = OptimizerKind.Sgd,
            LearningRate = 1.0,
            Schedule = ScheduleKind.StepDecay,
            ConstantEpochs = 4,
            DecayFactor = 0.5,
            LossNormalization = Training.LossNormalization.SumPerSequence,
            MaxGradientNorm = 5,
            Epochs = 13,
            EvaluationsPerEpoch = 4,
            ProgressInterval = 50,
            ShowRandomBaseline = true,
            Target = new("validation perplexity ≤ 121 at the end of epoch 13", "perplexity", 121, 13),
            Notes = "Loss normalisation `SumPerSequence` (sum over the 20 steps, mean over the 20 lanes), which is what the " +
                "TensorFlow code's `reduce_sum(loss) / batch_size` optimises and what lr 1.0 was tuned for. Validation in the " +
                "same stream mode (batch 20, 20 steps, state carried). PyTorch-style separate input and recurrent biases, both U(±0.1).",
        },
        new()
        {
            Name = "ptb-medium",
            Title = "Penn Treebank, Zaremba et al. (2014) medium LSTM",
            Reference = "Zaremba et al. \"medium\": 2×650 LSTM, 35 steps, batch 20, dropout 0.5, init U(±0.05), SGD lr 1.0 for 6 " +
                "epochs then ×0.8 per epoch, clip 5, 39 epochs. Published: about 86 validation / 82 test perplexity.",
            Corpus = CorpusKind.PennTreebank,
            Cell = CellKind.Lstm,
            EmbeddingSize = 650,
            HiddenSize = 650,
            Layers = 2,
            Dropout = 0.5f,
            InitRange = 0.05f,
            BatchSize = 20,
            Steps = 35,
            Optimizer = OptimizerKind.Sgd,
            LearningRate = 1.0,
            Schedule = ScheduleKind.StepDecay,
            ConstantEpochs = 6,
            DecayFactor = 0.8,
            LossNormalization = Training.LossNormalization.SumPerSequence,
            MaxGradientNorm = 5,
            Epochs = 39,
            EvaluationsPerEpoch = 4,
            ProgressInterval = 20,
            ShowRandomBaseline = true,
            Target = new("validation perplexity ≤ 86 at the end of epoch 39 (published figure)", "perplexity", 86, 39),
            Notes = "Window 35 and init ±0.05 as in the TensorFlow reproduction's medium configuration.",
        },
    ];

    /// <summary>Finds an experiment by name (case-insensitive), or null.</summary>
    public static Experiment? Find(string name) =>
        All.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase));
}
