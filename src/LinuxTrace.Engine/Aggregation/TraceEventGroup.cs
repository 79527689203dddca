namespace LinuxTrace;

/// <summary>One group of Measure-TraceEvent: its keys, its count, and the statistics of -Property.</summary>
public abstract class TraceEventGroup : TraceGroup
{
    /// <summary>The measured field (-Property), or null.</summary>
    public string? Property { get; internal set; }
    public long? Sum { get; internal set; }
    public long? Minimum { get; internal set; }
    public long? Maximum { get; internal set; }
    public double? Average { get; internal set; }
    public TraceHistogram? Histogram { get; internal set; }
}
