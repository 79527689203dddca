namespace LinuxTrace.Engine.Sessions;

/// <summary>What a trace session records and where.</summary>
public sealed class TraceSessionOptions
{
    /// <summary>Event patterns (sched:sched_switch, sched_switch, sched:*, sched).</summary>
    public IReadOnlyList<string> Events { get; init; } = Array.Empty<string>();

    /// <summary>Kernel filter applied to every selected event.</summary>
    public string? Filter { get; init; }

    /// <summary>Trace only these pids (set_event_pid).</summary>
    public IReadOnlyList<int> ProcessIds { get; init; } = Array.Empty<int>();

    /// <summary>Add children of traced pids as they fork (options/event-fork).</summary>
    public bool FollowChildren { get; init; }

    /// <summary>Use this instance (created if missing, removed at the end only if created); null for a private one.</summary>
    public string? Instance { get; init; }

    public int? BufferSizeKB { get; init; }

    public string? Clock { get; init; }

    /// <summary>A name for the session (defaults to the instance name).</summary>
    public string? Name { get; init; }

    /// <summary>Reader wake-up watermark for the private instance; null keeps the kernel's default.</summary>
    public int? BufferPercent { get; init; }

    /// <summary>Also record LinuxTrace's own process (left out by default, as trace-cmd leaves itself out).</summary>
    public bool IncludeSelf { get; init; }
}
