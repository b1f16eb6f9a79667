using Recurrent.Models;
using Recurrent.Sampling;
using Recurrent.Text;

namespace Recurrent.Tests.Sampling;

public class SamplerTests
{
    private static readonly string[] s_sentences =
    [
        "the cat sat on the mat .",
        "a dog ran in the park .",
        "the bird sang a song .",
        "my friend read the book on the train .",
        "we saw a film about a cat and a dog .",
        "the rain fell on the town all day .",
    ];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static (IRecurrentModel Model, Vocabulary Vocabulary, WordTokenizer Tokenizer) WordSetup(CellKind cell = CellKind.Lstm, int layers = 2)
    {
        var tokenizer = new WordTokenizer(new WordTokenizerOptions { LowerCase = true });
        Vocabulary vocabulary = Vocabulary.Build(s_sentences.Select(s => tokenizer.Tokenize(s)), new VocabularyOptions { SpecialTokens = SpecialTokens.Original });
        IRecurrentModel model = RecurrentModel.Create(new RecurrentModelOptions
        {
            VocabularySize = vocabulary.Count,
            EmbeddingSize = 12,
            HiddenSize = 16,
            Layers = layers,
            Cell = cell,
            Seed = 7,
            InitRange = 0.5f,
        });
        return (model, vocabulary, tokenizer);
    }

    private static (IRecurrentModel Model, Vocabulary Vocabulary, CharTokenizer Tokenizer) CharSetup()
    {
        var tokenizer = new CharTokenizer();
        Vocabulary vocabulary = Vocabulary.Build(tokenizer.Tokenize(string.Join(' ', s_sentences)), new VocabularyOptions());
        IRecurrentModel model = RecurrentModel.Create(new RecurrentModelOptions
        {
            VocabularySize = vocabulary.Count,
            EmbeddingSize = 8,
            HiddenSize = 16,
            Layers = 2,
            Cell = CellKind.Lstm,
            Seed = 3,
            InitRange = 0.6f,
        });
        return (model, vocabulary, tokenizer);
    }

    public static TheoryData<CellKind> Cells() => [CellKind.Rnn, CellKind.Lstm, CellKind.Gru];

