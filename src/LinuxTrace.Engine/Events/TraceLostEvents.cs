namespace LinuxTrace;

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

    /// <summary>Why: "ring buffer overrun" (the kernel lost them) or "dropped by LinuxTrace: reader queue full"
    /// (the pipeline was slower than the kernel and LinuxTrace's queue reached its memory limit).</summary>
    public string Reason { get; }

    /// <summary>The kernel's ring buffer overwrote or dropped the events before they were read.</summary>
    public const string RingBufferOverrun = "ring buffer overrun";

    /// <summary>LinuxTrace read the events but dropped them: its queue to a slower pipeline reached its memory limit.</summary>
    public const string ReaderQueueFull = "dropped by LinuxTrace: reader queue full";

    /// <summary>True when LinuxTrace, not the kernel, dropped them.</summary>
    public bool DroppedByLinuxTrace => Reason == ReaderQueueFull;

    public override string ToString() =>
        $"CPU {CpuNumber}: {(Count is { } c ? c.ToString(System.Globalization.CultureInfo.InvariantCulture) : "an unknown number of")} events lost ({Reason})";
}
