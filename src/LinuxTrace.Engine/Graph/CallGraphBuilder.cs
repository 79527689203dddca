using System.Buffers.Binary;
using System.Globalization;
using LinuxTrace.Engine.Formats;
using LinuxTrace.Engine.RingBuffer;

namespace LinuxTrace.Engine.Graph;

/// <summary>
/// Pairs function_graph records (ftrace:funcgraph_entry, ftrace:funcgraph_exit) into <see cref="FunctionCall"/>
/// objects, per task as the kernel nests them (a task's calls stay one stack whichever CPU runs it). Reads the
/// fields straight from the record bytes by the kernel's format (func, depth, calltime, rettime, overrun, retval):
/// no event object is made. A call is emitted when it returns; an exit whose entry was lost (or came before the
/// trace) becomes a call of its own (NoEntry); entries whose exits never came are emitted as NoReturn when a
/// return or a shallower entry of the task shows they are over, or by <see cref="Finish"/>. A call recorded at the
/// depth of the open call nests under it, as trace-cmd report shows it: on 6.1 that is an interrupt that came in
/// the open call's return path (after its return time was taken, before its exit record was written).
/// </summary>
public sealed class CallGraphBuilder
{
    private sealed class Shape
    {
        public required bool IsEntry;
        public required FieldFormat? Func, Depth, CallTime, RetTime, Overrun, RetVal;
    }

    private readonly Func<ulong, string?> _symbol;
    private readonly Func<int, string> _command;
    private readonly Dictionary<int, Shape?> _shapes = new();
    private readonly Dictionary<long, Task> _tasks = new();
    private readonly Dictionary<ulong, string> _names = new();

    private sealed class Task
    {
        public readonly List<FunctionCall> Open = new();
        public ulong LastTs;
    }

    /// <param name="symbol">The function name of an address (kallsyms), or null.</param>
    /// <param name="command">The command name of a pid.</param>
    public CallGraphBuilder(Func<ulong, string?> symbol, Func<int, string> command)
    {
        _symbol = symbol;
        _command = command;
    }

    private LinuxTrace.Engine.Events.DecodeContext? _eventContext;

    /// <summary>A builder for events from anywhere (the pipeline): names come from each event's own trace.</summary>
    public static CallGraphBuilder ForEvents()
    {
        CallGraphBuilder? b = null;
        b = new CallGraphBuilder(a => b!._eventContext?.Symbols?.Value.Lookup(a), pid => b!._eventContext?.Commands.Lookup(pid) ?? "");
        return b;
    }

    /// <summary>Graph records read so far.</summary>
    public long Records { get; private set; }

    /// <summary>Calls emitted so far.</summary>
    public long Calls { get; private set; }

    /// <summary>True for the formats this builder pairs.</summary>
    public static bool IsGraphRecord(EventFormat? f) =>
        f is not null && f.System == "ftrace" && f.Name is "funcgraph_entry" or "funcgraph_exit" or "fgraph_retaddr_entry";

    /// <summary>Feeds one record; false (nothing done) when it is not a function_graph record.</summary>
    public bool Add(in RecordRef r, EventFormat? format, List<TraceRecord> output) =>
        !r.IsLost && Add(r.Cpu, r.Timestamp, r.Page.AsSpan(r.Offset, r.Length), format, output);

    /// <summary>Feeds one decoded event; false when it is not a function_graph record.</summary>
    public bool Add(TraceEvent e, List<TraceRecord> output)
    {
        if (!ReferenceEquals(_eventContext, e._context))
        {
            _eventContext = e._context;
            _names.Clear(); // another trace: other symbols
        }
        return Add(e.CpuNumber, e.TimestampNs, e.GetRawData(), e.GetFormat(), output);
    }

    /// <summary>Feeds a record's bytes; false when it is not a function_graph record.</summary>
    public bool Add(int cpu, ulong ts, ReadOnlySpan<byte> data, EventFormat? format, List<TraceRecord> output)
    {
        if (format is null) return false;
        if (!_shapes.TryGetValue(format.Id, out var shape))
        {
            shape = IsGraphRecord(format) ? new Shape
            {
                IsEntry = format.Name != "funcgraph_exit",
                Func = format.GetField("func"), Depth = format.GetField("depth"), CallTime = format.GetField("calltime"),
                RetTime = format.GetField("rettime"), Overrun = format.GetField("overrun"), RetVal = format.GetField("retval"),
            } : null;
            if (shape is not null && (shape.Func is null || shape.Depth is null)) shape = null;
            _shapes[format.Id] = shape;
        }
        if (shape is null) return false;
        Records++;
        int pid = data.Length >= 8 ? BinaryPrimitives.ReadInt32LittleEndian(data.Slice(4, 4)) : -1;
        long key = pid != 0 ? pid : -1L - cpu; // the idle tasks: one per CPU, all pid 0
        if (!_tasks.TryGetValue(key, out var task)) _tasks[key] = task = new Task();
        task.LastTs = ts;
        ulong func = Read(data, shape.Func!);
        int depth = (int)Read(data, shape.Depth!);
        if (shape.IsEntry) Enter(task, cpu, ts, func, depth, pid, output);
        else Exit(task, cpu, ts, func, depth, data, shape, pid, output);
        return true;
    }

