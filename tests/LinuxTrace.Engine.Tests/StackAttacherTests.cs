using System.Buffers.Binary;
using LinuxTrace.Engine.Events;
using LinuxTrace.Engine.Formats;
using LinuxTrace.Engine.RingBuffer;
using Xunit;

namespace LinuxTrace.Engine.Tests;

/// <summary>Kernel stacks find their events: the stack record the kernel writes after an event on the same CPU.</summary>
public class StackAttacherTests
{
    private const ulong Ms = 1_000_000, T0 = 1_000 * Ms;
    private static readonly EventFormat Switch = Fixtures.Event("sched", "sched_sched_switch");
    private static readonly EventFormat Stack = Fixtures.Event("ftrace", "ftrace_kernel_stack");
    private static readonly EventCatalog Catalog = EventCatalog.FromFormats(Fixtures.Header, [Switch, Stack]);
    private static readonly EventFactory Factory = new(Catalog, new CommandResolver(false));

    private static RecordRef Ref(byte[] bytes, int cpu, ulong ts) =>
        new() { Page = bytes, Offset = 0, Length = bytes.Length, Cpu = cpu, Timestamp = ts, Lost = -2 };

    private static RecordRef SwitchOn(int cpu, ulong ts) => Ref(Fixtures.Record(Switch, 10 + cpu), cpu, ts);

    private static RecordRef StackOn(int cpu, ulong ts, params ulong[] addresses) => Ref(Fixtures.Record(Stack, 10 + cpu, b =>
    {
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(8), addresses.Length);
        for (int i = 0; i < addresses.Length; i++) BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(16 + 8 * i), addresses[i]);
    }), cpu, ts);

    // feeds records in the given (merged) order as the readers do; returns what came out, in order
    private static List<TraceRecord> Run(StackAttacher a, params RecordRef[] records)
    {
        var output = new List<TraceRecord>();
        foreach (var r in records)
            if (!a.Consume(r, output)) a.Add(r, Factory.Create(r), output);
        a.Flush(output);
        return output;
    }

    [Fact]
    public void InAFileAStackFindsItsEventHoweverLateItComesOnItsCpu()
    {
        // a virtual CPU descheduled between an event and its stack: another CPU's record comes between them, 5 ms later
        var output = Run(new StackAttacher([Catalog]), SwitchOn(0, T0), SwitchOn(1, T0 + 5 * Ms), StackOn(0, T0 + 5 * Ms + 1, 0xffffffff81000010, 0xffffffff81000020));
        Assert.Equal(2, output.Count);
        var first = Assert.IsAssignableFrom<TraceEvent>(output[0]);
        Assert.Equal(T0, first.TimestampNs);
        Assert.Equal([0xffffffff81000010, 0xffffffff81000020], first.StackAddresses!);
        Assert.Null(((TraceEvent)output[1]).StackAddresses);
    }

    [Fact]
    public void LiveAnEventWaitsForItsStackOnlySoLong()
    {
        var late = Run(new StackAttacher([Catalog], maxWaitNs: StackAttacher.LiveWaitNs),
            SwitchOn(0, T0), SwitchOn(1, T0 + 5 * Ms), StackOn(0, T0 + 5 * Ms + 1, 0xffffffff81000010));
        Assert.NotNull(((TraceEvent)late[0]).StackAddresses);
        var tooLate = Run(new StackAttacher([Catalog], maxWaitNs: StackAttacher.LiveWaitNs),
            SwitchOn(0, T0), SwitchOn(1, T0 + 30 * Ms), StackOn(0, T0 + 30 * Ms + 1, 0xffffffff81000010));
        Assert.Equal(2, tooLate.Count);
        Assert.Null(((TraceEvent)tooLate[0]).StackAddresses);
        Assert.Equal(T0, tooLate[0].TimestampNs);
    }

    [Fact]
    public void AnIdleCpusLastEventHoldsBackABoundedNumberOfRecords()
    {
        var a = new StackAttacher([Catalog]);
        var output = new List<TraceRecord>();
        var first = SwitchOn(0, T0);
        a.Add(first, Factory.Create(first), output);
        for (int i = 1; i <= 70_000 && output.Count == 0; i++)
        {
            var r = SwitchOn(1, T0 + (ulong)i * Ms);
            a.Add(r, Factory.Create(r), output);
        }
        Assert.NotEmpty(output);
        Assert.Equal(T0, output[0].TimestampNs);
        Assert.Null(((TraceEvent)output[0]).StackAddresses);
    }

    [Fact]
    public void AnEventFollowedByAnotherRecordOnItsCpuGetsNoStack()
    {
        var output = Run(new StackAttacher([Catalog]), SwitchOn(0, T0), SwitchOn(0, T0 + 1), StackOn(0, T0 + 2, 0xffffffff81000010));
        Assert.Null(((TraceEvent)output[0]).StackAddresses);
        Assert.NotNull(((TraceEvent)output[1]).StackAddresses);
    }
}
