using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace LinuxTrace.Commands;

/// <summary>USDT probes (provider:name) of the ELF file named by -Path.</summary>
public sealed class UsdtCompleter : KernelValueCompleter
{
    protected override IEnumerable<string> Values(IDictionary b)
    {
        if (!b.Contains("Path") || b["Path"]?.ToString() is not { Length: > 0 } path) return [];
        return Engine.Probes.Usdt.Read(Engine.Probes.UserProbeTarget.ResolveFile(path)).Select(u => u.FullName).Distinct();
    }
}
