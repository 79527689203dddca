using System.Diagnostics;
using LinuxTrace.Engine.Native;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Engine.Sessions;

/// <summary>
/// Starts a program held stopped before it runs its first instruction, so that tracing can be limited to
/// its pid before it does anything (what trace-cmd record -F does with fork + wait). The program inherits
/// the host's stdin/stdout/stderr, or has none (<c>detachOutput</c>: in a PowerShell remoting server, whose stdout is the
/// remoting channel that a word from the program would corrupt). A small /bin/sh stub stops itself, then execs the program in place:
/// the pid stays the same, and the exec is the first thing traced.
/// </summary>
public sealed class LaunchedProcess : IDisposable
{
    private readonly Process _process;

    private LaunchedProcess(Process process) => _process = process;

    public int ProcessId => _process.Id;
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    /// <param name="command">A program: a path (relative to <paramref name="workingDirectory"/>) or a name searched in PATH.</param>
    /// <param name="arguments">Its arguments.</param>
    /// <param name="workingDirectory">Where it starts, and what a relative path is relative to (PowerShell's current location).</param>
    /// <param name="detachOutput">Its stdin, stdout and stderr are /dev/null instead of this process's.</param>
    public static LaunchedProcess StartSuspended(string command, IReadOnlyList<string> arguments, string? workingDirectory = null, bool detachOutput = false)
    {
        workingDirectory ??= Environment.CurrentDirectory;
        string path = ResolveCommand(command, workingDirectory);
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = workingDirectory };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(detachOutput ? "kill -STOP $$; exec \"$0\" \"$@\" </dev/null >/dev/null 2>&1" : "kill -STOP $$; exec \"$0\" \"$@\"");
        psi.ArgumentList.Add(path);
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        var p = Process.Start(psi) ?? throw new TraceException(TraceErrorKind.Failed, $"Cannot start '{command}'.");
        var sw = Stopwatch.StartNew();
        while (!IsStopped(p.Id))
        {
            if (p.HasExited)
                throw new TraceException(TraceErrorKind.Failed, $"'{command}' exited (code {p.ExitCode}) before tracing could start.");
            if (sw.Elapsed > TimeSpan.FromSeconds(10))
            {
                try { p.Kill(); } catch (InvalidOperationException) { }
                throw new TraceException(TraceErrorKind.Failed, $"'{command}' did not reach its start point within 10 s.");
            }
            Thread.Sleep(1);
        }
        return new LaunchedProcess(p);
    }

    /// <summary>Lets the held program run (SIGCONT).</summary>
    public void Release() => Libc.Kill(_process.Id, Libc.SIGCONT);

    public bool WaitForExit(int milliseconds) => _process.WaitForExit(milliseconds);

    /// <summary>Kills the program if it is still running (the trace was stopped early).</summary>
    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                Libc.Kill(_process.Id, Libc.SIGCONT);
                _process.WaitForExit(2000);
            }
        }
        catch (InvalidOperationException) { }
        catch (System.ComponentModel.Win32Exception) { }
        _process.Dispose();
    }

    private static bool IsStopped(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            int close = stat.LastIndexOf(')');
            return close > 0 && close + 2 < stat.Length && stat[close + 2] is 'T' or 't';
        }
        catch (IOException) { return false; }
    }

    /// <summary>The absolute path of a command: a path relative to <paramref name="workingDirectory"/>, or a name searched in PATH like a shell would.</summary>
    public static string ResolveCommand(string command, string workingDirectory)
    {
        if (command.Contains('/'))
        {
            string full = Path.GetFullPath(command, workingDirectory);
            if (!File.Exists(full)) throw new TraceException(TraceErrorKind.NotFound, $"The program '{command}' does not exist.", full) { ErrorId = "CommandNotFound" };
            return full;
        }
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, command);
            if (File.Exists(candidate)) return candidate;
        }
        throw new TraceException(TraceErrorKind.NotFound, $"The program '{command}' was not found in PATH.") { ErrorId = "CommandNotFound" };
    }
}
