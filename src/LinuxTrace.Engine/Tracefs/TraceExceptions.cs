namespace LinuxTrace.Engine.Tracefs;

/// <summary>What kind of failure a tracing operation met; the cmdlets map it to an ErrorCategory.</summary>
public enum TraceErrorKind
{
    /// <summary>Other I/O failure.</summary>
    Failed,
    /// <summary>EPERM/EACCES: the kernel or the host refused.</summary>
    PermissionDenied,
    /// <summary>ENOENT/ENODEV: the feature or file is not on this kernel.</summary>
    NotSupported,
    /// <summary>EINVAL: the kernel rejected a value (filter, probe definition, option...).</summary>
    InvalidArgument,
    /// <summary>EBUSY: in use (an enabled probe, a buffer being read).</summary>
    Busy,
    /// <summary>A named object (instance, event, option, file) does not exist.</summary>
    NotFound,
    /// <summary>Malformed data (format file, ring-buffer page, trace.dat).</summary>
    InvalidData,
    /// <summary>tracefs is not mounted or not reachable.</summary>
    NotMounted,
    /// <summary>The object already exists.</summary>
    AlreadyExists,
}

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

/// <summary>Malformed trace data: a page, a format file or a trace.dat file, with the offset where it went wrong.</summary>
public sealed class TraceDataException : TraceException
{
    public TraceDataException(string message, string? path = null, long offset = -1, Exception? inner = null)
        : base(TraceErrorKind.InvalidData, Compose(message, path, offset), path, 0, inner)
    {
        Offset = offset;
    }

    public long Offset { get; }

    private static string Compose(string message, string? path, long offset) =>
        path is null ? message : offset >= 0 ? $"{path}: at offset {offset} (0x{offset:x}): {message}" : $"{path}: {message}";
}
