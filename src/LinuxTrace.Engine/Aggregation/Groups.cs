namespace LinuxTrace;

/// <summary>
/// A group of an aggregation. Each kind of group gets a class, made at run time, that derives from this one and has
/// one typed property per key, under the key's own name (id, prev_comm, ProcessName …), as events have their fields.
/// </summary>
public abstract class TraceGroup
{
    internal object?[] _keys = [];
    internal string[] _keyNames = [];

    /// <summary>The group's keys by name, in the order given to -GroupBy (an object in ConvertTo-Json; as text, an
    /// Export-Csv cell, the same as <see cref="Group"/>).</summary>
    public TraceGroupKeys Keys
    {
        get
        {
            var d = new TraceGroupKeys(Group);
            for (int i = 0; i < _keyNames.Length; i++) d[_keyNames[i]] = _keys[i];
            return d;
        }
    }

    /// <summary>The keys as text: "id=0 syscall=read".</summary>
    public string Group => _keyNames.Length == 0 ? "(all)" : string.Join(" ", _keyNames.Select((n, i) => $"{n}={_keys[i] ?? "(none)"}"));

    /// <summary>How many events (or, for latencies, pairs) the group has.</summary>
    public long Count { get; internal set; }

    protected T? Key<T>(int i) => _keys[i] is T t ? t : default;
}

/// <summary>The keys of a <see cref="TraceGroup"/> by name. A dictionary for scripts and ConvertTo-Json; as text (an
/// Export-Csv cell) "name=value name=value".</summary>
public sealed class TraceGroupKeys : Dictionary<string, object?>
{
    private readonly string _text;

    internal TraceGroupKeys(string text) : base(StringComparer.Ordinal) => _text = text;

    public override string ToString() => _text;
}

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

/// <summary>A group of Measure-TraceEvent (or of an in-kernel histogram) that counts only: no -Property, so no Sum,
/// Minimum, Maximum or Average; its table shows the count and the keys.</summary>
public abstract class TraceEventCount : TraceEventGroup
{
}

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

/// <summary>A hist trigger on an event (Documentation/trace/histogram.rst): the kernel aggregates, no event data leaves it.</summary>
public sealed record TraceHistogramTrigger(string Instance, string EventName, string Definition, bool Active)
{
    public override string ToString() => $"{EventName}: {Definition}";
}
