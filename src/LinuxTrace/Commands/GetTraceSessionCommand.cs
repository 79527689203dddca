using System.Management.Automation;

namespace LinuxTrace.Commands;

/// <summary>Lists the trace sessions of this PowerShell process that are still recording.</summary>
[Cmdlet(VerbsCommon.Get, "TraceSession")]
[OutputType(typeof(TraceSession))]
public sealed class GetTraceSessionCommand : LinuxTraceCmdlet
{
    [Parameter(Position = 0)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(SessionCompleter))]
    public string[]? Name { get; set; }

    protected override void ProcessRecord()
    {
        WriteMatching(TraceSession.GetActive(), s => s.Name, Name, "running trace session", "SessionNotFound");
    }
}
