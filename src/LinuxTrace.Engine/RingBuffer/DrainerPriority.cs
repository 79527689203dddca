namespace LinuxTrace.Engine.RingBuffer;

/// <summary>How a drainer thread is scheduled.</summary>
public enum DrainerPriority
{
    /// <summary>nice -20 (root), the default: the most a normal thread gets, without leaving the normal scheduling class.</summary>
    High,
    /// <summary>SCHED_FIFO: the drainer runs as soon as the kernel wakes it, even on a saturated machine (root).
    /// It sleeps in poll() whenever the buffer is drained, so it cannot starve other work.</summary>
    RealTime,
}
