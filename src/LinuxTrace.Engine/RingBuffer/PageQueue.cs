using LinuxTrace.Engine.Formats;
using LinuxTrace.Engine.Native;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Engine.RingBuffer;

/// <summary>
/// Drained pages queued per CPU for the consumer, with a memory budget. Past the budget the drainers never wait:
/// they drop the page, count its events, and leave a marker in the queue at its place, so that the stream reports
/// "dropped by LinuxTrace" where it happened, apart from the kernel's own losses. Native drainers (Native/drain.c)
/// queue in native memory under a native budget; the consumer takes their pages first, then any that
/// <see cref="Accept"/> queued after they stopped (the rest of the buffer, read when tracing ends).
/// </summary>
public sealed unsafe class PageQueue : IPageSink, IDisposable
{
    /// <summary>Stands in the queue for a page that was dropped; its "length" is the number of events it held.</summary>
    public static readonly byte[] DroppedPage = [];

    private readonly System.Collections.Concurrent.ConcurrentQueue<(byte[] Page, int Length, ulong Ts)>[] _queues;
    private ulong _delivered;            // the latest time stamp of a page queued here (the native budget keeps its own)
    private readonly SemaphoreSlim _signal = new(0, int.MaxValue);
    private readonly HeaderPage _header;
    private readonly int _pageSize;
    private readonly nint[] _native;     // per CPU: a native drainer's handle (owned here), or 0
    private nint _budget;                // the native drainers' shared budget (owned here), or 0
    private readonly object _gate = new();
    private long _bytes, _peak, _droppedEvents, _droppedPages;

    public PageQueue(int cpuCount, long maxBytes, HeaderPage header, int pageSize = 4096)
    {
        _queues = Enumerable.Range(0, cpuCount).Select(_ => new System.Collections.Concurrent.ConcurrentQueue<(byte[], int, ulong)>()).ToArray();
        _native = new nint[cpuCount];
        MaxBytes = maxBytes;
        _header = header;
        _pageSize = pageSize;
    }

    public long MaxBytes { get; }
    public long QueuedBytes => Interlocked.Read(ref _bytes) + Native().Queued;
    public long PeakBytes => Math.Max(Interlocked.Read(ref _peak), Native().Peak);
    public long DroppedEvents => Interlocked.Read(ref _droppedEvents) + Native().DroppedEvents;
    public long DroppedPages => Interlocked.Read(ref _droppedPages) + Native().DroppedPages;

    private (long Queued, long Peak, long DroppedEvents, long DroppedPages) Native()
    {
        lock (_gate)
        {
            if (_budget == 0) return default;
            NativeDrain.lt_budget_read(_budget, out long q, out long p, out long de, out long dp);
            return (q, p, de, dp);
        }
    }

    public NativeDrainTarget? NativeTarget(int cpu)
    {
        lock (_gate)
        {
            if (_budget == 0) _budget = NativeDrain.lt_budget_new(MaxBytes);
            return _budget == 0 ? null : new NativeDrainTarget(-1, _budget);
        }
    }

    public void NativeAttached(int cpu, nint drainer) { lock (_gate) _native[cpu] = drainer; }

    /// <summary>The latest time stamp of any page queued (by a native drainer or <see cref="Accept"/>).</summary>
    public ulong Delivered
    {
        get
        {
            ulong managed = Volatile.Read(ref _delivered);
            lock (_gate) return _budget != 0 ? Math.Max(managed, NativeDrain.lt_budget_delivered(_budget)) : managed;
        }
    }

    private void NoteDelivered(ulong ts)
    {
        ulong cur;
        while (ts > (cur = Volatile.Read(ref _delivered)) && Interlocked.CompareExchange(ref _delivered, ts, cur) != cur) { }
        lock (_gate) if (_budget != 0) NativeDrain.lt_budget_note_delivered(_budget, ts);
    }

    /// <summary>One walk of a page: its events, its base time stamp and the stamp of its last event.</summary>
    private (int Events, ulong Start, ulong End) Walk(byte[] page, int length)
    {
        int events = 0;
        ulong start = 0;
        try
        {
            var dec = new PageDecoder(page.AsSpan(0, length), _header);
            start = dec.PageTimestamp;
            while (dec.Next(out _, out _, out _)) events++;
            return (events, start, dec.CurrentTimestamp);
        }
        catch (TraceDataException) { return (events, start, start); }
    }

    public void Accept(int cpu, byte[] page, int length)
    {
        var walk = Walk(page, length);
        if (QueuedBytes + page.Length > MaxBytes)
        {
            Interlocked.Add(ref _droppedEvents, walk.Events);
            Interlocked.Increment(ref _droppedPages);
            if (walk.Events > 0) _queues[cpu].Enqueue((DroppedPage, walk.Events, walk.Start));
        }
        else
        {
            long now = Interlocked.Add(ref _bytes, page.Length);
            long peak;
            while (now > (peak = Interlocked.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, peak) != peak) { }
            _queues[cpu].Enqueue((page, length, 0));
        }
        NoteDelivered(walk.End);
        if (_signal.CurrentCount == 0) _signal.Release();
    }

