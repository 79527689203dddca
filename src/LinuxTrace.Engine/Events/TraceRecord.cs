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
