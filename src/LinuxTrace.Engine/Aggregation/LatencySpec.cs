namespace LinuxTrace.Engine.Aggregation;

/// <summary>What Measure-TraceLatency pairs: start and end events (system:name patterns, as -Event takes them), the
/// fields that tie an end to its start (the task by default), and how to group the pairs.</summary>
public sealed record LatencySpec(
    IReadOnlyList<string> Start, IReadOnlyList<string> End,
    IReadOnlyList<string> StartKey, IReadOnlyList<string> EndKey,
    IReadOnlyList<string> GroupBy, long LinearStep = 0);
