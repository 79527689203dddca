using LinuxTrace.Engine.Formats;
using LinuxTrace.Engine.Native;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Engine.RingBuffer;

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
