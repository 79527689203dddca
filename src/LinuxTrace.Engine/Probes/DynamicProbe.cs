namespace LinuxTrace;

/// <summary>
/// A kprobe, kretprobe, uprobe or uretprobe (or another dynamic event) as the kernel lists it, with its hit counts and
/// where it is enabled. Pipe it to Remove-KProbe / Remove-UProbe, or trace it: Start-Trace -Event $probe.EventName.
/// </summary>
public sealed class DynamicProbe
{
    public required ProbeType Type { get; init; }

    /// <summary>The event system the probe's event is in (kprobes, uprobes, or the group it was given).</summary>
    public required string Group { get; init; }

    /// <summary>The event's name.</summary>
    public required string Name { get; init; }

    /// <summary>group:name, as Start-Trace -Event and Get-TraceEventType take it.</summary>
    public string EventName => Group + ":" + Name;

    /// <summary>Where the probe is: kernel symbol[+offset] or address (kprobes), path:offset (uprobes), the traced event (eprobes, tprobes).</summary>
    public required string Target { get; init; }

    /// <summary>Kernel probes: the function (without module and offset); null for an address or a user probe.</summary>
    public string? Function { get; init; }

    /// <summary>Kernel probes: the module the function is in (mod:sym); null for the kernel itself.</summary>
    public string? Module { get; init; }

    /// <summary>Offset from the function (kprobes) or in the file (uprobes).</summary>
    public long Offset { get; init; }

    /// <summary>User probes: the probed file.</summary>
    public string? Path { get; init; }

    /// <summary>User probes: the file offset of the USDT semaphore (reference counter) the kernel increments while the probe is on; null when none.</summary>
    public long? ReferenceCounterOffset { get; init; }

    /// <summary>Return probes: how many calls can be pending at once (0: the kernel's default).</summary>
    public int MaxActive { get; init; }

    /// <summary>True for return probes (kretprobe, uretprobe, fexit).</summary>
    public bool IsReturn => Type is ProbeType.KRetProbe or ProbeType.URetProbe or ProbeType.FRetProbe;

    public IReadOnlyList<ProbeArgument> Arguments { get; init; } = Array.Empty<ProbeArgument>();

    /// <summary>The probe's line in dynamic_events, as the kernel prints it.</summary>
    public required string Definition { get; init; }

    /// <summary>Times the probe fired (kprobe_profile, uprobe_profile).</summary>
    public long Hits { get; init; }

    /// <summary>Kernel probes: hits the kernel could not handle (nested, or maxactive too small for a kretprobe).</summary>
    public long Misses { get; init; }

    /// <summary>The instances ("top" for the top level) where the probe's event is enabled.</summary>
    public IReadOnlyList<string> EnabledIn { get; init; } = Array.Empty<string>();

    public bool IsEnabled => EnabledIn.Count > 0;

    /// <summary>True for kprobes and kretprobes (the kernel's own functions).</summary>
    public bool IsKernel => Type is ProbeType.KProbe or ProbeType.KRetProbe;

    /// <summary>True for uprobes and uretprobes.</summary>
    public bool IsUser => Type is ProbeType.UProbe or ProbeType.URetProbe;

    public override string ToString() => Definition;
}
