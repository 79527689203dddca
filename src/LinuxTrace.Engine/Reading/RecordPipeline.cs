using LinuxTrace.Engine.Events;
using LinuxTrace.Engine.Formats;
using LinuxTrace.Engine.RingBuffer;

namespace LinuxTrace.Engine.Reading;

/// <summary>
/// The one path of a record from a complete source (trace.dat files, an instance's buffers as they are now): the
/// per-CPU cursors merged by time, the filters applied before anything is made, then one of three outputs (objects
/// with their stacks attached, function calls paired, or a visitor that makes nothing). A source is several when
/// files are merged: each record says which (<see cref="RecordRef.Source"/>), and has that source's factory and filter.
/// The live stream (TraceSession.Stream) runs the same stages in rounds, since its pages arrive while it reads.
/// </summary>
public sealed class RecordPipeline
{
    private readonly IReadOnlyList<CpuCursor> _cursors;
    private readonly IReadOnlyList<EventFactory> _factories;
    private readonly IReadOnlyList<RecordFilter?>? _filters;
    private readonly RecordFilter? _common;

    /// <param name="cursors">Every CPU of every source.</param>
    /// <param name="factories">One per source: its formats, symbols and commands.</param>
    /// <param name="filters">One per source (event ids differ between files), or null.</param>
    /// <param name="common">A filter every record must pass first (a session's own), or null.</param>
    public RecordPipeline(IReadOnlyList<CpuCursor> cursors, IReadOnlyList<EventFactory> factories, IReadOnlyList<RecordFilter?>? filters = null,
        RecordFilter? common = null)
    {
        _cursors = cursors;
        _factories = factories;
        _filters = filters;
        _common = common;
    }

    /// <summary>Called with the number lost at each loss report as it is merged.</summary>
    public Action<long>? OnLoss { get; init; }

    private bool Accept(in RecordRef r) =>
        (_common is null || _common.Accept(r)) && (_filters?[r.Source] is not { } f || f.Accept(r));

    /// <summary>
    /// The records as objects, in time order. The kernel and user stacks recorded after an event on its CPU are
    /// attached to it (looked ahead for: the source is complete). A stop is seen every 4096 records, also while filters
    /// drop them all.
    /// </summary>
    public IEnumerable<TraceRecord> Objects(CancellationToken cancel = default)
    {
        var merger = new RecordMerger(_cursors);
        var stacks = new StackAttacher(_factories.Select(f => f.Catalog).ToArray());
        int sinceCheck = 0;
        while (merger.MoveNext())
        {
            if (++sinceCheck == 4096) { sinceCheck = 0; cancel.ThrowIfCancellationRequested(); }
            ref var r = ref merger.Current;
            if (r.IsLost) OnLoss?.Invoke(r.Lost);
            if (stacks.IsStack(r)) continue;
            var made = Accept(r) ? _factories[r.Source].Create(r) : null;
            stacks.TakeFollowing(merger, made as TraceEvent);
            if (made is not null) yield return made;
        }
    }

    /// <summary>
    /// Function calls paired from the function_graph records (made straight from the record bytes); with
    /// <paramref name="includeOthers"/>, the other records pass through as objects, else they are skipped (loss
    /// reports always pass). Calls still open at the end come last, as NoReturn.
    /// </summary>
    public IEnumerable<TraceRecord> Calls(bool includeOthers)
    {
        var byId = _factories.Select(_ => new EventFormat?[65536]).ToArray();
        var builders = _factories.Select(f => f.NewCallGraphBuilder()).ToArray();
        var output = new List<TraceRecord>();
        var merger = new RecordMerger(_cursors);
        while (merger.MoveNext())
        {
            ref var r = ref merger.Current;
            if (r.IsLost) OnLoss?.Invoke(r.Lost);
            if (!Accept(r)) continue;
            if (!builders[r.Source].Add(r, FormatOf(r, byId), output) && (includeOthers || r.IsLost)) output.Add(_factories[r.Source].Create(r));
            if (output.Count == 0) continue;
            foreach (var o in output) yield return o;
            output.Clear();
        }
        foreach (var b in builders) b.Finish(output);
        foreach (var o in output) yield return o;
    }

    /// <summary>Hands every record that passes the filters to <paramref name="visitor"/> with its format, in time
    /// order, without making objects; returns how many.</summary>
    public long Visit(RecordVisitor visitor)
    {
        var byId = _factories.Select(_ => new EventFormat?[65536]).ToArray();
        var merger = new RecordMerger(_cursors);
        long n = 0;
        while (merger.MoveNext())
        {
            ref var r = ref merger.Current;
            if (r.IsLost) OnLoss?.Invoke(r.Lost);
            if (!Accept(r)) continue;
            visitor(r, FormatOf(r, byId));
            n++;
        }
        return n;
    }

    private EventFormat? FormatOf(in RecordRef r, EventFormat?[][] byId) =>
        r.IsLost || r.EventId is not (int id and >= 0) ? null : byId[r.Source][id] ??= _factories[r.Source].Catalog.GetById(id);
}
