using LinuxTrace.Engine.Reading;
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

    private static byte[] StackBytes(int cpu, params ulong[] addresses) => Fixtures.Record(Stack, 10 + cpu, b =>
    {
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(8), addresses.Length);
        for (int i = 0; i < addresses.Length; i++) BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(16 + 8 * i), addresses[i]);
    });

    // reads merged pages as the file and buffer readers do: stacks found by looking ahead on the event's CPU
    private static List<TraceEvent> ReadAhead(Func<RecordRef, bool> keep, params PageBuilder[] cpus)
    {
        var merger = new RecordMerger(cpus.Select((b, cpu) => { var p = b.Build(); return new CpuCursor(cpu, new ListPageSource([(p, p.Length)]), Fixtures.Header); }));
        var a = new StackAttacher([Catalog]);
        var output = new List<TraceEvent>();
        while (merger.MoveNext())
        {
            ref var r = ref merger.Current;
            if (a.IsStack(r)) continue;
            var made = keep(r) ? (TraceEvent)Factory.Create(r) : null;
            a.TakeFollowing(merger, made);
            if (made is not null) output.Add(made);
        }
        return output;
    }

    [Fact]
    public void AReaderWithEveryRecordLooksAheadOnTheEventsCpu()
    {
        // CPU 0: a stack with no event before it (dropped), an event whose stack comes 5 ms later (another CPU's records
        // in between), an event with no stack; CPU 1: an event with a stack, then one that is filtered out with its stack
        var cpu0 = new PageBuilder(T0)
            .Data(0, StackBytes(0, 0xffffffff81000001))
            .Data(1, Fixtures.Record(Switch, 10))
            .Data((uint)(5 * Ms), StackBytes(0, 0xffffffff81000010, 0xffffffff81000020))
            .Data(1, Fixtures.Record(Switch, 10));
        var cpu1 = new PageBuilder(T0 + Ms)
            .Data(0, Fixtures.Record(Switch, 11))
            .Data(1, StackBytes(1, 0xffffffff81000030))
            .Data(1, Fixtures.Record(Switch, 11))
            .Data(1, StackBytes(1, 0xffffffff81000040));
        var events = ReadAhead(r => r.Cpu != 1 || r.Timestamp != T0 + Ms + 2, cpu0, cpu1);
        Assert.Equal([T0 + 1, T0 + Ms, T0 + 5 * Ms + 2], events.Select(e => e.TimestampNs));
        Assert.Equal([0xffffffff81000010, 0xffffffff81000020], events[0].StackAddresses!);
        Assert.Equal([0xffffffff81000030], events[1].StackAddresses!);
        Assert.Null(events[2].StackAddresses);
    }

    [Fact]
    public void MovingTheCurrentCpuOnKeepsTheMergeInOrderAndLosesNothing()
    {
        // 12 CPUs (the heap merge) and 3 (the linear one): after each record a reader takes 0-2 of its CPU's next records
        foreach (int n in new[] { 3, 12 })
        {
            var rnd = new Random(n);
            var cursors = Enumerable.Range(0, n).Select(cpu =>
            {
                var b = new PageBuilder((ulong)rnd.Next(100));
                for (int i = 0; i < 60; i++) b.Data((uint)rnd.Next(0, 7), new byte[8]);
                var p = b.Build();
                return new CpuCursor(cpu, new ListPageSource([(p, p.Length)]), Fixtures.Header);
            }).ToArray();
            var m = new RecordMerger(cursors);
            var yielded = new List<(ulong Ts, int Cpu)>();
            int taken = 0;
            while (m.MoveNext())
            {
                var (ts, cpu) = (m.Current.Timestamp, m.Current.Cpu);
                if (yielded.Count > 0) Assert.True(ts >= yielded[^1].Ts, $"record {yielded.Count} is earlier than the one before");
                yielded.Add((ts, cpu));
                // each call passes over the record Current is (the first: the one just yielded; later ones: a record
                // only looked at, which is taken); the last one looked at still comes from MoveNext
                bool have = true;
                for (int c = 0, calls = rnd.Next(3); c < calls && have; c++)
                {
                    if (c > 0) taken++;
                    have = m.AdvanceCurrent();
                    if (!have) break;
                    Assert.Equal(cpu, m.Current.Cpu);
                    Assert.True(m.Current.Timestamp >= ts);
                }
            }
            Assert.Equal(60 * n, yielded.Count + taken);
        }
    }
}
