using FsCheck;
using FsCheck.Xunit;
using Recurrent.Models;

namespace Recurrent.Tests.Models;

/// <summary>
/// Gradient checks. Step 1: the double-precision <see cref="ReferenceModel"/>'s analytic gradients (every parameter
/// and the carried initial state) against central finite differences, relative error ≤ 1e-6. Step 2: the float
/// model's loss, final state and gradients against the verified reference, with a float bound.
/// Each property takes the seed that builds the whole case (cell, 1–3 layers, sizes, tying, bias, mask, state), so
/// FsCheck's counterexample is the seed to replay.
/// </summary>
public class GradientCheckTests
{
    // Error measure: |a − b| / max(|a|, |b|, floor). The floor keeps gradients that are exactly or nearly zero from
    // turning round-off into a huge "relative" error.
    private const double Floor = 1e-3;

    [Property(MaxTest = 12)]
    public void Rnn_reference_matches_finite_differences(int seed) => ReferenceMatchesFiniteDifferences(CellKind.Rnn, seed);

    [Property(MaxTest = 12)]
    public void Lstm_reference_matches_finite_differences(int seed) => ReferenceMatchesFiniteDifferences(CellKind.Lstm, seed);

    [Property(MaxTest = 12)]
    public void Gru_reference_matches_finite_differences(int seed) => ReferenceMatchesFiniteDifferences(CellKind.Gru, seed);

    [Property(MaxTest = 30)]
    public void Rnn_model_matches_reference(int seed) => ModelMatchesReference(CellKind.Rnn, seed);

    [Property(MaxTest = 30)]
    public void Lstm_model_matches_reference(int seed) => ModelMatchesReference(CellKind.Lstm, seed);

    [Property(MaxTest = 30)]
    public void Gru_model_matches_reference(int seed) => ModelMatchesReference(CellKind.Gru, seed);

    internal static double RelativeError(double a, double b) => Math.Abs(a - b) / Math.Max(Math.Max(Math.Abs(a), Math.Abs(b)), Floor);

    private static void ReferenceMatchesFiniteDifferences(CellKind cell, int seed)
    {
        var k = new GradientCase(cell, seed);
        var reference = new ReferenceModel(k.Options, k.Model.Tensors);
        double[] p = [.. k.Model.Parameters.ToArray().Select(v => (double)v)];
        double[] h0 = [.. k.State.AllHidden.ToArray().Select(v => (double)v)];
        double[] c0 = [.. k.State.AllCell.ToArray().Select(v => (double)v)];
        double[] dp = new double[p.Length], dh0 = new double[h0.Length], dc0 = new double[c0.Length];
        reference.Gradients(p, k.Inputs, k.Targets, k.Mask, k.Batch, h0, c0, dp, dh0, dc0);

        double Loss() => reference.Loss(p, k.Inputs, k.Targets, k.Mask, k.Batch, h0, c0);
        CheckAgainstFiniteDifferences(p, dp, Loss, "parameter", k);
        CheckAgainstFiniteDifferences(h0, dh0, Loss, "h0", k);
        CheckAgainstFiniteDifferences(c0, dc0, Loss, "c0", k);
    }

    private static void CheckAgainstFiniteDifferences(double[] x, double[] analytic, Func<double> loss, string what, GradientCase k)
    {
        // Fourth-order central difference: (8(f(+e) − f(−e)) − (f(+2e) − f(−2e))) / 12e. Truncation O(e⁴) ≈ 1e-12 and
        // round-off ≈ 1e-16·|L|/e ≈ 1e-12 at e = 1e-3, far below the 1e-6 bound.
        const double e = 1e-3;
        for (int i = 0; i < x.Length; i++)
        {
            double saved = x[i];
            x[i] = saved + e;
            double f1 = loss();
            x[i] = saved - e;
            double m1 = loss();
            x[i] = saved + (2 * e);
            double f2 = loss();
            x[i] = saved - (2 * e);
            double m2 = loss();
            x[i] = saved;
            double numeric = ((8 * (f1 - m1)) - (f2 - m2)) / (12 * e);
            double err = RelativeError(analytic[i], numeric);
            Assert.True(err <= 1e-6, $"{what}[{i}]: analytic {analytic[i]:R} vs numeric {numeric:R} (rel {err:E2}) for {k}");
        }
    }

