namespace LinuxTrace.Engine.Symbols;

/// <summary>A file mapped into a process: its address range, and the file offset the range starts at.</summary>
public readonly record struct ProcessMapping(ulong Start, ulong End, ulong FileOffset, string Path);
