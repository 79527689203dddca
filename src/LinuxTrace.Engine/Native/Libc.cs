using System.Runtime.InteropServices;

namespace LinuxTrace.Engine.Native;

/// <summary>The few libc calls the engine needs: exact open/read/write semantics and errno on tracefs.</summary>
internal static unsafe partial class Libc
{
    public const int O_RDONLY = 0, O_WRONLY = 1;
    public const int O_TRUNC = 0x200, O_APPEND = 0x400, O_NONBLOCK = 0x800, O_CLOEXEC = 0x80000;

    public const int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, ENODEV = 19, EAGAIN = 11, ENOMEM = 12,
        EACCES = 13, EBUSY = 16, EEXIST = 17, EINVAL = 22;

    public const short POLLIN = 0x1;
    public const int SIGCONT = 18, SIGKILL = 9, SIGTERM = 15;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short REvents;
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buf, nint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buf, nint count);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint nfds, int timeoutMs);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int sig);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint GetEuid();

    [LibraryImport("libc", EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Mount(string source, string target, string fstype, nuint flags, nint data);

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    public static partial int SetPriority(int which, int who, int prio);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial nint Syscall0(nint number);

    [StructLayout(LayoutKind.Sequential)]
    private struct SchedParam { public int Priority; }

    [LibraryImport("libc", EntryPoint = "sched_setscheduler", SetLastError = true)]
    private static partial int SchedSetScheduler(int pid, int policy, SchedParam* param);

    /// <summary>Makes thread <paramref name="tid"/> SCHED_FIFO at <paramref name="priority"/>; false when not allowed.</summary>
    public static bool SetFifo(int tid, int priority)
    {
        var p = new SchedParam { Priority = priority };
        return SchedSetScheduler(tid, 1 /* SCHED_FIFO */, &p) == 0;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec { public long Seconds; public long Nanoseconds; }

    [LibraryImport("libc", EntryPoint = "clock_gettime", SetLastError = true)]
    private static partial int ClockGetTime(int clock, TimeSpec* ts);

    /// <summary>CPU time the calling thread has used, in nanoseconds (CLOCK_THREAD_CPUTIME_ID).</summary>
    public static long ThreadCpuNanoseconds()
    {
        TimeSpec ts;
        return ClockGetTime(3, &ts) == 0 ? ts.Seconds * 1_000_000_000 + ts.Nanoseconds : 0;
    }

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    public static partial int Flock(int fd, int operation);

    public const int LOCK_SH = 1, LOCK_EX = 2, LOCK_NB = 4, LOCK_UN = 8, EWOULDBLOCK = 11, O_DIRECTORY = 0x10000;

    [LibraryImport("libc", EntryPoint = "strerror")]
    private static partial nint StrError(int errnum);

    /// <summary>gettid(2) (x86_64 and arm64 numbers).</summary>
    public static int GetTid() => (int)Syscall0(RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 178 : 186);

    public static int LastError => Marshal.GetLastPInvokeError();

    public static string Describe(int errno) => Marshal.PtrToStringUTF8(StrError(errno)) ?? $"errno {errno}";
}
