using System.Collections;
using System.Collections.Specialized;
using System.Management.Automation;
using LinuxTrace.Engine.Probes;

namespace LinuxTrace.Commands;

/// <summary>-Argument of Add-KProbe / Add-UProbe: a hashtable (name = fetcharg[:type]; an ordered one keeps its order,
/// a plain one is sorted by name) or strings in the kernel's syntax ("name=fetcharg:type", or a fetcharg alone).</summary>
internal static class ProbeArguments
{
    public static IReadOnlyList<ProbeArgument> From(object? value)
    {
        var list = new List<ProbeArgument>();
        if (value is null) return list;
        value = value is PSObject pso ? pso.BaseObject : value;
        if (value is IDictionary dict)
        {
            IEnumerable<DictionaryEntry> entries = dict.Cast<DictionaryEntry>();
            if (value is not OrderedDictionary) entries = entries.OrderBy(e => e.Key?.ToString(), StringComparer.Ordinal);
            foreach (var e in entries)
            {
                string name = e.Key?.ToString() ?? "";
                string fetch = (e.Value is PSObject p ? p.BaseObject : e.Value)?.ToString() ?? "";
                var parsed = ProbeDefinition.ParseArgument(fetch, list.Count + 1);
                list.Add(new ProbeArgument(name, parsed.Fetch, parsed.Type));
            }
            return list;
        }
        IEnumerable items = value is string s ? new[] { s } : value as IEnumerable ?? new[] { value };
        foreach (var item in items)
        {
            var v = item is PSObject p ? p.BaseObject : item;
            if (v is ProbeArgument a) list.Add(a);
            else if (v?.ToString() is { Length: > 0 } text) list.Add(ProbeDefinition.ParseArgument(text, list.Count + 1));
        }
        return list;
    }
}