    [Theory]
    [MemberData(nameof(Cells))]
    public void Prompt_priming_equals_feeding_the_prompt_through_the_training_forward_pass(CellKind cell)
    {
        (IRecurrentModel model, Vocabulary vocabulary, WordTokenizer tokenizer) = WordSetup(cell);
        int[] prompt = [vocabulary.SentenceStartId!.Value, .. vocabulary.Encode(tokenizer.Tokenize("my friend saw the cat on the train"))];
        (RecurrentState primed, float[] logits) = new TokenGenerator(model, new SamplingOptions()).Prime(prompt);

        // Training forward over the same window from a zero state; only the last position counts in the loss, and its
        // target is "the", so the loss is −log softmax(primed logits)["the"].
        int the = vocabulary.GetId("the");
        int[] targets = [.. prompt[1..], the];
        float[] mask = new float[prompt.Length];
        mask[^1] = 1f;
        RecurrentState state = model.CreateState(1);
        LossSum loss = model.Forward(prompt, targets, mask, state, ForwardMode.Train);

        for (int l = 0; l < state.Layers; l++)
        {
            AssertClose(state.Hidden(l), primed.Hidden(l), 1e-5f);
            if (state.HasCellState)
            {
                AssertClose(state.Cell(l), primed.Cell(l), 1e-5f);
            }
        }

        double expected = -Math.Log(SamplingTestMath.Softmax(logits)[the]);
        Assert.Equal(1, loss.Count);
        Assert.Equal(expected, loss.Sum, 1e-4);
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public void Scoring_equals_the_training_loss_on_the_same_text(CellKind cell)
    {
        (IRecurrentModel model, Vocabulary vocabulary, WordTokenizer tokenizer) = WordSetup(cell);
        var sampler = new Sampler(model, vocabulary, tokenizer);
        const string text = "the dog sat on a mat in the rain .";
        TextScore score = sampler.Score(text);

        int[] ids = [vocabulary.SentenceStartId!.Value, .. vocabulary.Encode(tokenizer.Tokenize(text)), vocabulary.SentenceEndId!.Value];
        LossSum evaluate = model.Forward(ids.AsSpan(0, ids.Length - 1), ids.AsSpan(1), default, model.CreateState(1), ForwardMode.Evaluate);
        LossSum train = model.Forward(ids.AsSpan(0, ids.Length - 1), ids.AsSpan(1), default, model.CreateState(1), ForwardMode.Train);

        Assert.Equal(ids.Length - 1, score.TokenCount);
        Assert.Equal(evaluate.Count, score.TokenCount);
        Assert.Equal(evaluate.Sum, -score.LogProbability, 1e-4);
        Assert.Equal(train.Sum, -score.LogProbability, 1e-4);
        Assert.Equal(evaluate.Mean, score.CrossEntropy, 1e-5);
        Assert.Equal(evaluate.Perplexity, score.Perplexity, 1e-3);
        Assert.Equal(score.LogProbability, score.TokenLogProbabilities.Sum(), 1e-9);
    }

    [Fact]
    public void Batched_equals_one_by_one_on_a_real_model()
    {
        (IRecurrentModel model, Vocabulary vocabulary, WordTokenizer _) = WordSetup();
        var options = new SamplingOptions { Temperature = 0.9f, TopP = 0.95f, MaxLength = 12, MinLength = 2, StopTokenIds = [vocabulary.SentenceEndId!.Value] };
        int[] prompt = [vocabulary.SentenceStartId!.Value];
        GeneratedSequence[] batched = new TokenGenerator(model, options with { BatchSize = 8 }).Generate(prompt, 42, 20, cancellationToken: Ct);
        for (int i = 0; i < batched.Length; i++)
        {
            GeneratedSequence single = new TokenGenerator(model, options with { BatchSize = 1 }).Generate(prompt, 42, 1, i, Ct)[0];
            Assert.Equal(single.TokenIds, batched[i].TokenIds);
        }
    }

    [Fact]
    public void Sentences_start_at_the_start_token_stop_at_the_end_token_and_never_contain_the_unknown_token()
    {
        (IRecurrentModel model, Vocabulary vocabulary, WordTokenizer tokenizer) = WordSetup();

        // Make the unknown token the most likely next token everywhere.
        ParameterTensor bias = model.Tensors.Single(t => t.Name == "decoder.bias");
        model.Parameters[bias.Offset + vocabulary.UnknownId!.Value] += 4f;

        var sampler = new Sampler(model, vocabulary, tokenizer, new SamplingOptions { Seed = 1, MaxLength = 15 });
        IReadOnlyList<string> sentences = sampler.GenerateSentences(40);
        Assert.Equal(40, sentences.Count);
        Assert.All(sentences, s => Assert.DoesNotContain("UNKNOWN_TOKEN", s, StringComparison.Ordinal));
        Assert.All(sentences, s => Assert.DoesNotContain("SENTENCE_", s, StringComparison.Ordinal));

        IReadOnlyList<string> allowed = sampler.GenerateSentences(40, sampler.Options with { AllowUnknownToken = true });
        Assert.Contains(allowed, s => s.Contains("UNKNOWN_TOKEN", StringComparison.Ordinal));
    }

    [Fact]
    public void Short_sentences_are_resampled_until_the_minimum_length()
    {
        (IRecurrentModel model, Vocabulary vocabulary, WordTokenizer tokenizer) = WordSetup();

        // Make the sentence end very likely, so that most free sentences are short.
        ParameterTensor bias = model.Tensors.Single(t => t.Name == "decoder.bias");
        model.Parameters[bias.Offset + vocabulary.SentenceEndId!.Value] += 3f;
        var sampler = new Sampler(model, vocabulary, tokenizer, new SamplingOptions { Seed = 5, MaxLength = 30 });
        Assert.True(sampler.GenerateSentences(50).Count(s => tokenizer.Tokenize(s).Count < 4) > 10, "the model should favour short sentences");

        IReadOnlyList<string> sentences = sampler.GenerateSentences(50, sampler.Options with { MinLength = 4, MaxLength = 8 });
        Assert.All(sentences, s => Assert.InRange(tokenizer.Tokenize(s).Count, 4, 8));
    }

    [Fact]
    public void Character_generation_continues_the_seed_like_tflearn()
    {
        (IRecurrentModel model, Vocabulary vocabulary, CharTokenizer tokenizer) = CharSetup();
        var sampler = new Sampler(model, vocabulary, tokenizer, new SamplingOptions { Seed = 9 });
        string text = sampler.Generate(60, "the c", 0.5f);
        Assert.StartsWith("the c", text, StringComparison.Ordinal);
        Assert.Equal(65, text.Length);
        Assert.Equal(text, sampler.Generate(60, "the c", 0.5f)); // same seed, same text

        // Temperature 0 is greedy: step the model by hand.
        string greedy = sampler.Generate(20, "the c", 0f);
        RecurrentState state = model.CreateState(1);
        float[] logits = new float[vocabulary.Count];
        foreach (int id in vocabulary.Encode(tokenizer.Tokenize("the c")))
        {
            model.Step([id], state, logits);
        }

        var expected = new System.Text.StringBuilder("the c");
        for (int i = 0; i < 20; i++)
        {
            int best = SamplingTestMath.ArgMax(logits);
            expected.Append(vocabulary.GetToken(best));
            model.Step([best], state, logits);
        }

        Assert.Equal(expected.ToString(), greedy);
    }

    [Fact]
    public async Task Streamed_pieces_concatenate_to_the_generated_text()
    {
        (IRecurrentModel model, Vocabulary vocabulary, WordTokenizer tokenizer) = WordSetup();
        var sampler = new Sampler(model, vocabulary, tokenizer, new SamplingOptions { Seed = 3, MaxLength = 20 });
        string full = sampler.Generate("the cat");
        var pieces = sampler.Stream("the cat", cancellationToken: Ct).ToList();
        Assert.True(pieces.Count > 1 || full.Length == 0);
        Assert.Equal(full, string.Concat(pieces));

        var asyncPieces = new List<string>();
        await foreach (string piece in sampler.StreamAsync("the cat", cancellationToken: Ct))
        {
            asyncPieces.Add(piece);
        }

        Assert.Equal(pieces, asyncPieces);

        for (ulong seed = 10; seed < 30; seed++)
        {
            SamplingOptions options = sampler.Options with { Seed = seed, Temperature = 1.5f };
            Assert.Equal(sampler.Generate("the", options), string.Concat(sampler.Stream("the", options, Ct)));
        }

        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => sampler.Stream("the cat", cancellationToken: cts.Token).ToList());
    }

