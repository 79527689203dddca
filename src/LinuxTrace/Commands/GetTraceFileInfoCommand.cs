using System.Management.Automation;
using LinuxTrace.Engine.TraceDat;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Commands;

/// <summary>Shows what a trace.dat file holds: version, compression, host, clock, CPUs, buffers, statistics, events.</summary>
[Cmdlet(VerbsCommon.Get, "TraceFileInfo", DefaultParameterSetName = "Path")]
[OutputType(typeof(TraceFileInfo))]
public sealed class GetTraceFileInfoCommand : LinuxTraceCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "Path")]
    [SupportsWildcards]
    public string[] Path { get; set; } = [];

    [Parameter(Mandatory = true, ParameterSetName = "LiteralPath", ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    public string[] LiteralPath { get; set; } = [];

    protected override void ProcessRecord()
    {
        foreach (var f in ParameterSetName == "Path" ? ResolvePaths(Path, null) : ResolvePaths(null, LiteralPath))
        {
            try
            {
                var info = TraceFileInfo.Read(f);
                if (info.Problem is { } problem) WriteWarning(problem);
                WriteObject(info);
            }
            catch (TraceException e)
            {
                WriteError(ErrorFor(e, "InvalidTraceFile", f));
            }
        }
    }
}
