using System.Management.Automation;
using LinuxTrace.Engine.Sessions;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Commands;

/// <summary>Lists the trace sessions of this PowerShell process that are still recording, and the detached traces on
/// this host (started with Start-Trace -Detached by any process), with their age, events and losses.</summary>
[Cmdlet(VerbsCommon.Get, "TraceSession")]
[OutputType(typeof(TraceSession), typeof(DetachedTrace))]
public sealed class GetTraceSessionCommand : LinuxTraceCmdlet
{
    [Parameter(Position = 0)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(SessionCompleter))]
    public string[]? Name { get; set; }

    protected override void ProcessRecord()
    {
        var sessions = TraceSession.GetActive();
        // tracefs unreachable: this process's sessions are still listed
        IReadOnlyList<DetachedTrace> detached;
        try { detached = DetachedTrace.GetAll(TraceFileSystem.Default); }
        catch (TraceException) { detached = []; }
        var match = Matcher(Name);
        foreach (var s in sessions) if (match(s.Name)) WriteObject(s);
        foreach (var t in detached) if (match(t.Name)) WriteObject(t);
        ReportUnmatched(Name, sessions.Select(s => s.Name).Concat(detached.Select(t => t.Name)), "trace session or detached trace", "SessionNotFound");
    }
}
