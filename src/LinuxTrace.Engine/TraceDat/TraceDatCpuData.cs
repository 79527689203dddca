using LinuxTrace.Engine.Events;
using LinuxTrace.Engine.Formats;
using System.Buffers.Binary;
using System.Text;
using LinuxTrace.Engine.RingBuffer;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Engine.TraceDat;

/// <summary>One CPU's pages for the writer: a source read once, in order.</summary>
public sealed record TraceDatCpuData(int Cpu, IPageSource Pages);
