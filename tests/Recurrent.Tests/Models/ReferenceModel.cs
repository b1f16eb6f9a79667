using Recurrent.Models;

namespace Recurrent.Tests.Models;

/// <summary>
/// A deliberately plain double-precision re-implementation of the language model (no GEMM, no shared code with
/// the library): scalar loops per step, lane and unit, each cell written out from its textbook equations.
/// It is verified against central finite differences, and the float model is then compared with it.
/// </summary>
/// <remarks>Parameter offsets come from the model's published <see cref="IRecurrentModel.Tensors"/> (PyTorch names).</remarks>
internal sealed class ReferenceModel
{
    private readonly RecurrentModelOptions _o;
    private readonly Dictionary<string, int> _offset;
    private readonly int _g;

    public ReferenceModel(RecurrentModelOptions options, IReadOnlyList<ParameterTensor> tensors)
    {
        _o = options;
        _offset = tensors.ToDictionary(t => t.Name, t => t.Offset);
        _g = options.Cell switch { CellKind.Rnn => 1, CellKind.Lstm => 4, _ => 3 };
    }

    private int H => _o.HiddenSize;

    private int V => _o.VocabularySize;

    private int E => _o.EmbeddingSize;

    private int L => _o.Layers;

    private int InputSize(int l) => l > 0 ? H : E > 0 ? E : V;

    private int Off(string name) => _offset.TryGetValue(name, out int o) ? o : -1;

    /// <summary>Loss only.</summary>
    public double Loss(double[] p, int[] inputs, int[] targets, float[]? mask, int batch, double[] h0, double[] c0) =>
        Run(p, inputs, targets, mask, batch, h0, c0, null, null, null);

    /// <summary>Loss and gradients of every parameter (flat, model layout) and of the initial state.</summary>
    public double Gradients(double[] p, int[] inputs, int[] targets, float[]? mask, int batch, double[] h0, double[] c0, double[] dp, double[] dh0, double[] dc0) =>
        Run(p, inputs, targets, mask, batch, h0, c0, dp, dh0, dc0);

