using Recurrent.Training.Optimizers;

namespace Recurrent.Tests.Training;

// The optimizers run vector blocks plus a scalar tail; each element must get exactly the scalar result, whatever
// its position (a one-element buffer runs only the scalar tail).
public class OptimizerVectorTests
{
    public static TheoryData<string, int> Cases
    {
        get
        {
            var data = new TheoryData<string, int>();
            foreach (string name in new[] { "adam", "adam-l2", "adamw", "sgd", "sgd-wd", "momentum" })
            {
                foreach (int n in new[] { 1, 7, 8, 15, 16, 17, 33, 100 })
                {
                    data.Add(name, n);
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Vector_blocks_match_the_scalar_path_bitwise(string name, int length)
    {
        var random = new DeterministicRandom(length);
        float[] p = new float[length];
        float[][] grads = [new float[length], new float[length], new float[length]];
        for (int i = 0; i < length; i++)
        {
            p[i] = (random.NextSingle() * 4f) - 2f;
            foreach (float[] g in grads)
            {
                g[i] = (random.NextSingle() * 2f) - 1f;
            }
        }

        Optimizer optimizer = Create(name);
        float[] whole = (float[])p.Clone();
        OptimizerState state = optimizer.CreateState(length);
        foreach (float[] g in grads)
        {
            optimizer.Step(state, whole, g, 0.01f);
        }

        for (int i = 0; i < length; i++)
        {
            float[] one = [p[i]];
            OptimizerState single = optimizer.CreateState(1);
            foreach (float[] g in grads)
            {
                optimizer.Step(single, one, [g[i]], 0.01f);
            }

            Assert.Equal(BitConverter.SingleToInt32Bits(one[0]), BitConverter.SingleToInt32Bits(whole[i]));
        }
    }

    [Theory]
    [InlineData("adam")]
    [InlineData("adam-l2")]
    [InlineData("adamw")]
    public void Large_buffers_split_over_threads_give_the_same_bits(string name)
    {
        // Above 2^18 parameters Adam's pass runs in ranges on the worker pool; an odd length leaves a scalar tail.
        const int Length = (1 << 18) + 37;
        var random = new DeterministicRandom(3);
        float[] p0 = new float[Length];
        float[] g0 = new float[Length];
        for (int i = 0; i < Length; i++)
        {
            p0[i] = (random.NextSingle() * 4f) - 2f;
            g0[i] = (random.NextSingle() * 2f) - 1f;
        }

        int saved = ComputeSettings.MaxDegreeOfParallelism;
        try
        {
            (float[] P, float[] G) Run(int threads)
            {
                ComputeSettings.MaxDegreeOfParallelism = threads;
                Optimizer optimizer = Create(name);
                OptimizerState state = optimizer.CreateState(Length);
                float[] p = (float[])p0.Clone();
                float[] g = (float[])g0.Clone();
                optimizer.Step(state, p, g, 0.01f, gradientScale: 0.5f, clearGradients: false);
                optimizer.Step(state, p, g, 0.01f, gradientScale: 0.25f, clearGradients: true);
                return (p, g);
            }

            var one = Run(1);
            Assert.All(one.G, x => Assert.Equal(0f, x));
            foreach (int threads in new[] { 2, 3 })
            {
                var many = Run(threads);
                Assert.Equal(one.P, many.P);
                Assert.Equal(one.G, many.G);
            }
        }
        finally
        {
            ComputeSettings.MaxDegreeOfParallelism = saved;
        }
    }

    private static Optimizer Create(string name) => name switch
    {
        "adam" => new Adam(),
        "adam-l2" => new Adam { WeightDecay = 0.1f },
        "adamw" => new AdamW { WeightDecay = 0.1f },
        "sgd" => new Sgd(),
        "sgd-wd" => new Sgd { WeightDecay = 0.01f },
        _ => new Sgd { Momentum = 0.9f },
    };
}
