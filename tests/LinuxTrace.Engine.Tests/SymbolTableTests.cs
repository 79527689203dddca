using System.Text;
using LinuxTrace.Engine.Symbols;
using Xunit;

namespace LinuxTrace.Engine.Tests;

/// <summary>Kernel addresses named as libtraceevent (trace-cmd report) names them.</summary>
public class SymbolTableTests
{
    /// <summary>
    /// Names that share an address resolve to the first kallsyms lists, for an address inside the function and at
    /// its start. Thousands of lines, so that a sort that is not stable would reorder them (small inputs are sorted
    /// by insertion, which happens to keep their order).
    /// </summary>
    [Fact]
    public void AliasesResolveToTheFirstKallsymsLine()
    {
        var text = new StringBuilder();
        var first = new Dictionary<ulong, string>();
        var random = new Random(7);
        // the kernel's order is not the address order: modules and init text come anywhere
        var starts = Enumerable.Range(0, 4000).Select(i => 0xffffffff81000000UL + (ulong)i * 0x40).OrderBy(_ => random.Next()).ToList();
        foreach (ulong a in starts)
        {
            int aliases = 1 + random.Next(4);
            for (int k = 0; k < aliases; k++)
            {
                string name = $"f{a:x}_{k}";
                first.TryAdd(a, name);
                text.Append($"{a:x16} {(k == 0 ? 't' : 'T')} {name}\n");
            }
        }
        var table = SymbolTable.Parse(text.ToString());
        foreach (var (a, name) in first)
        {
            Assert.Equal(name, table.Lookup(a + 0x11));
            Assert.Equal(name, table.Lookup(a));
        }
    }

    /// <summary>This machine's own kallsyms: every shared address gets its first name (the reported case was
    /// __ia32_sys_sched_yield for trace-cmd's __do_sys_sched_yield).</summary>
    [Fact]
    public void RealKallsymsAliasesResolveAsTraceCmdDoes()
    {
        Kernel.Require("kallsyms");
        string text = File.ReadAllText("/proc/kallsyms");
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ', '\t'))
            .Where(p => p.Length >= 3 && ulong.TryParse(p[0], System.Globalization.NumberStyles.HexNumber, null, out ulong v) && v != 0)
            .Select(p => (Address: Convert.ToUInt64(p[0], 16), Name: p[2])).ToList();
        var firstAt = new Dictionary<ulong, string>();
        var shared = new HashSet<ulong>();
        foreach (var (a, n) in lines) if (!firstAt.TryAdd(a, n)) shared.Add(a);
        Assert.NotEmpty(shared);
        var table = SymbolTable.Parse(text);
        foreach (ulong a in shared) Assert.Equal(firstAt[a], table.Lookup(a + 1));
    }
}
