namespace LinuxTrace.Engine.Tracefs;

/// <summary>An error from tracefs or from decoding trace data, with what to do about it.</summary>
public class TraceException : Exception
{
    public TraceException(TraceErrorKind kind, string message, string? path = null, int errno = 0, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
        Path = path;
        Errno = errno;
    }

    public TraceErrorKind Kind { get; }

    /// <summary>The tracefs file or trace file involved, if any.</summary>
    public string? Path { get; }

    public int Errno { get; }

    /// <summary>The kernel's own words from error_log, when it wrote any.</summary>
    public string? KernelMessage { get; init; }

    /// <summary>Position (0-based) in the command the kernel rejected, from the error_log caret; -1 if unknown.</summary>
    public int KernelErrorPosition { get; init; } = -1;

    /// <summary>A short identifier for the error record (e.g. "FunctionTracerNotPermitted").</summary>
    public string? ErrorId { get; init; }
}
