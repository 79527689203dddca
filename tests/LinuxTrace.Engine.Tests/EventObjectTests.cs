using System.Buffers.Binary;
using LinuxTrace.Engine.Events;
using LinuxTrace.Engine.Formats;
using LinuxTrace.Engine.RingBuffer;
using Xunit;

namespace LinuxTrace.Engine.Tests;

public class EventObjectTests
{
    private static TraceEvent Make(EventFormat f, byte[] payload, CommandResolver? commands = null)
    {
        var page = new PageBuilder(1_000_000_123).Data(0, payload).Build();
        var catalog = EventCatalog.FromFormats(Fixtures.Header, [f]);
        var factory = new EventFactory(catalog, commands ?? new CommandResolver(false));
        var cursor = new CpuCursor(1, new ListPageSource([(page, page.Length)]), Fixtures.Header);
        Assert.True(cursor.MoveNext());
        return (TraceEvent)factory.Create(cursor.Current);
    }

    [Fact]
    public void SchedSwitchBecomesAClassWithTypedProperties()
    {
        var f = Fixtures.Event("sched", "sched_sched_switch");
        var e = Make(f, Fixtures.Record(f, 42, b =>
        {
            Fixtures.Str(b, 8, "bash");
            BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(24), 42);
            BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(28), 120);
            BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(32), 1);
            Fixtures.Str(b, 40, "swapper/1");
            b[2] = 0x05; // irqs-off | need-resched
            b[3] = 0x12;
        }));
        var t = e.GetType();
        // the class is named after the event; a second layout of sched_switch met earlier in this process (another
        // test's kernel) makes this one sched_switch_2 (EventLayout.EmitType), so the name depends on the tests' order
        Assert.Matches(@"^LinuxTrace\.Events\.sched\.sched_switch(_\d+)?$", t.FullName);
        Assert.Equal(typeof(string), t.GetProperty("prev_comm")!.PropertyType);
        Assert.Equal(typeof(int), t.GetProperty("prev_pid")!.PropertyType);
        Assert.Equal(typeof(long), t.GetProperty("prev_state")!.PropertyType);
        Assert.Equal("bash", t.GetProperty("prev_comm")!.GetValue(e));
        Assert.Equal(42, t.GetProperty("prev_pid")!.GetValue(e));
        Assert.Equal(1L, t.GetProperty("prev_state")!.GetValue(e));
        Assert.Equal("swapper/1", t.GetProperty("next_comm")!.GetValue(e));
        Assert.Equal(42, e.ProcessId);
        Assert.Equal("bash", e.ProcessName); // prev_pid == common_pid: the event names its own command
        Assert.Equal(1, e.CpuNumber);
        Assert.Equal(1_000_000_123UL, e.TimestampNs);
        Assert.Equal(TraceEventFlags.IrqsOff | TraceEventFlags.NeedResched, e.CommonFlags);
        Assert.Equal(2, e.CommonPreemptCount);
        Assert.Equal("sched", e.EventSystem);
        Assert.Equal("sched_switch", e.EventName);
        Assert.Contains("prev_comm=bash prev_pid=42", e.FormatFields());
    }

    [Fact]
    public void DataLocStringAndCommandFromSavedCmdlines()
    {
        var f = Fixtures.Event("sched", "sched_sched_process_exec");
        int fixedSize = f.FixedSize;
        var fn = f.GetField("filename")!;
        var e = Make(f, Fixtures.Record(f, 77, b =>
        {
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(fn.Offset), (uint)fixedSize | (12u << 16));
            Fixtures.Str(b, fixedSize, "/usr/bin/ls");
        }, extra: 12), Commands("77 ls\n"));
        Assert.Equal("/usr/bin/ls", e.GetFieldValue("filename"));
        Assert.Equal("ls", e.ProcessName);
    }

    private static CommandResolver Commands(string saved)
    {
        var c = new CommandResolver(false);
        c.Load(saved);
        return c;
    }

    [Fact]
    public void RelLocIsRelativeToTheEndOfTheField()
    {
        var f = FormatParser.ParseEvent("sample", Fixtures.Format("crafted_foo_rel_loc"));
        var e = Make(f, Fixtures.Record(f, 1, b =>
        {
            // foo at offset 8 (size 4): data at 16 + 4 = 20 -> relative offset 20 - 12 = 8
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(8), 8u | (6u << 16));
            Fixtures.Str(b, 20, "hello");
            // bitmask at 12 (size 4): one u64 at 28 -> relative offset 28 - 16 = 12
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(12), 12u | (8u << 16));
            BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(28), 0xF0UL);
        }, extra: 20));
        Assert.Equal("hello", e.GetFieldValue("foo"));
        Assert.Equal(new ulong[] { 0xF0 }, (ulong[])e.GetFieldValue("bitmask")!);
    }

    [Fact]
    public void FixedArrayAndKernelNamesKeptAsTheyAre()
    {
        var f = Fixtures.Event("raw_syscalls", "raw_syscalls_sys_enter");
        var e = Make(f, Fixtures.Record(f, 5, b =>
        {
            BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(8), 257);
            for (int i = 0; i < 6; i++) BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(16 + 8 * i), (ulong)(i + 1) * 10);
        }));
        Assert.Equal(257L, e.GetType().GetProperty("id")!.GetValue(e));
        Assert.Equal(new ulong[] { 10, 20, 30, 40, 50, 60 }, (ulong[])e.GetType().GetProperty("args")!.GetValue(e)!);
        // irq_handler_entry has a field "name": it is the property "name", beside the record's EventName
        var irq = Fixtures.Event("irq", "irq_irq_handler_entry");
        var fixedSize = irq.FixedSize;
        var ev = Make(irq, Fixtures.Record(irq, 0, b =>
        {
            BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(8), 29);
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(12), (uint)fixedSize | (8u << 16));
            Fixtures.Str(b, fixedSize, "virtio0");
        }, extra: 8));
        Assert.Equal("irq_handler_entry", ev.EventName);
        Assert.Equal("virtio0", ev.GetType().GetProperty("name")!.GetValue(ev));
        Assert.Equal(29, ev.GetType().GetProperty("irq")!.GetValue(ev));
        Assert.Null(ev.GetType().GetProperty("name_"));
        Assert.Equal(["irq", "name"], ev.GetFieldNames());
    }

    [Fact]
    public void TruncatedRecordsDecodeToDefaultsInsteadOfThrowing()
    {
        var f = Fixtures.Event("sched", "sched_sched_switch");
        var e = Make(f, Fixtures.Record(f, 3).AsSpan(0, 28).ToArray());
        Assert.Equal(0L, e.GetType().GetProperty("prev_state")!.GetValue(e));
        Assert.Equal("", e.GetType().GetProperty("next_comm")!.GetValue(e));
    }

    [Fact]
    public void SameFormatSharesOneClass()
    {
        var f = Fixtures.Event("sched", "sched_sched_switch");
        var a = Make(f, Fixtures.Record(f, 1));
        var b = Make(Fixtures.Event("sched", "sched_sched_switch"), Fixtures.Record(f, 2));
        Assert.Same(a.GetType(), b.GetType());
    }
}

