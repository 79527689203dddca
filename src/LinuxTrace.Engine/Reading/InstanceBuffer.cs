using LinuxTrace.Engine.Events;
using LinuxTrace.Engine.Formats;
using LinuxTrace.Engine.RingBuffer;
using LinuxTrace.Engine.TraceDat;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Engine.Reading;

/// <summary>Reading an instance's ring buffers as they are now: every CPU, non-blocking, until empty.</summary>
public static class InstanceBuffer
{
    /// <summary>Reads (consuming) the buffers of any instance, with the running kernel's formats, symbols and commands.</summary>
    public static IEnumerable<TraceRecord> Read(TraceInstance instance, RecordFilter? filter)
    {
        var factory = EventFactory.ForLive(instance.Tracefs);
        factory.WallClockOffsetNs = instance.WallClockOffsetNs();
        return Read(instance, factory, filter);
    }

    /// <summary>Reads (consuming) an instance's ring buffers, merged by time; records must pass
    /// <paramref name="sessionFilter"/> and then <paramref name="filter"/>.</summary>
    public static IEnumerable<TraceRecord> Read(TraceInstance instance, EventFactory factory, RecordFilter? filter, Action<long>? onLoss = null,
        LossAccount? losses = null, RecordFilter? sessionFilter = null) =>
        Through(instance, factory, losses, cursors => new RecordPipeline(cursors, [factory], [filter], sessionFilter) { OnLoss = onLoss }.Objects());

    /// <summary>The function calls paired from what an instance's buffers hold now (consuming it); calls still open
    /// come last, as NoReturn. Loss reports pass through.</summary>
    public static IEnumerable<TraceRecord> ReadCalls(TraceInstance instance, EventFactory factory, Action<long>? onLoss = null,
        LossAccount? losses = null, RecordFilter? sessionFilter = null) =>
        Through(instance, factory, losses, cursors => new RecordPipeline(cursors, [factory], null, sessionFilter) { OnLoss = onLoss }.Calls(includeOthers: false));

    /// <summary>Opens a consuming reader per CPU, runs <paramref name="read"/> over their cursors, and closes them.</summary>
    private static IEnumerable<TraceRecord> Through(TraceInstance instance, EventFactory factory, LossAccount? losses,
        Func<IReadOnlyList<CpuCursor>, IEnumerable<TraceRecord>> read)
    {
        var header = factory.Catalog.HeaderPage;
        var sources = OpenConsuming(instance);
        try
        {
            foreach (var r in read(sources.Select(x => new CpuCursor(x.Cpu, x.Pages, header, null, losses)).ToList())) yield return r;
        }
        finally
        {
            foreach (var x in sources) x.Pages.Dispose();
        }
    }

    /// <summary>Writes what an instance's buffers hold now (consuming it) to a trace.dat file; with
    /// <paramref name="wallClock"/>, with the DATE option, the offset measured before and after reading the buffer
    /// (the bound: how far it moved meanwhile, plus the measurements' windows; drift before that is not seen).</summary>
    public static void Export(TraceInstance instance, IEnumerable<EventName> events, CommandResolver commands, string outFile, int version, string compression,
        IReadOnlyList<LinuxTrace.Engine.Symbols.ProcessMaps>? processMaps = null, bool wallClock = false)
    {
        var start = wallClock ? instance.ReadWallClock() : null;
        var sources = OpenConsuming(instance);
        try
        {
            var meta = TraceDatMetadata.FromTracefs(instance, events, commands, null, processMaps, start?.OffsetNs, start?.BoundTo(instance.ReadWallClock()));
            var cpus = sources.Select(x => new TraceDatCpuData(x.Cpu, x.Pages)).ToArray();
            TraceDatWriter.Write(outFile, meta, cpus, version, compression);
        }
        finally
        {
            foreach (var x in sources) x.Pages.Dispose();
        }
    }

    /// <summary>A consuming, non-blocking reader per CPU, bounded to about twice the buffer so that a busy writer
    /// cannot keep the reader there forever.</summary>
    private static (int Cpu, TracePipePageSource Pages)[] OpenConsuming(TraceInstance instance)
    {
        int pageSize = instance.SubBufferSizeKB * 1024;
        long maxPages = Math.Max(16, (long)Math.Max(instance.BufferSizeKB, 1) * 1024 / pageSize * 2);
        var opened = new List<(int, TracePipePageSource)>();
        try
        {
            foreach (int cpu in instance.Cpus) opened.Add((cpu, new TracePipePageSource(instance.TracePipeRawPath(cpu), pageSize, maxPages)));
            return opened.ToArray();
        }
        catch
        {
            foreach (var (_, p) in opened) p.Dispose();
            throw;
        }
    }
}
