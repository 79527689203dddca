using LinuxTrace.Engine.Formats;
using LinuxTrace.Engine.Tracefs;
using Xunit;

namespace LinuxTrace.Engine.Tests;

public class FormatParserTests
{
    [Fact]
    public void SchedSwitchFieldsHaveTheKernelsTypesAndOffsets()
    {
        var f = Fixtures.Event("sched", "sched_sched_switch");
        Assert.Equal("sched_switch", f.Name);
        Assert.Equal(372, f.Id);
        var comm = f.GetField("prev_comm")!;
        Assert.Equal((8, 16, FieldKind.FixedString, typeof(string)), (comm.Offset, comm.Size, comm.Kind, comm.ClrType));
        var pid = f.GetField("prev_pid")!;
        Assert.Equal((24, 4, true, typeof(int)), (pid.Offset, pid.Size, pid.IsSigned, pid.ClrType));
        var state = f.GetField("prev_state")!;
        Assert.Equal((32, 8, typeof(long)), (state.Offset, state.Size, state.ClrType));
        Assert.Equal(typeof(ushort), f.GetField("common_type")!.ClrType);
        Assert.True(f.GetField("common_pid")!.IsCommon);
        Assert.Equal(7, f.OwnFields.Count());
        Assert.StartsWith("\"prev_comm=%s", f.PrintFormat);
    }

    [Fact]
    public void FixedArrayOfUnsignedLongBecomesULongArray()
    {
        var f = Fixtures.Event("raw_syscalls", "raw_syscalls_sys_enter");
        var args = f.GetField("args")!;
        Assert.Equal(FieldKind.FixedArray, args.Kind);
        Assert.Equal(6, args.ArrayLength);
        Assert.Equal(8, args.ElementSize);
        Assert.Equal(typeof(ulong[]), args.ClrType);
        Assert.Equal(typeof(long), f.GetField("id")!.ClrType);
    }

    [Fact]
    public void DataLocCharIsAString()
    {
        var f = Fixtures.Event("sched", "sched_sched_process_exec");
        var fn = f.GetField("filename")!;
        Assert.Equal(FieldKind.DataLocString, fn.Kind);
        Assert.Equal(typeof(string), fn.ClrType);
        Assert.Equal(4, fn.Size);
        Assert.Equal("__data_loc char[]", fn.CType);
    }

    [Fact]
    public void DataLocOfIntegersIsATypedArray()
    {
        var f = Fixtures.Event("dma", "dma_dma_alloc_sgt");
        var phys = f.GetField("phys_addrs")!;
        Assert.Equal(FieldKind.DataLocArray, phys.Kind);
        Assert.Equal(typeof(ulong[]), phys.ClrType);
        Assert.Equal(8, phys.ElementSize);
    }

    [Fact]
    public void RelLocFieldsAreRecognised()
    {
        var f = FormatParser.ParseEvent("sample", Fixtures.Format("crafted_foo_rel_loc"));
        Assert.Equal(FieldKind.RelLocString, f.GetField("foo")!.Kind);
        var bm = f.GetField("bitmask")!;
        Assert.Equal(FieldKind.RelLocArray, bm.Kind);
        Assert.Equal(typeof(ulong[]), bm.ClrType);
    }

    [Fact]
    public void HeaderPageGivesLongSizeAndDataOffset()
    {
        var h = Fixtures.Header;
        Assert.Equal(8, h.CommitSize);
        Assert.Equal(16, h.DataOffset);
        Assert.Equal(4080, h.DataSize);
        HeaderPage.ValidateHeaderEvent(File.ReadAllText(Path.Combine(Fixtures.Dir, "formats", "header_event")));
    }

    [Fact]
    public void ThirtyTwoBitHeaderPageHasCommitOfFourBytes()
    {
        var h = HeaderPage.Parse("\tfield: u64 timestamp;\toffset:0;\tsize:8;\tsigned:0;\n\tfield: local_t commit;\toffset:8;\tsize:4;\tsigned:1;\n\tfield: char data;\toffset:12;\tsize:4084;\tsigned:0;\n");
        Assert.Equal((4, 12), (h.LongSize, h.DataOffset));
    }