    private double Run(double[] p, int[] inputs, int[] targets, float[]? mask, int B, double[] h0, double[] c0, double[]? dp, double[]? dh0, double[]? dc0)
    {
        int T = inputs.Length / B;
        int G = _g;

        // Activations per [layer][t][b]: input x, states h, c (index t+1; index 0 is the initial state), gates.
        var x = new double[L, T, B][];
        var h = new double[L, T + 1, B][];
        var c = new double[L, T + 1, B][];
        var gate = new double[L, T, B][]; // activated gates, G·H
        var hn = new double[L, T, B][];   // GRU: W_hn·h + b_hn
        for (int l = 0; l < L; l++)
        {
            for (int b = 0; b < B; b++)
            {
                h[l, 0, b] = new double[H];
                c[l, 0, b] = new double[H];
                for (int j = 0; j < H; j++)
                {
                    h[l, 0, b][j] = h0[(((l * B) + b) * H) + j];
                    c[l, 0, b][j] = c0.Length > 0 ? c0[(((l * B) + b) * H) + j] : 0;
                }
            }
        }

        for (int l = 0; l < L; l++)
        {
            int X = InputSize(l);
            int wih = Off($"rnn.weight_ih_l{l}"), whh = Off($"rnn.weight_hh_l{l}"), bih = Off($"rnn.bias_ih_l{l}"), bhh = Off($"rnn.bias_hh_l{l}");
            for (int t = 0; t < T; t++)
            {
                for (int b = 0; b < B; b++)
                {
                    double[] xi = new double[X];
                    if (l > 0)
                    {
                        Array.Copy(h[l - 1, t + 1, b], xi, H);
                    }
                    else if (E > 0)
                    {
                        for (int i = 0; i < E; i++)
                        {
                            xi[i] = p[Off("encoder.weight") + (inputs[(t * B) + b] * E) + i];
                        }
                    }
                    else
                    {
                        xi[inputs[(t * B) + b]] = 1;
                    }

                    x[l, t, b] = xi;
                    double[] hp = h[l, t, b], cp = c[l, t, b];
                    double[] ax = new double[G * H], ah = new double[G * H];
                    for (int r = 0; r < G * H; r++)
                    {
                        double s = bih >= 0 ? p[bih + r] : 0, u = bhh >= 0 ? p[bhh + r] : 0;
                        for (int i = 0; i < X; i++)
                        {
                            s += p[wih + (r * X) + i] * xi[i];
                        }

                        for (int i = 0; i < H; i++)
                        {
                            u += p[whh + (r * H) + i] * hp[i];
                        }

                        ax[r] = s;
                        ah[r] = u;
                    }

                    double[] gt = new double[G * H], hNew = new double[H], cNew = new double[H];
                    for (int j = 0; j < H; j++)
                    {
                        switch (_o.Cell)
                        {
                            case CellKind.Rnn:
                                gt[j] = Math.Tanh(ax[j] + ah[j]);
                                hNew[j] = gt[j];
                                break;
                            case CellKind.Lstm:
                                double ig = Sig(ax[j] + ah[j]), fg = Sig(ax[H + j] + ah[H + j]);
                                double gg = Math.Tanh(ax[(2 * H) + j] + ah[(2 * H) + j]), og = Sig(ax[(3 * H) + j] + ah[(3 * H) + j]);
                                (gt[j], gt[H + j], gt[(2 * H) + j], gt[(3 * H) + j]) = (ig, fg, gg, og);
                                cNew[j] = (fg * cp[j]) + (ig * gg);
                                hNew[j] = og * Math.Tanh(cNew[j]);
                                break;
                            default:
                                double rg = Sig(ax[j] + ah[j]), zg = Sig(ax[H + j] + ah[H + j]);
                                double ng = Math.Tanh(ax[(2 * H) + j] + (rg * ah[(2 * H) + j]));
                                (gt[j], gt[H + j], gt[(2 * H) + j]) = (rg, zg, ng);
                                hNew[j] = ((1 - zg) * ng) + (zg * hp[j]);
                                break;
                        }
                    }

                    if (_o.Cell == CellKind.Gru)
                    {
                        hn[l, t, b] = ah[(2 * H)..];
                    }

                    gate[l, t, b] = gt;
                    h[l, t + 1, b] = hNew;
                    c[l, t + 1, b] = cNew;
                }
            }
        }

        // Decoder + softmax cross-entropy; its gradient flows into dTop[t, b].
        int dw = Off("decoder.weight"), db = Off("decoder.bias");
        double loss = 0;
        var dOut = new double[T, B][];
        for (int t = 0; t < T; t++)
        {
            for (int b = 0; b < B; b++)
            {
                double m = mask is null ? 1 : mask[(t * B) + b];
                dOut[t, b] = new double[H];
                if (m == 0)
                {
                    continue;
                }

                double[] top = h[L - 1, t + 1, b];
                double[] z = new double[V];
                for (int v = 0; v < V; v++)
                {
                    double s = db >= 0 ? p[db + v] : 0;
                    for (int i = 0; i < H; i++)
                    {
                        s += p[dw + (v * H) + i] * top[i];
                    }

                    z[v] = s;
                }

                double max = z.Max();
                double lse = max + Math.Log(z.Sum(v => Math.Exp(v - max)));
                int target = targets[(t * B) + b];
                loss += m * (lse - z[target]);
                if (dp is null)
                {
                    continue;
                }

                for (int v = 0; v < V; v++)
                {
                    double dz = m * (Math.Exp(z[v] - lse) - (v == target ? 1 : 0));
                    if (db >= 0)
                    {
                        dp[db + v] += dz;
                    }

                    for (int i = 0; i < H; i++)
                    {
                        dp[dw + (v * H) + i] += dz * top[i];
                        dOut[t, b][i] += dz * p[dw + (v * H) + i];
                    }
                }
            }
        }

        if (dp is null)
        {
            return loss;
        }

        for (int l = L - 1; l >= 0; l--)
        {
            int X = InputSize(l);
            int wih = Off($"rnn.weight_ih_l{l}"), whh = Off($"rnn.weight_hh_l{l}"), bih = Off($"rnn.bias_ih_l{l}"), bhh = Off($"rnn.bias_hh_l{l}");
            var dIn = new double[T, B][];
            for (int b = 0; b < B; b++)
            {
                double[] dhNext = new double[H], dcNext = new double[H];
                for (int t = T - 1; t >= 0; t--)
                {
                    double[] gt = gate[l, t, b], hp = h[l, t, b], cp = c[l, t, b], cc = c[l, t + 1, b];
                    double[] dh = new double[H];
                    for (int j = 0; j < H; j++)
                    {
                        dh[j] = dOut[t, b][j] + dhNext[j];
                    }

                    // Gradients of the input-side (dax) and recurrent-side (dah) preactivations.
                    double[] dax = new double[G * H], dah = new double[G * H], dhPrev = new double[H], dcPrev = new double[H];
                    for (int j = 0; j < H; j++)
                    {
                        switch (_o.Cell)
                        {
                            case CellKind.Rnn:
                                dax[j] = dah[j] = dh[j] * (1 - (gt[j] * gt[j]));
                                break;
                            case CellKind.Lstm:
                                double ig = gt[j], fg = gt[H + j], gg = gt[(2 * H) + j], og = gt[(3 * H) + j], tc = Math.Tanh(cc[j]);
                                double dC = dcNext[j] + (dh[j] * og * (1 - (tc * tc)));
                                dax[j] = dah[j] = dC * gg * ig * (1 - ig);
                                dax[H + j] = dah[H + j] = dC * cp[j] * fg * (1 - fg);
                                dax[(2 * H) + j] = dah[(2 * H) + j] = dC * ig * (1 - (gg * gg));
                                dax[(3 * H) + j] = dah[(3 * H) + j] = dh[j] * tc * og * (1 - og);
                                dcPrev[j] = dC * fg;
                                break;
                            default:
                                double rg = gt[j], zg = gt[H + j], ng = gt[(2 * H) + j];
                                double dn = dh[j] * (1 - zg) * (1 - (ng * ng));
                                dax[(2 * H) + j] = dn;
                                dah[(2 * H) + j] = dn * rg;
                                dax[j] = dah[j] = dn * hn[l, t, b][j] * rg * (1 - rg);
                                dax[H + j] = dah[H + j] = dh[j] * (hp[j] - ng) * zg * (1 - zg);
                                dhPrev[j] = dh[j] * zg;
                                break;
                        }
                    }

                    double[] xi = x[l, t, b], dx = new double[X];
                    for (int r = 0; r < G * H; r++)
                    {
                        if (bih >= 0)
                        {
                            dp[bih + r] += dax[r];
                            dp[bhh + r] += dah[r];
                        }

                        for (int i = 0; i < X; i++)
                        {
                            dp[wih + (r * X) + i] += dax[r] * xi[i];
                            dx[i] += dax[r] * p[wih + (r * X) + i];
                        }

                        for (int i = 0; i < H; i++)
                        {
                            dp[whh + (r * H) + i] += dah[r] * hp[i];
                            dhPrev[i] += dah[r] * p[whh + (r * H) + i];
                        }
                    }

                    dIn[t, b] = dx;
                    dhNext = dhPrev;
                    dcNext = dcPrev;
                }

                for (int j = 0; j < H; j++)
                {
                    dh0![(((l * B) + b) * H) + j] = dhNext[j];
                    if (dc0!.Length > 0)
                    {
                        dc0[(((l * B) + b) * H) + j] = dcNext[j];
                    }
                }
            }

            if (l > 0)
            {
                dOut = dIn;
            }
            else if (E > 0)
            {
                for (int t = 0; t < T; t++)
                {
                    for (int b = 0; b < B; b++)
                    {
                        for (int i = 0; i < E; i++)
                        {
                            dp[Off("encoder.weight") + (inputs[(t * B) + b] * E) + i] += dIn[t, b][i];
                        }
                    }
                }
            }
        }

        return loss;
    }

    private static double Sig(double a) => 1 / (1 + Math.Exp(-a));
}
