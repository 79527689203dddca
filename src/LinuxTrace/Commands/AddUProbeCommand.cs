using System.Management.Automation;
using LinuxTrace.Engine.Probes;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Commands;

/// <summary>Creates a uprobe or uretprobe: a new event, uprobes:NAME by default, that fires when any process runs a
/// function of an ELF file (found by name in its symbol tables), a file offset, or a USDT probe point (-Sdt).</summary>
[Cmdlet(VerbsCommon.Add, "UProbe", SupportsShouldProcess = true, DefaultParameterSetName = FunctionSet)]
[OutputType(typeof(DynamicProbe))]
public sealed class AddUProbeCommand : LinuxTraceCmdlet
{
    private const string FunctionSet = "Function", OffsetSet = "Offset", SdtSet = "Sdt", DefinitionSet = "Definition";

    /// <summary>The event's name (a C identifier). With -Sdt it defaults to the USDT probe's name.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = FunctionSet, ValueFromPipelineByPropertyName = true)]
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = OffsetSet, ValueFromPipelineByPropertyName = true)]
    [Parameter(Position = 0, ParameterSetName = SdtSet, ValueFromPipelineByPropertyName = true)]
    public string? Name { get; set; }

    /// <summary>The program or library: a path (relative to the current location), a program on PATH (bash), or a library name (libc).</summary>
    [Parameter(Mandatory = true, ParameterSetName = FunctionSet, ValueFromPipelineByPropertyName = true)]
    [Parameter(Mandatory = true, ParameterSetName = OffsetSet, ValueFromPipelineByPropertyName = true)]
    [Parameter(Mandatory = true, ParameterSetName = SdtSet, ValueFromPipelineByPropertyName = true)]
    public string Path { get; set; } = "";

    /// <summary>The function, by its symbol name (-Offset then adds bytes into it).</summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = FunctionSet)]
    [ArgumentCompleter(typeof(ElfFunctionCompleter))]
    public string Function { get; set; } = "";

    /// <summary>A file offset (alone), or bytes into -Function.</summary>
    [Parameter(Mandatory = true, ParameterSetName = OffsetSet)]
    [Parameter(ParameterSetName = FunctionSet)]
    [ValidateRange(0, long.MaxValue)]
    public long Offset { get; set; }

    /// <summary>A USDT probe point of the file, as provider:name (libstdcxx:throw); Get-UsdtProbe lists them.</summary>
    [Parameter(Mandatory = true, ParameterSetName = SdtSet)]
    [ArgumentCompleter(typeof(UsdtCompleter))]
    public string Sdt { get; set; } = "";

    /// <summary>Fire when the function returns (uretprobe); $retval is then available.</summary>
    [Parameter(ParameterSetName = FunctionSet)]
    [Parameter(ParameterSetName = OffsetSet)]
    public SwitchParameter Return { get; set; }

    /// <summary>Fetch arguments: @{ n = '%di:s32'; s = '+0(%si):string' } or 'n=%di:s32'. With -Sdt the note's arguments (arg1, …) come first.</summary>
    [Parameter(ParameterSetName = FunctionSet)]
    [Parameter(ParameterSetName = OffsetSet)]
    [Parameter(ParameterSetName = SdtSet)]
    public object? Argument { get; set; }

    /// <summary>Resolve -Path in this process: the library it has mapped, seen through its root (a container's own files).</summary>
    [Parameter(ParameterSetName = FunctionSet)]
    [Parameter(ParameterSetName = OffsetSet)]
    [Parameter(ParameterSetName = SdtSet)]
    [Alias("Pid")]
    public int? ProcessId { get; set; }

    /// <summary>The event system (uprobes by default).</summary>
    [Parameter(ParameterSetName = FunctionSet)]
    [Parameter(ParameterSetName = OffsetSet)]
    [Parameter(ParameterSetName = SdtSet)]
    public string? Group { get; set; }

    /// <summary>A whole definition in the kernel's syntax; the place may name a symbol: 'r:rl bash:readline line=+0($retval):string'.</summary>
    [Parameter(Mandatory = true, ParameterSetName = DefinitionSet, ValueFromPipeline = true)]
    public string Definition { get; set; } = "";

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        _ = Tracefs; // reachable, or a terminating error before anything is checked
        string cwd = SessionState.Path.CurrentFileSystemLocation.ProviderPath;
        ProbeDefinition.Parts? parts = null;
        bool ok = NonTerminating(() => parts = Build(cwd), "InvalidUProbe", Path.Length > 0 ? Path : Definition);
        if (!ok || parts is null) return;
        AddProbe(parts, "user probe", "AddUProbeFailed", PassThru);
    }

    private ProbeDefinition.Parts Build(string cwd)
    {
        var extra = ProbeArguments.From(Argument);
        switch (ParameterSetName)
        {
            case DefinitionSet:
            {
                var p = UserProbeTarget.Normalize(ProbeDefinition.Split(Definition), cwd);
                if (!p.IsUser) throw new TraceException(TraceErrorKind.InvalidArgument, $"'{Definition}' is not a user probe (its place has no file path): Add-KProbe makes kernel probes.") { ErrorId = "NotAUserProbe" };
                return p;
            }
            case SdtSet:
            {
                string file = UserProbeTarget.ResolveFile(Path, ProcessId, cwd);
                var sites = Usdt.FindAll(file, Sdt);
                var site = sites[0];
                if (site.FileOffset < 0) throw new TraceException(TraceErrorKind.InvalidArgument, $"USDT probe {site.FullName} lies in no loadable segment of {file}.") { ErrorId = "UsdtNotMapped" };
                if (sites.Count > 1) WriteWarning($"{site.FullName} has {sites.Count} sites in {file}; the probe is placed at the first (0x{site.FileOffset:x}). Add more with -Offset.");
                foreach (var u in site.Unsupported) WriteWarning($"USDT argument left out: {u}.");
                string target = new UserProbeTarget(file, site.FileOffset, null, false).ToKernelTarget(site.SemaphoreOffset);
                string name = Name ?? Sanitize(site.Name);
                return new ProbeDefinition.Parts('p', 0, Group, name, target, site.Arguments.Concat(extra).ToArray());
            }
            case OffsetSet:
            {
                var t = UserProbeTarget.Resolve(Path, null, Offset, ProcessId, cwd);
                return new ProbeDefinition.Parts(Return ? 'r' : 'p', 0, Group, Name, t.ToKernelTarget(), extra);
            }
            default:
            {
                var t = UserProbeTarget.Resolve(Path, Function, Offset > 0 ? Offset : null, ProcessId, cwd);
                if (t.IsIndirectFunction)
                    WriteWarning($"{Function} in {t.Path} is an indirect function (STT_GNU_IFUNC): its symbol is the resolver that picks an implementation at load time, so the probe fires only when a program resolves it, not on every call. Probe one of the implementations instead (nm -D lists them).");
                return new ProbeDefinition.Parts(Return ? 'r' : 'p', 0, Group, Name, t.ToKernelTarget(), extra);
            }
        }
    }

    private static string Sanitize(string s) => new(s.Select(c => char.IsLetterOrDigit(c) || c == '_' ? c : '_').ToArray());
}
