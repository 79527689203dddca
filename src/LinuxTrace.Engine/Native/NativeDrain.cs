using System.Runtime.InteropServices;

namespace LinuxTrace.Engine.Native;

/// <summary>
/// The drainer threads of Native/drain.c (liblinuxtrace-drain.so, built with the engine): pthreads that the .NET
/// runtime never suspends for garbage collection, so a pipeline that makes millions of objects cannot pause them
/// while the kernel fills a small buffer. When the library is missing (no C compiler at build time) or
/// LINUXTRACE_MANAGED_DRAINERS=1, CpuDrainer drains on .NET threads with the same rules.
/// </summary>
internal static unsafe partial class NativeDrain
{
    private const string Lib = "linuxtrace-drain";
    private const int Abi = 2;

    private static readonly Lazy<string?> _unavailable = new(Probe);

    /// <summary>True when the native drainers can be used.</summary>
    public static bool IsAvailable => _unavailable.Value is null;

    /// <summary>Why they cannot (null when they can).</summary>
    public static string? Unavailable => _unavailable.Value;

    private static string? Probe()
    {
        if (Environment.GetEnvironmentVariable("LINUXTRACE_MANAGED_DRAINERS") == "1") return "LINUXTRACE_MANAGED_DRAINERS=1";
        try
        {
            int abi = lt_abi();
            return abi == Abi ? null : $"liblinuxtrace-drain.so has ABI {abi}, this engine needs {Abi}";
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            return $"liblinuxtrace-drain.so was not built or cannot be loaded ({e.GetType().Name})";
        }
    }

    [LibraryImport(Lib)] private static partial int lt_abi();

    [LibraryImport(Lib)] public static partial nint lt_budget_new(long max);
    [LibraryImport(Lib)] public static partial void lt_budget_free(nint budget);
    [LibraryImport(Lib)] public static partial void lt_budget_read(nint budget, out long queued, out long peak, out long droppedEvents, out long droppedPages);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial nint lt_drainer_start(int fd, int outFd, nint budget, int pageSize, int dataOffset, int commitOffset, int commitSize,
        int dataSize, int pollMs, int fifo);

    [LibraryImport(Lib)] public static partial void lt_drainer_stop(nint drainer);
    [LibraryImport(Lib)] public static partial void lt_drainer_stats(nint drainer, out long pages, out long bytes, out long cpuNs, out int error);
    [LibraryImport(Lib)] public static partial int lt_queue_pop(nint drainer, byte* dest, int cap, out int len, out int events, out ulong ts);
    [LibraryImport(Lib)] public static partial ulong lt_budget_delivered(nint budget);
    [LibraryImport(Lib)] public static partial void lt_budget_note_delivered(nint budget, ulong ts);
    [LibraryImport(Lib)] public static partial ulong lt_drainer_safe(nint drainer);
    [LibraryImport(Lib)] public static partial int lt_queue_ready(nint drainer);
    [LibraryImport(Lib)] public static partial void lt_drainer_free(nint drainer);
}
