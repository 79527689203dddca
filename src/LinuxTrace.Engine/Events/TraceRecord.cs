namespace LinuxTrace;

/// <summary>Something the trace stream yields: an event, or a note that events were lost. Ordered by time.</summary>
public abstract class TraceRecord
{
    internal ulong _ts;
    internal int _cpu;

    /// <summary>Time since boot in the trace clock (100 ns resolution; see TimestampNs for the exact value).</summary>
    public TimeSpan Timestamp => new((long)(_ts / 100));

    /// <summary>The raw time stamp (nanoseconds for the default clocks).</summary>
    public ulong TimestampNs => _ts;

    /// <summary>The CPU whose ring buffer held the record. (Not "Cpu" or "CpuId": kernel events have fields named cpu and cpuid.)</summary>
    public int CpuNumber => _cpu;

    /// <summary>Seconds with microseconds, as trace-cmd report prints time stamps.</summary>
    internal string TimeText => $"{_ts / 1_000_000_000}.{_ts % 1_000_000_000 / 1000:D6}";
}

/// <summary>
/// Events were lost on one CPU: the ring buffer overwrote them (or dropped them) before they were read,
/// or LinuxTrace's own queue had to drop pages. Emitted in the stream where the loss happened; never silent.
/// </summary>
public sealed class TraceLostEvents : TraceRecord
{
    internal TraceLostEvents(int cpu, ulong timestamp, long count, ulong? since, string reason)
    {
        _cpu = cpu;
        _ts = timestamp;
        Count = count >= 0 ? count : null;
        SinceNs = since;
        Reason = reason;
    }

    /// <summary>How many events were lost; null when the kernel did not store the count.</summary>
    public long? Count { get; }

    /// <summary>Time stamp of the last event read on this CPU before the loss, when known: the loss lies between it and Timestamp.</summary>
    public ulong? SinceNs { get; }

    /// <summary>Start of the time range of the loss.</summary>
    public TimeSpan? Since => SinceNs is { } s ? new TimeSpan((long)(s / 100)) : null;

    /// <summary>Why: "ring buffer overrun" (the kernel) or "reader queue full" (LinuxTrace).</summary>
    public string Reason { get; }

    public override string ToString() =>
        $"CPU {CpuNumber}: {(Count is { } c ? c.ToString(System.Globalization.CultureInfo.InvariantCulture) : "an unknown number of")} events lost ({Reason})";
}
