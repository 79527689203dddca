using LinuxTrace.Engine.Native;
using LinuxTrace.Engine.RingBuffer;

namespace LinuxTrace.Engine.TraceDat;

/// <summary>
/// Records drained pages straight to per-CPU temporary files, unlinked as soon as they are open (the fast path: no
/// decoding), then assembles
/// them into a trace.dat file. What trace-cmd record does with its per-CPU recorders.
/// </summary>
public sealed class RecordingSink : IPageSink, IDisposable
{
    private readonly string _outFile;
    private readonly int _pageSize;
    private readonly Dictionary<int, FileStream> _files = new();
    private readonly object _gate = new();
    private byte[] Zeros => _zeros ??= new byte[_pageSize];
    private byte[]? _zeros;

    public RecordingSink(string outFile, IEnumerable<int> cpus, int pageSize)
    {
        _outFile = outFile;
        _pageSize = pageSize;
        foreach (int c in cpus)
        {
            _files[c] = new FileStream(TempPath(c), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 20);
            // unlinked at once: the open stream keeps the data, and nothing is left beside the output file even when
            // the process is killed (SIGKILL) before it finishes
            File.Delete(TempPath(c));
        }
    }

    private long _pages;

    /// <summary>Pages recorded so far, by all drainers (each CPU's drainer counts on its own thread).</summary>
    public long Pages
    {
        get
        {
            long n = Interlocked.Read(ref _pages);
            lock (_gate)
                foreach (var d in _native.Values)
                {
                    NativeDrain.lt_drainer_stats(d, out long pages, out _, out _, out _);
                    n += pages;
                }
            return n;
        }
    }

    /// <summary>Pages are written to the file before Accept returns: the drainers may reuse their buffer.</summary>
    public bool KeepsPages => false;

    private string TempPath(int cpu) => $"{_outFile}.cpu{cpu}";

    private readonly Dictionary<int, nint> _native = new();

    /// <summary>A native drainer appends whole pages to the CPU's file itself (what Accept does, without the runtime).</summary>
    public NativeDrainTarget? NativeTarget(int cpu) =>
        _files.TryGetValue(cpu, out var f) ? new NativeDrainTarget((int)f.SafeFileHandle.DangerousGetHandle(), 0) : null;

    public void NativeAttached(int cpu, nint drainer) { lock (_gate) _native[cpu] = drainer; }

    public void NativeStopped(int cpu)
    {
        // the native thread wrote through the descriptor: the stream's position follows it
        var f = _files[cpu];
        f.Seek(0, SeekOrigin.End);
    }

    public void Accept(int cpu, byte[] page, int length)
    {
        var f = _files[cpu];
        // each CPU has its own drainer thread and file: no lock needed on the hot path
        f.Write(page, 0, Math.Min(length, _pageSize));
        if (length < _pageSize) f.Write(Zeros.AsSpan(0, _pageSize - length));
        Interlocked.Increment(ref _pages);
    }

    /// <summary>Writes the trace.dat file from what was recorded.</summary>
    public void Complete(TraceDatMetadata meta, int version, string compression)
    {
        lock (_gate)
        {
            var cpus = _files.OrderBy(kv => kv.Key).Select(kv =>
            {
                kv.Value.Flush();
                kv.Value.Position = 0;
                return new TraceDatCpuData(kv.Key, new StreamPages(kv.Value, _pageSize));
            }).ToArray();
            TraceDatWriter.Write(_outFile, meta, cpus, version, compression);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var n in _native.Values) NativeDrain.lt_drainer_free(n); // joins the thread before its file closes
            _native.Clear();
        }
        foreach (var f in _files.Values) f.Dispose();
        _files.Clear();
    }

    private sealed class StreamPages(Stream s, int pageSize) : IPageSource
    {
        public bool TryReadPage(out byte[] page, out int length, out long fileOffset)
        {
            fileOffset = s.Position;
            page = new byte[pageSize];
            length = s.ReadAtLeast(page, pageSize, throwOnEndOfStream: false);
            return length > 0;
        }
    }
}
