using Microsoft.Win32.SafeHandles;

namespace LinuxTrace.Engine.TraceDat;

/// <summary>One recorded buffer (the top instance, or a named one) of a trace.dat file.</summary>
public sealed class TraceDatBuffer
{
    public required string Name { get; init; }
    public string? Clock { get; init; }
    public int PageSize { get; init; }
    public bool Compressed { get; init; }
    public required IReadOnlyList<TraceDatCpu> Cpus { get; init; }
    public string DisplayName => Name.Length == 0 ? "top" : Name;
}
