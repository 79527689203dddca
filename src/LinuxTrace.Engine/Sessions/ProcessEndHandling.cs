using System.Runtime.InteropServices;

namespace LinuxTrace.Engine.Sessions;

/// <summary>
/// Ends traces cleanly however the process is asked to end. SIGTERM and SIGHUP (timeout, systemd, Kubernetes, a closed
/// terminal): every trace ends as if its end had come (files are finalized), every instance is removed, then the
/// process exits with 128 + the signal. SIGINT: the traces running in the foreground end as Ctrl+C ends them (the
/// command that ran them then stops its pipeline); the process lives on. Process exit: whatever still runs is
/// stopped. SIGKILL cannot be caught: the next LinuxTrace on the host removes the orphan (see InstanceOwnership).
/// Handlers are registered while sessions exist; with none, signals keep their usual meaning.
/// </summary>
public static class ProcessEndHandling
{
    private static readonly object Gate = new();
    private static PosixSignalRegistration? _term, _hup, _int;
    private static bool _exitHooked;

    /// <summary>128 + the termination signal received, once one was: the process exits with it whoever ends it first
    /// (the stopped command can end a non-interactive pwsh before the signal's thread calls Exit).</summary>
    private static volatile int _signalExitCode;

    /// <summary>How long a signal waits for traces to finish (files to be written) before the process exits anyway.</summary>
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(30);

    public static void Watch()
    {
        lock (Gate)
        {
            if (!_exitHooked)
            {
                AppDomain.CurrentDomain.ProcessExit += (_, _) =>
                {
                    StopAll();
                    if (_signalExitCode != 0) Environment.ExitCode = _signalExitCode;
                };
                _exitHooked = true;
            }
            _term ??= PosixSignalRegistration.Create(PosixSignal.SIGTERM, Terminate);
            _hup ??= PosixSignalRegistration.Create(PosixSignal.SIGHUP, Terminate);
            _int ??= PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);
        }
    }

    private static void Terminate(PosixSignalContext context)
    {
        var sessions = TraceSession.GetActive();
        if (sessions.Count == 0) return; // nothing of ours: the usual meaning
        context.Cancel = true;
        int code = 128 + (context.Signal == PosixSignal.SIGHUP ? 1 : 15);
        _signalExitCode = code;
        // the handler thread must not block the runtime's signal loop: end the traces on a thread of their own
        new Thread(() =>
        {
            EndAll(sessions, foregroundOnly: false);
            Environment.Exit(code);
        }) { IsBackground = false, Name = "linuxtrace-signal" }.Start();
    }

    /// <summary>Called by a command whose trace a termination signal ended, once its file is written and its instance
    /// removed: the signal's thread exits the process with 128 + the signal, so the command's thread must not return
    /// and race it to an exit of its own (pwsh would exit with 1 for the stopped pipeline). Returns at once otherwise.</summary>
    public static void WaitForSignalExit()
    {
        if (_signalExitCode == 0) return;
        Thread.Sleep(Grace + TimeSpan.FromSeconds(5));
    }

    private static void Interrupt(PosixSignalContext context)
    {
        var foreground = TraceSession.GetActive().Where(s => s.InForeground).ToArray();
        if (foreground.Length == 0) return; // Ctrl+C keeps its usual meaning
        context.Cancel = true;
        foreach (var s in foreground) s.RequestStop(interrupt: true);
    }

    /// <summary>Foreground traces end their own loops (and write their files), and their commands stop their pipelines so
    /// that the script does not run on; background ones are stopped here.</summary>
    private static void EndAll(IReadOnlyList<TraceSession> sessions, bool foregroundOnly)
    {
        foreach (var s in sessions)
        {
            if (s.InForeground) s.RequestStop(interrupt: true);
            else if (!foregroundOnly) s.Stop();
        }
        var deadline = DateTime.UtcNow + Grace;
        while (DateTime.UtcNow < deadline && sessions.Any(s => s.State == TraceSessionState.Running)) Thread.Sleep(20);
        StopAll();
    }

    private static void StopAll()
    {
        foreach (var s in TraceSession.GetActive())
        {
            try { s.Stop(); } catch (Exception) { }
        }
    }
}
