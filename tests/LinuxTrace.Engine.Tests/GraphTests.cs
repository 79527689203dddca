using System.Buffers.Binary;
using LinuxTrace.Engine.Formats;
using LinuxTrace.Engine.Graph;
using LinuxTrace.Engine.Tracefs;
using Xunit;

namespace LinuxTrace.Engine.Tests;

/// <summary>Pairing function_graph records into calls, on records laid out as Linux 6.1 writes them.</summary>
public class GraphTests
{
    // the formats of Linux 6.1 (kernel/trace/trace_entries.h), as events/ftrace/*/format prints them
    private static readonly EventFormat Entry = FormatParser.ParseEvent("ftrace", """
        name: funcgraph_entry
        ID: 11
        format:
        	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
        	field:unsigned char common_flags;	offset:2;	size:1;	signed:0;
        	field:unsigned char common_preempt_count;	offset:3;	size:1;	signed:0;
        	field:int common_pid;	offset:4;	size:4;	signed:1;

        	field:unsigned long func;	offset:8;	size:8;	signed:0;
        	field:int depth;	offset:16;	size:4;	signed:1;

        print fmt: "--> %ps (%d)", (void *)REC->func, REC->depth
        """);

    private static readonly EventFormat Exit = FormatParser.ParseEvent("ftrace", """
        name: funcgraph_exit
        ID: 10
        format:
        	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
        	field:unsigned char common_flags;	offset:2;	size:1;	signed:0;
        	field:unsigned char common_preempt_count;	offset:3;	size:1;	signed:0;
        	field:int common_pid;	offset:4;	size:4;	signed:1;

        	field:unsigned long func;	offset:8;	size:8;	signed:0;
        	field:int depth;	offset:16;	size:4;	signed:1;
        	field:unsigned int overrun;	offset:20;	size:4;	signed:0;
        	field:unsigned long long calltime;	offset:24;	size:8;	signed:0;
        	field:unsigned long long rettime;	offset:32;	size:8;	signed:0;

        print fmt: "<-- %ps (%d) (start: %llx  end: %llx) over: %d", (void *)REC->func, REC->depth, REC->calltime, REC->rettime, REC->depth
        """);

    private static readonly Dictionary<ulong, string> Symbols = new() { [0x1000] = "A", [0x2000] = "B", [0x3000] = "C", [0x4000] = "D" };

    private readonly CallGraphBuilder _b = new(a => Symbols.GetValueOrDefault(a), pid => "task" + pid);
    private readonly List<TraceRecord> _out = new();

    private void In(int pid, ulong ts, ulong func, int depth, int cpu = 0)
    {
        var r = new byte[24];
        BinaryPrimitives.WriteUInt16LittleEndian(r, 11);
        BinaryPrimitives.WriteInt32LittleEndian(r.AsSpan(4), pid);
        BinaryPrimitives.WriteUInt64LittleEndian(r.AsSpan(8), func);
        BinaryPrimitives.WriteInt32LittleEndian(r.AsSpan(16), depth);
        Assert.True(_b.Add(cpu, ts, r, Entry, _out));
    }

    private void Out(int pid, ulong ts, ulong func, int depth, ulong calltime, int cpu = 0)
    {
        var r = new byte[40];
        BinaryPrimitives.WriteUInt16LittleEndian(r, 10);
        BinaryPrimitives.WriteInt32LittleEndian(r.AsSpan(4), pid);
        BinaryPrimitives.WriteUInt64LittleEndian(r.AsSpan(8), func);
        BinaryPrimitives.WriteInt32LittleEndian(r.AsSpan(16), depth);
        BinaryPrimitives.WriteUInt64LittleEndian(r.AsSpan(24), calltime);
        BinaryPrimitives.WriteUInt64LittleEndian(r.AsSpan(32), ts);
        Assert.True(_b.Add(cpu, ts, r, Exit, _out));
    }

    private FunctionCall[] Calls() => _out.OfType<FunctionCall>().ToArray();

