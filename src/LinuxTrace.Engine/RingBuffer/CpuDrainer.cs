using LinuxTrace.Engine.Formats;
using LinuxTrace.Engine.Native;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Engine.RingBuffer;

/// <summary>Where drained pages go: a queue for live decoding, or a file for recording.</summary>
public interface IPageSink
{
    /// <summary>Takes a page read from <paramref name="cpu"/>'s ring buffer. Called on the drainer thread: it must
    /// never wait for the consumer (a waiting drainer is a kernel buffer overrun).</summary>
    void Accept(int cpu, byte[] page, int length);

    /// <summary>False when the sink copies the page before Accept returns (a file): the drainer then reuses one buffer.</summary>
    bool KeepsPages => true;

    /// <summary>Where a native drainer thread (Native/drain.c) of <paramref name="cpu"/> puts pages: a file descriptor to
    /// append whole pages to, or a queue budget (see <see cref="PageQueue"/>); null for sinks that only take
    /// <see cref="Accept"/>.</summary>
    NativeDrainTarget? NativeTarget(int cpu) => null;

    /// <summary>A native drainer of <paramref name="cpu"/> started: <paramref name="drainer"/> is its handle, which the
    /// sink now owns (it frees it with lt_drainer_free when disposed).</summary>
    void NativeAttached(int cpu, nint drainer) { }

    /// <summary>The native drainer of <paramref name="cpu"/> stopped: what it delivered is in place, and Accept (the
    /// rest of the buffer, read on the caller's thread) may follow.</summary>
    void NativeStopped(int cpu) { }

    /// <summary>The latest time stamp of any page queued so far (see Native/drain.c, "order across CPUs"); 0 for sinks
    /// that are not merged live (files).</summary>
    ulong Delivered => 0;
}

/// <summary>A native drainer's destination: append to <see cref="OutFd"/> when it is not negative, else queue under
/// <see cref="Budget"/> (an lt_budget shared by the session's drainers).</summary>
public readonly record struct NativeDrainTarget(int OutFd, nint Budget);

/// <summary>How a drainer thread is scheduled.</summary>
public enum DrainerPriority
{
    /// <summary>nice -20 (root), the default: the most a normal thread gets, without leaving the normal scheduling class.</summary>
    High,
    /// <summary>SCHED_FIFO: the drainer runs as soon as the kernel wakes it, even on a saturated machine (root).
    /// It sleeps in poll() whenever the buffer is drained, so it cannot starve other work.</summary>
    RealTime,
}

/// <summary>
/// Drains one CPU's ring buffer (per_cpu/cpuN/trace_pipe_raw) on a dedicated thread: non-blocking reads of whole
/// sub-buffers until the buffer is empty or, past the first read of a cycle, until a page comes back less than half
/// full (caught up with the writer), then poll() for the kernel's wake-up (buffer_percent) with a short timeout.
/// Nothing but the read and a hand-off to the sink happens on this thread. The file descriptor is owned here:
/// every read and the close happen under one lock, so a stop from another thread never reads a closed descriptor.
/// </summary>
public sealed unsafe class CpuDrainer : IDisposable
{
    private readonly string _path;
    private readonly int _pageSize;
    private readonly HeaderPage _header;
    private readonly IPageSink _sink;
    private readonly int _pollMs;
    private readonly DrainerPriority _priority;
    private readonly Thread _thread;
    private readonly object _fdGate = new();
    private volatile bool _stop;
    private int _fd = -1;
    private Exception? _error;
    private byte[]? _buffer;
    private long _pages, _bytes, _cpuNs;
    private ulong _safe;       // the sink's Delivered at the start of the last cycle that caught up with the writer
    private nint _native;      // a native drainer (Native/drain.c) in place of _thread, when it started
    private bool _nativeStopped;

    /// <param name="pollMs">How long to wait in poll() for the kernel's wake-up once the buffer is drained; a negative
    /// value sleeps that long instead, without poll(): on 6.1 under QEMU, readers polling the top buffer while the
    /// function_graph tracer writes it were seen stuck in the kernel (soft lockups).</param>
    public CpuDrainer(int cpu, string path, int pageSize, HeaderPage header, IPageSink sink, int pollMs = 5, DrainerPriority priority = DrainerPriority.High)
    {
        Cpu = cpu;
        _path = path;
        _pageSize = pageSize;
        _header = header;
        _sink = sink;
        _pollMs = pollMs;
        _priority = priority;
        _fd = Libc.Open(path, Libc.O_RDONLY | Libc.O_NONBLOCK | Libc.O_CLOEXEC, 0);
        if (_fd < 0) throw TracefsFile.Error(Libc.LastError, path, "open");
        _thread = new Thread(Run) { IsBackground = true, Name = $"linuxtrace-drain-cpu{cpu}" };
    }

