using LinuxTrace.Engine.Reading;
using LinuxTrace.Engine.RingBuffer;
using LinuxTrace.Engine.Sessions;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace;

// The live stream: per-CPU drainer threads (a DrainSet) feed a bounded queue that never makes them wait; the consumer's
// thread runs the rounds (LiveStream): merge by time, attach stacks, filter, make objects in batches.
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
    /// in time order across CPUs (<see cref="LiveStream"/>) until the end condition (the program exited, the duration
    /// passed, a stop was requested) or the token fires; then recording stops and what is left in the buffers comes last.
    /// Losses come in the stream where they happened: the kernel's (ring buffer overrun) and LinuxTrace's (reader queue full).
    /// </summary>
    /// <remarks>With <paramref name="visitor"/>, records are handed to it with their format instead of becoming objects
    /// (aggregation at engine speed); the batches then hold only loss reports, one (perhaps empty) per drain cycle.</remarks>
    public IEnumerable<List<TraceRecord>> Stream(CancellationToken token, RecordVisitor? visitor = null)
    {
        EnterForeground();
        StartDraining(null);
        StartRecording();
        var stacks = new StackAttacher((RecordsKernelStacks || _options.UserStackTrace) && visitor is null ? [Catalog] : [],
            kernel: RecordsKernelStacks, user: _options.UserStackTrace, maxWaitNs: StackAttacher.LiveWaitNs);
        var live = new LiveStream(_drains, LiveFilter, stacks, Catalog, Factory, Losses, visitor, _cpuClock);
        foreach (var batch in live.Run(this, token)) yield return batch;
    }

    // what the stream asks of the session between rounds
    bool ILiveSession.EndCondition => ShouldEnd();

    void ILiveSession.EndRecording(bool drain)
    {
        NoteEndState();
        TurnRecordingOff(drain);
    }

    void ILiveSession.Refresh(bool ending)
    {
        if (!ending)
        {
            RefreshOwnThreads();
            _userMaps?.Refresh();
        }
        RefreshCommands(force: ending);
    }

    void ILiveSession.CountLoss(long count) => CountLoss(count);

    void ILiveSession.Delivered(long count) => Interlocked.Add(ref _events, count);

    private void CountLoss(long count)
    {
        Interlocked.Increment(ref _lostMarkers);
        if (count > 0) Interlocked.Add(ref _lost, count);
    }

    private readonly PipelineCpuClock _cpuClock = new();
}
