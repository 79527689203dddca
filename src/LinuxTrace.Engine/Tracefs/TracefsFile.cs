using System.Text;
using LinuxTrace.Engine.Native;

namespace LinuxTrace.Engine.Tracefs;

/// <summary>
/// Reads and writes tracefs control files with exact kernel semantics (one write() per value,
/// O_TRUNC or O_APPEND as asked) and turns errno into a <see cref="TraceException"/> that says what to do.
/// </summary>
internal static unsafe class TracefsFile
{
    public static string Read(string path)
    {
        int fd = Libc.Open(path, Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
        if (fd < 0) throw Error(Libc.LastError, path, "read");
        try
        {
            var buffer = new byte[16384];
            var ms = new MemoryStream();
            while (true)
            {
                nint n;
                fixed (byte* p = buffer) n = Libc.Read(fd, p, buffer.Length);
                if (n < 0)
                {
                    int e = Libc.LastError;
                    if (e == Libc.EINTR) continue;
                    throw Error(e, path, "read");
                }
                if (n == 0) break;
                ms.Write(buffer, 0, (int)n);
            }
            return Encoding.UTF8.GetString(ms.GetBuffer(), 0, (int)ms.Length);
        }
        finally { Libc.Close(fd); }
    }

    public static bool TryRead(string path, out string text)
    {
        try { text = Read(path); return true; }
        catch (TraceException) { text = ""; return false; }
    }

    /// <summary>Writes <paramref name="value"/> in one write() call. <paramref name="append"/> keeps existing content
    /// (needed for kprobe_events, set_event and friends); otherwise the file is truncated first.</summary>
    public static void Write(string path, string value, bool append = false)
    {
        if (TracefsLog.Listening) TracefsLog.Say(value.Length == 0 ? $"tracefs: clear {path}" : $"tracefs: {(append ? "append" : "write")} '{value.TrimEnd('\n')}' {(append ? "to" : "into")} {path}");
        int flags = Libc.O_WRONLY | Libc.O_CLOEXEC | (append ? Libc.O_APPEND : Libc.O_TRUNC);
        int fd = Libc.Open(path, flags, 0);
        if (fd < 0) throw Error(Libc.LastError, path, "write", value);
        try
        {
            byte[] bytes = Encoding.UTF8.GetBytes(value);
            if (bytes.Length == 0) return; // O_TRUNC alone clears the file
            fixed (byte* p = bytes)
            {
                nint n = Libc.Write(fd, p, bytes.Length);
                if (n < 0) throw Error(Libc.LastError, path, "write", value);
            }
        }
        finally { Libc.Close(fd); }
    }

    internal static TraceException Error(int errno, string path, string op, string? value = null)
    {
        string what = value is null ? path : $"'{value.TrimEnd('\n')}' to {path}";
        string reason = Libc.Describe(errno);
        return errno switch
        {
            Libc.EPERM or Libc.EACCES => new TraceException(TraceErrorKind.PermissionDenied,
                Libc.GetEuid() != 0
                    ? $"Cannot {op} {what}: {reason}. Tracing needs root: run pwsh with sudo."
                    : $"Cannot {op} {what}: {reason}. The kernel refuses this even to root: the host locks it down (lockdown, a container or a hardened kernel).",
                path, errno),
            Libc.ENOENT or Libc.ENODEV => new TraceException(TraceErrorKind.NotSupported,
                $"Cannot {op} {what}: {reason}. This kernel does not provide it.", path, errno),
            Libc.EINVAL => new TraceException(TraceErrorKind.InvalidArgument, $"The kernel rejected {what}: {reason}.", path, errno),
            Libc.EBUSY => new TraceException(TraceErrorKind.Busy, $"Cannot {op} {what}: {reason} (it is in use).", path, errno),
            Libc.EEXIST => new TraceException(TraceErrorKind.AlreadyExists, $"Cannot {op} {what}: {reason}.", path, errno),
            _ => new TraceException(TraceErrorKind.Failed, $"Cannot {op} {what}: {reason}.", path, errno),
        };
    }
}
