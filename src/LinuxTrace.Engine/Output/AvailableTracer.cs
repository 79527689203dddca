namespace LinuxTrace;

/// <summary>A tracer of an instance (available_tracers).</summary>
public sealed record AvailableTracer(string Name, bool IsCurrent, string Instance);