    [Fact]
    public void Stop_strings_end_the_text_before_the_stop_string()
    {
        (IRecurrentModel model, Vocabulary vocabulary, CharTokenizer tokenizer) = CharSetup();
        var options = new SamplingOptions { Seed = 4, MaxLength = 200, StopStrings = ["e", "ca"] };
        var sampler = new Sampler(model, vocabulary, tokenizer, options);
        string free = sampler.Generate("th", options with { StopStrings = [] });
        string stopped = sampler.Generate("th", options);
        int cut = new[] { free.IndexOf('e', StringComparison.Ordinal), free.IndexOf("ca", StringComparison.Ordinal) }.Where(i => i >= 0).DefaultIfEmpty(free.Length).Min();
        Assert.Equal(free[..cut], stopped);
        Assert.Equal(stopped, string.Concat(sampler.Stream("th", options, Ct)));
    }

    [Fact]
    public void Seeds_reproduce_and_unseeded_calls_vary()
    {
        (IRecurrentModel model, Vocabulary vocabulary, WordTokenizer tokenizer) = WordSetup();
        var first = new Sampler(model, vocabulary, tokenizer, new SamplingOptions { MaxLength = 15 });
        var second = new Sampler(model, vocabulary, tokenizer, new SamplingOptions { MaxLength = 15 });
        IReadOnlyList<string> a = first.GenerateSentences(5);
        IReadOnlyList<string> b = first.GenerateSentences(5);
        Assert.NotEqual(a, b);                         // a fresh seed per call
        Assert.Equal(a, second.GenerateSentences(5));  // but the same sequence of seeds for a fresh sampler
        var seeded = new SamplingOptions { MaxLength = 15, Seed = 12 };
        Assert.Equal(first.GenerateSentences(5, seeded), second.GenerateSentences(5, seeded));
        Assert.Equal(first.GenerateSentences(5, seeded)[0], first.GenerateSentence(seeded));
        var withRandom = new Sampler(model, vocabulary, tokenizer, new SamplingOptions { MaxLength = 15 }, new DeterministicRandom(77));
        var withRandomAgain = new Sampler(model, vocabulary, tokenizer, new SamplingOptions { MaxLength = 15 }, new DeterministicRandom(77));
        Assert.Equal(withRandom.GenerateSentences(3), withRandomAgain.GenerateSentences(3));
    }

