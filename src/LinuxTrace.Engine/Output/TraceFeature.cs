namespace LinuxTrace;

/// <summary>One feature of the kernel's tracing and whether LinuxTrace can use it here.</summary>
public sealed record TraceFeature(string Name, FeatureState State, string Detail)
{
    public bool Available => State == FeatureState.Available;
}
