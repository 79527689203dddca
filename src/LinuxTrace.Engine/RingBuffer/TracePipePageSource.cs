using LinuxTrace.Engine.Native;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Engine.RingBuffer;

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
