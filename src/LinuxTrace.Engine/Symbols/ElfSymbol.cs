using Microsoft.Win32.SafeHandles;

namespace LinuxTrace.Engine.Symbols;

/// <summary>A function symbol of an ELF file: its virtual address and the file offset a uprobe takes.</summary>
public readonly record struct ElfSymbol(string Name, ulong Address, ulong Size, bool IsGlobal, bool IsIndirect, long FileOffset);