    private static void ModelMatchesReference(CellKind cell, int seed)
    {
        var k = new GradientCase(cell, seed);
        var reference = new ReferenceModel(k.Options, k.Model.Tensors);
        double[] p = [.. k.Model.Parameters.ToArray().Select(v => (double)v)];
        double[] h0 = [.. k.State.AllHidden.ToArray().Select(v => (double)v)];
        double[] c0 = [.. k.State.AllCell.ToArray().Select(v => (double)v)];
        double[] dp = new double[p.Length], dh0 = new double[h0.Length], dc0 = new double[c0.Length];
        double expectedLoss = reference.Gradients(p, k.Inputs, k.Targets, k.Mask, k.Batch, h0, c0, dp, dh0, dc0);

        // Both ways of feeding layer 0 from an embedding: looked up per position, and projected per vocabulary row then
        // gathered by id (what a window with several positions per id takes; see EmbeddingTableMinPositionsPerId).
        RecurrentState initial = k.State.Clone();
        int saved = RecurrentLanguageModel.EmbeddingTableMinPositionsPerId;
        try
        {
            foreach (int minPositionsPerId in new[] { int.MaxValue, 1 })
            {
                RecurrentLanguageModel.EmbeddingTableMinPositionsPerId = minPositionsPerId;
                string path = minPositionsPerId == 1 && k.Options.EmbeddingSize > 0 ? " (embedding table by id)" : "";
                k.Model.ZeroGradients();
                LossSum loss = k.Model.Forward(k.Inputs, k.Targets, k.Mask, initial.Clone(), ForwardMode.Train);
                k.Model.Backward();
                RecurrentLanguageModel core = RecurrentModel.GetCore(k.Model)!;

                // Float bound: inputs and parameters are exact in both; the float path rounds each product and sum
                // (unit round-off 6e-8) through at most ~T·L ≤ 12 chained steps with sums of ≤ 50 terms, so relative errors
                // stay near 1e-6; 1e-4 leaves a wide margin while still catching any wrong term (those are O(1) relative).
                const double bound = 1e-4;
                Assert.True(RelativeError(loss.Sum, expectedLoss) <= bound, $"loss {loss.Sum:R} vs {expectedLoss:R} for {k}{path}");
                float[] g = k.Model.Gradients.ToArray();
                for (int i = 0; i < g.Length; i++)
                {
                    Assert.True(RelativeError(g[i], dp[i]) <= bound, $"gradient[{i}] ({Name(k.Model, i)}) {g[i]:R} vs {dp[i]:R} for {k}{path}");
                }

                float[] dh = core.InitialHiddenGradient.ToArray();
                Assert.Equal(dh0.Length, dh.Length);
                for (int i = 0; i < dh.Length; i++)
                {
                    Assert.True(RelativeError(dh[i], dh0[i]) <= bound, $"dh0[{i}] {dh[i]:R} vs {dh0[i]:R} for {k}{path}");
                }

                float[] dc = core.InitialCellGradient.ToArray();
                Assert.Equal(dc0.Length, dc.Length);
                for (int i = 0; i < dc.Length; i++)
                {
                    Assert.True(RelativeError(dc[i], dc0[i]) <= bound, $"dc0[{i}] {dc[i]:R} vs {dc0[i]:R} for {k}{path}");
                }
            }
        }
        finally
        {
            RecurrentLanguageModel.EmbeddingTableMinPositionsPerId = saved;
        }
    }

    private static string Name(IRecurrentModel model, int index) =>
        model.Tensors.Last(t => t.Offset <= index && index < t.Offset + t.Length).Name;
}
