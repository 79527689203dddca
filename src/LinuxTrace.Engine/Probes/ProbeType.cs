namespace LinuxTrace;

/// <summary>The kinds of dynamic event the kernel lists in dynamic_events.</summary>
public enum ProbeType
{
    KProbe,
    KRetProbe,
    UProbe,
    URetProbe,
    FProbe,
    FRetProbe,
    TracepointProbe,
    EventProbe,
    Synthetic,
}
