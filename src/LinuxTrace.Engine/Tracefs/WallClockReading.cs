namespace LinuxTrace.Engine.Tracefs;

/// <summary>
/// One reading of an instance's trace clock against the wall clock (<see cref="TraceInstance.ReadWallClock"/>): Unix
/// time in ns = time stamp + <see cref="OffsetNs"/>, to within <see cref="UncertaintyNs"/>.
/// </summary>
public readonly record struct WallClockReading(long OffsetNs, long UncertaintyNs)
{
    /// <summary>How far wall-clock times between two readings may be off when the first reading's offset is used: how
    /// far the offset moved (the trace clock's drift against the wall clock) plus the larger uncertainty; null without
    /// a second reading.</summary>
    public long? BoundTo(WallClockReading? later) => later is { } end
        ? Math.Abs(end.OffsetNs - OffsetNs) + Math.Max(UncertaintyNs, end.UncertaintyNs)
        : null;
}
