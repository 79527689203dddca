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
