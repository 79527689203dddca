namespace LinuxTrace.Engine.RingBuffer;

/// <summary>A source of ring-buffer pages of one CPU, oldest first.</summary>
public interface IPageSource
{
    /// <summary>The next page; false at the end. The array is owned by the caller afterwards.</summary>
    bool TryReadPage(out byte[] page, out int length, out long fileOffset);

    /// <summary>
    /// The next page as <c>array[start..start+length]</c>, for readers that only read it: a source that holds many
    /// pages in one array (a block read from a file, a decompressed chunk) hands them out without copying. The source
    /// never writes to the array again.
    /// </summary>
    bool TryReadPageAt(out byte[] array, out int start, out int length, out long fileOffset)
    {
        start = 0;
        return TryReadPage(out array, out length, out fileOffset);
    }
}
