using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Recurrent.Benchmarks.Kernels;

/// <summary>GFLOP/s = 2·m·n·k / median time, from the benchmark's <c>Shape</c> parameter.</summary>
internal sealed class GflopsColumn : IColumn
{
    public string Id => nameof(GflopsColumn);

    public string ColumnName => "GFLOP/s (median)";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "2·m·n·k floating-point operations divided by the median time";

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) =>
        GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        BenchmarkReport? report = summary[benchmarkCase];
        object? shape = benchmarkCase.Parameters["Shape"];
        if (report?.ResultStatistics is null || shape is not string text)
        {
            return "-";
        }

        double flops = 2.0 * GemmShape.Parse(text).MultiplyAdds;
        return (flops / report.ResultStatistics.Median).ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
    }
}
