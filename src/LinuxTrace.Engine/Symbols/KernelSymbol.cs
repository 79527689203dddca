namespace LinuxTrace.Engine.Symbols;

/// <summary>A kernel symbol and where it starts.</summary>
public readonly record struct KernelSymbol(string Name, ulong Address);
