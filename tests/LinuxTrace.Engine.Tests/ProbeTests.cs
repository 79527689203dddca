using LinuxTrace.Engine.Probes;
using LinuxTrace.Engine.Symbols;
using LinuxTrace.Engine.Tracefs;
using Xunit;

namespace LinuxTrace.Engine.Tests;

/// <summary>Probe definitions both ways, USDT argument specs, and the ELF reader on real and on damaged files.</summary>
public class ProbeTests
{
    [Fact]
    public void KernelProbeListingIsTakenApart()
    {
        var p = ProbeDefinition.FromListing("p:kprobes/lt_open do_sys_openat2 filename=+0(%si):string dfd=%di:s32 $comm");
        Assert.Equal(ProbeType.KProbe, p.Type);
        Assert.Equal("kprobes:lt_open", p.EventName);
        Assert.Equal("do_sys_openat2", p.Function);
        Assert.Null(p.Module);
        Assert.Equal(["filename", "dfd", "arg3"], p.Arguments.Select(a => a.Name));
        Assert.Equal(["+0(%si)", "%di", "$comm"], p.Arguments.Select(a => a.Fetch));
        Assert.Equal(["string", "s32", null], p.Arguments.Select(a => a.Type));

        var r = ProbeDefinition.FromListing("r16:mygrp/lt_ret ext4:ext4_file_open+0 ret=$retval:x64");
        Assert.Equal(ProbeType.KRetProbe, r.Type);
        Assert.Equal(16, r.MaxActive);
        Assert.Equal("mygrp", r.Group);
        Assert.Equal("ext4", r.Module);
        Assert.Equal("ext4_file_open", r.Function);
        Assert.True(r.IsReturn);
    }

    [Fact]
    public void UserProbeListingIsTakenApart()
    {
        var p = ProbeDefinition.FromListing("p:uprobes/tick /tmp/pt/probe_target:0x00000000000011aa(0x3028) arg1=%bx:s32");
        Assert.Equal(ProbeType.UProbe, p.Type);
        Assert.Equal("/tmp/pt/probe_target", p.Path);
        Assert.Equal(0x11aa, p.Offset);
        Assert.Equal(0x3028, p.ReferenceCounterOffset);
        var r = ProbeDefinition.FromListing("r:uprobes/rl /usr/bin/bash:0x00000000000b3a60 line=+0($retval):string");
        Assert.Equal(ProbeType.URetProbe, r.Type);
        Assert.Null(r.ReferenceCounterOffset);
    }

    [Fact]
    public void DefinitionsAreWrittenAsTheKernelTakesThem()
    {
        var parts = new ProbeDefinition.Parts('r', 8, null, "lt_ret", "do_sys_openat2", [new ProbeArgument("ret", "$retval", "s64")]);
        Assert.Equal("r8:lt_ret do_sys_openat2 ret=$retval:s64", parts.ToString());
        Assert.Equal("kprobes", parts.EffectiveGroup);
        Assert.Equal("p do_sys_openat2 fn=+0(%si):string", ProbeDefinition.WithKind("do_sys_openat2 fn=+0(%si):string"));
        Assert.Equal("p:x vfs_read", ProbeDefinition.WithKind("p:x vfs_read"));
        var e = Assert.Throws<TraceException>(() => ProbeDefinition.Split("q:x vfs_read"));
        Assert.Equal(TraceErrorKind.InvalidArgument, e.Kind);
        Assert.Throws<TraceException>(() => ProbeDefinition.Split("p:x"));
    }

    [Theory]
    [InlineData("-4@%eax", "%ax", "s32")]
    [InlineData("8@%rdi", "%di", "u64")]
    [InlineData("-8@%r13", "%r13", "s64")]
    [InlineData("4@%r8d", "%r8", "u32")]
    [InlineData("1@%sil", "%si", "u8")]
    [InlineData("8@-16(%rbp)", "-16(%bp)", "u64")]
    [InlineData("-4@8(%rsp)", "+8(%sp)", "s32")]
    [InlineData("4@$5", "\\5", "u32")]
    [InlineData("%rdx", "%dx", "u64")]
    public void UsdtSpecsBecomeFetchArguments(string spec, string fetch, string type)
    {
        var a = Usdt.ConvertSpec(spec, 2, arm64: false, out string? why);
        Assert.NotNull(a);
        Assert.Null(why);
        Assert.Equal("arg2", a.Name);
        Assert.Equal(fetch, a.Fetch);
        Assert.Equal(type, a.Type);
    }

