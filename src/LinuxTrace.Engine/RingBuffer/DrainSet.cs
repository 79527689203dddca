using LinuxTrace.Engine.Formats;
using LinuxTrace.Engine.Native;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Engine.RingBuffer;

/// <summary>
/// One drainer thread per CPU of an instance, feeding a page sink: a trace.dat recording's per-CPU files, or a bounded
/// <see cref="PageQueue"/> of its own (live streaming) with a cursor per CPU over it. It starts, stops (optionally
/// reading what the buffers still hold), reports a drainer's failure, and says how far a live merge may go.
/// </summary>
internal sealed class DrainSet : IDisposable
{
    private readonly CpuDrainer[] _drainers;
    private readonly LiveMergeLimit _limit = new();

    private DrainSet(CpuDrainer[] drainers, PageQueue? queue, CpuCursor[] cursors)
    {
        _drainers = drainers;
        Queue = queue;
        Cursors = cursors;
    }

    /// <summary>No drainers (a session that streams nothing): everything reads as zero.</summary>
    public static DrainSet None { get; } = new([], null, []);

    /// <summary>The queue between the drainers and the consumer (null when draining into another sink).</summary>
    public PageQueue? Queue { get; }

    /// <summary>A cursor per CPU over <see cref="Queue"/> (empty when draining into another sink).</summary>
    public CpuCursor[] Cursors { get; }

    public bool IsEmpty => _drainers.Length == 0;

    /// <summary>
    /// Starts a drainer per CPU of <paramref name="instance"/> into <paramref name="sink"/>, or, when it is null, into a
    /// queue of at most <paramref name="queueLimitBytes"/> with cursors that count losses in <paramref name="losses"/>.
    /// </summary>
    public static DrainSet Start(TraceInstance instance, HeaderPage header, IPageSink? sink, long queueLimitBytes, LossAccount losses,
        int pollMs, DrainerPriority priority)
    {
        var cpus = instance.Cpus;
        int pageSize = instance.SubBufferSizeKB * 1024;
        PageQueue? queue = null;
        CpuCursor[] cursors = [];
        if (sink is null)
        {
            queue = new PageQueue(cpus.Count == 0 ? 1 : cpus.Max() + 1, queueLimitBytes, header, pageSize);
            sink = queue;
            cursors = cpus.Select(c => new CpuCursor(c, queue.SourceFor(c), header, null, losses)).ToArray();
        }
        var drainers = new List<CpuDrainer>();
        try
        {
            foreach (int c in cpus) drainers.Add(new CpuDrainer(c, instance.TracePipeRawPath(c), pageSize, header, sink, pollMs, priority));
        }
        catch
        {
            foreach (var d in drainers) d.Dispose();
            queue?.Dispose();
            throw;
        }
        var set = new DrainSet(drainers.ToArray(), queue, cursors);
        foreach (var d in set._drainers) d.Start();
        return set;
    }

    /// <summary>Stops the drainers; with <paramref name="drainRemaining"/>, then reads what the buffers still hold.</summary>
    public void Stop(bool drainRemaining)
    {
        foreach (var d in _drainers) d.Stop();
        if (drainRemaining) foreach (var d in _drainers) d.DrainRemaining();
    }

    /// <summary>Throws when a drainer failed (a read error on its CPU's trace_pipe_raw).</summary>
    public void ThrowIfFailed()
    {
        foreach (var d in _drainers)
            if (d.Error is { } err) throw new TraceException(TraceErrorKind.Failed, $"Reading CPU {d.Cpu}'s ring buffer failed: {err.Message}", null, 0, err);
    }

    /// <summary>How far the next live merge may go (see <see cref="LiveMergeLimit"/>).</summary>
    public ulong MergeLimit() => _limit.Limit(_drainers);

    /// <summary>Waits until the queue has pages or <paramref name="timeout"/> passed; false when <paramref name="token"/> fired.</summary>
    public bool Wait(TimeSpan timeout, CancellationToken token)
    {
        try
        {
            Queue!.Wait(timeout, token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>"native", or "managed (why)"; null with no drainers.</summary>
    public string? Kind => _drainers.Length == 0 ? null
        : _drainers.All(d => d.IsNative) ? "native" : $"managed ({NativeDrain.Unavailable ?? "the native drainer did not start"})";

    /// <summary>CPU time the drainer threads used.</summary>
    public TimeSpan CpuTime => _drainers.Aggregate(TimeSpan.Zero, (t, d) => t + d.CpuTime);

    /// <summary>Closes the drainers and the queue; failures are collected, not thrown.</summary>
    public void Dispose(List<Exception> errors)
    {
        foreach (var d in _drainers)
        {
            try { d.Dispose(); } catch (Exception e) { errors.Add(e); }
        }
        try { Queue?.Dispose(); } catch (Exception e) { errors.Add(e); }
    }

    public void Dispose() => Dispose(new List<Exception>());
}
