// A program that uses Recurrent the way a package consumer does: only its public API.
using Recurrent;
using Recurrent.Models;

var random = new DeterministicRandom(7);
var state = new RecurrentState(layers: 2, batchSize: 1, hiddenSize: 8, hasCellState: true);
state.Hidden(0)[0] = random.NextSingle();
Console.WriteLine($"Recurrent consumer: state of {state.Layers} layers x {state.HiddenSize} units, first value {state.Hidden(0)[0]:F4}");
return state.Hidden(0)[0] is >= 0f and < 1f ? 0 : 1;
