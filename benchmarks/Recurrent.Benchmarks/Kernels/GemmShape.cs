using System.Globalization;

namespace Recurrent.Benchmarks.Kernels;

/// <summary>A GEMM shape written as <c>"NT 700x10000x200"</c>: transposes of A and B, then m×n×k.</summary>
internal readonly record struct GemmShape(bool TransA, bool TransB, int M, int N, int K)
{
    /// <summary>The model shapes the benchmarks sweep (see docs/performance.md for what each one is).</summary>
    public static readonly string[] ModelShapes =
    [
        "NT 20x800x200",      // one LSTM step of PTB-small: [B=20, H=200]·W_hh[4H=800, 200]ᵀ
        "NT 700x10000x200",   // PTB-small output layer over a 35×20 window: [700, 200]·W[10000, 200]ᵀ
        "NN 700x200x10000",   // its backward to the hidden states: dLogits[700, 10000]·W[10000, 200]
        "NT 64x2048x512",     // [64, 512]·W[2048, 512]ᵀ
        "NN 1024x1024x1024",  // the BLAS reference point
        "NN 4096x4096x256",
    ];

    public long MultiplyAdds => (long)M * N * K;

    public int Lda => TransA ? M : K;

    public int Ldb => TransB ? K : N;

    public static GemmShape Parse(string text)
    {
        string[] parts = text.Split(' ');
        string[] dims = parts[1].Split('x');
        return new GemmShape(
            parts[0][0] == 'T', parts[0][1] == 'T',
            int.Parse(dims[0], CultureInfo.InvariantCulture),
            int.Parse(dims[1], CultureInfo.InvariantCulture),
            int.Parse(dims[2], CultureInfo.InvariantCulture));
    }

    public static float[] RandomMatrix(Random random, long length)
    {
        float[] x = new float[length];
        for (long i = 0; i < length; i++)
        {
            x[i] = (float)(random.NextDouble() - 0.5);
        }

        return x;
    }
}
