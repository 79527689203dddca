namespace LinuxTrace;

/// <summary>The function tracers' filters of one instance: set_ftrace_filter and set_ftrace_notrace.</summary>
public sealed record FunctionFilterSetting(string Instance, IReadOnlyList<string> Function, IReadOnlyList<string> NoTrace);
