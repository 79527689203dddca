using System.Management.Automation;
using LinuxTrace.Engine.Probes;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Commands;

/// <summary>Creates a kprobe or kretprobe (dynamic_events): a new event, kprobes:NAME by default, that fires when the
/// kernel enters (or, with -Return, leaves) a function, with named, typed fetch arguments as its fields.</summary>
[Cmdlet(VerbsCommon.Add, "KProbe", SupportsShouldProcess = true, DefaultParameterSetName = FunctionSet)]
[OutputType(typeof(DynamicProbe))]
public sealed class AddKProbeCommand : LinuxTraceCmdlet
{
    private const string FunctionSet = "Function", DefinitionSet = "Definition";

    /// <summary>The event's name (a C identifier).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = FunctionSet, ValueFromPipelineByPropertyName = true)]
    public string Name { get; set; } = "";

    /// <summary>The kernel function: SYMBOL, MODULE:SYMBOL, or an address (0x…).</summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = FunctionSet, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(KernelFunctionCompleter))]
    public string Function { get; set; } = "";

    /// <summary>Bytes into the function (an instruction boundary).</summary>
    [Parameter(ParameterSetName = FunctionSet)]
    [ValidateRange(0, int.MaxValue)]
    public int Offset { get; set; }

    /// <summary>Fire when the function returns (kretprobe); $retval is then available.</summary>
    [Parameter(ParameterSetName = FunctionSet)]
    public SwitchParameter Return { get; set; }

    /// <summary>Fetch arguments: @{ filename = '+0(%si):string'; flags = '%dx:x32' } or 'filename=+0(%si):string'.</summary>
    [Parameter(ParameterSetName = FunctionSet)]
    public object? Argument { get; set; }

    /// <summary>Return probes: how many calls may be pending at once.</summary>
    [Parameter(ParameterSetName = FunctionSet)]
    [ValidateRange(1, 4096)]
    public int MaxActive { get; set; }

    /// <summary>The event system (kprobes by default).</summary>
    [Parameter(ParameterSetName = FunctionSet)]
    public string? Group { get; set; }

    /// <summary>A whole definition in the kernel's syntax: 'p:myopen do_sys_openat2 filename=+0(%si):string'.</summary>
    [Parameter(Mandatory = true, ParameterSetName = DefinitionSet, ValueFromPipeline = true)]
    public string Definition { get; set; } = "";

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        _ = Tracefs; // reachable, or a terminating error before anything is checked
        ProbeDefinition.Parts parts;
        if (ParameterSetName == DefinitionSet)
        {
            parts = Terminating(() => ProbeDefinition.Split(Definition), "InvalidProbeDefinition", Definition);
            if (parts.IsUser || parts.Type is not (ProbeType.KProbe or ProbeType.KRetProbe))
            {
                WriteError(new ErrorRecord(new ArgumentException($"'{Definition}' is not a kernel probe: Add-UProbe makes user probes."), "NotAKernelProbe", ErrorCategory.InvalidArgument, Definition));
                return;
            }
        }
        else
        {
            string target = Offset > 0 ? $"{Function}+{Offset}" : Function;
            parts = new ProbeDefinition.Parts(Return ? 'r' : 'p', MaxActive, Group, Name, target, ProbeArguments.From(Argument));
        }
        // an unknown function gets its close matches from kallsyms first, kprobes or not; AddProbe then checks the kind
        if (!NonTerminating(() => DynamicEvents.CheckKernelFunction(parts.Target), "KernelFunctionNotFound", parts.Target)) return;
        AddProbe(parts, "kernel probe", "AddKProbeFailed", PassThru);
    }
}
