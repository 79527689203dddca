using System.Management.Automation;

namespace LinuxTrace.Commands;

/// <summary>Creates a trace instance: a separate ring buffer with its own events, options and tracer.</summary>
[Cmdlet(VerbsCommon.New, "TraceInstance", SupportsShouldProcess = true)]
[OutputType(typeof(TraceInstanceInfo))]
public sealed class NewTraceInstanceCommand : LinuxTraceCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    public string[] Name { get; set; } = [];

    /// <summary>Ring-buffer size per CPU, in KB.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int BufferSizeKB { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(ClockCompleter))]
    public string? Clock { get; set; }

    protected override void ProcessRecord()
    {
        var fs = Tracefs;
        foreach (var n in Name)
        {
            if (!ShouldProcess($"trace instance {n}", "Create")) continue;
            NonTerminating(() =>
            {
                var inst = fs.CreateInstance(n);
                try
                {
                    if (BufferSizeKB > 0) inst.BufferSizeKB = BufferSizeKB;
                    if (Clock is not null) inst.Clock = Clock;
                }
                catch
                {
                    inst.Retire(); // nothing half-made is left behind
                    throw;
                }
                Engine.Sessions.InstanceOwnership.NoteMade(n);
                WriteObject(TraceListing.Info(inst));
            }, "NewInstanceFailed", n);
        }
    }
}
