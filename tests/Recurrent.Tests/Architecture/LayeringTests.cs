using System.Reflection;
using System.Text;
using Recurrent.Models;

namespace Recurrent.Tests.Architecture;

/// <summary>
/// Enforces the dependency direction of the library's layers (docs/architecture.md) over every type of the
/// assembly, internal and compiler-generated ones included, and every type their declarations, signatures,
/// fields, locals and IL refer to.
/// </summary>
/// <remarks>
/// A layer may use the layers below it, directly or not (Training may call Numerics although it reaches it
/// through Models), and the root namespace <c>Recurrent</c> (DeterministicRandom, ComputeSettings). Nothing may
/// use a layer above it or beside it. The one narrow edge: Serialization sees Training's state types only (to
/// write and read checkpoints); nothing else uses Training.
/// </remarks>
public sealed class LayeringTests
{
    private const string Root = "Recurrent";

    // The direct edges of the design; Allowed() closes them transitively.
    private static readonly Dictionary<string, string[]> s_uses = new(StringComparer.Ordinal)
    {
        [Root] = [],
        ["Text"] = [],
        ["Numerics"] = [],
        ["Data"] = ["Text"],
        ["Models"] = ["Numerics"],
        ["Training"] = ["Models", "Data"],
        ["Sampling"] = ["Models", "Data", "Text"],
        ["Serialization"] = ["Models", "Text"],
    };

    // What Serialization may see of Training: the run state a checkpoint stores, nothing that trains.
    private static readonly HashSet<string> s_trainingStateTypes = new(StringComparer.Ordinal)
    {
        "Recurrent.Training.TrainingState",
        "Recurrent.Training.TrainingCounters",
        "Recurrent.Training.Optimizers.OptimizerState",
        "Recurrent.Training.Schedules.ScheduleState",
    };

    private static readonly Assembly s_library = typeof(IRecurrentModel).Assembly;

    [Fact]
    public void Every_namespace_of_the_library_belongs_to_a_known_layer()
    {
        string[] unknown = [.. s_library.GetTypes()
            .Select(t => t.Namespace)
            .OfType<string>()
            .Where(IsLibraryNamespace)
            .Distinct()
            .Where(n => !s_uses.ContainsKey(Layer(n)))
            .Order(StringComparer.Ordinal)];
        Assert.True(unknown.Length == 0, "Namespaces outside the known layers (add them to the layering rules): " + string.Join(", ", unknown));
    }

    [Fact]
    public void Layers_depend_only_on_the_layers_below_them()
    {
        var violations = new SortedDictionary<string, string>(StringComparer.Ordinal);
        int scanned = 0;
        int references = 0;
        foreach (Type type in s_library.GetTypes())
        {
            if (type.Namespace is not string ns || !IsLibraryNamespace(ns))
            {
                continue; // <Module>, <PrivateImplementationDetails>, embedded compiler attributes
            }

            scanned++;
            string from = Layer(ns);
            foreach (TypeReferences.Reference reference in TypeReferences.Of(type))
            {
                references++;
                Type target = reference.Target;
                if (target.Assembly != s_library || target.Namespace is not string targetNs || !IsLibraryNamespace(targetNs))
                {
                    continue;
                }

                string to = Layer(targetNs);
                if (!Allowed(from, to, target))
                {
                    string key = $"{Name(type)} → {Name(target)}";
                    violations.TryAdd(key, $"{key}  ({from} → {to}, {reference.Via})");
                }
            }
        }

        Assert.True(scanned > 100, $"Only {scanned} types were scanned.");
        Assert.True(references > 1000, $"Only {references} references were found.");
        if (violations.Count > 0)
        {
            var message = new StringBuilder($"{violations.Count} reference(s) break the layering (type → dependency):");
            foreach (string line in violations.Values)
            {
                message.AppendLine().Append("  ").Append(line);
            }

            Assert.Fail(message.ToString());
        }
    }

    [Fact]
    public void The_rules_reject_upward_and_sideways_references()
    {
        // The rule table itself: a check that could never fail would prove nothing.
        Assert.False(Allowed("Text", "Data", typeof(Recurrent.Data.Batch)));
        Assert.False(Allowed("Numerics", "Models", typeof(IRecurrentModel)));
        Assert.False(Allowed("Models", "Training", typeof(Recurrent.Training.Trainer)));
        Assert.False(Allowed("Sampling", "Training", typeof(Recurrent.Training.TrainingState)));
        Assert.False(Allowed("Serialization", "Training", typeof(Recurrent.Training.Trainer)));
        Assert.False(Allowed("Serialization", "Data", typeof(Recurrent.Data.Batch)));
        Assert.False(Allowed("Training", "Serialization", typeof(Recurrent.Serialization.ModelFile)));
        Assert.False(Allowed("Training", "Sampling", typeof(Recurrent.Sampling.Sampler)));
        Assert.False(Allowed(Root, "Numerics", typeof(Recurrent.Numerics.Gemm)));
        Assert.True(Allowed("Serialization", "Training", typeof(Recurrent.Training.TrainingState)));
        Assert.True(Allowed("Training", "Numerics", typeof(Recurrent.Numerics.Gemm)));
        Assert.True(Allowed("Sampling", "Text", typeof(Recurrent.Text.Vocabulary)));
        Assert.True(Allowed("Data", Root, typeof(DeterministicRandom)));
    }

    [Fact]
    public void The_scanner_sees_references_that_only_method_bodies_make()
    {
        // BodyOnly mentions these types nowhere but inside its methods (a constructor call, a static call,
        // a generic method instantiation, a typeof, and a lambda's closure).
        Type[] seen = [.. TypeReferences.Of(typeof(BodyOnly)).Concat(typeof(BodyOnly).GetNestedTypes(BindingFlags.NonPublic).SelectMany(TypeReferences.Of)).Select(r => r.Target)];
        Assert.Contains(typeof(DeterministicRandom), seen);
        Assert.Contains(typeof(ComputeSettings), seen);
        Assert.Contains(typeof(Recurrent.Text.CharTokenizer), seen);
        Assert.Contains(typeof(Recurrent.Data.Batch), seen);
        Assert.Contains(typeof(RecurrentState), seen);
    }

    // Training → its layer, Models.Cells → Models, the root namespace → Root.
    private static string Layer(string ns) => ns == Root ? Root : ns[(Root.Length + 1)..].Split('.')[0];

    private static bool IsLibraryNamespace(string ns) => ns == Root || ns.StartsWith(Root + ".", StringComparison.Ordinal);

    private static bool Allowed(string from, string to, Type target)
    {
        if (from == to || to == Root)
        {
            return true;
        }

        if (from == "Serialization" && to == "Training")
        {
            return s_trainingStateTypes.Contains(target.FullName!);
        }

        var below = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(s_uses[from]);
        while (pending.TryPop(out string? layer))
        {
            if (below.Add(layer))
            {
                foreach (string next in s_uses[layer])
                {
                    pending.Push(next);
                }
            }
        }

        return below.Contains(to);
    }

    private static string Name(Type type) => type.FullName ?? type.Name;

    private static class BodyOnly
    {
        public static float Draw() => new DeterministicRandom(1).NextSingle() + ComputeSettings.MaxDegreeOfParallelism;

        public static int Describe() => Use<Recurrent.Text.CharTokenizer>() + typeof(Recurrent.Data.Batch).Name.Length;

        public static Func<int> Capture(int x) => () => x + new RecurrentState(1, 1, 1, hasCellState: false).AllHidden.Length;

        private static int Use<T>() => typeof(T).Name.Length;
    }
}
