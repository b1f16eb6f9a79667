namespace Recurrent.Cli;

/// <summary>
/// The built-in corpus: sentences drawn from a small stochastic grammar whose true entropy is known exactly,
/// so a run can compare the model's perplexity with the best any model can reach.
/// </summary>
/// <remarks>
/// The grammar is a deterministic probabilistic automaton: from each state every transition emits a different
/// word, so a sentence determines its path through the states and the entropy of the sentences equals the
/// entropy of the paths. With <c>v(s)</c> the expected number of visits to state <c>s</c> per sentence and
/// <c>H(s)</c> the entropy of its transition distribution, a sentence carries <c>Σ v(s)·H(s)</c> nats over
/// <c>Σ v(s) + 1</c> predicted tokens (every word plus the sentence-end token, which follows "." with
/// certainty). Their ratio is the entropy rate per token; <c>exp</c> of it is the best achievable perplexity.
/// </remarks>
internal static class ToyGrammar
{
    /// <summary>The state every sentence starts in.</summary>
    private const string Start = "S";

    /// <summary>The state reached after the final ".".</summary>
    private const string End = "END";

    // state → (word, next state, probability); probabilities in each state sum to 1.
    private static readonly Dictionary<string, (string Word, string Next, double P)[]> s_rules = new()
    {
        ["S"] = [("the", "A1", 0.40), ("a", "A1", 0.25), ("my", "A1", 0.15), ("she", "V", 0.10), ("he", "V", 0.10)],
        ["A1"] = [("small", "N1", 0.20), ("old", "N1", 0.15), ("red", "N1", 0.10), ("cat", "V", 0.15), ("dog", "V", 0.15), ("bird", "V", 0.10), ("child", "V", 0.15)],
        ["N1"] = [("cat", "V", 0.30), ("dog", "V", 0.30), ("bird", "V", 0.20), ("child", "V", 0.20)],
        ["V"] = [("sees", "O", 0.30), ("likes", "O", 0.25), ("chases", "O", 0.20), ("sleeps", "E", 0.15), ("runs", "E", 0.10)],
        ["O"] = [("the", "A2", 0.50), ("a", "A2", 0.30), ("her", "A2", 0.20)],
        ["A2"] = [("small", "N2", 0.20), ("old", "N2", 0.10), ("cat", "T", 0.20), ("dog", "T", 0.20), ("ball", "T", 0.15), ("tree", "T", 0.15)],
        ["N2"] = [("cat", "T", 0.25), ("dog", "T", 0.25), ("ball", "T", 0.25), ("tree", "T", 0.25)],
        ["E"] = [("quickly", "T", 0.30), ("today", "T", 0.20), (".", End, 0.50)],
        ["T"] = [(".", End, 0.60), ("and", Start, 0.20), ("today", "D", 0.20)],
        ["D"] = [(".", End, 1.00)],
    };

    /// <summary>Draws one sentence (its words, ending with ".").</summary>
    /// <param name="random">The generator to draw from.</param>
    /// <returns>The words of the sentence.</returns>
    public static List<string> Sample(Random random)
    {
        var words = new List<string>();
        string state = Start;
        while (state != End)
        {
            double u = random.NextDouble();
            var rules = s_rules[state];
            var chosen = rules[^1];
            foreach (var rule in rules)
            {
                if (u < rule.P)
                {
                    chosen = rule;
                    break;
                }

                u -= rule.P;
            }

            words.Add(chosen.Word);
            state = chosen.Next;
        }

        return words;
    }

    /// <summary>Draws <paramref name="count"/> sentences as text (words separated by spaces), reproducibly.</summary>
    /// <param name="count">How many sentences.</param>
    /// <param name="seed">The seed of the <see cref="DeterministicRandom"/> they are drawn with.</param>
    /// <returns>The sentences, lazily.</returns>
    public static IEnumerable<string> Sentences(int count, int seed)
    {
        var random = new DeterministicRandom(seed);
        for (int i = 0; i < count; i++)
        {
            yield return string.Join(' ', Sample(random));
        }
    }

    /// <summary>Gets the exact entropy rate of the grammar in nats per predicted token (words plus sentence end).</summary>
    /// <returns>The entropy rate.</returns>
    public static double EntropyPerToken()
    {
        // Expected visits per sentence: v = e_S + v·P, solved by fixed-point iteration (the only loop, "and",
        // returns to S with probability < 1, so the iteration contracts).
        var visits = s_rules.Keys.ToDictionary(s => s, _ => 0.0);
        for (int iteration = 0; iteration < 10_000; iteration++)
        {
            var next = s_rules.Keys.ToDictionary(s => s, s => s == Start ? 1.0 : 0.0);
            foreach (var (state, rules) in s_rules)
            {
                foreach (var (_, to, p) in rules)
                {
                    if (to != End)
                    {
                        next[to] += visits[state] * p;
                    }
                }
            }

            double change = s_rules.Keys.Max(s => Math.Abs(next[s] - visits[s]));
            visits = next;
            if (change < 1e-15)
            {
                break;
            }
        }

        double entropy = 0, tokens = 1; // + 1: the sentence-end token, predicted with certainty
        foreach (var (state, rules) in s_rules)
        {
            entropy += visits[state] * -rules.Sum(r => r.P * Math.Log(r.P));
            tokens += visits[state];
        }

        return entropy / tokens;
    }
}
