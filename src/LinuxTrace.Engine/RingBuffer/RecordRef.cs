namespace LinuxTrace.Engine.RingBuffer;

/// <summary>A decoded record before it becomes an object: where its payload lies and when it happened.</summary>
public struct RecordRef
{
    public ulong Timestamp;
    public byte[] Page;
    public int Offset;
    public int Length;
    public int Cpu;
    /// <summary>-2 for an event; otherwise a lost-events marker with this count (-1 = unknown).</summary>
    public long Lost;
    /// <summary>For lost-events markers: the last time stamp seen on the CPU before the loss (0 = unknown).</summary>
    public ulong LostSince;
    /// <summary>Which source (file) the record came from, for readers that merge several.</summary>
    public int Source;
    /// <summary>For lost-events markers: true when LinuxTrace's own reader queue dropped the events (its memory
    /// budget was reached), false when the kernel's ring buffer lost them.</summary>
    public bool DroppedByReader;

    public readonly bool IsLost => Lost != -2;

    /// <summary>common_type of an event record.</summary>
    public readonly int EventId => Length >= 2 ? Page[Offset] | Page[Offset + 1] << 8 : -1;
}
