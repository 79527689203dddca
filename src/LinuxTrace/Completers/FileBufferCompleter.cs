using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace LinuxTrace.Commands;

/// <summary>The buffers (instances) recorded in the trace.dat files of -Path.</summary>
public sealed class FileBufferCompleter : KernelValueCompleter
{
    protected override IEnumerable<string> Values(IDictionary b)
    {
        var files = FilesOf(b);
        try { return files.SelectMany(f => f.Buffers.Select(x => x.Name)).Where(n => n.Length > 0).Distinct().Order(StringComparer.Ordinal).ToArray(); }
        finally { foreach (var f in files) f.Dispose(); }
    }
}
