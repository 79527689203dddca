using System.Runtime.InteropServices;
using LinuxTrace.Engine.Symbols;
using Xunit;

namespace LinuxTrace.Engine.Tests;

/// <summary>User-space addresses to names: process maps from /proc and from trace-cmd's PROCMAPS option, and the ELF
/// symbols of the mapped files (this test process's own libc).</summary>
public class UserSymbolTests
{
    private const string Maps = """
        55d0c4a00000-55d0c4a02000 r--p 00000000 08:01 1311 /usr/bin/prog with space
        55d0c4a02000-55d0c4a05000 r-xp 00002000 08:01 1311 /usr/bin/prog with space
        55d0c4c00000-55d0c4c21000 rw-p 00000000 00:00 0 [heap]
        7f1a2b000000-7f1a2b028000 r--p 00000000 08:01 2222 /usr/lib/x86_64-linux-gnu/libc.so.6
        7f1a2b028000-7f1a2b19d000 r-xp 00028000 08:01 2222 /usr/lib/x86_64-linux-gnu/libc.so.6
        7f1a2b300000-7f1a2b301000 r-xp 00000000 08:01 3333 /tmp/gone.so (deleted)
        7ffd1c000000-7ffd1c021000 rw-p 00000000 00:00 0 [stack]
        """;

    [Fact]
    public void ProcMapsKeepFileMappingsWithTheirOffsets()
    {
        var m = ProcessMaps.ParseProc(42, "prog", Maps);
        Assert.Equal(4, m.Mappings.Count);
        Assert.Equal("/usr/bin/prog with space", m.Mappings[0].Path);
        Assert.Equal(0x28000UL, m.Find(0x7f1a2b028010)!.Value.FileOffset);
        Assert.Null(m.Find(0x55d0c4c00010)); // the heap
        Assert.Null(m.Find(0x7f1a2b300010)); // a deleted file
        Assert.Null(m.Find(0x7ffd1c000010)); // the stack
    }

    [Fact]
    public void TraceCmdProcMapsRoundTrip()
    {
        var m = ProcessMaps.ParseProc(0x2a, "prog", Maps);
        string text = m.ToTraceCmdOption();
        // trace-cmd's layout: "pid count program" in hexadecimal, then "start end path" per mapping, without its offset
        Assert.StartsWith("2a 4 prog\n", text);
        Assert.Contains("\n7f1a2b028000 7f1a2b19d000 /usr/lib/x86_64-linux-gnu/libc.so.6\n", text);
        var back = ProcessMaps.ParseTraceCmdOption(text + "\0")!;
        Assert.Equal(42, back.ProcessId);
        Assert.Equal("prog", back.Command);
        // each mapping's offset is its distance from the file's lowest mapping
        Assert.Equal(m.Mappings.Select(x => x.FileOffset), back.Mappings.Select(x => x.FileOffset));
        Assert.Equal(m.Mappings.Select(x => x.Path), back.Mappings.Select(x => x.Path));
        Assert.Null(ProcessMaps.ParseTraceCmdOption("not maps"));
    }

    [Fact]
    public void LibcFunctionsAreNamedLiveAndFromACopyOfTheMaps()
    {
        nint libc = NativeLibrary.Load("libc.so.6");
        ulong address = (ulong)NativeLibrary.GetExport(libc, "getppid") + 2; // inside the function, as a return address is
        var live = UserSymbols.ForLive();
        string name = live.Resolve(Environment.ProcessId, address);
        // the names the file gives that address (an alias may share it)
        var maps = ProcessMaps.ReadLive(Environment.ProcessId)!;
        var map = maps.Find(address)!.Value;
        var elf = ElfFile.Open(map.Path);
        ulong va = elf.VirtualAddressOf((long)(address - map.Start + map.FileOffset))!.Value;
        var names = elf.FunctionSymbols().Where(s => va >= s.Address && va < s.Address + Math.Max(s.Size, 1)).Select(s => s.Name).ToArray();
        Assert.Contains("getppid", names);
        Assert.Contains(name, names);

        // a file's copy of the maps (trace-cmd's PROCMAPS layout) names it the same, and never reads /proc
        var copy = ProcessMaps.ParseTraceCmdOption(maps.ToTraceCmdOption())!;
        var fromFile = UserSymbols.FromMaps([copy]);
        Assert.Equal(name, fromFile.Resolve(Environment.ProcessId, address));
        Assert.StartsWith("0x", fromFile.Resolve(Environment.ProcessId + 1_000_000, address));
        // an address in a mapped file where no symbol is: the file and the offset
        Assert.Matches(@"^0x[0-9a-f]+$|^[^+]+\+0x[0-9a-f]+$", fromFile.Resolve(Environment.ProcessId, map.Start));
    }
}