    public int Cpu { get; }
    public long Pages { get { Refresh(); return Interlocked.Read(ref _pages); } }
    public long Bytes { get { Refresh(); return Interlocked.Read(ref _bytes); } }
    public Exception? Error { get { Refresh(); return _error; } }

    /// <summary>True when this CPU is drained by a native thread (Native/drain.c), which garbage collection cannot pause.</summary>
    public bool IsNative => _native != 0 || _nativeStopped;

    /// <summary>CPU time the drainer thread used, once it has ended.</summary>
    public TimeSpan CpuTime { get { Refresh(); return TimeSpan.FromTicks(Interlocked.Read(ref _cpuNs) / 100); } }

    /// <summary>The sink's <see cref="IPageSink.Delivered"/> when the last drain cycle that caught up with the kernel's
    /// writer began: every record this CPU stamped before it is queued (see Native/drain.c, "order across CPUs").
    /// ulong.MaxValue once the drainer stopped.</summary>
    public ulong SafeTimestamp
    {
        get
        {
            nint n = _native;
            if (n != 0) return NativeDrain.lt_drainer_safe(n);
            return _stop ? ulong.MaxValue : Volatile.Read(ref _safe);
        }
    }

    /// <summary>Starts draining: on a native thread when the library is there and the sink takes it, else on a .NET thread.</summary>
    public void Start()
    {
        if (NativeDrain.IsAvailable && _sink.NativeTarget(Cpu) is { } target)
        {
            int fd;
            lock (_fdGate) fd = _fd;
            _native = NativeDrain.lt_drainer_start(fd, target.OutFd, target.Budget, _pageSize, _header.DataOffset, _header.CommitOffset,
                _header.CommitSize, _header.DataSize, _pollMs, _priority == DrainerPriority.RealTime ? 1 : 0);
            if (_native != 0)
            {
                _sink.NativeAttached(Cpu, _native);
                return;
            }
        }
        _thread.Start();
    }

    /// <summary>Copies the native thread's counters (it updates them as it goes, and its CPU time when it ends).</summary>
    private void Refresh()
    {
        nint n = _native;
        if (n == 0) return;
        NativeDrain.lt_drainer_stats(n, out long pages, out long bytes, out long cpuNs, out int error);
        Interlocked.Exchange(ref _pages, pages);
        Interlocked.Exchange(ref _bytes, bytes);
        if (cpuNs > 0) Interlocked.Exchange(ref _cpuNs, cpuNs);
        if (error != 0 && _error is null) _error = TracefsFile.Error(error, _path, "read");
    }

    /// <summary>Reads everything the buffer holds now, on the calling thread (after tracing is off and the thread stopped).</summary>
    public void DrainRemaining() => DrainOnce(int.MaxValue, out _, toEmpty: true);

    /// <summary>Stops the thread; the caller drains what is left with <see cref="DrainRemaining"/>.</summary>
    public void Stop()
    {
        _stop = true;
        if (_native != 0)
        {
            lock (_fdGate)
            {
                if (_native == 0) return;
                NativeDrain.lt_drainer_stop(_native);
                Refresh();
                _nativeStopped = true;
                _native = 0; // the sink owns (and frees) the handle from here
            }
            _sink.NativeStopped(Cpu);
            return;
        }
        if (_thread.IsAlive && Thread.CurrentThread != _thread) _thread.Join();
    }

    private void Run()
    {
        // Reading must keep up with the writers: ask the scheduler to favour this thread (root only; harmless otherwise).
        int tid = Libc.GetTid();
        if (_priority == DrainerPriority.RealTime && Libc.SetFifo(tid, 10)) { }
        else Libc.SetPriority(0, tid, -20);
        try
        {
            while (!_stop)
            {
                ulong start = _sink.Delivered;
                if (!DrainOnce(4096, out bool caughtUp)) break;
                if (caughtUp) Volatile.Write(ref _safe, start);
                if (_stop) break;
                int fd;
                lock (_fdGate) fd = _fd;
                if (fd < 0) break;
                if (_pollMs < 0) { Thread.Sleep(-_pollMs); continue; }
                var pfd = new Libc.PollFd { Fd = fd, Events = Libc.POLLIN };
                Libc.Poll(&pfd, 1, _pollMs);
            }
        }
        catch (Exception e)
        {
            _error = e;
        }
        finally
        {
            Interlocked.Exchange(ref _cpuNs, Libc.ThreadCpuNanoseconds());
        }
    }