    private void Enter(Task task, int cpu, ulong ts, ulong func, int depth, int pid, List<TraceRecord> output)
    {
        // calls deeper than this one still open: their returns were lost. At the same depth it is not a lost return:
        // an interrupt in the open call's return path takes its depth (the depth is already popped, the exit record
        // not yet written); it nests under it, as trace-cmd report shows it
        while (task.Open.Count > 0 && task.Open[^1].Depth > depth) Emit(PopNoReturn(task, ts), output);
        var call = new FunctionCall(cpu, ts, func, Name(func), depth, pid, _command(pid));
        if (task.Open.Count > 0) task.Open[^1].AddChild(call);
        task.Open.Add(call);
    }

    private void Exit(Task task, int cpu, ulong ts, ulong func, int depth, ReadOnlySpan<byte> data, Shape shape, int pid, List<TraceRecord> output)
    {
        ulong calltime = shape.CallTime is null ? 0 : Read(data, shape.CallTime);
        ulong rettime = shape.RetTime is null ? 0 : Read(data, shape.RetTime);
        ulong duration = rettime >= calltime ? rettime - calltime : 0;
        // the open call this return ends: the innermost one with its function and depth; calls above it lost theirs
        int at = task.Open.Count - 1;
        while (at >= 0 && !(task.Open[at].Address == func && task.Open[at].Depth == depth)) at--;
        FunctionCall call;
        if (at >= 0)
        {
            while (task.Open.Count - 1 > at) Emit(PopNoReturn(task, ts), output);
            call = task.Open[at];
            task.Open.RemoveAt(at);
            call.Status = FunctionCallStatus.Returned;
        }
        else
        {
            // no entry: the call began before the trace, or its entry was lost; the kernel's times place it
            call = new FunctionCall(cpu, ts >= duration ? ts - duration : 0, func, Name(func), depth, pid, _command(pid)) { Status = FunctionCallStatus.NoEntry };
            if (task.Open.Count > 0 && task.Open[^1].Depth < depth) task.Open[^1].AddChild(call);
        }
        call._durationNs = duration;
        if (shape.Overrun is not null) call.Overrun = (long)Read(data, shape.Overrun);
        if (shape.RetVal is not null) call.ReturnValue = SignExtend(Read(data, shape.RetVal), shape.RetVal.Size);
        Emit(call, output);
    }

    private static FunctionCall PopNoReturn(Task task, ulong now)
    {
        var c = task.Open[^1];
        task.Open.RemoveAt(task.Open.Count - 1);
        c.Status = FunctionCallStatus.NoReturn;
        c._durationNs = now >= c.TimestampNs ? now - c.TimestampNs : 0;
        return c;
    }

    private void Emit(FunctionCall c, List<TraceRecord> output)
    {
        Calls++;
        output.Add(c);
    }

    /// <summary>Emits the calls still open (innermost first) as NoReturn, timed up to their task's last record.</summary>
    public void Finish(List<TraceRecord> output)
    {
        foreach (var task in _tasks.Values)
            while (task.Open.Count > 0) Emit(PopNoReturn(task, task.LastTs), output);
        _tasks.Clear();
    }

    private string Name(ulong address)
    {
        if (_names.TryGetValue(address, out var n)) return n;
        n = _symbol(address) ?? "0x" + address.ToString("x", CultureInfo.InvariantCulture);
        _names[address] = n;
        return n;
    }

    private static ulong Read(ReadOnlySpan<byte> data, FieldFormat f)
    {
        if (f.Offset + f.Size > data.Length) return 0;
        var s = data.Slice(f.Offset, f.Size);
        return f.Size switch
        {
            8 => BinaryPrimitives.ReadUInt64LittleEndian(s),
            4 => BinaryPrimitives.ReadUInt32LittleEndian(s),
            2 => BinaryPrimitives.ReadUInt16LittleEndian(s),
            1 => s[0],
            _ => 0,
        };
    }

    private static long SignExtend(ulong v, int size) => size switch
    {
        4 => (int)(uint)v,
        2 => (short)(ushort)v,
        1 => (sbyte)(byte)v,
        _ => (long)v,
    };
}
