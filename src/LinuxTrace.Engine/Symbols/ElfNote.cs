using Microsoft.Win32.SafeHandles;

namespace LinuxTrace.Engine.Symbols;

/// <summary>An ELF note (name, type, descriptor bytes).</summary>
public readonly record struct ElfNote(string Name, uint Type, byte[] Descriptor);