    /// <summary>Waits until pages arrive, the timeout passes or the token fires.</summary>
    public bool Wait(TimeSpan timeout, CancellationToken token)
    {
        if (!HasNative) return _signal.Wait(timeout, token);
        // native drainers do not signal: look every few milliseconds (a page holds about a hundred events)
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (NativeReady() || _signal.Wait(0, token)) return true;
            if (DateTime.UtcNow >= deadline) return false;
            token.WaitHandle.WaitOne(5);
            token.ThrowIfCancellationRequested();
        }
    }

    private bool HasNative { get { lock (_gate) return _budget != 0; } }

    private bool NativeReady()
    {
        lock (_gate)
        {
            foreach (var n in _native)
                if (n != 0 && NativeDrain.lt_queue_ready(n) != 0) return true;
            return false;
        }
    }

    public IPageSource SourceFor(int cpu) => new Source(this, cpu);

    /// <summary>
    /// Frees the native drainers (stopping any that still run). Pages nobody took (the consumer stopped before its
    /// backlog) are counted as undelivered; the native figures stay readable.
    /// </summary>
    public void Dispose()
    {
        lock (_gate)
        {
            var scratch = new byte[_pageSize];
            for (int i = 0; i < _native.Length; i++)
            {
                if (_native[i] == 0) continue;
                NativeDrain.lt_drainer_stop(_native[i]);
                while (true)
                {
                    int got, len, events;
                    fixed (byte* p = scratch) got = NativeDrain.lt_queue_pop(_native[i], p, scratch.Length, out len, out events, out _);
                    if (got == 0) break;
                    if (len >= 0) CountUntaken(CountEvents(scratch, len)); // a drop marker was counted when dropped
                }
                NativeDrain.lt_drainer_free(_native[i]);
                _native[i] = 0;
            }
            if (_budget != 0)
            {
                NativeDrain.lt_budget_read(_budget, out _, out long peak, out long de, out long dp);
                Interlocked.Add(ref _droppedEvents, de);
                Interlocked.Add(ref _droppedPages, dp);
                if (peak > Interlocked.Read(ref _peak)) Interlocked.Exchange(ref _peak, peak);
                NativeDrain.lt_budget_free(_budget);
                _budget = 0;
            }
            foreach (var q in _queues)
                while (q.TryDequeue(out var item))
                {
                    if (ReferenceEquals(item.Page, DroppedPage)) continue; // counted as dropped when it was dropped
                    Interlocked.Add(ref _bytes, -item.Page.Length);
                    CountUntaken(CountEvents(item.Page, item.Length));
                }
        }
    }

    private void CountUntaken(long events) => Interlocked.Add(ref _undelivered, events);

    /// <summary>Events read from the kernel but never taken: the consumer stopped first (Select-Object -First, Ctrl+C,
    /// Stop-Trace). Not a loss: nobody asked for them. Dropped pages still queued count as dropped, not here.</summary>
    public long UndeliveredEvents => Interlocked.Read(ref _undelivered);

    private long _undelivered;

    private int CountEvents(byte[] page, int length) => Walk(page, length).Events;

    private sealed class Source(PageQueue owner, int cpu) : IPageSource
    {
        public bool TryReadPage(out byte[] page, out int length, out long fileOffset)
        {
            fileOffset = -1;
            if (TryNative(out page, out length, out fileOffset)) return true;
            if (owner._queues[cpu].TryDequeue(out var item))
            {
                if (ReferenceEquals(item.Page, DroppedPage)) fileOffset = (long)item.Ts; // the time of the dropped page
                else Interlocked.Add(ref owner._bytes, -item.Page.Length);
                (page, length) = (item.Page, item.Length);
                return true;
            }
            page = Array.Empty<byte>();
            length = 0;
            return false;
        }

        private bool TryNative(out byte[] page, out int length, out long fileOffset)
        {
            page = []; length = 0; fileOffset = -1;
            lock (owner._gate)
            {
                nint n = owner._native[cpu];
                if (n == 0 || NativeDrain.lt_queue_ready(n) == 0) return false;
                var buf = GC.AllocateUninitializedArray<byte>(owner._pageSize);
                int got, len, events;
                ulong ts;
                fixed (byte* p = buf) got = NativeDrain.lt_queue_pop(n, p, buf.Length, out len, out events, out ts);
                if (got == 0) return false;
                if (len < 0) { page = DroppedPage; length = events; fileOffset = (long)ts; }
                else { page = buf; length = len; }
                return true;
            }
        }
    }
}
