namespace LinuxTrace;

/// <summary>One group of Measure-TraceLatency: how many start/end pairs, and their latency in nanoseconds.</summary>
public abstract class TraceLatencyGroup : TraceGroup
{
    public long MinimumNs { get; internal set; }
    public long MaximumNs { get; internal set; }
    public double MeanNs { get; internal set; }
    public long P50Ns { get; internal set; }
    public long P90Ns { get; internal set; }
    public long P99Ns { get; internal set; }
    public long P999Ns { get; internal set; }
    public long TotalNs { get; internal set; }
    /// <summary>Starts of this group that never met their end (a second start came first, or the trace ended).</summary>
    public long UnmatchedStarts { get; internal set; }
    public TraceHistogram Histogram { get; internal set; } = new(0, "ns");
    /// <summary>True when the kernel paired the events (Measure-TraceLatency -InKernel): the statistics are then as
    /// exact as its log2 buckets (minimum, maximum and percentiles are bucket edges; the mean is exact).</summary>
    public bool InKernel { get; internal set; }

    public TimeSpan Minimum => TimeSpan.FromTicks(MinimumNs / 100);
    public TimeSpan Maximum => TimeSpan.FromTicks(MaximumNs / 100);
    public TimeSpan Mean => TimeSpan.FromTicks((long)(MeanNs / 100));
    public TimeSpan P50 => TimeSpan.FromTicks(P50Ns / 100);
    public TimeSpan P99 => TimeSpan.FromTicks(P99Ns / 100);
}
