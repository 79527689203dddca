namespace LinuxTrace;

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
