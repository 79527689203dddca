namespace LinuxTrace.Engine.RingBuffer;

/// <summary>Pages already in memory (a drained batch, a test's crafted pages).</summary>
public sealed class ListPageSource : IPageSource
{
    private readonly IReadOnlyList<(byte[] Page, int Length)> _pages;
    private int _next;

    public ListPageSource(IReadOnlyList<(byte[] Page, int Length)> pages) => _pages = pages;

    public bool TryReadPage(out byte[] page, out int length, out long fileOffset)
    {
        fileOffset = -1;
        if (_next < _pages.Count)
        {
            (page, length) = _pages[_next++];
            return true;
        }
        page = Array.Empty<byte>();
        length = 0;
        return false;
    }
}