    [Fact]
    public void NestedCallsBecomeATreeEmittedAsTheyReturn()
    {
        In(100, 1_000, 0x1000, 0);            // A() {
        In(100, 2_000, 0x2000, 1);            //   B();
        Out(100, 2_500, 0x2000, 1, 2_000);
        In(100, 3_000, 0x3000, 1);            //   C() {
        In(100, 4_000, 0x4000, 2);            //     D();
        Out(100, 24_000, 0x4000, 2, 4_000);
        Out(100, 25_000, 0x3000, 1, 3_000);   //   }
        Out(100, 30_000, 0x1000, 0, 1_000);   // }

        var calls = Calls();
        Assert.Equal(["B", "D", "C", "A"], calls.Select(c => c.Function));
        var a = calls[3];
        Assert.Equal(["B", "C"], a.Children.Select(c => c.Function));
        Assert.Equal(["D"], a.Children[1].Children.Select(c => c.Function));
        Assert.Same(a, a.Children[0].GetParent());
        Assert.Null(a.GetParent());
        Assert.Equal(29_000UL, a.DurationNs);
        Assert.Equal(20_000UL, calls[1].DurationNs);
        Assert.Equal(29_000UL - 500 - 22_000, (ulong)a.SelfTime.Ticks * 100);
        Assert.True(calls[0].IsLeaf);
        Assert.False(a.IsLeaf);
        Assert.All(calls, c => Assert.Equal(FunctionCallStatus.Returned, c.Status));
        Assert.All(calls, c => Assert.Equal("task100", c.Command));
        Assert.Equal([("A", 0), ("B", 1), ("C", 1), ("D", 2)], a.Descendants().Select(c => (c.Function, c.Depth)));
        Assert.Equal(8, _b.Records);
    }

    [Fact]
    public void TasksSharingACpuKeepTheirOwnStacks()
    {
        In(1, 100, 0x1000, 0);
        In(2, 200, 0x1000, 0);       // another task on the same CPU, mid-call of the first
        In(2, 300, 0x2000, 1);
        Out(2, 400, 0x2000, 1, 300);
        Out(1, 500, 0x1000, 0, 100);  // the first task, back on another CPU
        Out(2, 600, 0x1000, 0, 200);
        var calls = Calls();
        Assert.Equal([(2, "B"), (1, "A"), (2, "A")], calls.Select(c => (c.ProcessId, c.Function)));
        Assert.True(calls[1].IsLeaf);
        Assert.Single(calls[2].Children);
    }

    [Fact]
    public void ALostReturnEndsTheCallAsNoReturnWithoutBreakingItsCaller()
    {
        In(7, 1_000, 0x1000, 0);
        In(7, 2_000, 0x2000, 1);
        In(7, 2_500, 0x3000, 2);
        // C's return was lost; an entry shallower than C shows it is over
        In(7, 3_000, 0x4000, 1);
        Out(7, 3_500, 0x4000, 1, 3_000);
        // B's return was lost too; A's return shows it is over
        Out(7, 9_000, 0x1000, 0, 1_000);
        var calls = Calls();
        Assert.Equal(["C", "D", "B", "A"], calls.Select(c => c.Function));
        Assert.Equal(FunctionCallStatus.NoReturn, calls[0].Status);
        Assert.Equal(500UL, calls[0].DurationNs);   // up to the record that showed it over
        Assert.Equal(FunctionCallStatus.NoReturn, calls[2].Status);
        Assert.Equal(FunctionCallStatus.Returned, calls[3].Status);
        Assert.Equal(["B"], calls[3].Children.Select(c => c.Function));
        Assert.Equal(["C", "D"], calls[2].Children.Select(c => c.Function));
    }

    [Fact]
    public void AnInterruptAtTheDepthOfTheCallItInterruptsNestsUnderIt()
    {
        // as Linux 6.1 records it (seen in the kernel VM): expand_files at depth 3, then irq_enter_rcu at depth 3 (an
        // interrupt in expand_files' return path) before expand_files' exit; trace-cmd report prints it inside
        // expand_files() { … }, and so does LinuxTrace
        In(8, 1_000, 0x1000, 3);
        In(8, 1_100, 0x2000, 3);
        Out(8, 1_200, 0x2000, 3, 1_100);
        Out(8, 1_500, 0x1000, 3, 1_000);
        var calls = Calls();
        Assert.Equal(["B", "A"], calls.Select(c => c.Function));
        Assert.All(calls, c => Assert.Equal(FunctionCallStatus.Returned, c.Status));
        Assert.Same(calls[1], calls[0].GetParent());
    }

    [Fact]
    public void AReturnWithoutItsEntryIsACallOfItsOwnPlacedByTheKernelsTimes()
    {
        Out(9, 5_000, 0x2000, 3, 4_200);
        var c = Assert.Single(Calls());
        Assert.Equal(FunctionCallStatus.NoEntry, c.Status);
        Assert.Equal(800UL, c.DurationNs);
        Assert.Equal(4_200UL, c.TimestampNs);
        Assert.Null(c.GetParent());
    }

    [Fact]
    public void CallsOpenAtTheEndAreEmittedInnermostFirstNeverDropped()
    {
        In(3, 1_000, 0x1000, 0);
        In(3, 2_000, 0x2000, 1);
        In(3, 2_500, 0x3000, 2);
        Assert.Empty(_out);
        _b.Finish(_out);
        var calls = Calls();
        Assert.Equal(["C", "B", "A"], calls.Select(c => c.Function));
        Assert.All(calls, c => Assert.Equal(FunctionCallStatus.NoReturn, c.Status));
        Assert.Equal(1_500UL, calls[2].DurationNs);
    }

