using LinuxTrace.Engine.RingBuffer;

namespace LinuxTrace.Engine.TraceDat;

/// <summary>One CPU's pages for the writer: a source read once, in order.</summary>
public sealed record TraceDatCpuData(int Cpu, IPageSource Pages);
