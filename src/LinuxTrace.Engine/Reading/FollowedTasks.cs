using System.Text;
using LinuxTrace.Engine.Events;
using LinuxTrace.Engine.Formats;
using LinuxTrace.Engine.RingBuffer;

namespace LinuxTrace.Engine.Reading;

/// <summary>
/// The tasks a trace follows from its traced pids (-FollowChildren where the kernel's pid filter is advisory): each
/// sched_process_fork record whose parent is followed adds its child. With a <see cref="CommandResolver"/>, the
/// followed tasks' commands are kept too: the child's at its fork (child_comm), and the program's at each
/// sched_process_exec of a followed task (the base name of its file, as the kernel names the task). The kernel's own
/// table of commands (saved_cmdlines) is small: on a busy host a short-lived child's entry is overwritten before its
/// records are read, and its calls would say '&lt;...&gt;'.
/// </summary>
internal sealed class FollowedTasks
{
    private readonly HashSet<int> _pids;
    private readonly int _forkId, _execId;
    private readonly FieldFormat _parent, _child;
    private readonly FieldFormat? _childComm, _execPid, _execFile;
    private readonly CommandResolver? _commands;

    public FollowedTasks(HashSet<int> pids, EventFormat fork, EventFormat? exec, CommandResolver? commands)
    {
        _pids = pids;
        _forkId = fork.Id;
        _parent = fork.GetField("parent_pid") ?? throw new ArgumentException("sched_process_fork has no parent_pid", nameof(fork));
        _child = fork.GetField("child_pid") ?? throw new ArgumentException("sched_process_fork has no child_pid", nameof(fork));
        _commands = commands;
        if (commands is null) { _execId = -1; return; }
        _childComm = fork.GetField("child_comm") is { Slot.IsString: true } c ? c : null;
        _execPid = exec?.GetField("pid");
        _execFile = exec?.GetField("filename") is { Slot.IsString: true } f ? f : null;
        _execId = exec is not null && _execPid is not null && _execFile is not null ? exec.Id : -1;
    }

    /// <summary>Learns from one record (any record; those of other events are passed over at once).</summary>
    public void See(in RecordRef r)
    {
        int id = r.EventId;
        if (id != _forkId && id != _execId) return;
        var record = new ReadOnlySpan<byte>(r.Page, r.Offset, r.Length);
        if (id == _forkId)
        {
            long parent = FieldDecoder.ReadInteger(record, _parent), child = FieldDecoder.ReadInteger(record, _child);
            if (parent == long.MinValue || child == long.MinValue || !_pids.Contains((int)parent)) return;
            _pids.Add((int)child);
            if (_childComm is not null && Text(FieldDecoder.Data(record, _childComm)) is { Length: > 0 } comm) _commands!.Remember((int)child, comm);
        }
        else
        {
            long pid = FieldDecoder.ReadInteger(record, _execPid!);
            if (pid == long.MinValue || !_pids.Contains((int)pid)) return;
            string file = Text(FieldDecoder.Data(record, _execFile!));
            int slash = file.LastIndexOf('/');
            if (slash + 1 < file.Length) _commands!.Remember((int)pid, file[(slash + 1)..]);
        }
    }

    private static string Text(ReadOnlySpan<byte> bytes)
    {
        int nul = bytes.IndexOf((byte)0);
        return Encoding.UTF8.GetString(nul >= 0 ? bytes[..nul] : bytes);
    }
}
