using LinuxTrace.Engine.Reading;
using LinuxTrace.Engine.Native;
using LinuxTrace.Engine.RingBuffer;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace;

// The live loop: per-CPU drainer threads feed a bounded queue that never makes them wait; the consumer's thread
// decodes, merges by time and makes objects in batches.
public sealed partial class TraceSession
{
    private CpuDrainer[] _drainers = Array.Empty<CpuDrainer>();
    private PageQueue? _queue;
    private CpuCursor[]? _cursors;

    /// <summary>Memory the queue between the drainers and the consumer may hold (512 MB unless the options say otherwise).</summary>
    public long QueueLimitBytes => _options.QueueLimitMB is { } mb ? mb * (1L << 20) : 512L << 20;

    /// <summary>Bytes queued for the consumer now.</summary>
    public long QueuedBytes => _queue?.QueuedBytes ?? 0;

    /// <summary>Events LinuxTrace dropped so far because its queue reached <see cref="QueueLimitBytes"/>.</summary>
    public long DroppedByLinuxTrace => _queue?.DroppedEvents ?? 0;

    /// <summary>Starts one drainer thread per CPU feeding <paramref name="sink"/> (the session's queue when null).</summary>
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
            var cpus = Instance.Cpus;
            int pageSize = Instance.SubBufferSizeKB * 1024;
            var header = Catalog.HeaderPage;
            if (sink is null)
            {
                _queue = new PageQueue(cpus.Count == 0 ? 1 : cpus.Max() + 1, QueueLimitBytes, header, pageSize);
                sink = _queue;
                _cursors = cpus.Select(c => new CpuCursor(c, _queue.SourceFor(c), header, null, Losses)).ToArray();
            }
            var drainers = new List<CpuDrainer>();
            try
            {
                // a function tracer in the top buffer (function_graph before 6.12): timed reads, not poll() (see CpuDrainer)
                int pollMs = Instance.IsTop && _options.Tracer is not null ? -20 : 5;
                foreach (int c in cpus) drainers.Add(new CpuDrainer(c, Instance.TracePipeRawPath(c), pageSize, header, sink, pollMs, _options.DrainerPriority));
            }
            catch
            {
                foreach (var d in drainers) d.Dispose();
                throw;
            }
            _drainers = drainers.ToArray();
            foreach (var d in _drainers) d.Start();
        }
    }

    /// <summary>
    /// Streams the trace: starts the drainers, turns recording on, lets the program run, and yields batches of records
    /// in time order across CPUs (each round merges up to the time every CPU has been read to) until the end condition (the program exited, the duration passed, a stop
    /// was requested) or the token fires; then recording stops and what is left in the buffers comes last. Losses come
    /// in the stream where they happened: the kernel's (ring buffer overrun) and LinuxTrace's (reader queue full).
    /// </summary>
    /// <remarks>With <paramref name="visitor"/>, records are handed to it with their format instead of becoming objects
    /// (aggregation at engine speed); the batches then hold only loss reports, one (perhaps empty) per drain cycle.</remarks>
    public IEnumerable<List<TraceRecord>> Stream(CancellationToken token, LinuxTrace.Engine.Reading.RecordVisitor? visitor = null)
    {
        EnterForeground();
        StartDraining(null);
        StartRecording();
        var filter = LiveFilter;
        var cursors = _cursors!;
        var stacks = new StackAttacher((RecordsKernelStacks || _options.UserStackTrace) && visitor is null ? [Catalog] : [],
            kernel: RecordsKernelStacks, user: _options.UserStackTrace, maxWaitNs: StackAttacher.LiveWaitNs);
        var merger = new RecordMerger(cursors);
        var safe = new LiveMergeLimit();
        // CPU time of this (the pipeline's) thread: inside the engine (merge, decode, objects) and, while the caller
        // has a batch, outside it (the pipeline's own work)
        long mark = Libc.ThreadCpuNanoseconds();
        void Yielding() { long now = Libc.ThreadCpuNanoseconds(); _engineCpuNs += now - mark; mark = now; }
        void Resumed() { long now = Libc.ThreadCpuNanoseconds(); _pipelineCpuNs += now - mark; mark = now; }
        while (true)
        {
            bool ending = ShouldEnd() || token.IsCancellationRequested;
            if (ending && (Interrupted || token.IsCancellationRequested))
            {
                // Ctrl+C, a signal, a stopping pipeline: end now; what the pipeline has not taken yet is not delivered
                NoteEndState();
                TurnRecordingOff(drain: false);
                Yielding();
                yield break;
            }
            if (ending) { NoteEndState(); TurnRecordingOff(drain: true); merger.Limit = ulong.MaxValue; }
            else
            {
                RefreshOwnThreads();
                _userMaps?.Refresh();
                // this round merges up to the time every CPU has been read to: the stream stays in time order
                merger.Limit = safe.Limit(_drainers);
            }
            foreach (var d in _drainers)
                if (d.Error is { } err) throw new TraceException(TraceErrorKind.Failed, $"Reading CPU {d.Cpu}'s ring buffer failed: {err.Message}", null, 0, err);

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
                    Yielding();
                    yield return batch;
                    Resumed();
                    batch = new List<TraceRecord>(4096);
                    // Ctrl+C or a signal while a backlog is delivered: end now (the next round ends the trace)
                    if (Interrupted || token.IsCancellationRequested) break;
                }
            }
            if (ending) stacks.Flush(batch);
            else stacks.EndRound(batch, merger.Limit); // an event whose stack may be on a page not merged yet waits
            if (ending)
            {
                // Losses the kernel counted after the last page we saw still belong in the stream.
                foreach (var (cpu, count) in Losses.Outstanding())
                {
                    CountLoss(count);
                    ulong at = cursors.FirstOrDefault(c => c.Cpu == cpu)?.LastTimestamp ?? 0;
                    batch.Add(new TraceLostEvents(cpu, at, count, at == 0 ? null : at, TraceLostEvents.RingBufferOverrun));
                }
            }
            if (batch.Count > 0 || visitor is not null)
            {
                Interlocked.Add(ref _events, batch.Count + visited);
                Yielding();
                yield return batch;
                Resumed();
            }
            if (ending) { Yielding(); yield break; }
            try
            {
                _queue!.Wait(TimeSpan.FromMilliseconds(100), token);
            }
            catch (OperationCanceledException)
            {
                // the next round ends the trace and reads what is left
            }
        }
    }

    private long _engineCpuNs, _pipelineCpuNs;

    private void CountLoss(long count)
    {
        Interlocked.Increment(ref _lostMarkers);
        if (count > 0) Interlocked.Add(ref _lost, count);
    }
}

/// <summary>
/// How far a live merge may go: the lowest of the drainers' safe time stamps (every record stamped before it is
/// queued; see Native/drain.c, "order across CPUs"). A drainer whose safe time has not moved for a second is left out:
/// either nothing was queued since (it holds nothing back) or it cannot catch up with its CPU's writer, and then
/// the stream goes on without waiting for it (its late records may come out of order, rather than never).
/// </summary>
internal sealed class LiveMergeLimit
{
    private ulong[] _seen = [];
    private long[] _changed = [];

    public ulong Limit(CpuDrainer[] drainers)
    {
        if (_seen.Length != drainers.Length) { _seen = new ulong[drainers.Length]; _changed = new long[drainers.Length]; }
        long now = Environment.TickCount64;
        ulong limit = ulong.MaxValue;
        for (int i = 0; i < drainers.Length; i++)
        {
            ulong safe = drainers[i].SafeTimestamp;
            if (safe != _seen[i] || _changed[i] == 0) { _seen[i] = safe; _changed[i] = now; }
            else if (now - _changed[i] > 1000) continue;
            if (safe < limit) limit = safe;
        }
        return limit;
    }
}
