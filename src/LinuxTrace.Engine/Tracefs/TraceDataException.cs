namespace LinuxTrace.Engine.Tracefs;

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