    [Fact]
    public void Many_samplers_on_many_threads_share_one_model()
    {
        (IRecurrentModel model, Vocabulary vocabulary, WordTokenizer tokenizer) = WordSetup();
        const int Threads = 8;
        SamplingOptions Options(int i) => new() { Seed = (ulong)i, MaxLength = 20, BatchSize = 1 + (i % 3) };

        // Sequential reference results.
        var expected = new (IReadOnlyList<string> Sentences, double Score, string Beam)[Threads];
        for (int i = 0; i < Threads; i++)
        {
            var sampler = new Sampler(model, vocabulary, tokenizer, Options(i));
            expected[i] = (sampler.GenerateSentences(6), sampler.Score(s_sentences[i % s_sentences.Length]).LogProbability, sampler.BeamSearch("the", 3));
        }

        // The same work, all threads at once (a barrier makes them overlap), repeated a few times.
        var actual = new (IReadOnlyList<string> Sentences, double Score, string Beam)[Threads];
        using var barrier = new Barrier(Threads);
        var threads = Enumerable.Range(0, Threads).Select(i => new Thread(() =>
        {
            var sampler = new Sampler(model, vocabulary, tokenizer, Options(i));
            barrier.SignalAndWait(Ct);
            for (int repeat = 0; repeat < 3; repeat++)
            {
                actual[i] = (sampler.GenerateSentences(6), sampler.Score(s_sentences[i % s_sentences.Length]).LogProbability, sampler.BeamSearch("the", 3));
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        for (int i = 0; i < Threads; i++)
        {
            Assert.Equal(expected[i].Sentences, actual[i].Sentences);
            Assert.Equal(expected[i].Score, actual[i].Score);
            Assert.Equal(expected[i].Beam, actual[i].Beam);
        }
    }

    [Fact]
    public void Predict_gives_the_argmax_after_each_position()
    {
        (IRecurrentModel model, Vocabulary vocabulary, WordTokenizer tokenizer) = WordSetup();
        var sampler = new Sampler(model, vocabulary, tokenizer);
        IReadOnlyList<string> predicted = sampler.Predict("the cat sat");
        int[] ids = [vocabulary.SentenceStartId!.Value, .. vocabulary.Encode(tokenizer.Tokenize("the cat sat"))];
        Assert.Equal(ids.Length, predicted.Count);
        RecurrentState state = model.CreateState(1);
        float[] logits = new float[vocabulary.Count];
        for (int t = 0; t < ids.Length; t++)
        {
            model.Step([ids[t]], state, logits);
            Assert.Equal(vocabulary.GetToken(SamplingTestMath.ArgMax(logits)), predicted[t]);
        }
    }

    [Fact]
    public void Beam_search_text_is_the_detokenized_best_hypothesis()
    {
        (IRecurrentModel model, Vocabulary vocabulary, WordTokenizer tokenizer) = WordSetup();
        var sampler = new Sampler(model, vocabulary, tokenizer, new SamplingOptions { MaxLength = 10 });
        string greedy = sampler.Generate("the", sampler.Options with { Temperature = 0f });
        Assert.Equal(greedy, sampler.BeamSearch("the", beamWidth: 1));
        string beam = sampler.BeamSearch("", beamWidth: 4, lengthPenalty: 0);
        Assert.DoesNotContain("SENTENCE_", beam, StringComparison.Ordinal);
    }

    [Fact]
    public void Misuse_throws()
    {
        (IRecurrentModel model, Vocabulary vocabulary, CharTokenizer tokenizer) = CharSetup();
        var sampler = new Sampler(model, vocabulary, tokenizer);
        Assert.Throws<ArgumentException>(() => sampler.Generate(""));
        Assert.Throws<InvalidOperationException>(() => sampler.GenerateSentence());
        Assert.Throws<ArgumentOutOfRangeException>(() => sampler.Generate(-1, "a", 1f));
        (IRecurrentModel wordModel, _, _) = WordSetup();
        Assert.Throws<ArgumentException>(() => new Sampler(wordModel, vocabulary, tokenizer));
        Assert.Throws<ArgumentNullException>(() => new Sampler(model, null!, tokenizer));
    }

    private static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, float tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"element {i}: {expected[i]} vs {actual[i]}");
        }
    }
}
