using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Recurrent.Models;

namespace Recurrent.Benchmarks.Throughput;

/// <summary>
/// The training / evaluation / sampling throughput harness: the same runs, model, loss, optimizer, clipping,
/// state carrying and timing protocol as the PyTorch reference (<c>pytorch_lm.py</c>), one JSON line per run and
/// metric in the reference's shape. It drives the library as a user does: <see cref="IRecurrentModel.Forward"/>,
/// <see cref="IRecurrentModel.Backward"/>, a global-norm clip folded into <see cref="Recurrent.Training.Optimizers.Optimizer.Step(Recurrent.Training.Optimizers.OptimizerState, Span{float}, Span{float}, float, float, bool)"/>.
/// </summary>
/// <remarks>
/// Usage: <c>Recurrent.Benchmarks throughput [--runs config:cell:opt,…] [--configs name,…] [--window 3] [--repeats 3]
/// [--warmup-s 1] [--warmup-steps 3] [--min-steps 2] [--sample-chunk 50] [--threads 2] [--label text] [--profile]
/// [--metrics train,eval,sample] [--list]</c>. <c>--metrics</c> measures only the listed metrics (default: all).
/// <c>--profile</c> adds one <c>train_phases</c> line per training run: the share of the step spent in each phase
/// (embedding, recurrent forward/backward, decoder forward/backward, loss, clipping, optimizer), and one
/// <c>sample_phases</c> line per sampling run (model step vs. token selection). Each batch-1 sampling line also
/// carries the weight-read floor (<see cref="WeightReadFloor"/>), measured in windows alternating with its own.
/// </remarks>
public static class ThroughputHarness
{
    /// <summary>Runs the harness with command-line arguments (after the <c>throughput</c> verb).</summary>
    /// <param name="args">The arguments.</param>
    /// <returns>The process exit code.</returns>
    public static int Run(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = HarnessOptions.Parse(args);
        if (options.List)
        {
            foreach (ThroughputRun run in ThroughputRun.All)
            {
                Console.WriteLine(run.Key);
            }

            return 0;
        }

        ComputeSettings.MaxDegreeOfParallelism = options.Threads;
        var common = new Dictionary<string, object?>
        {
            ["label"] = options.Label,
            ["threads"] = ComputeSettings.MaxDegreeOfParallelism,
            ["blas_threads"] = null,
            ["omp_wait_policy"] = null,
            ["blas"] = "managed",
            ["blas_core"] = Numerics.SimdTiers.Best.ToString(),
        };
        Emit(new Dictionary<string, object?>
        {
            ["suite"] = "recurrent",
            ["metric"] = "env",
            ["label"] = options.Label,
            ["runtime"] = System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
            ["processor_count"] = Environment.ProcessorCount,
            ["num_threads"] = ComputeSettings.MaxDegreeOfParallelism,
            ["simd_tier"] = Numerics.SimdTiers.Best.ToString(),
            ["server_gc"] = System.Runtime.GCSettings.IsServerGC,
            ["time"] = DateTime.Now.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture),
        });

        var started = Stopwatch.StartNew();
        foreach (ThroughputRun run in ThroughputRun.All)
        {
            if (options.Selected(run))
            {
                RunOne(run, options, common);
            }
        }

