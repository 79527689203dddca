namespace LinuxTrace.Engine.RingBuffer;

/// <summary>A native drainer's destination: append to <see cref="OutFd"/> when it is not negative, else queue under
/// <see cref="Budget"/> (an lt_budget shared by the session's drainers).</summary>
public readonly record struct NativeDrainTarget(int OutFd, nint Budget);
