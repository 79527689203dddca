namespace LinuxTrace;

/// <summary>A kernel function that can be traced, with its module (null for the core kernel).</summary>
public sealed record TraceFunction(string Name, string? Module);
