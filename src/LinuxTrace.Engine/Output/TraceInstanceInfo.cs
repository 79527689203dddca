using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace;

/// <summary>A snapshot of one instance.</summary>
public sealed class TraceInstanceInfo
{
    public required string Name { get; init; }
    public bool IsTop { get; init; }
    public string? Tracer { get; init; }
    public bool? TracingOn { get; init; }
    public int BufferSizeKB { get; init; }
    public string? Clock { get; init; }
    public int EnabledEventCount { get; init; }
    public required string Path { get; init; }
    /// <summary>True for instances made by a LinuxTrace session (linuxtrace-PID-N).</summary>
    public bool IsLinuxTrace => Name.StartsWith("linuxtrace-", StringComparison.Ordinal);

    /// <summary>True for a LinuxTrace instance whose owner is gone (killed, in any PID namespace): nobody holds its lock.
    /// The next trace removes it; Remove-TraceInstance does too.</summary>
    public bool IsOrphan { get; init; }

    public override string ToString() => Name;
}