    /// <summary>One drain cycle. False when the descriptor is closed; <paramref name="caughtUp"/> when it ended because
    /// the buffer was empty or the writer's page was reached.</summary>
    private bool DrainOnce(int maxPages, out bool caughtUp, bool toEmpty = false)
    {
        caughtUp = false;
        int half = (_header.DataSize > 0 ? _header.DataSize : _pageSize - _header.DataOffset) / 2;
        bool reuse = !_sink.KeepsPages;
        for (int i = 0; i < maxPages; i++)
        {
            var page = reuse ? (_buffer ??= GC.AllocateUninitializedArray<byte>(_pageSize, pinned: true)) : GC.AllocateUninitializedArray<byte>(_pageSize, pinned: true);
            nint n;
            int e;
            lock (_fdGate)
            {
                if (_fd < 0) return false;
                fixed (byte* p = page) n = Libc.Read(_fd, p, _pageSize);
                e = n < 0 ? Libc.LastError : 0;
            }
            if (n > 0)
            {
                Interlocked.Increment(ref _pages);
                Interlocked.Add(ref _bytes, n);
                _sink.Accept(Cpu, page, (int)n);
                // caught up with the writer: a short page past the first read of this cycle
                if (!toEmpty && i > 0 && n >= _header.DataOffset && _header.DataLength(page) < half) { caughtUp = true; return true; }
                continue;
            }
            if (e == Libc.EINTR) continue;
            // nothing to read now (ENODEV: an offline CPU, which writes nothing)
            if (n == 0 || e is Libc.EAGAIN or Libc.ENODEV) { caughtUp = true; return true; }
            // a moment's shortage (the reader page is busy, or memory for it): try next cycle
            if (e is Libc.EBUSY or Libc.ENOMEM) return true;
            throw TracefsFile.Error(e, _path, "read");
        }
        return true;
    }

    /// <summary>Stops draining and closes the buffer. A native thread's handle is freed by its sink (which may still
    /// hold its queued pages).</summary>
    public void Dispose()
    {
        Stop();
        lock (_fdGate)
        {
            if (_fd >= 0)
            {
                Libc.Close(_fd);
                _fd = -1;
            }
        }
    }
}

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

/// <summary>Reads a CPU's buffer directly (consuming, non-blocking) until it is empty or a page budget is spent.</summary>
public sealed unsafe class TracePipePageSource : IPageSource, IDisposable
{
    private readonly string _path;
    private readonly int _pageSize;
    private int _fd;
    private long _budget;

    public TracePipePageSource(string path, int pageSize, long maxPages)
    {
        _path = path;
        _pageSize = pageSize;
        _budget = maxPages;
        _fd = Libc.Open(path, Libc.O_RDONLY | Libc.O_NONBLOCK | Libc.O_CLOEXEC, 0);
        if (_fd < 0) throw TracefsFile.Error(Libc.LastError, path, "open");
    }

    public bool TryReadPage(out byte[] page, out int length, out long fileOffset)
    {
        fileOffset = -1;
        length = 0;
        page = Array.Empty<byte>();
        while (_fd >= 0 && _budget > 0)
        {
            var buf = GC.AllocateUninitializedArray<byte>(_pageSize);
            nint n;
            fixed (byte* p = buf) n = Libc.Read(_fd, p, _pageSize);
            if (n > 0)
            {
                _budget--;
                page = buf;
                length = (int)n;
                return true;
            }
            if (n < 0 && Libc.LastError == Libc.EINTR) continue;
            if (n < 0 && Libc.LastError is not (Libc.EAGAIN or Libc.ENODEV or Libc.EBUSY)) throw TracefsFile.Error(Libc.LastError, _path, "read");
            break;
        }
        return false;
    }

    public void Dispose()
    {
        if (_fd >= 0) { Libc.Close(_fd); _fd = -1; }
    }
}
