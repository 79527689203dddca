using LinuxTrace.Engine.Formats;
using LinuxTrace.Engine.Reading;
using LinuxTrace.Engine.RingBuffer;

namespace LinuxTrace.Engine.Sessions;

/// <summary>What the live stream asks of the session it streams, between rounds.</summary>
internal interface ILiveSession
{
    /// <summary>The end condition came: the program exited, the duration passed, a stop was asked for.</summary>
    bool EndCondition { get; }

    /// <summary>Ctrl+C or a signal: end now; what the pipeline has not taken is not delivered.</summary>
    bool Interrupted { get; }

    /// <summary>Notes how the trace ended and turns recording off; with <paramref name="drain"/>, reads what the buffers still hold.</summary>
    void EndRecording(bool drain);

    /// <summary>Keeps the notrace pid list, user-stack maps and command names current (all of them when <paramref name="ending"/>).</summary>
    void Refresh(bool ending);

    /// <summary>A loss report in the stream (a count of 0: the kernel did not say how many).</summary>
    void CountLoss(long count);

    /// <summary>Records handed to the consumer.</summary>
    void Delivered(long count);
}

/// <summary>
/// The live stream's rounds, on the consumer's thread: each round merges every CPU's queued records up to the time
/// every CPU has been read to (<see cref="DrainSet.MergeLimit"/>), so the stream stays in time order while pages keep
/// arriving; attaches stacks (an event whose stack may be on a page not merged yet waits for the next round), filters,
/// and makes objects in batches of up to 4096, or hands each record to a visitor. At the end condition recording stops,
/// what is left in the buffers comes last, and so do the losses the kernel counted after the last page read.
/// </summary>
internal sealed class LiveStream
{
    private readonly DrainSet _drains;
    private readonly RecordFilter _filter;
    private readonly StackAttacher _stacks;
    private readonly EventCatalog _catalog;
    private readonly Events.EventFactory _factory;
    private readonly LossAccount _losses;
    private readonly RecordVisitor? _visitor;
    private readonly PipelineCpuClock _cpu;

    public LiveStream(DrainSet drains, RecordFilter filter, StackAttacher stacks, EventCatalog catalog, Events.EventFactory factory,
        LossAccount losses, RecordVisitor? visitor, PipelineCpuClock cpu)
    {
        _drains = drains;
        _filter = filter;
        _stacks = stacks;
        _catalog = catalog;
        _factory = factory;
        _losses = losses;
        _visitor = visitor;
        _cpu = cpu;
    }

    public IEnumerable<List<TraceRecord>> Run(ILiveSession session, CancellationToken token)
    {
        var merger = new RecordMerger(_drains.Cursors);
        var cpu = _cpu;
        cpu.Start();
        while (true)
        {
            bool ending = session.EndCondition || token.IsCancellationRequested;
            if (ending && (session.Interrupted || token.IsCancellationRequested))
            {
                // Ctrl+C, a signal, a stopping pipeline: end now; what the pipeline has not taken yet is not delivered
                session.EndRecording(drain: false);
                cpu.Yielding();
                yield break;
            }
            if (ending)
            {
                session.EndRecording(drain: true);
                merger.Limit = ulong.MaxValue;
            }
            else merger.Limit = _drains.MergeLimit();
            session.Refresh(ending);
            _drains.ThrowIfFailed();
            merger.Resume();
            var batch = new List<TraceRecord>(1024);
            long visited = 0;
            while (merger.MoveNext())
            {
                ref var r = ref merger.Current;
                if (r.IsLost) session.CountLoss(r.Lost);
                if (_stacks.Consume(r, batch)) continue;
                if (!_filter.Accept(r)) { _stacks.Add(r, null, batch); continue; }
                if (_visitor is not null)
                {
                    _visitor(r, r.IsLost ? null : _catalog.GetById(r.EventId));
                    visited++;
                    continue;
                }
                _stacks.Add(r, _factory.Create(r), batch);
                if (batch.Count >= 4096)
                {
                    session.Delivered(batch.Count);
                    cpu.Yielding();
                    yield return batch;
                    cpu.Resumed();
                    batch = new List<TraceRecord>(4096);
                    // Ctrl+C or a signal while a backlog is delivered: end now (the next round ends the trace)
                    if (session.Interrupted || token.IsCancellationRequested) break;
                }
            }
            if (ending)
            {
                _stacks.Flush(batch);
                AddOutstandingLosses(session, batch);
            }
            else _stacks.EndRound(batch, merger.Limit); // an event whose stack may be on a page not merged yet waits
            if (batch.Count > 0 || _visitor is not null)
            {
                session.Delivered(batch.Count + visited);
                cpu.Yielding();
                yield return batch;
                cpu.Resumed();
            }
            if (ending) { cpu.Yielding(); yield break; }
            _drains.Wait(TimeSpan.FromMilliseconds(100), token); // a fired token: the next round ends the trace
        }
    }

    /// <summary>Losses the kernel counted after the last page read still belong in the stream: one note per CPU.</summary>
    private void AddOutstandingLosses(ILiveSession session, List<TraceRecord> batch)
    {
        foreach (var (cpu, count) in _losses.Outstanding())
        {
            session.CountLoss(count);
            ulong at = _drains.Cursors.FirstOrDefault(c => c.Cpu == cpu)?.LastTimestamp ?? 0;
            batch.Add(new TraceLostEvents(cpu, at, count, at == 0 ? null : at, TraceLostEvents.RingBufferOverrun));
        }
    }
}

/// <summary>CPU time of the pipeline's thread, split: inside the engine (merge, decode, objects) and, while the
/// consumer holds a batch, outside it (the pipeline's own work). Read into a session's summary.</summary>
internal sealed class PipelineCpuClock
{
    private long _mark;
    public long EngineNs { get; private set; }
    public long PipelineNs { get; private set; }
    public void Start() => _mark = Native.Libc.ThreadCpuNanoseconds();
    public void Yielding() { long now = Native.Libc.ThreadCpuNanoseconds(); EngineNs += now - _mark; _mark = now; }
    public void Resumed() { long now = Native.Libc.ThreadCpuNanoseconds(); PipelineNs += now - _mark; _mark = now; }
}
