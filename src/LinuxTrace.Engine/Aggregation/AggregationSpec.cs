namespace LinuxTrace.Engine.Aggregation;

/// <summary>What Measure-TraceEvent computes.</summary>
public sealed record AggregationSpec(IReadOnlyList<string> GroupBy, string? Property = null, bool Histogram = false, long LinearStep = 0,
    FieldStatistics Statistics = FieldStatistics.All);
