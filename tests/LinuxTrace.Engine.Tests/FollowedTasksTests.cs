using System.Buffers.Binary;
using System.Text;
using LinuxTrace.Engine.Events;
using LinuxTrace.Engine.Formats;
using LinuxTrace.Engine.Reading;
using LinuxTrace.Engine.RingBuffer;
using Xunit;

namespace LinuxTrace.Engine.Tests;

/// <summary>
/// -FollowChildren where the kernel's pid filter is advisory (a tracer): the engine follows forks from the traced pids
/// and keeps each followed task's command from its fork and exec records, for when saved_cmdlines has lost it. On the
/// fork and exec formats of this kernel (child_comm a __data_loc string since 6.6) and of 6.1 (a char[16]).
/// </summary>
public class FollowedTasksTests
{
    private const string Fork61 = """
        name: sched_process_fork
        ID: 301
        format:
        	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
        	field:unsigned char common_flags;	offset:2;	size:1;	signed:0;
        	field:unsigned char common_preempt_count;	offset:3;	size:1;	signed:0;
        	field:int common_pid;	offset:4;	size:4;	signed:1;

        	field:char parent_comm[16];	offset:8;	size:16;	signed:0;
        	field:pid_t parent_pid;	offset:24;	size:4;	signed:1;
        	field:char child_comm[16];	offset:28;	size:16;	signed:0;
        	field:pid_t child_pid;	offset:44;	size:4;	signed:1;

        print fmt: "comm=%s pid=%d child_comm=%s child_pid=%d", REC->parent_comm, REC->parent_pid, REC->child_comm, REC->child_pid
        """;

    private const string Exec61 = """
        name: sched_process_exec
        ID: 302
        format:
        	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
        	field:unsigned char common_flags;	offset:2;	size:1;	signed:0;
        	field:unsigned char common_preempt_count;	offset:3;	size:1;	signed:0;
        	field:int common_pid;	offset:4;	size:4;	signed:1;

        	field:__data_loc char[] filename;	offset:8;	size:4;	signed:0;
        	field:pid_t pid;	offset:12;	size:4;	signed:1;
        	field:pid_t old_pid;	offset:16;	size:4;	signed:1;

        print fmt: "filename=%s pid=%d old_pid=%d", __get_str(filename), REC->pid, REC->old_pid
        """;

    public static TheoryData<string> Kernels() => new() { "6.1", "this kernel" };

    private static (EventFormat Fork, EventFormat Exec) Formats(string kernel)
    {
        if (kernel == "6.1") return (FormatParser.ParseEvent("sched", Fork61), FormatParser.ParseEvent("sched", Exec61));
        var dir = Path.Combine(Kernel.Root, "events/sched");
        return (FormatParser.ParseEvent("sched", File.ReadAllText(Path.Combine(dir, "sched_process_fork/format"))),
                FormatParser.ParseEvent("sched", File.ReadAllText(Path.Combine(dir, "sched_process_exec/format"))));
    }

    /// <summary>A record of <paramref name="format"/> with these field values (integers, or strings in place or behind
    /// their __data_loc word, after the fixed part), as the kernel lays it out.</summary>
    private static RecordRef Record(EventFormat format, int commonPid, params (string Name, object Value)[] values)
    {
        var fixedPart = new byte[format.FixedSize];
        var tail = new List<byte>();
        BinaryPrimitives.WriteUInt16LittleEndian(fixedPart, (ushort)format.Id);
        BinaryPrimitives.WriteInt32LittleEndian(fixedPart.AsSpan(4), commonPid);
        foreach (var (name, value) in values)
        {
            var f = format.GetField(name)!;
            if (value is int i) { BinaryPrimitives.WriteInt32LittleEndian(fixedPart.AsSpan(f.Offset), i); continue; }
            var text = Encoding.UTF8.GetBytes((string)value + "\0");
            if (f.Kind == FieldKind.FixedString) { text.AsSpan(0, Math.Min(text.Length, f.Size)).CopyTo(fixedPart.AsSpan(f.Offset)); continue; }
            int at = fixedPart.Length + tail.Count;
            BinaryPrimitives.WriteUInt32LittleEndian(fixedPart.AsSpan(f.Offset), (uint)at | (uint)text.Length << 16);
            tail.AddRange(text);
        }
        var bytes = fixedPart.Concat(tail).ToArray();
        return new RecordRef { Page = bytes, Offset = 0, Length = bytes.Length, Lost = -2 };
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void AForkedChildIsFollowedAndKeepsItsCommandThroughItsExec(string kernel)
    {
        if (kernel != "6.1") Kernel.Require("events");
        var (fork, exec) = Formats(kernel);
        var commands = new CommandResolver(useProc: false);
        var filter = new RecordFilter();
        filter.AllowPids([100]);
        filter.AllowEventIds([fork.Id + 1000]);   // neither the fork nor the exec is asked for: they are learned from, not passed on
        filter.FollowForks(fork, exec, commands);

        var forked = Record(fork, 100, ("parent_comm", "sh"), ("parent_pid", 100), ("child_comm", "sh"), ("child_pid", 101));
        Assert.False(filter.Accept(forked));
        Assert.Equal("sh", commands.Lookup(101));
        var execed = Record(exec, 101, ("filename", "/usr/bin/cat"), ("pid", 101), ("old_pid", 101));
        Assert.False(filter.Accept(execed));
        Assert.Equal("cat", commands.Lookup(101));

        // the child's records now pass the pid filter; a stranger's fork and exec teach nothing
        var stranger = Record(fork, 200, ("parent_comm", "cron"), ("parent_pid", 200), ("child_comm", "cron"), ("child_pid", 201));
        filter.Accept(stranger);
        filter.Accept(Record(exec, 201, ("filename", "/usr/sbin/sendmail"), ("pid", 201), ("old_pid", 201)));
        Assert.Equal("<...>", commands.Lookup(201));
        filter.AllowEventIds([fork.Id + 1000, exec.Id]);
        Assert.True(filter.Accept(Record(exec, 101, ("filename", "/bin/true"), ("pid", 101), ("old_pid", 101))));
        Assert.False(filter.Accept(Record(exec, 201, ("filename", "/bin/true"), ("pid", 201), ("old_pid", 201))));
        Assert.Equal("true", commands.Lookup(101));
    }

    [Fact]
    public void WithoutACommandResolverOnlyThePidsAreFollowed()
    {
        var (fork, exec) = Formats("6.1");
        var filter = new RecordFilter();
        filter.AllowPids([100]);
        filter.FollowForks(fork, exec);
        filter.Accept(Record(fork, 100, ("parent_comm", "sh"), ("parent_pid", 100), ("child_comm", "sh"), ("child_pid", 101)));
        var mine = Record(exec, 101, ("filename", "/bin/true"), ("pid", 101), ("old_pid", 101));
        Assert.True(filter.Accept(mine));
        Assert.False(filter.Accept(Record(exec, 102, ("filename", "/bin/true"), ("pid", 102), ("old_pid", 102))));
    }
}
