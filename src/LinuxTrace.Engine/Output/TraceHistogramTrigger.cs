namespace LinuxTrace;

/// <summary>A hist trigger on an event (Documentation/trace/histogram.rst): the kernel aggregates, no event data leaves it.</summary>
public sealed record TraceHistogramTrigger(string Instance, string EventName, string Definition, bool Active)
{
    public override string ToString() => $"{EventName}: {Definition}";
}
