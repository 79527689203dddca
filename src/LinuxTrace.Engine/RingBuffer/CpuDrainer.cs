using System.Collections.Concurrent;
using LinuxTrace.Engine.Native;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Engine.RingBuffer;

/// <summary>Where drained pages go: a queue for live decoding, or a file for recording.</summary>
public interface IPageSink
{
    /// <summary>Takes a page read from <paramref name="cpu"/>'s ring buffer. Called on the drainer thread: keep it cheap.</summary>
    void Accept(int cpu, byte[] page, int length);

    /// <summary>False when the sink copies the page before Accept returns (a file): the drainer then reuses one buffer.</summary>
    bool KeepsPages => true;
}

/// <summary>
/// Drains one CPU's ring buffer (per_cpu/cpuN/trace_pipe_raw) on a dedicated thread: non-blocking reads of
/// whole sub-buffers until the buffer is empty, then poll() for the kernel's wake-up (buffer_percent) with a
/// short timeout. Nothing but the read and a hand-off to the sink happens on this thread.
/// </summary>
public sealed unsafe class CpuDrainer : IDisposable
{
    private readonly string _path;
    private readonly int _pageSize;
    private readonly IPageSink _sink;
    private readonly int _pollMs;
    private readonly Thread _thread;
    private volatile bool _stop;
    private int _fd = -1;
    private Exception? _error;
    private byte[]? _buffer;

    public CpuDrainer(int cpu, string path, int pageSize, IPageSink sink, int pollMs = 5)
    {
        Cpu = cpu;
        _path = path;
        _pageSize = pageSize;
        _sink = sink;
        _pollMs = pollMs;
        _fd = Libc.Open(path, Libc.O_RDONLY | Libc.O_NONBLOCK | Libc.O_CLOEXEC, 0);
        if (_fd < 0) throw TracefsFile.Error(Libc.LastError, path, "open");
        _thread = new Thread(Run) { IsBackground = true, Name = $"linuxtrace-drain-cpu{cpu}" };
    }

    public int Cpu { get; }
    public long Pages { get; private set; }
    public long Bytes { get; private set; }
    public Exception? Error => _error;

    public void Start() => _thread.Start();

    /// <summary>Reads everything the buffer holds now, on the calling thread (after tracing is off).</summary>
    public void DrainRemaining()
    {
        if (_fd >= 0) DrainOnce(int.MaxValue, toEmpty: true);
    }

    /// <summary>Stops the thread; the caller drains what is left with <see cref="DrainRemaining"/>.</summary>
    public void Stop()
    {
        _stop = true;
        if (_thread.IsAlive) _thread.Join();
    }

    private void Run()
    {
        // Reading must keep up with the writers: ask the scheduler to favour this thread (root only; harmless otherwise).
        Libc.SetPriority(0, Libc.GetTid(), -10);
        var pfd = new Libc.PollFd { Fd = _fd, Events = Libc.POLLIN };
        try
        {
            while (!_stop)
            {
                DrainOnce(4096);
                if (_stop) break;
                Libc.Poll(&pfd, 1, _pollMs);
            }
        }
        catch (Exception e)
        {
            _error = e;
        }
    }

    /// <summary>
    /// Reads pages until the buffer is empty or, while tracing, until a page comes back less than half full:
    /// then the reader has caught up with the writer, and reading on would only split the writer's page into
    /// many small reads (Perfetto's reader stops at the same point).
    /// </summary>
    private void DrainOnce(int maxPages, bool toEmpty = false)
    {
        int half = (_pageSize - 16) / 2;
        bool reuse = !_sink.KeepsPages;
        for (int i = 0; i < maxPages; i++)
        {
            var page = reuse ? (_buffer ??= GC.AllocateUninitializedArray<byte>(_pageSize, pinned: true)) : GC.AllocateUninitializedArray<byte>(_pageSize, pinned: true);
            nint n;
            fixed (byte* p = page) n = Libc.Read(_fd, p, _pageSize);
            if (n > 0)
            {
                Pages++;
                Bytes += n;
                _sink.Accept(Cpu, page, (int)n);
                if (!toEmpty && n >= 16 && (int)(BitConverter.ToUInt32(page, 8) & ((1u << 27) - 1)) < half) return;
                continue;
            }
            if (n == 0) return;
            int e = Libc.LastError;
            if (e == Libc.EINTR) continue;
            if (e is Libc.EAGAIN or Libc.ENODEV) return;
            throw TracefsFile.Error(e, _path, "read");
        }
    }

    public void Dispose()
    {
        Stop();
        if (_fd >= 0)
        {
            Libc.Close(_fd);
            _fd = -1;
        }
    }
}

/// <summary>Drained pages queued per CPU for the consumer, with a byte budget.</summary>
public sealed class PageQueue : IPageSink
{
    private readonly ConcurrentQueue<(byte[] Page, int Length)>[] _queues;
    private readonly SemaphoreSlim _signal = new(0, int.MaxValue);
    private long _bytes;

    public PageQueue(int cpuCount, long maxBytes)
    {
        _queues = Enumerable.Range(0, cpuCount).Select(_ => new ConcurrentQueue<(byte[], int)>()).ToArray();
        MaxBytes = maxBytes;
    }

    public long MaxBytes { get; }

    /// <summary>Set when the session ends: producers stop waiting for room.</summary>
    public volatile bool Closed;
    public long QueuedBytes => Interlocked.Read(ref _bytes);
    public bool IsFull => QueuedBytes >= MaxBytes;

    public void Accept(int cpu, byte[] page, int length)
    {
        _queues[cpu].Enqueue((page, length));
        Interlocked.Add(ref _bytes, page.Length);
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
                Interlocked.Add(ref owner._bytes, -item.Page.Length);
                (page, length) = item;
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
            if (n < 0 && Libc.LastError is not (Libc.EAGAIN or Libc.ENODEV)) throw TracefsFile.Error(Libc.LastError, _path, "read");
            break;
        }
        return false;
    }

    public void Dispose()
    {
        if (_fd >= 0) { Libc.Close(_fd); _fd = -1; }
    }
}