    [Fact]
    public void IdleTasksOfDifferentCpusAreNotOneStack()
    {
        In(0, 100, 0x1000, 0, cpu: 0);
        In(0, 150, 0x1000, 0, cpu: 1);
        Out(0, 300, 0x1000, 0, 100, cpu: 0);
        Out(0, 400, 0x1000, 0, 150, cpu: 1);
        var calls = Calls();
        Assert.Equal([0, 1], calls.Select(c => c.CpuNumber));
        Assert.All(calls, c => Assert.Equal(FunctionCallStatus.Returned, c.Status));
    }

    [Fact]
    public void UnknownAddressesKeepTheirValueAsName()
    {
        In(5, 10, 0xdead0, 0);
        Out(5, 20, 0xdead0, 0, 10);
        Assert.Equal("0xdead0", Calls()[0].Function);
        Assert.Equal(0xdead0UL, Calls()[0].Address);
    }

    [Fact]
    public void OtherRecordsAreLeftAlone()
    {
        var sw = FormatParser.ParseEvent("sched", "name: sched_switch\nID: 300\nformat:\n\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\nprint fmt: \"\"\n");
        Assert.False(_b.Add(0, 1, new byte[8], sw, _out));
        Assert.Empty(_out);
    }

    [Fact]
    public void GraphTextPrintsTheTreeAsTheFunctionGraphTracerDoes()
    {
        NestedCallsBecomeATreeEmittedAsTheyReturn();
        var lines = GraphText.Format(Calls(), showProcess: true).ToArray();
        var text = lines.Select(l => l[(l.LastIndexOf(" |  ", StringComparison.Ordinal) + 4)..]).ToArray();
        Assert.Equal(["A() {", "  B();", "  C() {", "    D();", "  }", "}"], text);
        Assert.Contains("task100-100", lines[0]);
        Assert.Contains("+   20.000 us", lines[3]);   // over 10 us
        Assert.Contains("    0.500 us", lines[1]);
        Assert.DoesNotContain(" us", lines[0]);        // an opening line has no duration
        // the same trees from any subset that holds the root, printed once
        Assert.Equal(lines, GraphText.Format(Calls().Reverse(), showProcess: true).ToArray());
        // a subtree alone starts at its own depth
        var c = Calls().Single(x => x.Function == "C");
        Assert.Equal(["  C() {", "    D();", "  }"], GraphText.Format([c], false).Select(l => l[(l.LastIndexOf(" |  ", StringComparison.Ordinal) + 4)..]));
    }

    [Theory]
    [InlineData(9_000UL, ' ')]
    [InlineData(10_001UL, '+')]
    [InlineData(100_001UL, '!')]
    [InlineData(1_000_001UL, '#')]
    [InlineData(10_000_001UL, '*')]
    [InlineData(100_000_001UL, '@')]
    [InlineData(1_000_000_001UL, '$')]
    public void DurationMarkersFollowTheKernel(ulong ns, char mark)
    {
        In(1, 0, 0x1000, 0);
        Out(1, ns, 0x1000, 0, 0);
        Assert.Equal(mark, GraphText.Duration(Calls()[0])[0]);
    }

    [Fact]
    public void AggregatesCountTotalSelfMinMax()
    {
        NestedCallsBecomeATreeEmittedAsTheyReturn();
        var agg = new FunctionCallAggregator();
        foreach (var c in Calls()) agg.Add(c);
        var r = agg.Results();
        Assert.Equal("A", r[0].Function);
        Assert.Equal(TimeSpan.FromTicks(290), r[0].Total);
        Assert.Equal(TimeSpan.FromTicks(65), r[0].Self);
        Assert.Equal(1, r.Single(s => s.Function == "D").Count);
    }

    [Theory]
    [InlineData("vfs_*", "vfs_read", true)]
    [InlineData("vfs_*", "do_vfs_read", false)]
    [InlineData("*_read", "vfs_read", true)]
    [InlineData("*sys_open*", "do_sys_openat2", true)]
    [InlineData("vfs_rea?", "vfs_read", true)]
    [InlineData("vfs_[rw]*", "vfs_write", true)]
    [InlineData("vfs_[!rw]*", "vfs_write", false)]
    [InlineData("vfs_read", "vfs_readv", false)]
    public void GlobsMatchAsTheKernelMatches(string pattern, string name, bool match) => Assert.Equal(match, Glob.IsMatch(pattern, name));

    [Fact]
    public void ModuleSuffixesSplit()
    {
        Assert.Equal(("ext4_*", "ext4"), FunctionFilters.Split("ext4_*:mod:ext4"));
        Assert.Equal(("", "ext4"), FunctionFilters.Split(":mod:ext4"));
        Assert.Equal(("vfs_read", (string?)null), FunctionFilters.Split("vfs_read"));
    }
}
