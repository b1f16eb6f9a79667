using System.Collections.Concurrent;
using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Recurrent.Benchmarks.Text;

/// <summary>A "MB/s" column: the UTF-8 size of the benchmark's input text divided by the median time.</summary>
internal sealed class ThroughputColumn : IColumn
{
    private static readonly ConcurrentDictionary<string, long> s_bytes = new();

    public string Id => nameof(ThroughputColumn);

    public string ColumnName => "MB/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "UTF-8 megabytes (10^6 bytes) of input text per second, from the median";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        var statistics = summary[benchmarkCase]?.ResultStatistics;
        string name = benchmarkCase.Descriptor.WorkloadMethod.Name;
        long bytes = s_bytes.GetOrAdd(name, BenchmarkCorpora.Utf8Bytes);
        if (statistics is null || bytes == 0)
        {
            return "-";
        }

        return (bytes / 1e6 / (statistics.Median / 1e9)).ToString("F1", CultureInfo.InvariantCulture);
    }

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
