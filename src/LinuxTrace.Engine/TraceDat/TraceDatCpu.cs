using Microsoft.Win32.SafeHandles;

namespace LinuxTrace.Engine.TraceDat;

/// <summary>The per-CPU data of one buffer in a trace.dat file.</summary>
public sealed record TraceDatCpu(int Cpu, long Offset, long Size);

/// <summary>A section of a version 7 file: its id, its description from the STRINGS table, where it is, and its size.</summary>