    [Theory]
    [InlineData("name: x\nformat:\n")]
    [InlineData("ID: 5\nformat:\n")]
    [InlineData("name: x\nID: 1\nformat:\n\tfield:int a;\tsize:4;\n")]
    public void MalformedFormatsAreClearErrors(string text)
    {
        var e = Assert.Throws<TraceDataException>(() => FormatParser.ParseEvent("s", text));
        Assert.Equal(TraceErrorKind.InvalidData, e.Kind);
    }

    [Fact]
    public void EveryFormatOfThisKernelParses()
    {
        Kernel.Require("events");
        string root = "/sys/kernel/tracing/events";
        int n = 0;
        foreach (var sys in Directory.GetDirectories(root))
        foreach (var ev in Directory.GetDirectories(sys))
        {
            var path = Path.Combine(ev, "format");
            if (!File.Exists(path)) continue;
            var f = FormatParser.ParseEvent(Path.GetFileName(sys), File.ReadAllText(path));
            Assert.All(f.Fields, x => Assert.True(x.Offset >= 0 && x.Size >= 0));
            n++;
        }
        Assert.True(n > 100, $"only {n} formats found");
    }

    [Fact]
    public void ArraysTakeTheSignednessTheFormatDeclares()
    {
        var f = Fixtures.Event("sock", "sock_inet_sock_set_state");
        var v6 = f.GetField("saddr_v6")!;
        Assert.Equal(FieldKind.FixedArray, v6.Kind);
        Assert.Equal(typeof(byte[]), v6.ClrType); // __u8 saddr_v6[16], signed:0
        Assert.Equal(typeof(byte[]), f.GetField("saddr")!.ClrType);
        Assert.Equal(typeof(ushort), f.GetField("sport")!.ClrType);
        Assert.Equal(typeof(int), f.GetField("oldstate")!.ClrType);
    }

    [Fact]
    public void AFlexibleCharArrayIsAStringToTheEndOfTheRecord()
    {
        var f = Fixtures.Event("ftrace", "ftrace_print");
        var buf = f.GetField("buf")!;
        Assert.True(buf.IsFlexible);
        Assert.Equal(typeof(string), buf.ClrType);
        var record = new byte[16 + 12];
        System.Text.Encoding.ASCII.GetBytes("hello world\n").CopyTo(record, 16);
        Assert.Equal("hello world\n", LinuxTrace.Engine.Events.FieldDecoder.ReadString(record, buf));
    }

    [Fact]
    public void SlotsHoldEveryFieldInOrderAndReadWhatTheFieldsDescribe()
    {
        var f = Fixtures.Event("sched", "sched_sched_switch");
        Assert.Equal(f.FieldArray.Select(x => (x.Offset, x.Size, x.Kind, x.ElementSize, x.IsFlexible)),
            f.Slots.Select(x => (x.Offset, x.Size, x.Kind, x.ElementSize, x.IsFlexible)));
        var record = Fixtures.Record(f, 7, b =>
        {
            b[0] = b[1] = 0xff;                                                                   // common_type, unsigned
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(24), -5);   // prev_pid, signed
            Fixtures.Str(b, 8, "bash");
        });
        var pid = f.GetField("prev_pid")!.Slot;
        Assert.Equal(-5, LinuxTrace.Engine.Events.FieldDecoder.ReadInteger(record, pid));
        Assert.Equal(0xffff, LinuxTrace.Engine.Events.FieldDecoder.ReadInteger(record, f.GetField("common_type")!.Slot)); // unsigned
        Assert.True(f.GetField("prev_comm")!.Slot.IsString);
        Assert.Equal("bash"u8.ToArray(), LinuxTrace.Engine.Events.FieldDecoder.Data(record, f.GetField("prev_comm")!.Slot)[..4].ToArray());
        // a record too short for the field: no value
        Assert.Equal(long.MinValue, LinuxTrace.Engine.Events.FieldDecoder.ReadInteger(record.AsSpan(0, 26), pid));

        var rel = FormatParser.ParseEvent("sample", Fixtures.Format("crafted_foo_rel_loc"));
        var foo = rel.GetField("foo")!.Slot;
        Assert.True(foo.IsRelative && foo.IsDynamic && foo.IsString);
        var r = Fixtures.Record(rel, 1, b =>
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(8), 8u | (6u << 16));
            Fixtures.Str(b, 20, "hello");
        }, extra: 20);
        Assert.Equal("hello\0"u8.ToArray(), LinuxTrace.Engine.Events.FieldDecoder.Data(r, foo).ToArray());
    }
}
