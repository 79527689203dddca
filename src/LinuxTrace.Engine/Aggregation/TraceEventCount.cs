namespace LinuxTrace;

/// <summary>A group of Measure-TraceEvent (or of an in-kernel histogram) that counts only: no -Property, so no Sum,
/// Minimum, Maximum or Average; its table shows the count and the keys.</summary>
public abstract class TraceEventCount : TraceEventGroup
{
}
