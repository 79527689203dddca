using System.Numerics;

namespace LinuxTrace;

/// <summary>One bucket of a <see cref="TraceHistogram"/>: the values v with Low &lt;= v &lt; High, and how many there were.</summary>
public sealed record HistogramBucket(long Low, long High, long Count)
{
    public override string ToString() => $"[{Low}, {High}): {Count}";
}
