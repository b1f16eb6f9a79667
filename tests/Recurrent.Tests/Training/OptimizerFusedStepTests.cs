using System.Numerics.Tensors;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Recurrent.Models;
using Recurrent.Training;
using Recurrent.Training.Optimizers;

namespace Recurrent.Tests.Training;

// The fused step (scale each gradient as it is read, optionally zero it in the same pass) must give bitwise the
// parameters and state of scaling the buffer first and then taking the plain step; and a trainer that relies on the
// optimizer's zeroing must still start every backward pass from a zero gradient.
public class OptimizerFusedStepTests
{
    private static readonly string[] s_names = ["adam", "adam-l2", "adamw", "sgd", "sgd-wd", "momentum", "nesterov", "adagrad", "rmsprop"];

    [Property(MaxTest = 60)]
    public Property Fused_scale_and_clear_equal_scaling_then_stepping_bitwise()
    {
        Gen<(string Name, int Length, int Seed, float Scale, bool Clear, int Steps)> gen =
            from name in Gen.Elements(s_names)
            from length in Gen.Choose(1, 100)
            from seed in Gen.Choose(0, int.MaxValue)
            from exponent in Gen.Choose(-30, 10)
            from mantissa in Gen.Choose(1, 1 << 23)
            from negative in Gen.Elements(false, false, false, true)
            from one in Gen.Elements(false, false, false, true)
            from clear in Gen.Elements(false, true)
            from steps in Gen.Choose(1, 3)
            let magnitude = MathF.ScaleB(1f + (mantissa / (float)(1 << 23)), exponent)
            select (name, length, seed, one ? 1f : negative ? -magnitude : magnitude, clear, steps);
        return Prop.ForAll(gen.ToArbitrary(), c =>
        {
            var random = new DeterministicRandom(c.Seed);
            float[] p = new float[c.Length];
            for (int i = 0; i < p.Length; i++)
            {
                p[i] = (random.NextSingle() * 4f) - 2f;
            }

            Optimizer optimizer = Create(c.Name);
            float[] separate = (float[])p.Clone();
            float[] fused = (float[])p.Clone();
            OptimizerState separateState = optimizer.CreateState(c.Length);
            OptimizerState fusedState = optimizer.CreateState(c.Length);
            for (int step = 0; step < c.Steps; step++)
            {
                float[] g = new float[c.Length];
                for (int i = 0; i < g.Length; i++)
                {
                    // Magnitudes over many binades, some exact zeros of either sign.
                    int kind = random.Next(8);
                    g[i] = kind == 0 ? 0f : kind == 1 ? -0f : ((random.NextSingle() * 2f) - 1f) * MathF.ScaleB(1f, random.Next(-20, 20));
                }

                float[] scaled = (float[])g.Clone();
                TensorPrimitives.Multiply(scaled, c.Scale, scaled);
                optimizer.Step(separateState, separate, scaled, 0.01f);

                float[] read = (float[])g.Clone();
                optimizer.Step(fusedState, fused, read, 0.01f, c.Scale, c.Clear);
                if (c.Clear)
                {
                    Assert.All(read, x => Assert.Equal(0, BitConverter.SingleToInt32Bits(x)));
                }
                else
                {
                    Assert.Equal(Bits(g), Bits(read));
                }
            }

            Assert.Equal(Bits(separate), Bits(fused));
            Assert.Equal(separateState.StepCount, fusedState.StepCount);
            foreach ((string name, float[] buffer) in separateState.Buffers)
            {
                Assert.Equal(Bits(buffer), Bits(fusedState.Buffers[name]));
            }
        });
    }

    [Fact]
    public void Fused_step_rejects_a_non_finite_scale()
    {
        var optimizer = new Adam();
        OptimizerState state = optimizer.CreateState(2);
        float[] p = [1f, 2f];
        float[] g = [0.5f, -0.5f];
        Assert.Throws<ArgumentOutOfRangeException>("gradientScale", () => optimizer.Step(state, p, g, 0.01f, float.NaN, clearGradients: true));
        Assert.Throws<ArgumentOutOfRangeException>("gradientScale", () => optimizer.Step(state, p, g, 0.01f, float.PositiveInfinity, clearGradients: false));
        Assert.Equal(0, state.StepCount);
        Assert.Equal([0.5f, -0.5f], g);
    }

