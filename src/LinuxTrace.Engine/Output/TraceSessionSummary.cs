using System.Diagnostics;

namespace LinuxTrace;

/// <summary>What a finished session recorded and lost.</summary>
public sealed record TraceSessionSummary(
    string Name,
    string Instance,
    DateTime StartTime,
    DateTime EndTime,
    long EventCount,
    long LostEventCount,
    long LossReports,
    IReadOnlyList<CpuBufferStats> CpuStats,
    IReadOnlyList<string> CleanupErrors)
{
    public TimeSpan Duration => EndTime - StartTime;

    /// <summary>Events the kernel overwrote or dropped, per its per-CPU statistics.</summary>
    public long KernelLost => CpuStats.Sum(s => s.Lost);

    /// <summary>Events LinuxTrace read but dropped because its queue to a slower pipeline reached its limit.</summary>
    public long DroppedByLinuxTrace { get; init; }

    /// <summary>Events read from the kernel that the consumer never took because it stopped first (Select-Object -First,
    /// Ctrl+C, Stop-Trace): not a loss, nobody asked for them.</summary>
    public long Undelivered { get; init; }

    /// <summary>The most memory the queue between the drainers and the pipeline held.</summary>
    public long QueuePeakBytes { get; init; }

    /// <summary>The queue's memory limit.</summary>
    public long QueueLimitBytes { get; init; }

    /// <summary>How the ring buffers were read: "native" (threads in C that garbage collection cannot pause), or
    /// "managed (why)"; null when nothing was drained.</summary>
    public string? Drainers { get; init; }

    /// <summary>CPU time the per-CPU drainer threads used (reading the ring buffers, copying pages).</summary>
    public TimeSpan DrainerCpuTime { get; init; }

    /// <summary>Streaming: CPU time the pipeline's thread spent in LinuxTrace (merging per-CPU records by time,
    /// decoding them, making the objects).</summary>
    public TimeSpan EngineCpuTime { get; init; }

    /// <summary>Streaming: CPU time the pipeline's thread spent in the rest of the pipeline (the commands after
    /// Start-Trace, with the objects of each batch).</summary>
    public TimeSpan PipelineCpuTime { get; init; }
}