        Emit(new Dictionary<string, object?>
        {
            ["suite"] = "recurrent",
            ["metric"] = "done",
            ["label"] = options.Label,
            ["seconds"] = Math.Round(started.Elapsed.TotalSeconds, 1),
        });
        return 0;
    }

    private static void RunOne(ThroughputRun run, HarnessOptions options, Dictionary<string, object?> common)
    {
        ThroughputConfig cfg = run.Config;
        int N = cfg.Steps * cfg.Batch;
        var session = new ThroughputSession(run);
        long fwdFlops = cfg.ForwardFlopsPerToken(run.Cell);
        long fwdSaved = cfg.ForwardFlopsSavedPerToken(run.Cell);
        var baseRecord = new Dictionary<string, object?>(common)
        {
            ["suite"] = "recurrent",
            ["config"] = cfg.Name,
            ["cell"] = run.CellName,
            ["optimizer"] = run.Train ? run.Optimizer : null,
            ["V"] = cfg.Vocabulary,
            ["E"] = cfg.Hidden,
            ["H"] = cfg.Hidden,
            ["L"] = cfg.Layers,
            ["seq"] = cfg.Steps,
            ["batch"] = cfg.Batch,
            ["params"] = session.Model.ParameterCount,
        };

        if (run.Train && options.Measures("train"))
        {
            (List<double> rates, List<double> callMs) = Measure(session.TrainStep, N, options.WarmupSeconds, options.WarmupSteps, options.Window, options.MinSteps, options.Repeats);
            Report(baseRecord, "train_tokens_per_s", rates, callMs, 3 * fwdFlops, run.Optimizer, new()
            {
                ["tokens_per_call"] = N,
                ["last_loss"] = Math.Round(session.LastLoss, 3),
            }, executedFlopsPerToken: 3 * (fwdFlops - fwdSaved));

            if (options.Profile && RecurrentModel.GetCore(session.Model) is { } core)
            {
                // A separate profiled pass after the timed windows (the timestamps cost a little).
                var phases = new ModelPhaseTimes();
                core.PhaseTimes = phases;
                session.ClipTicks = session.OptimizerTicks = session.StepTicks = 0;
                var sw = Stopwatch.StartNew();
                int steps = 0;
                while (sw.Elapsed.TotalSeconds < options.Window || steps < options.MinSteps)
                {
                    session.TrainStep();
                    steps++;
                }

                core.PhaseTimes = null;
                double total = session.StepTicks;
                long modelTicks = phases.Embedding + phases.RecurrentForward + phases.DecoderForward + phases.Loss + phases.DecoderBackward + phases.RecurrentBackward;
                Emit(new Dictionary<string, object?>(baseRecord)
                {
                    ["metric"] = "train_phases",
                    ["unit"] = "fraction of step time",
                    ["steps"] = steps,
                    ["ms_per_step"] = Math.Round(1000.0 * total / Stopwatch.Frequency / steps, 3),
                    ["embedding"] = Fraction(phases.Embedding, total),
                    ["recurrent_forward"] = Fraction(phases.RecurrentForward, total),
                    ["decoder_forward"] = Fraction(phases.DecoderForward, total),
                    ["loss"] = Fraction(phases.Loss, total),
                    ["decoder_backward"] = Fraction(phases.DecoderBackward, total),
                    ["recurrent_backward"] = Fraction(phases.RecurrentBackward, total),
                    ["clip"] = Fraction(session.ClipTicks, total),
                    ["optimizer_step"] = Fraction(session.OptimizerTicks, total),
                    ["other"] = Fraction(session.StepTicks - modelTicks - session.ClipTicks - session.OptimizerTicks, total),
                    ["optimizer"] = run.Optimizer,
                });
            }
        }

        if (run.EvaluateAndSample && options.Measures("eval"))
        {
            (List<double> rates, List<double> callMs) = Measure(() => session.EvalStep(), N, options.WarmupSeconds / 2, options.WarmupSteps, options.Window / 2, options.MinSteps, options.Repeats);
            Report(baseRecord, "eval_tokens_per_s", rates, callMs, fwdFlops, null, new() { ["tokens_per_call"] = N }, executedFlopsPerToken: fwdFlops - fwdSaved);
        }

        if (run.EvaluateAndSample && options.Measures("sample"))
        {
            // Sampling windows alternate with windows of the weight-read floor (the same bytes read once per step, and
            // nothing else), so that the two see the same machine load.
            int chunk = options.SampleChunk;
            var floor = new WeightReadFloor(session.Model);
            var rates = new List<double>();
            var callMs = new List<double>();
            var floorRates = new List<double>();
            for (int r = 0; r < options.Repeats; r++)
            {
                double warmup = r == 0 ? options.WarmupSeconds / 2 : 0;
                (List<double> rate, List<double> ms) = Measure(() => session.SampleChunk(chunk), chunk, warmup, 1, options.Window / 2, 1, 1);
                rates.AddRange(rate);
                callMs.AddRange(ms);
                floorRates.AddRange(Measure(() => floor.ReadOnce(), 1, warmup, 1, options.Window / 4, 1, 1).Rates);
            }

            double floorMedian = Median(floorRates);
            Report(baseRecord, "sample_tokens_per_s", rates, callMs, fwdFlops, null, new()
            {
                ["tokens_per_call"] = chunk,
                ["sample_batch"] = 1,
                ["temperature"] = 1.0,
                ["weight_bytes_per_token"] = floor.BytesPerStep,
                ["read_floor_tokens_per_s"] = Math.Round(floorMedian, 1),
                ["read_floor_gbps"] = Math.Round(floorMedian * floor.BytesPerStep / 1e9, 2),
                ["fraction_of_read_floor"] = Math.Round(Median(rates) / floorMedian, 3),
            });

            if (options.Profile)
            {
                // A separate timed pass: the model step and the token selection of each token, timed apart.
                session.SampleStepTicks = session.SampleSelectTicks = 0;
                var sw = Stopwatch.StartNew();
                int tokens = 0;
                while (sw.Elapsed.TotalSeconds < options.Window / 2)
                {
                    session.SampleChunkProfiled(chunk);
                    tokens += chunk;
                }

                double total = session.SampleStepTicks + session.SampleSelectTicks;
                Emit(new Dictionary<string, object?>(baseRecord)
                {
                    ["metric"] = "sample_phases",
                    ["unit"] = "fraction of token time",
                    ["tokens"] = tokens,
                    ["us_per_token"] = Math.Round(1e6 * total / Stopwatch.Frequency / tokens, 2),
                    ["model_step"] = Fraction(session.SampleStepTicks, total),
                    ["select"] = Fraction(session.SampleSelectTicks, total),
                });
            }
        }

        using var process = Process.GetCurrentProcess();
        process.Refresh();
        Emit(new Dictionary<string, object?>(baseRecord)
        {
            ["metric"] = "peak_working_set",
            ["unit"] = "bytes",
            ["median"] = process.PeakWorkingSet64,
            ["note"] = "process peak so far (VmHWM); run one configuration per process for a per-configuration figure",
        });
    }

    private static double Fraction(long part, double total) => total > 0 ? Math.Round(part / total, 4) : 0;

    // The reference's measure(): warm up (≥ warmupMin calls and ≥ warmupSeconds, capped at 3× for slow calls), then
    // `repeats` windows of ≥ windowSeconds and ≥ minCalls calls; returns units/s and ms/call per window.
    private static (List<double> Rates, List<double> CallMs) Measure(Action fn, double unitsPerCall, double warmupSeconds, int warmupMin, double windowSeconds, int minCalls, int repeats)
    {
        int n = 0;
        long t0 = Stopwatch.GetTimestamp();
        while (true)
        {
            fn();
            n++;
            double el = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            if (n >= warmupMin && el >= warmupSeconds)
            {
                break;
            }

            if (n >= Math.Min(2, warmupMin) && el >= 3 * warmupSeconds)
            {
                break;
            }
        }

        var rates = new List<double>();
        var callMs = new List<double>();
        for (int r = 0; r < repeats; r++)
        {
            n = 0;
            t0 = Stopwatch.GetTimestamp();
            double el;
            while (true)
            {
                fn();
                n++;
                el = Stopwatch.GetElapsedTime(t0).TotalSeconds;
                if (el >= windowSeconds && n >= minCalls)
                {
                    break;
                }
            }

            rates.Add(unitsPerCall * n / el);
            callMs.Add(1000.0 * el / n);
        }

        return (rates, callMs);
    }

    // executedFlopsPerToken: where ours executes fewer FLOPs than the reference's count (see
    // ThroughputConfig.ForwardFlopsSavedPerToken), also reported as executed_flops_per_token / gflops_executed_median.
    private static void Report(Dictionary<string, object?> baseRecord, string metric, List<double> rates, List<double> callMs, long flopsPerToken, string? optimizer, Dictionary<string, object?> extra, long? executedFlopsPerToken = null)
    {
        double median = Median(rates);
        double min = rates.Min(), max = rates.Max();
        var record = new Dictionary<string, object?>(baseRecord)
        {
            ["metric"] = metric,
            ["unit"] = "tokens/s",
            ["median"] = Math.Round(median, 1),
            ["min"] = Math.Round(min, 1),
            ["max"] = Math.Round(max, 1),
            ["spread_pct"] = Math.Round(median > 0 ? 100.0 * (max - min) / median : 0, 1),
            ["values"] = rates.Select(r => Math.Round(r, 1)).ToArray(),
            ["ms_per_call_median"] = Math.Round(callMs.Order().ElementAt(callMs.Count / 2), 3),
            ["flops_per_token"] = flopsPerToken,
            ["gflops_median"] = Math.Round(median * flopsPerToken / 1e9, 2),
            ["gflops_min"] = Math.Round(min * flopsPerToken / 1e9, 2),
            ["gflops_max"] = Math.Round(max * flopsPerToken / 1e9, 2),
        };
        if (executedFlopsPerToken is long executed)
        {
            record["executed_flops_per_token"] = executed;
            record["gflops_executed_median"] = Math.Round(median * executed / 1e9, 2);
        }

        foreach ((string key, object? value) in extra)
        {
            record[key] = value;
        }

        record["optimizer"] = optimizer;
        using var process = Process.GetCurrentProcess();
        record["peak_working_set_bytes"] = process.PeakWorkingSet64;
        Emit(record);
    }

    private static double Median(List<double> values)
    {
        double[] sorted = [.. values.Order()];
        int m = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
    }

    private static void Emit(Dictionary<string, object?> record)
    {
        Console.Out.WriteLine(JsonSerializer.Serialize(record));
        Console.Out.Flush();
    }

    private sealed class HarnessOptions
    {
        public HashSet<string>? Runs { get; private set; }

        public HashSet<string>? Configs { get; private set; }

        public double Window { get; private set; } = 3.0;

        public double WarmupSeconds { get; private set; } = 1.0;

        public int WarmupSteps { get; private set; } = 3;

        public int MinSteps { get; private set; } = 2;

        public int Repeats { get; private set; } = 3;

        public int SampleChunk { get; private set; } = 50;

        public int Threads { get; private set; } = 2;

        public string Label { get; private set; } = "";

        public bool Profile { get; private set; }

        public bool List { get; private set; }

        public HashSet<string>? Metrics { get; private set; }

        public bool Measures(string metric) => Metrics is null || Metrics.Contains(metric);

        public bool Selected(ThroughputRun run) =>
            (Runs is null || Runs.Contains(run.Key)) && (Configs is null || Configs.Contains(run.Config.Name));

        public static HarnessOptions Parse(string[] args)
        {
            var o = new HarnessOptions();
            for (int i = 0; i < args.Length; i++)
            {
                string a = args[i];
                string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{a} needs a value.", nameof(args));
                switch (a)
                {
                    case "--runs": o.Runs = [.. Next().Split(',', StringSplitOptions.RemoveEmptyEntries)]; break;
                    case "--configs": string c = Next(); o.Configs = c == "all" ? null : [.. c.Split(',', StringSplitOptions.RemoveEmptyEntries)]; break;
                    case "--window": o.Window = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--warmup-s": o.WarmupSeconds = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--warmup-steps": o.WarmupSteps = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--min-steps": o.MinSteps = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--repeats": o.Repeats = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--sample-chunk": o.SampleChunk = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--threads": o.Threads = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--label": o.Label = Next(); break;
                    case "--profile": o.Profile = true; break;
                    case "--list": o.List = true; break;
                    case "--metrics": o.Metrics = [.. Next().Split(',', StringSplitOptions.RemoveEmptyEntries)]; break;
                    default: throw new ArgumentException($"Unknown option '{a}'.", nameof(args));
                }
            }

            if (o.Runs is not null && o.Runs.FirstOrDefault(r => ThroughputRun.All.All(x => x.Key != r)) is { } unknown)
            {
                throw new ArgumentException($"Unknown run '{unknown}' (see --list).", nameof(args));
            }

            if (o.Metrics?.FirstOrDefault(m => m is not ("train" or "eval" or "sample")) is { } badMetric)
            {
                throw new ArgumentException($"Unknown metric '{badMetric}' (train, eval, sample).", nameof(args));
            }

            return o;
        }
    }
}
