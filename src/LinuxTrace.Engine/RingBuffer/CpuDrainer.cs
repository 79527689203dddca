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
}

/// <summary>How a drainer thread is scheduled.</summary>
public enum DrainerPriority
{
    /// <summary>nice -10 (root), the default.</summary>
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
    public long Pages => Interlocked.Read(ref _pages);
    public long Bytes => Interlocked.Read(ref _bytes);
    public Exception? Error => _error;

    /// <summary>CPU time the drainer thread used, once it has ended.</summary>
    public TimeSpan CpuTime => TimeSpan.FromTicks(Interlocked.Read(ref _cpuNs) / 100);

    public void Start() => _thread.Start();

    /// <summary>Reads everything the buffer holds now, on the calling thread (after tracing is off and the thread stopped).</summary>
    public void DrainRemaining() => DrainOnce(int.MaxValue, toEmpty: true);

    /// <summary>Stops the thread; the caller drains what is left with <see cref="DrainRemaining"/>.</summary>
    public void Stop()
    {
        _stop = true;
        if (_thread.IsAlive && Thread.CurrentThread != _thread) _thread.Join();
    }

    private void Run()
    {
        // Reading must keep up with the writers: ask the scheduler to favour this thread (root only; harmless otherwise).
        int tid = Libc.GetTid();
        if (_priority == DrainerPriority.RealTime && Libc.SetFifo(tid, 10)) { }
        else Libc.SetPriority(0, tid, -10);
        try
        {
            while (!_stop)
            {
                if (!DrainOnce(4096)) break;
                if (_stop) break;
                int fd;
                lock (_fdGate) fd = _fd;
                if (fd < 0) break;
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

    /// <summary>One drain cycle. False when the descriptor is closed.</summary>
    private bool DrainOnce(int maxPages, bool toEmpty = false)
    {
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
                if (!toEmpty && i > 0 && n >= _header.DataOffset && _header.DataLength(page) < half) return true;
                continue;
            }
            if (n == 0) return true;
            if (e == Libc.EINTR) continue;
            // nothing to read now, or a moment's shortage (the reader page is busy, or memory for it): try next cycle
            if (e is Libc.EAGAIN or Libc.ENODEV or Libc.EBUSY or Libc.ENOMEM) return true;
            throw TracefsFile.Error(e, _path, "read");
        }
        return true;
    }

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
/// "dropped by LinuxTrace" where it happened, apart from the kernel's own losses.
/// </summary>
public sealed class PageQueue : IPageSink
{
    /// <summary>Stands in the queue for a page that was dropped; its "length" is the number of events it held.</summary>
    public static readonly byte[] DroppedPage = [];

    private readonly System.Collections.Concurrent.ConcurrentQueue<(byte[] Page, int Length, ulong Ts)>[] _queues;
    private readonly SemaphoreSlim _signal = new(0, int.MaxValue);
    private readonly HeaderPage _header;
    private long _bytes, _peak, _droppedEvents, _droppedPages;

    public PageQueue(int cpuCount, long maxBytes, HeaderPage header)
    {
        _queues = Enumerable.Range(0, cpuCount).Select(_ => new System.Collections.Concurrent.ConcurrentQueue<(byte[], int, ulong)>()).ToArray();
        MaxBytes = maxBytes;
        _header = header;
    }

    public long MaxBytes { get; }
    public long QueuedBytes => Interlocked.Read(ref _bytes);
    public long PeakBytes => Interlocked.Read(ref _peak);
    public long DroppedEvents => Interlocked.Read(ref _droppedEvents);
    public long DroppedPages => Interlocked.Read(ref _droppedPages);

    public void Accept(int cpu, byte[] page, int length)
    {
        if (QueuedBytes + page.Length > MaxBytes)
        {
            int events = 0;
            ulong ts = 0;
            try
            {
                var dec = new PageDecoder(page.AsSpan(0, length), _header);
                ts = dec.PageTimestamp;
                while (dec.Next(out _, out _, out _)) events++;
            }
            catch (TraceDataException) { }
            Interlocked.Add(ref _droppedEvents, events);
            Interlocked.Increment(ref _droppedPages);
            if (events > 0) _queues[cpu].Enqueue((DroppedPage, events, ts));
        }
        else
        {
            long now = Interlocked.Add(ref _bytes, page.Length);
            long peak;
            while (now > (peak = Interlocked.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, peak) != peak) { }
            _queues[cpu].Enqueue((page, length, 0));
        }
        if (_signal.CurrentCount == 0) _signal.Release();
    }

    /// <summary>Waits until pages arrive, the timeout passes or the token fires.</summary>
    public bool Wait(TimeSpan timeout, CancellationToken token) => _signal.Wait(timeout, token);

    public IPageSource SourceFor(int cpu) => new Source(this, cpu);

    private sealed class Source(PageQueue owner, int cpu) : IPageSource
    {
        public bool TryReadPage(out byte[] page, out int length, out long fileOffset)
        {
            fileOffset = -1;
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