    [Fact]
    public void Trainer_starts_every_backward_pass_from_zero_gradients_while_skipping_redundant_zeroing()
    {
        const int V = 6;
        var source = new MarkovSource(V, order: 1, seed: 5);
        var train = MemoryDataset.Stream(source.Generate(1201, 1), batchSize: 4, steps: 10);
        var valid = MemoryDataset.Stream(source.Generate(401, 2), batchSize: 4, steps: 10);
        var model = new ZeroCheckingModel(new TinyModel(V));
        var trainer = new Trainer(model, new TrainerOptions
        {
            Epochs = 2,
            Optimizer = new Adam(),
            LearningRate = 0.01,
            MaxGradientNorm = 0.1f, // small: clipping is active
            ProgressInterval = 3,
            EvaluationInterval = 5,
        });
        int evaluations = 0;
        trainer.Evaluated += (_, _) => evaluations++;
        TrainingResult result = trainer.Fit(train, valid, new Progress<TrainingProgress>(), TestContext.Current.CancellationToken);
        Assert.Equal(2 * train.BatchesPerEpoch, result.Steps);
        Assert.True(evaluations > 0);
        Assert.Equal(result.Steps, model.BackwardCalls);
        Assert.Equal(0, model.BackwardsFromNonZeroGradients);
        Assert.InRange(model.ZeroGradientsCalls, 1, result.Steps - 1);
        Assert.All(model.Gradients.ToArray(), g => Assert.Equal(0f, g));
    }

    private static int[] Bits(float[] x) => [.. x.Select(BitConverter.SingleToInt32Bits)];

    private static Optimizer Create(string name) => name switch
    {
        "adam" => new Adam(),
        "adam-l2" => new Adam { WeightDecay = 0.1f },
        "adamw" => new AdamW { WeightDecay = 0.1f },
        "sgd" => new Sgd(),
        "sgd-wd" => new Sgd { WeightDecay = 0.01f },
        "momentum" => new Sgd { Momentum = 0.9f },
        "nesterov" => new Sgd { Momentum = 0.9f, Nesterov = true, WeightDecay = 0.01f },
        "adagrad" => new Adagrad { WeightDecay = 0.01f },
        _ => new RmsProp { WeightDecay = 0.01f },
    };

    // Counts zeroing calls and checks, at each backward pass, that the gradient buffer it accumulates into is zero.
    private sealed class ZeroCheckingModel(TinyModel inner) : IRecurrentModel
    {
        public int ZeroGradientsCalls { get; private set; }

        public int BackwardCalls { get; private set; }

        public int BackwardsFromNonZeroGradients { get; private set; }

        public RecurrentModelOptions Options => inner.Options;

        public IReadOnlyList<ParameterTensor> Tensors => inner.Tensors;

        public int ParameterCount => inner.ParameterCount;

        public Span<float> Parameters => inner.Parameters;

        public Span<float> Gradients => inner.Gradients;

        public RecurrentState CreateState(int batchSize) => inner.CreateState(batchSize);

        public LossSum Forward(ReadOnlySpan<int> inputs, ReadOnlySpan<int> targets, ReadOnlySpan<float> mask, RecurrentState state, ForwardMode mode, Random? random = null) =>
            inner.Forward(inputs, targets, mask, state, mode, random);

        public void Backward()
        {
            BackwardCalls++;
            if (inner.Gradients.ContainsAnyExcept(0f))
            {
                BackwardsFromNonZeroGradients++;
            }

            inner.Backward();
        }

        public void ZeroGradients()
        {
            ZeroGradientsCalls++;
            inner.ZeroGradients();
        }

        public void Step(ReadOnlySpan<int> tokenIds, RecurrentState state, Span<float> logits) => inner.Step(tokenIds, state, logits);
    }
}
