// The README's library quick start, verbatim between the snippet markers. ReadmeTests checks that the README
// shows exactly this code and runs it, so the README cannot drift from the API.
#pragma warning disable IDE0005 // "using Recurrent;" is redundant inside Recurrent.Tests but needed in a user's program.
// begin-snippet: quick-start
using Recurrent;
using Recurrent.Data;
using Recurrent.Models;
using Recurrent.Sampling;
using Recurrent.Serialization;
using Recurrent.Text;
using Recurrent.Training;
// end-snippet: quick-start

namespace Recurrent.Tests.Docs;

internal static class QuickStart
{
    public static IReadOnlyList<string> Run(IEnumerable<string> comments, string modelPath)
    {
        // begin-snippet: quick-start
        // 1. Text → token ids: NLTK-style word tokens, lower-cased, a 4,000-word vocabulary with the original's
        //    UNKNOWN_TOKEN, SENTENCE_START and SENTENCE_END, one sentence per sequence.
        EncodedCorpus corpus = TextPipeline.Build(comments, new TextPipelineOptions
        {
            Tokenizer = new WordTokenizer(new WordTokenizerOptions { LowerCase = true }),
            Vocabulary = new VocabularyOptions { MaxSize = 4000, SpecialTokens = SpecialTokens.Original },
            SplitSentences = true,
        });
        var (train, validation) = corpus.Split(validationFraction: 0.1, seed: 1);

        // 2. A model: embedding 32 → LSTM 64 → softmax over the vocabulary.
        var model = new Lstm(new RecurrentModelOptions
        {
            VocabularySize = corpus.Vocabulary.Count,
            EmbeddingSize = 32,
            HiddenSize = 64,
            Seed = 1,
        });

        // 3. Train: sentences batched 16 at a time, Adam, gradients clipped to norm 5.
        var trainer = new Trainer(model, new TrainerOptions { Epochs = 2, LearningRate = 0.01 });
        TrainingResult result = trainer.Fit(
            train.ToSentenceDataset(batchSize: 16, options: null),
            validation.ToSentenceDataset(batchSize: 16, options: null));
        Console.WriteLine($"validation perplexity {Math.Exp(result.BestValidationLoss):F1}");

        // 4. Sample sentences (SENTENCE_START … SENTENCE_END, never UNKNOWN_TOKEN), reproducibly.
        var sampler = new Sampler(model, corpus.Vocabulary, corpus.Tokenizer, random: new DeterministicRandom(7));
        IReadOnlyList<string> sentences = sampler.GenerateSentences(3);

        // 5. Save one self-describing file (weights + options + tokenizer + vocabulary) and load it back.
        ModelFile.Save(modelPath, model, corpus.Vocabulary, corpus.Tokenizer);
        ModelFile loaded = ModelFile.Load(modelPath);
        Console.WriteLine($"{loaded.Model.ParameterCount:N0} parameters, {loaded.Vocabulary!.Count} tokens");
        // end-snippet: quick-start
        return sentences;
    }
}
