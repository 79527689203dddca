using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace LinuxTrace.Commands;

/// <summary>Function symbols of the ELF file named by -Path (Add-UProbe -Path /bin/bash -Function read&lt;Tab&gt;).</summary>
public sealed class ElfFunctionCompleter : KernelValueCompleter
{
    protected override IEnumerable<string> Values(IDictionary b)
    {
        if (!b.Contains("Path") || b["Path"]?.ToString() is not { Length: > 0 } path) return [];
        int? pid = b.Contains("ProcessId") && int.TryParse(b["ProcessId"]?.ToString(), out int p) ? p : null;
        string file = Engine.Probes.UserProbeTarget.ResolveFile(path, pid);
        return Engine.Symbols.ElfFile.Open(file).FunctionSymbols().Select(s => s.Name).Distinct().Order(StringComparer.Ordinal);
    }
}
