using System.Management.Automation;
using LinuxTrace.Engine.Probes;

namespace LinuxTrace.Commands;

/// <summary>Lists the USDT probes (.note.stapsdt) of ELF files: where each is, its semaphore, its arguments.</summary>
[Cmdlet(VerbsCommon.Get, "UsdtProbe")]
[OutputType(typeof(UsdtProbe))]
public sealed class GetUsdtProbeCommand : LinuxTraceCmdlet
{
    /// <summary>Programs or libraries: paths (wildcards), programs on PATH, library names (libstdc++).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    public string[] Path { get; set; } = [];

    /// <summary>provider:name or name patterns.</summary>
    [Parameter(Position = 1)]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    [Parameter]
    [Alias("Pid")]
    public int? ProcessId { get; set; }

    protected override void ProcessRecord()
    {
        string cwd = SessionState.Path.CurrentFileSystemLocation.ProviderPath;
        var match = Matcher(Name);
        foreach (var p in Path)
        {
            IEnumerable<string> files = WildcardPattern.ContainsWildcardCharacters(p) ? ResolvePaths([p], null) : [p];
            foreach (var f in files)
            {
                IReadOnlyList<UsdtProbe> probes = [];
                if (!NonTerminating(() => probes = Usdt.Read(UserProbeTarget.ResolveFile(f, ProcessId, cwd)), "ReadUsdtFailed", f)) continue;
                foreach (var u in probes) if (match(u.FullName) || match(u.Name)) WriteObject(u);
            }
        }
    }
}