    [Theory]
    [InlineData("1@%ah", "high-byte")]
    [InlineData("8@(%rax,%rdx,4)", "indexed")]
    [InlineData("3@%eax", "size 3")]
    [InlineData("4@%xyz", "unknown register")]
    public void UsdtSpecsNoUprobeCanFetchSayWhy(string spec, string reason)
    {
        Assert.Null(Usdt.ConvertSpec(spec, 1, arm64: false, out string? why));
        Assert.Contains(reason, why);
    }

    [Theory]
    [InlineData("8@x0", "%x0", "u64")]
    [InlineData("-4@w1", "%x1", "s32")]
    [InlineData("8@[sp, 16]", "+16(%sp)", "u64")]
    [InlineData("4@[x2, -8]", "-8(%x2)", "u32")]
    public void Arm64UsdtSpecsBecomeFetchArguments(string spec, string fetch, string type)
    {
        var a = Usdt.ConvertSpec(spec, 1, arm64: true, out _);
        Assert.Equal(fetch, a?.Fetch);
        Assert.Equal(type, a?.Type);
    }

    [Fact]
    public void LibcSymbolsGiveFileOffsetsThroughTheSegments()
    {
        string? libc = LibraryPath.Resolve("libc");
        Assert.NotNull(libc);
        Assert.EndsWith("libc.so.6", libc);
        Assert.Equal(libc, LibraryPath.FromLdCache("libc.so.6"));
        var elf = ElfFile.Open(libc);
        Assert.True(elf.Is64);
        var getpid = elf.FunctionSymbols().Where(s => s.Name == "getpid").ToArray();
        Assert.NotEmpty(getpid);
        Assert.Equal(elf.FileOffsetOf(getpid[0].Address, executableOnly: true), getpid[0].FileOffset);
        var t = UserProbeTarget.Resolve("libc", "getpid", null);
        Assert.Equal(getpid[0].FileOffset, t.Offset);
        var e = Assert.Throws<TraceException>(() => UserProbeTarget.Resolve("libc", "getpidd", null));
        Assert.Contains("getpid", e.Message);
        Assert.Equal(TraceErrorKind.NotFound, e.Kind);
    }

    [Fact]
    public void DamagedFilesAreErrorsThatSayWhere()
    {
        string dir = Directory.CreateTempSubdirectory("lt-elf-").FullName;
        try
        {
            string text = Path.Combine(dir, "text");
            File.WriteAllText(text, "#!/bin/sh\necho not an elf file\n");
            var e = Assert.Throws<TraceDataException>(() => ElfFile.Open(text));
            Assert.Contains("not an ELF file", e.Message);

            // a real header whose section table lies past the end of the file
            byte[] head = File.ReadAllBytes(LibraryPath.Resolve("libc")!)[..4096];
            string cut = Path.Combine(dir, "cut.so");
            File.WriteAllBytes(cut, head);
            var d = Assert.Throws<TraceDataException>(() => ElfFile.Open(cut));
            Assert.Contains("outside the file", d.Message);

            // a section count that claims gigabytes
            byte[] huge = (byte[])head.Clone();
            BitConverter.GetBytes((ushort)0xffff).CopyTo(huge, 60); // e_shnum
            BitConverter.GetBytes((ushort)0xffff).CopyTo(huge, 58); // e_shentsize
            BitConverter.GetBytes(64L).CopyTo(huge, 40);            // e_shoff
            string big = Path.Combine(dir, "big.so");
            File.WriteAllBytes(big, huge);
            Assert.Throws<TraceDataException>(() => ElfFile.Open(big));

            Assert.Equal(TraceErrorKind.NotFound, Assert.Throws<TraceException>(() => ElfFile.Open(Path.Combine(dir, "missing"))).Kind);
        }
        finally { Directory.Delete(dir, true); }
    }
}
