using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace;

/// <summary>What `trace-cmd stat` shows, for one instance.</summary>
public sealed class TraceStatus
{
    public required string Instance { get; init; }
    public string? Tracer { get; init; }
    public bool? TracingOn { get; init; }
    public string[] EnabledEvents { get; init; } = [];
    /// <summary>"system:event filter" for events with a filter.</summary>
    public string[] EventFilters { get; init; } = [];
    public string[] EventPids { get; init; } = [];
    /// <summary>set_ftrace_filter; null when the kernel refuses to show it.</summary>
    public string[]? FunctionFilter { get; init; }
    public string[]? FunctionNoTrace { get; init; }
    public string[]? GraphFunctions { get; init; }
    public int BufferSizeKB { get; init; }
    public int BufferTotalSizeKB { get; init; }
    public int SubBufferSizeKB { get; init; }
    public string? Clock { get; init; }
    public string[] Instances { get; init; } = [];
    /// <summary>Lines of kprobe_events / uprobe_events / dynamic_events (top instance only).</summary>
    public string[] DynamicEvents { get; init; } = [];
    public CpuBufferStats[] CpuStats { get; init; } = [];
    public string[] Notes { get; init; } = [];

    public long Overrun => CpuStats.Sum(s => s.Overrun);
    public long Dropped => CpuStats.Sum(s => s.DroppedEvents);
    public long Entries => CpuStats.Sum(s => s.Entries);
}
