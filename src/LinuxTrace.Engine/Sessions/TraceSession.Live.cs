using LinuxTrace.Engine.Reading;
using LinuxTrace.Engine.RingBuffer;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace;

// The live stream: per-CPU drainer threads (a DrainSet) feed a bounded queue that never makes them wait; the consumer's
// thread merges by time, attaches stacks, filters and makes objects in batches.
public sealed partial class TraceSession
{
    private DrainSet _drains = DrainSet.None;

    /// <summary>Memory the queue between the drainers and the consumer may hold (512 MB unless the options say otherwise).</summary>
    public long QueueLimitBytes => _options.QueueLimitMB is { } mb ? mb * (1L << 20) : 512L << 20;

    /// <summary>Bytes queued for the consumer now.</summary>
    public long QueuedBytes => _drains.Queue?.QueuedBytes ?? 0;

    /// <summary>Events LinuxTrace dropped so far because its queue reached <see cref="QueueLimitBytes"/>.</summary>
    public long DroppedByLinuxTrace => _drains.Queue?.DroppedEvents ?? 0;

    /// <summary>Starts one drainer thread per CPU feeding <paramref name="sink"/> (a queue of the session's own when null).</summary>
    private void StartDraining(IPageSink? sink)
    {
        lock (_gate)
        {
            if (State != TraceSessionState.Running) throw new InvalidOperationException($"Session {Name} has stopped.");
            // Wake the drainers when a quarter of the buffer is full (the kernel's default is half): more headroom for bursts.
            if (OwnsInstance && Instance.BufferPercent >= 0)
            {
                try { Instance.BufferPercent = 25; } catch (TraceException) { }
            }
            // a function tracer in the top buffer (function_graph before 6.12): timed reads, not poll() (see CpuDrainer)
            int pollMs = Instance.IsTop && _options.Tracer is not null ? -20 : 5;
            _drains = DrainSet.Start(Instance, Catalog.HeaderPage, sink, QueueLimitBytes, Losses, pollMs, _options.DrainerPriority);
        }
    }

    /// <summary>
    /// Streams the trace: starts the drainers, turns recording on, lets the program run, and yields batches of records
    /// in time order across CPUs (each round merges up to the time every CPU has been read to) until the end condition
    /// (the program exited, the duration passed, a stop was requested) or the token fires; then recording stops and what
    /// is left in the buffers comes last. Losses come in the stream where they happened: the kernel's (ring buffer
    /// overrun) and LinuxTrace's (reader queue full).
    /// </summary>
    /// <remarks>With <paramref name="visitor"/>, records are handed to it with their format instead of becoming objects
    /// (aggregation at engine speed); the batches then hold only loss reports, one (perhaps empty) per drain cycle.</remarks>
    public IEnumerable<List<TraceRecord>> Stream(CancellationToken token, RecordVisitor? visitor = null)
    {
        EnterForeground();
        StartDraining(null);
        StartRecording();
        var filter = LiveFilter;
        var stacks = new StackAttacher((RecordsKernelStacks || _options.UserStackTrace) && visitor is null ? [Catalog] : [],
            kernel: RecordsKernelStacks, user: _options.UserStackTrace, maxWaitNs: StackAttacher.LiveWaitNs);
        var merger = new RecordMerger(_drains.Cursors);
        var cpu = _cpuClock;
        cpu.Start();
        while (true)
        {
            bool ending = ShouldEnd() || token.IsCancellationRequested;
            if (ending && (Interrupted || token.IsCancellationRequested))
            {
                // Ctrl+C, a signal, a stopping pipeline: end now; what the pipeline has not taken yet is not delivered
                NoteEndState();
                TurnRecordingOff(drain: false);
                cpu.Yielding();
                yield break;
            }
            if (ending) { NoteEndState(); TurnRecordingOff(drain: true); merger.Limit = ulong.MaxValue; }
            else
            {
                RefreshOwnThreads();
                _userMaps?.Refresh();
                // this round merges up to the time every CPU has been read to: the stream stays in time order
                merger.Limit = _drains.MergeLimit();
            }
            _drains.ThrowIfFailed();
            RefreshCommands(force: ending);
            merger.Resume();
            var batch = new List<TraceRecord>(1024);
            long visited = 0;
            while (merger.MoveNext())
            {
                ref var r = ref merger.Current;
                if (r.IsLost) CountLoss(r.Lost);
                if (stacks.Consume(r, batch)) continue;
                if (!filter.Accept(r)) { stacks.Add(r, null, batch); continue; }
                if (visitor is not null)
                {
                    visitor(r, r.IsLost ? null : Catalog.GetById(r.EventId));
                    visited++;
                    continue;
                }
                stacks.Add(r, Factory.Create(r), batch);
                if (batch.Count >= 4096)
                {
                    Interlocked.Add(ref _events, batch.Count);
                    cpu.Yielding();
                    yield return batch;
                    cpu.Resumed();
                    batch = new List<TraceRecord>(4096);
                    // Ctrl+C or a signal while a backlog is delivered: end now (the next round ends the trace)
                    if (Interrupted || token.IsCancellationRequested) break;
                }
            }
            if (ending)
            {
                stacks.Flush(batch);
                AddOutstandingLosses(batch);
            }
            else stacks.EndRound(batch, merger.Limit); // an event whose stack may be on a page not merged yet waits
            if (batch.Count > 0 || visitor is not null)
            {
                Interlocked.Add(ref _events, batch.Count + visited);
                cpu.Yielding();
                yield return batch;
                cpu.Resumed();
            }
            if (ending) { cpu.Yielding(); yield break; }
            _drains.Wait(TimeSpan.FromMilliseconds(100), token); // a fired token: the next round ends the trace
        }
    }

    /// <summary>Losses the kernel counted after the last page read still belong in the stream: one note per CPU.</summary>
    private void AddOutstandingLosses(List<TraceRecord> batch)
    {
        foreach (var (cpu, count) in Losses.Outstanding())
        {
            CountLoss(count);
            ulong at = _drains.Cursors.FirstOrDefault(c => c.Cpu == cpu)?.LastTimestamp ?? 0;
            batch.Add(new TraceLostEvents(cpu, at, count, at == 0 ? null : at, TraceLostEvents.RingBufferOverrun));
        }
    }

    private void CountLoss(long count)
    {
        Interlocked.Increment(ref _lostMarkers);
        if (count > 0) Interlocked.Add(ref _lost, count);
    }

    private readonly PipelineCpuClock _cpuClock = new();

    /// <summary>CPU time of the pipeline's thread, split: inside the engine (merge, decode, objects) and, while the
    /// consumer holds a batch, outside it (the pipeline's own work). Read into the summary.</summary>
    private sealed class PipelineCpuClock
    {
        private long _mark;
        public long EngineNs, PipelineNs;
        public void Start() => _mark = LinuxTrace.Engine.Native.Libc.ThreadCpuNanoseconds();
        public void Yielding() { long now = LinuxTrace.Engine.Native.Libc.ThreadCpuNanoseconds(); EngineNs += now - _mark; _mark = now; }
        public void Resumed() { long now = LinuxTrace.Engine.Native.Libc.ThreadCpuNanoseconds(); PipelineNs += now - _mark; _mark = now; }
    }
}
