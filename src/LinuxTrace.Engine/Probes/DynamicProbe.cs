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

/// <summary>A named fetch argument of a probe: <c>Name=Fetch[:Type]</c> (filename=+0(%si):string). The event gets a
/// field, and the event object a property, under <see cref="Name"/>.</summary>
public sealed record ProbeArgument(string Name, string Fetch, string? Type = null)
{
    /// <summary>The argument as the kernel takes it.</summary>
    public override string ToString() => Type is null ? $"{Name}={Fetch}" : $"{Name}={Fetch}:{Type}";
}

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

/// <summary>
/// A USDT (statically defined) probe point of an ELF file, from its .note.stapsdt note: where it is, its semaphore,
/// and its arguments, both as the note gives them (-4@%eax) and as uprobe fetch arguments (arg1=%ax:s32).
/// </summary>
public sealed class UsdtProbe
{
    public required string Provider { get; init; }
    public required string Name { get; init; }

    /// <summary>provider:name, as Add-UProbe -Sdt takes it.</summary>
    public string FullName => Provider + ":" + Name;

    public required string Path { get; init; }

    /// <summary>The probe's address in the file (after the .stapsdt.base adjustment) and the file offset a uprobe takes.</summary>
    public ulong Address { get; init; }
    public long FileOffset { get; init; }

    /// <summary>The semaphore's address and file offset (ref_ctr_offset); null when the probe has none.</summary>
    public ulong? SemaphoreAddress { get; init; }
    public long? SemaphoreOffset { get; init; }

    /// <summary>The note's argument specifications (size@location).</summary>
    public IReadOnlyList<string> ArgumentSpecs { get; init; } = Array.Empty<string>();

    /// <summary>The arguments as uprobe fetch arguments (arg1, arg2, …); an argument the kernel cannot fetch has a null Fetch and a reason in <see cref="Unsupported"/>.</summary>
    public IReadOnlyList<ProbeArgument> Arguments { get; init; } = Array.Empty<ProbeArgument>();

    /// <summary>Arguments that cannot be fetched by a uprobe, with why.</summary>
    public IReadOnlyList<string> Unsupported { get; init; } = Array.Empty<string>();

    public override string ToString() => FullName;
}
