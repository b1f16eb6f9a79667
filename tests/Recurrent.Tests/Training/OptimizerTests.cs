using Recurrent.Training.Optimizers;

namespace Recurrent.Tests.Training;

// Expected values are the PyTorch formulas evaluated by hand (in double) for p = [1, −2, 0.5] and the
// gradients g1 = [0.1, −0.3, 2] then g2 = [−0.2, 0.4, 1].
public class OptimizerTests
{
    private static readonly float[] s_p0 = [1f, -2f, 0.5f];
    private static readonly float[] s_g1 = [0.1f, -0.3f, 2f];
    private static readonly float[] s_g2 = [-0.2f, 0.4f, 1f];

    public static TheoryData<string, Optimizer, float, double[], double[]> Cases => new()
    {
        // plain SGD: p − lr·g
        { "sgd", new Sgd(), 0.1f, [0.99, -1.97, 0.3], [1.01, -2.01, 0.2] },
        // L2: g + 0.01·p
        { "sgd-wd", new Sgd { WeightDecay = 0.01f }, 0.1f, [0.989, -1.968, 0.2995], [1.008011, -2.006032, 0.1992005] },
        // heavy ball: buf = 0.9·buf + g
        { "momentum", new Sgd { Momentum = 0.9f }, 0.1f, [0.99, -1.97, 0.3], [1.001, -1.983, 0.02] },
        // Nesterov: step along g + 0.9·buf
        { "nesterov", new Sgd { Momentum = 0.9f, Nesterov = true }, 0.1f, [0.981, -1.943, 0.12], [1.0109, -1.9947, -0.232] },
        // Adam's first step moves every weight by lr·sign(g)
        { "adam", new Adam(), 0.01f, [0.99, -1.99, 0.49], [0.9936610360388488, -1.9919351043699691, 0.480678203720851] },
        { "adam-l2", new Adam { WeightDecay = 0.1f }, 0.01f, [0.99, -1.99, 0.49], [0.9873751971761288, -1.9865601455181707, 0.48064450623449995] },
        // AdamW: shrink by (1 − lr·wd) first
        { "adamw", new AdamW { WeightDecay = 0.1f }, 0.01f, [0.989, -1.988, 0.4895], [0.9916720360378488, -1.9879471043696357, 0.479688703720801] },
        // RMSProp's first step: g / sqrt(0.01·g²) = 10·sign(g)
        { "rmsprop", new RmsProp(), 0.01f, [0.9000001, -1.90000003, 0.400000005], [0.9895323561269267, -1.9801444072456034, 0.355098681509435] },
        // Adagrad's first step: g/|g| = sign(g)
        { "adagrad", new Adagrad(), 0.1f, [0.9, -1.9, 0.4], [0.9894427191599915, -1.98, 0.35527864045700425] },
        { "adagrad-init", new Adagrad { InitialAccumulatorValue = 0.1f }, 0.1f, [0.9698488655513146, -1.931175279854621, 0.40122704033991907], [1.0214886434874135, -1.9987876202214736, 0.3569462960648751] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Two_steps_match_hand_computed_values(string name, Optimizer optimizer, float learningRate, double[] afterFirst, double[] afterSecond)
    {
        float[] p = (float[])s_p0.Clone();
        OptimizerState state = optimizer.CreateState(p.Length);
        optimizer.Step(state, p, s_g1, learningRate);
        AssertClose(afterFirst, p, name + " step 1");
        optimizer.Step(state, p, s_g2, learningRate);
        AssertClose(afterSecond, p, name + " step 2");
        Assert.Equal(2, state.StepCount);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Exported_state_continues_identically(string name, Optimizer optimizer, float learningRate, double[] afterFirst, double[] afterSecond)
    {
        _ = afterFirst;
        _ = afterSecond;
        float[] p = (float[])s_p0.Clone();
        OptimizerState state = optimizer.CreateState(p.Length);
        optimizer.Step(state, p, s_g1, learningRate);

        // Export as plain named arrays + counter, import into a new state object, continue both.
        var imported = new OptimizerState(state.OptimizerName, state.ParameterCount, state.StepCount, state.Buffers);
        optimizer.ValidateState(imported, p.Length);
        float[] q = (float[])p.Clone();
        optimizer.Step(state, p, s_g2, learningRate);
        optimizer.Step(imported, q, s_g2, learningRate);
        Assert.Equal(p, q);
        Assert.True(name.Length > 0);
    }

    [Fact]
    public void State_names_follow_pytorch()
    {
        Assert.Equal(["exp_avg", "exp_avg_sq"], new Adam().CreateState(3).Buffers.Keys.Order());
        Assert.Equal(["square_avg"], new RmsProp().CreateState(3).Buffers.Keys);
        Assert.Equal(["sum"], new Adagrad().CreateState(3).Buffers.Keys);
        Assert.Equal(["momentum_buffer"], new Sgd { Momentum = 0.5f }.CreateState(3).Buffers.Keys);
        Assert.Empty(new Sgd().CreateState(3).Buffers);
    }

    [Fact]
    public void Mismatched_state_or_lengths_throw()
    {
        var adam = new Adam();
        OptimizerState sgdState = new Sgd().CreateState(3);
        Assert.Throws<ArgumentException>(() => adam.Step(sgdState, new float[3], new float[3], 0.1f));
        Assert.Throws<ArgumentException>(() => adam.ValidateState(sgdState, 3));
        OptimizerState state = adam.CreateState(3);
        Assert.Throws<ArgumentException>(() => adam.Step(state, new float[4], new float[4], 0.1f));
        Assert.Throws<ArgumentException>(() => adam.Step(state, new float[3], new float[2], 0.1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => adam.Step(state, new float[3], new float[3], -1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam { Beta1 = 1f });
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd { Momentum = -0.1f });
        Assert.Throws<ArgumentOutOfRangeException>(() => new RmsProp { Epsilon = 0f });
        Assert.Throws<ArgumentException>(() => new OptimizerState("adam", 3, 0, new Dictionary<string, float[]> { ["exp_avg"] = new float[2] }));
    }

    [Fact]
    public void CopyTo_snapshots_without_sharing_buffers()
    {
        var adam = new Adam();
        float[] p = (float[])s_p0.Clone();
        OptimizerState state = adam.CreateState(3);
        adam.Step(state, p, s_g1, 0.01f);
        OptimizerState copy = adam.CreateState(3);
        state.CopyTo(copy);
        adam.Step(state, p, s_g2, 0.01f);
        Assert.Equal(1, copy.StepCount);
        Assert.NotEqual(state.Buffers["exp_avg"], copy.Buffers["exp_avg"]);
    }

    private static void AssertClose(double[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 2e-6 * Math.Max(1, Math.Abs(expected[i])), $"{what}[{i}]: expected {expected[i]}, got {actual[i]}");
        }
    }
}
