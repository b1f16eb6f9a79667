// A program that uses Recurrent the way a package consumer does: only its public API, from the packed .nupkg.
using Recurrent;
using Recurrent.Models;
using Recurrent.Text;

var tokenizer = new CharTokenizer();
var vocabulary = Vocabulary.Build(tokenizer.Tokenize("hello recurrent world"), options: null);
IRecurrentModel model = RecurrentModel.Create(new RecurrentModelOptions
{
    VocabularySize = vocabulary.Count,
    EmbeddingSize = 8,
    HiddenSize = 16,
    Layers = 2,
    Cell = CellKind.Lstm,
    Seed = 7,
});
RecurrentState state = model.CreateState(batchSize: 1);
var logits = new float[vocabulary.Count];
model.Step([vocabulary.GetId("h")], state, logits);
int next = logits.AsSpan().IndexOf(logits.Max());
Console.WriteLine($"Recurrent consumer: {model.ParameterCount} parameters, {vocabulary.Count} symbols, next after 'h' would be '{vocabulary.GetToken(next)}'");
_ = new DeterministicRandom(1).NextDouble();
return logits.All(float.IsFinite) ? 0 : 1;
