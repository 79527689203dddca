namespace LinuxTrace;

/// <summary>One trace option and whether it is on, in one instance.</summary>
public sealed record TraceOptionState(string Name, bool Enabled, string Instance);