public class SymbolTests
{
    [Fact]
    public void PrintFormatNamesTheSymbolFields()
    {
        var f = Fixtures.Event("ftrace", "ftrace_function");
        Assert.Equal(new[] { ("ip", false), ("parent_ip", false) }, LinuxTrace.Engine.Formats.PrintFormat.Parse(f, 8).SymbolFields);
        var g = Fixtures.Event("ftrace", "ftrace_funcgraph_entry");
        Assert.Equal(new[] { ("func", false) }, LinuxTrace.Engine.Formats.PrintFormat.Parse(g, 8).SymbolFields);
        Assert.Empty(LinuxTrace.Engine.Formats.PrintFormat.Parse(Fixtures.Event("sched", "sched_sched_switch"), 8).SymbolFields);
    }

    [Fact]
    public void FunctionEventsGetSymbolPropertiesFromKallsyms()
    {
        var f = Fixtures.Event("ftrace", "ftrace_function");
        Assert.True(f.GetField("args")!.IsFlexible);
        var table = LinuxTrace.Engine.Symbols.SymbolTable.Parse("ffffffff81000000 T _stext\nffffffff81200000 T do_sys_openat2\nffffffff81200400 t vfs_open [ext4]\n");
        Assert.Equal("do_sys_openat2", table.Lookup(0xffffffff81200010));
        Assert.Equal("do_sys_openat2+0x10", table.Lookup(0xffffffff81200010, withOffset: true));
        Assert.Equal("vfs_open", table.Lookup(0xffffffff81200400));
        Assert.Null(table.Lookup(0x1000));

        var payload = Fixtures.Record(f, 9, b =>
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(8), 0xffffffff81200000);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(16), 0xffffffff81200404);
        });
        var page = new PageBuilder(5).Data(0, payload).Build();
        var factory = new EventFactory(EventCatalog.FromFormats(Fixtures.Header, [f]), new CommandResolver(false), new Lazy<LinuxTrace.Engine.Symbols.SymbolTable>(table));
        var cursor = new CpuCursor(0, new ListPageSource([(page, page.Length)]), Fixtures.Header);
        Assert.True(cursor.MoveNext());
        var e = (TraceEvent)factory.Create(cursor.Current);
        Assert.Equal("do_sys_openat2", e.GetType().GetProperty("ip_symbol")!.GetValue(e));
        Assert.Equal("vfs_open", e.GetType().GetProperty("parent_ip_symbol")!.GetValue(e));
        Assert.Equal(0xffffffff81200000UL, e.GetType().GetProperty("ip")!.GetValue(e));
    }
}

public class SyscallTests
{
    [Fact]
    public void TablesNameSyscallsPerArchitecture()
    {
        var x64 = LinuxTrace.Engine.Symbols.SyscallTable.For("x86_64")!;
        Assert.Equal("read", x64.Name(0));
        Assert.Equal("openat", x64.Name(257));
        Assert.Equal("openat2", x64.Name(437));
        var arm = LinuxTrace.Engine.Symbols.SyscallTable.For("aarch64")!;
        Assert.Equal("openat", arm.Name(56));
        Assert.Null(LinuxTrace.Engine.Symbols.SyscallTable.For("s390x"));
        Assert.Equal("x86_64", LinuxTrace.Engine.Symbols.SyscallTable.ArchitectureOf("Linux vm 6.18.44 x86_64"));
    }

    [Fact]
    public void RawSyscallEventsGetTheSyscallName()
    {
        var f = Fixtures.Event("raw_syscalls", "raw_syscalls_sys_enter");
        var payload = Fixtures.Record(f, 3, b => BitConverter.GetBytes(257L).CopyTo(b, 8));
        var page = new PageBuilder(1).Data(0, payload).Build();
        var factory = new EventFactory(EventCatalog.FromFormats(Fixtures.Header, [f]), new CommandResolver(false), null, LinuxTrace.Engine.Symbols.SyscallTable.For("x86_64"));
        var cursor = new CpuCursor(0, new ListPageSource([(page, page.Length)]), Fixtures.Header);
        Assert.True(cursor.MoveNext());
        var e = (TraceEvent)factory.Create(cursor.Current);
        Assert.Equal("openat", e.GetType().GetProperty("syscall")!.GetValue(e));
    }
}
