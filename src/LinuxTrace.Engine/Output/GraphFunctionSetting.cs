namespace LinuxTrace;

/// <summary>The graph tracer's filters of one instance: set_graph_function, set_graph_notrace, max_graph_depth.</summary>
public sealed record GraphFunctionSetting(string Instance, IReadOnlyList<string> Function, IReadOnlyList<string> NoTrace, int MaxDepth);
